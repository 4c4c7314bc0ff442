"""The attestation of a delegation (who helps whom, what they may do, from when to when) as a PDF
the helper shows at a pharmacy or a surgery, as the national app's "attestation" does. Built on
the device from the delegation the server gave, with the text PDF writer of the summary, so it can
be searched and read aloud."""

from datetime import date

from sync.export.pdf_text import TextPdf
from sync.protocol.helpers_schemas import DelegationOut
from sync.protocol.i18n import long_day_text, translate

__all__ = ["build"]


def build(delegation: DelegationOut, *, made: date, lang: str = "fr") -> bytes:
    """The PDF bytes of one active delegation's attestation, in French or English."""
    helped = f"{delegation.helped.first_name} {delegation.helped.last_name}"
    helper = f"{delegation.helper.first_name} {delegation.helper.last_name}"
    rights = "ui.helpers.pdf.may_add" if delegation.may_add else "ui.helpers.pdf.read_only"
    title = translate("ui.helpers.pdf.title", lang)
    pdf = TextPdf(title=title)
    pdf.text(title, size=20, bold=True)
    pdf.text(translate("ui.helpers.pdf.who", lang, helper=helper, helped=helped), gap=10)
    pdf.text(
        translate(
            "ui.helpers.pdf.when",
            lang,
            start=long_day_text(delegation.starts_on, lang),
            end=long_day_text(delegation.ends_on, lang),
        ),
        gap=6,
    )
    pdf.text(translate(rights, lang), gap=6)
    if delegation.messages:
        pdf.text(translate("ui.helpers.pdf.messages", lang), gap=6)
    made_on = long_day_text(made, lang)
    pdf.text(translate("ui.helpers.pdf.made", lang, day=made_on, ref=delegation.id[:12]), gap=12)
    pdf.text(translate("ui.helpers.pdf.note", lang), size=9, gap=16)
    return pdf.to_bytes()
