"""A measurement in words, as the measurements' screens and a child's growth charts show it:
'Poids', '72,5 kg', '125/80 mmHg' (the kinds, units and decimals of `assets/reference`)."""

from sync.protocol.measurements import kinds

__all__ = ["format_number", "format_value", "kind_label", "unit_of"]


def kind_label(kind: str, lang: str) -> str:
    spec = kinds().get(kind)
    return str(spec.get(lang) or spec["fr"]) if spec else kind


def unit_of(kind: str) -> str:
    spec = kinds().get(kind)
    return str(spec["unit"]) if spec else ""


def format_number(value: float, lang: str, decimals: int = 2) -> str:
    """72.0 -> '72', 70.5 -> '70,5' in French: no trailing zeros."""
    shown = f"{value:.{decimals}f}"
    if "." in shown:
        shown = shown.rstrip("0").rstrip(".")
    return shown.replace(".", ",") if lang == "fr" else shown


def format_value(kind: str, value: float, second: float | None, lang: str, *, unit: bool = True) -> str:
    """A reading in words: '72,5 kg', '125/80 mmHg'."""
    decimals = int(kinds().get(kind, {}).get("decimals", 2))
    shown = format_number(value, lang, decimals)
    if second is not None:
        shown += "/" + format_number(second, lang, decimals)
    return f"{shown} {unit_of(kind)}" if unit else shown
