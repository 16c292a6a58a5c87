"""The shape of a table of text cells: where its header is, which columns hold codes, periods and values.

Pure functions over a :class:`gtec.imports.reading.Grid`:

- :func:`find_header`: title rows above the header are skipped (the header is the first row as wide as the body);
  a second header row (labels above codes, or years above quarters) is merged into one label per column;
- :func:`period_of`: a column label read as a period: ``2021``, ``T3_2025`` / ``2025-T3`` / ``2025T3`` /
  ``Q3 2025`` -> ``2025-T3``, census prefixes ``P18_POP`` -> (``2018``, ``POP``);
- :func:`detect_shape`: a :class:`Shape` proposing the code column, the wide period columns or the long
  period and value columns. The mapping step starts from it.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from gtec.core import fmt
from gtec.imports.reading import Grid

_QUARTER = (
    (re.compile(r"^[TQ]([1-4])[ _-]?(\d{4})$", re.I), "qy"),
    (re.compile(r"^(\d{4})[ _-]?[TQ]([1-4])$", re.I), "yq"),
)
_YEAR = re.compile(r"^((?:19|20)\d{2})$")
_CENSUS = re.compile(r"^([PC])(\d{2})_(\w+)$")
_CODE_NAMES = (
    "code",
    "codgeo",
    "com",
    "codecommune",
    "codeinsee",
    "insee",
    "depcom",
    "dep",
    "reg",
    "epci",
    "siren",
    "ze2020",
    "be",
    "codgeo2023",
    "code_commune",
    "code_insee",
    "territoire",
    "geo",
)
_CODE_VALUE = re.compile(r"^(?:\d{1,9}|2[AB]\d{0,3}|[A-Z]{2,3}\d{0,3}[A-Z]?)$")


def period_of(label: str) -> tuple[str, str] | None:
    """``(period, indicator suffix)`` when a column label names a period, else None (see the module docstring)."""
    text = label.strip()
    for pattern, order in _QUARTER:
        m = pattern.match(text)
        if m:
            a, b = m.groups()
            return (f"{b}-T{a}" if order == "qy" else f"{a}-T{b}"), ""
    if _YEAR.match(text):
        return text, ""
    m = _CENSUS.match(text)
    if m:
        return f"20{m.group(2)}", m.group(3).lower()
    return None


def _is_number(cell: str) -> bool:
    try:
        fmt.parse_number(cell)
    except ValueError:
        return False
    return True


def _headerish(row: list[str]) -> bool:
    """Mostly text labels (years and periods count as labels)."""
    cells = [c for c in row if c]
    if not cells:
        return False
    numbers = sum(1 for c in cells if _is_number(c) and not period_of(c))
    return numbers / len(cells) < 0.2


def find_header(grid: Grid) -> tuple[int, list[str], int]:
    """``(index of the first data row, column labels, number of header rows)``.

    The header is the first row holding at least 80 % as many cells as the most common width of the first rows
    (title rows hold one cell); a following row of labels too (and no numbers) is merged into it.
    """
    rows = grid.rows
    if not rows:
        return 0, [], 0
    widths = [sum(1 for c in r if c) for r in rows[:200]]
    common = Counter(w for w in widths if w >= 2).most_common(1)
    width = common[0][0] if common else max(widths)
    h = next((i for i, w in enumerate(widths) if w >= max(2, 0.8 * width) or w == width), 0)
    ncols = max(len(r) for r in rows[h : h + 200])
    labels = [*rows[h], *[""] * (ncols - len(rows[h]))]
    n_header = 1
    nxt = rows[h + 1] if h + 1 < len(rows) else None
    after = rows[h + 2] if h + 2 < len(rows) else None
    if nxt is not None and after is not None and _headerish(nxt) and not _headerish(after) and _headerish(rows[h]):
        lower = [*nxt, *[""] * (ncols - len(nxt))]
        labels = merge_header(labels, lower)
        n_header = 2
    labels = [lab or f"col{i + 1}" for i, lab in enumerate(labels)]
    # duplicate labels get a suffix so that every column can be named
    seen: Counter[str] = Counter()
    unique = []
    for lab in labels:
        seen[lab] += 1
        unique.append(lab if seen[lab] == 1 else f"{lab}.{seen[lab]}")
    return h + n_header, unique, n_header


def merge_header(upper: list[str], lower: list[str]) -> list[str]:
    """One label per column from two header rows: the lower label when it is a period or the upper is empty;
    a year above a quarter (``2021`` / ``T4``) gives ``2021-T4``; else ``upper lower``. Merged cells of the upper
    row (empty to the right of a label) are filled forward."""
    filled, last = [], ""
    for cell in upper:
        last = cell or last
        filled.append(last)
    out = []
    for up, low in zip(filled, lower, strict=True):
        q = re.fullmatch(r"[TQ]([1-4])", low.strip(), re.I)
        if q and _YEAR.match(up.strip()):
            out.append(f"{up.strip()}-T{q.group(1)}")
        elif period_of(low) or not up:
            out.append(low)
        elif not low:
            out.append(up)
        else:
            out.append(low)  # the lower row holds the codes producers use (ZE2020, 2003-T1...)
    return out


@dataclass
class Shape:
    """What :func:`detect_shape` found. ``wide``: column label -> (period, indicator suffix)."""

    first_row: int
    labels: list[str]
    header_rows: int
    code_column: str | None
    wide: dict[str, tuple[str, str]] = field(default_factory=dict)
    period_column: str | None = None
    value_column: str | None = None
    indicator_column: str | None = None
    name_column: str | None = None
    period: str = ""  # a fixed period read from the value column's label ("Emplois 2024" -> 2024)


def _key(label: str) -> str:
    """A label compared without case, accents or punctuation (``Année`` -> ``annee``)."""
    folded = unicodedata.normalize("NFKD", label.lower())
    return re.sub(r"[^a-z0-9_]", "", "".join(c for c in folded if not unicodedata.combining(c)))


def _column(grid: Grid, first: int, index: int, limit: int = 500) -> list[str]:
    return [r[index] if index < len(r) else "" for r in grid.rows[first : first + limit]]


def detect_shape(grid: Grid) -> Shape:
    """Propose the mapping of a grid: header, code column (by name, else by the look of its values), wide period
    columns, or long ``period``/``value``/``indicator`` columns."""
    first, labels, n_header = find_header(grid)
    shape = Shape(first, labels, n_header, None)
    keys = [_key(lab) for lab in labels]
    for i, key in enumerate(keys):
        if key in _CODE_NAMES or key.startswith(("code", "cod")):
            shape.code_column = labels[i]
            break
    if shape.code_column is None:
        for i, lab in enumerate(labels):
            cells = [c for c in _column(grid, first, i) if c]
            if cells and sum(1 for c in cells if _CODE_VALUE.match(c.upper())) / len(cells) > 0.9:
                shape.code_column = lab
                break
    shape.wide = {lab: p for lab in labels if (p := period_of(lab))}
    for i, key in enumerate(keys):
        if labels[i] == shape.code_column or labels[i] in shape.wide:
            continue
        if shape.period_column is None and key in ("year", "annee", "period", "periode", "date", "millesime"):
            shape.period_column = labels[i]
        elif shape.value_column is None and key in ("value", "valeur", "val", "nombre", "count", "taux", "rate"):
            shape.value_column = labels[i]
        elif shape.indicator_column is None and key in ("indicator", "indicateur", "variable", "id_indicateur"):
            shape.indicator_column = labels[i]
        elif shape.name_column is None and key in ("name", "nom", "libelle", "libgeo", "lib", "label", "commune"):
            shape.name_column = labels[i]
    if shape.period_column and shape.value_column:
        shape.wide = {}
    if not shape.wide and shape.value_column is None:
        for i in range(len(labels) - 1, -1, -1):
            cells = [c for c in _column(grid, first, i, 200) if c]
            if labels[i] != shape.code_column and cells and sum(map(_is_number, cells)) / len(cells) > 0.8:
                shape.value_column = labels[i]
                break
    if shape.value_column and not shape.period_column:
        m = re.search(r"(?<!\d)((?:19|20)\d{2})(?!\d)", shape.value_column)
        shape.period = m.group(1) if m else ""
    return shape
