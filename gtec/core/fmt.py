"""Numbers in and out: formatting in the reader's language, and the one parser for text typed by people.

- :func:`number` / :func:`figure` format for display (French: ``12 345,6`` with a narrow no-break space;
  English: ``12,345.6``); missing values are shown as missing, never as 0.
- :func:`plain` writes a language-neutral number for URLs, documentation tables and messages (``12``, ``1.18``).
- :func:`parse_number` reads a number from a widget, a URL or a file cell (French decimal comma, thousands
  separators including no-break and narrow no-break spaces). It is the only number parser for user text.

The separators per language come from :func:`gtec.core.i18n.choose` (the one place that knows the languages).
"""

from __future__ import annotations

import math
import numbers
from datetime import date, datetime

from gtec.core.i18n import choose

NNBSP = "\u202f"  # narrow no-break space, the French thousands separator
#: Spaces people and spreadsheets put between thousands: space, no-break, narrow no-break, thin, figure space.
_SPACES = (" ", "\xa0", NNBSP, "\u2009", "\u2007")
#: Longest text accepted as a number (a URL or a file cell is not allowed to make the parser work hard).
MAX_NUMBER_TEXT = 32


def is_missing(value: object) -> bool:
    """None or NaN."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def _separators(lang: str | None) -> tuple[str, str]:
    """(thousands, decimal) separators for ``lang``."""
    return choose(lang, fr=(NNBSP, ","), en=(",", "."))


def number(value: float | None, lang: str, decimals: int = 0, missing: str = "–") -> str:
    """Format a number for display; missing values give ``missing`` (never 0)."""
    if is_missing(value):
        return missing
    thousands, decimal = _separators(lang)
    text = f"{float(value):,.{decimals}f}"  # type: ignore[arg-type]
    return text.replace(",", "\0").replace(".", decimal).replace("\0", thousands)


def percent(text: str, lang: str) -> str:
    """``text`` followed by the percent sign, spaced the way ``lang`` writes it (``12,5 %`` / ``12.5%``)."""
    return text + choose(lang, fr=NNBSP + "%", en="%")


def figure(value: float | None, kind: str, unit: str, lang: str, missing: str = "–") -> str:
    """A value with its unit: counts without decimals, rates with one decimal."""
    if is_missing(value):
        return missing
    decimals = 0 if kind == "count" else 1
    if kind == "amount" and abs(float(value)) < 100:  # type: ignore[arg-type]
        decimals = 2
    text = number(value, lang, decimals)
    if unit in ("%", "% "):
        return percent(text, lang)
    return f"{text} {unit}".strip()


MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
MONTHS_FR = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip


def long_date(value: date | str | None, lang: str) -> str:
    """A calendar date in words (``2 décembre 2026`` / ``2 December 2026``; the 1st is ``1er`` in French).
    ``value`` may be a date, a datetime or an ISO 8601 text (a time part is ignored); ``""`` if it is not one."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            return ""
    if not isinstance(value, date):
        return ""
    month = choose(lang, fr=MONTHS_FR, en=MONTHS_EN)[value.month - 1]
    day = choose(lang, fr="1er" if value.day == 1 else str(value.day), en=str(value.day))
    return f"{day} {month} {value.year}"


def plain(value: float | None) -> str:
    """A language-neutral number: ``12`` for 12.0, ``1.18`` for 1.18 (URLs, docs, bounds in messages); ``""`` for
    None. Exact: ``parse_number(plain(x)) == x`` for every finite float.
    """
    if value is None:
        return ""
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def parse_number(raw: object) -> float:
    """A finite float from a number or a text typed by a person, read from a URL or a file cell.

    Accepts ints, floats and numpy scalars; text may use a decimal comma (``1,15``), thousands separators
    (spaces, no-break and narrow no-break spaces, thin spaces; ``12,345.6`` when both a comma and a point appear,
    the last one is the decimal mark; ``1,234,567`` with several commas), a Unicode minus sign and surrounding
    spaces. Raises ``ValueError`` for booleans, None, empty or over-long text, anything else, NaN and infinities.
    """
    if isinstance(raw, bool) or raw is None:
        raise ValueError("not a number")
    if isinstance(raw, numbers.Real):
        value = float(raw)
    else:
        text = str(raw).strip()
        if not text or len(text) > MAX_NUMBER_TEXT:
            raise ValueError("empty or too long")
        for space in _SPACES:
            text = text.replace(space, "")
        text = text.replace("\u2212", "-")
        if "," in text and "." in text:
            # both marks: the last one is the decimal mark, the other one groups thousands
            thousands = "," if text.rfind(".") > text.rfind(",") else "."
            text = text.replace(thousands, "").replace(",", ".")
        elif text.count(",") > 1:
            text = text.replace(",", "")
        else:
            text = text.replace(",", ".")
        if not all(c in "0123456789+-.eE" for c in text):
            raise ValueError(f"not a number: {text[:MAX_NUMBER_TEXT]!r}")
        value = float(text)
    if not math.isfinite(value):
        raise ValueError("not finite")
    return value


def parse_typed(text: str, lang: str) -> float:
    """A number typed by a reader in ``lang``'s format (the number inputs of the pages).

    French: ``1,18``, ``1 234,5`` (any space between thousands), ``1234.5`` also read (a point is never a French
    thousands mark when it is the only mark). English: ``1.18``, ``1,234.5``; a comma alone is read as a thousands
    mark only when it groups three digits (``1,234`` is 1234 in English, 1.234 in French), otherwise as a decimal
    mark, as :func:`parse_number` does. Raises ``ValueError`` like :func:`parse_number`.
    """
    if not isinstance(text, str):
        return parse_number(text)
    body = text.strip()
    if choose(lang, fr=False, en=True) and "." not in body and "," in body:
        digits = body.lstrip("+-\u2212")
        groups = digits.split(",")
        if groups[0].isdigit() and len(groups[0]) <= 3 and all(len(g) == 3 and g.isdigit() for g in groups[1:]):
            body = body.replace(",", "")
    return parse_number(body)
