"""Number formatting in the reader's language (French: 12 345,6 ; English: 12,345.6)."""

from __future__ import annotations

import math

NNBSP = "\u202f"  # narrow no-break space, the French thousands separator


def is_missing(value: object) -> bool:
    """None or NaN."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value: float | None, lang: str, decimals: int = 0, missing: str = "–") -> str:
    """Format a number for display; missing values give ``missing`` (never 0)."""
    if is_missing(value):
        return missing
    text = f"{float(value):,.{decimals}f}"  # type: ignore[arg-type]
    if lang == "fr":
        text = text.replace(",", NNBSP).replace(".", ",")
    return text


def figure(value: float | None, kind: str, unit: str, lang: str, missing: str = "–") -> str:
    """A value with its unit: counts without decimals, rates with one decimal."""
    if is_missing(value):
        return missing
    decimals = 0 if kind == "count" else 1
    if kind == "amount" and abs(float(value)) < 100:  # type: ignore[arg-type]
        decimals = 2
    text = number(value, lang, decimals)
    if unit in ("%", "% "):
        return f"{text}{NNBSP if lang == 'fr' else ''}%"
    return f"{text} {unit}".strip()
