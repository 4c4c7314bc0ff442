"""The PDF summary: a real text PDF (opened with pypdfium2) holding what a doctor would look for."""

from datetime import UTC, date, datetime

import pypdfium2 as pdfium

from sync.export import fhir_export, pdf_summary
from sync.export.pdf_text import PAGE_W, TextPdf, text_width, wrap
from sync.protocol.record_schemas import AccessEntryOut
from sync.protocol.schemas import Me, OtpChannel, SpaceStatus
from sync.store import Store

ME = Me(
    id="h1",
    first_name="Camille",
    last_name="Martin",
    email="camille@exemple.fr",
    status=SpaceStatus.ACTIVE,
    otp_channel=OtpChannel.EMAIL,
    birth_date=date(1985, 5, 1),
)
AT = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _text(content: bytes) -> str:
    pdf = pdfium.PdfDocument(content)
    try:
        return "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()


def _snapshot(store: Store) -> fhir_export.Snapshot:
    store.put("profile_entry", {"section": "allergy", "substance": "Pénicilline", "severity": "severe"})
    store.put("profile_entry", {"section": "treatment", "name": "Ventoline", "dose": "2 bouffées"})
    store.put("profile_entry", {"section": "vaccination", "vaccine": "influenza", "date": "2025-10-15"})
    store.put("measurement", {"kind": "weight", "value": 71, "unit": "kg", "at": "2025-12-01T08:00:00+00:00"})
    store.put(
        "measurement", {"kind": "weight", "value": 72.5, "unit": "kg", "at": "2026-01-03T08:00:00+00:00"}
    )
    store.put(
        "measurement",
        {
            "kind": "blood_pressure",
            "value": 128,
            "second": 82,
            "unit": "mmHg",
            "at": "2026-01-03T08:00:00+00:00",
        },
    )
    store.put(
        "appointment",
        {"date": "2026-02-10", "time": "14:30", "professional": "Dr Dubois", "status": "planned"},
    )
    snapshot = fhir_export.gather(store, None, ME, now=AT)
    snapshot.access_log = [
        AccessEntryOut(
            seq=n,
            at=AT,
            actor_id="p1",
            actor_name="Claire Dubois",
            profession="doctor",
            action="read",
            target="documents",
            target_title="",
            mode="normal",
            outcome="allowed" if n < 3 else "refused",
            detail="",
        )
        for n in (1, 2, 3)
    ]
    return snapshot


def test_the_summary_is_a_text_pdf_with_allergies_measurements_and_accesses(store: Store) -> None:
    text = _text(pdf_summary.build(_snapshot(store), "fr"))
    assert "Mon espace santé : résumé" in text and "Camille Martin" in text and "01/05/1985" in text
    assert "Pénicilline, grave" in text
    assert "Poids : 72,5 kg (03/01/2026)" in text and "71,0" not in text  # the latest weight only
    assert "Tension artérielle : 128/82 mmHg" in text
    assert "Ventoline, 2 bouffées" in text and "Grippe" in text and "Dr Dubois" in text
    assert "Claire Dubois (Médecin) : 3 fois" in text and "Dont 1 refusé." in text
    assert "Rien d'enregistré." in text  # no document, no illness


def test_the_summary_speaks_english_too(store: Store) -> None:
    text = _text(pdf_summary.build(_snapshot(store), "en"))
    assert "Known allergies" in text and "Weight: 72.5 kg" in text and "Pénicilline, severe" in text


def test_long_text_wraps_inside_the_margins_and_flows_onto_new_pages() -> None:
    width = 200
    lines = wrap("Une ordonnance " + "x" * 120 + " renouvelée", width, 11)
    assert all(text_width(line, 11) <= width for line in lines) and lines[-1].endswith("renouvelée")
    pdf = TextPdf(title="Essai")
    for n in range(120):
        pdf.text(f"Ligne numéro {n} (parenthèses) et \\ barre")
    content = pdf.to_bytes()
    doc = pdfium.PdfDocument(content)
    try:
        assert len(doc) == 3 and doc[0].get_width() == PAGE_W
    finally:
        doc.close()
    text = _text(content)
    assert "Ligne numéro 119 (parenthèses) et \\ barre" in text
