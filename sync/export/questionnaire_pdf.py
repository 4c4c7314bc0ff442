"""The synthesis of a key-age questionnaire ("Mon bilan prévention") as a PDF the person shows
their professional: the answers by theme, the points to talk about, the AUDIT-C score. Built on
the device from the answers (sync/protocol/questionnaires.py), with the same text PDF writer as
the summary of the space (sync/export/pdf_text.py), so it can be searched and read aloud."""

from datetime import date

from sync.export.pdf_text import TextPdf
from sync.protocol.i18n import day_text, translate
from sync.protocol.questionnaires import Synthesis

__all__ = ["build"]


def build(synthesis: Synthesis, *, holder_name: str, day: date, lang: str = "fr") -> bytes:
    """The PDF bytes of one synthesis, in French or English (the language of `synthesis` too)."""
    pdf = TextPdf(title=synthesis.title)
    pdf.text(synthesis.title, size=20, bold=True)
    pdf.text(translate("ui.questionnaire.pdf.for", lang, name=holder_name), gap=4)
    pdf.text(translate("ui.questionnaire.pdf.made", lang, day=day_text(day, lang)))
    if not synthesis.complete:
        pdf.text(translate("ui.questionnaire.pdf.incomplete", lang), bold=True, gap=6)
    pdf.text(translate("ui.questionnaire.pdf.discuss", lang), size=14, bold=True, gap=12)
    for point in synthesis.to_discuss or (translate("ui.questionnaire.pdf.discuss.none", lang),):
        pdf.text(f"- {point}", indent=12, gap=2)
    if synthesis.audit_c is not None:
        pdf.text(translate("ui.questionnaire.pdf.audit_c", lang, score=synthesis.audit_c), indent=12, gap=2)
    for theme in synthesis.themes:
        pdf.text(theme.title, size=14, bold=True, gap=12)
        for line in theme.lines:
            pdf.text(line.question, indent=12, gap=4)
            pdf.text(("! " if line.discuss else "") + line.answer, indent=24, bold=line.discuss)
    pdf.text(translate("ui.questionnaire.pdf.note", lang), size=9, gap=16)
    return pdf.to_bytes()
