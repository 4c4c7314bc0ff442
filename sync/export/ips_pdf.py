"""The patient summary as a PDF, printed from the IPS Bundle itself (`sync.export.ips`): the same
source as the JSON export, so the two never disagree. Text only, so it can be searched and read
aloud."""

from typing import Any

from sync.export.ips import summary_lines
from sync.export.pdf_text import TextPdf

__all__ = ["build", "text_of"]


def _parts(document: dict[str, Any]) -> tuple[str, str, list[tuple[str, list[str]]]]:
    composition = document["entry"][0]["resource"]
    patient = next(e["resource"] for e in document["entry"] if e["resource"]["resourceType"] == "Patient")
    name = str((patient.get("name") or [{}])[0].get("text", ""))
    heading = f"{composition.get('title', '')} — {name}" if name else str(composition.get("title", ""))
    return heading, str(composition.get("date", ""))[:10], summary_lines(document)


def text_of(document: dict[str, Any]) -> str:
    """What the PDF prints, as plain text (for a quick look, and for tests)."""
    heading, day, sections = _parts(document)
    lines = [heading, day]
    for title, entries in sections:
        lines += [title, *(f"  {line}" for line in entries)]
    return "\n".join(lines)


def build(document: dict[str, Any]) -> bytes:
    heading, day, sections = _parts(document)
    pdf = TextPdf(title=heading)
    pdf.text(heading, size=20, bold=True)
    pdf.text(day, gap=4)
    for title, entries in sections:
        pdf.text(title, size=14, bold=True, gap=10)
        for line in entries:
            pdf.text(line, indent=12, gap=2)
    return pdf.to_bytes()
