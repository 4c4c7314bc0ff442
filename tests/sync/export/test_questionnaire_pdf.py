"""The synthesis of a key-age questionnaire as a text PDF (read back with pypdfium2)."""

from datetime import date

import pypdfium2 as pdfium

from sync.export import questionnaire_pdf
from sync.protocol import questionnaires as qn


def _text(content: bytes) -> str:
    pdf = pdfium.PdfDocument(content)
    try:
        return "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()


ANSWERS = {
    "diet_fruit_veg": "less_than_2",
    "physical_activity": "three_or_four",
    "sleep": "often_badly",
    "tobacco": "former",
    "alcohol_frequency": "monthly_or_less",
    "alcohol_drinks": "one_or_two",
    "alcohol_six": "never",
    "falls": "twice_or_more",
    "medicines": "7",
    "priorities": "Mes chutes et mon sommeil",
}


def test_the_synthesis_pdf_holds_the_answers_and_the_points_to_discuss() -> None:
    synthesis = qn.synthesis(qn.load("bilan_70_75"), ANSWERS, "fr")
    content = questionnaire_pdf.build(synthesis, holder_name="Jeanne Martin", day=date(2026, 11, 24))
    assert content.startswith(b"%PDF-")
    text = " ".join(_text(content).split())
    assert "Mon bilan prévention 70-75 ans" in text and "Questionnaire de Jeanne Martin" in text
    assert "Rempli le 24/11/2026" in text
    assert "pas encore terminé" in text  # several questions are still unanswered
    assert "Points à aborder avec votre professionnel de santé" in text
    for flagged in ("Moins de 2", "Souvent mal", "Deux fois ou plus", "7"):
        assert flagged in text
    assert "Score AUDIT-C (alcool) : 1 sur 12" in text
    assert "Mes chutes et mon sommeil" in text and "Autonomie et vie quotidienne" in text


def test_in_english_too() -> None:
    answers = {k: v for k, v in ANSWERS.items() if k != "priorities"}
    synthesis = qn.synthesis(qn.load("bilan_70_75"), answers, "en")
    text = " ".join(
        _text(
            questionnaire_pdf.build(synthesis, holder_name="Jeanne", day=date(2026, 11, 24), lang="en")
        ).split()
    )
    assert "My prevention check-up, age 70-75" in text and "Filled in on 24 Nov 2026" in text
    assert "Points to talk about with your health professional" in text and "Twice or more" in text


def test_answers_kept_offline_reach_the_server_and_the_other_device(world, two_devices) -> None:  # type: ignore[no-untyped-def]
    """The answers are records of the collection "questionnaire": written on one phone without the
    network, synced later, re-checked by the server, read back on the tablet for the synthesis."""
    phone, tablet = two_devices
    young = qn.load("bilan_18_25")
    answers = {"diet_fruit_veg": "two_to_four", "tobacco": "daily", "tobacco_quit": "maybe"}
    record = phone.store.put(
        "questionnaire", {"questionnaire": young.id, "version": 1, "answers": answers, "status": "draft"}
    )
    bad = phone.store.put(
        "questionnaire", {"questionnaire": young.id, "version": 1, "answers": answers, "status": "done"}
    )
    assert phone.store.pending_count() == 2  # nothing sent yet: offline until the engine runs
    phone.engine.sync()
    assert tablet.engine.sync().error is None
    kept = tablet.store.get(record)
    assert kept is not None and kept.data["answers"] == answers
    assert tablet.store.get(bad) is None  # "done" with questions unanswered: refused by the server
    made = qn.synthesis(young, kept.data["answers"], "fr")
    assert made.themes[0].lines[0].answer == "2 à 4" and not made.complete
