"""The mapping step: which columns of a file hold the territory code, the period, the value (or wide period
columns), and how the indicator aggregates. Turns a :class:`~gtec.imports.reading.Grid` into a tidy frame.

Values are parsed column-wise (a vectorised fast path for plain numbers, decimal commas and thousands spaces), and
:func:`gtec.core.fmt.parse_number` - the one parser of user text - decides every cell the fast path does not read.
Secret markers (:data:`SECRET_MARKS`) are missing with ``secret`` True; empty cells are missing; never zero.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from gtec.build.readers import normalise_codes
from gtec.core import fmt
from gtec.core.errors import UserError
from gtec.imports.reading import Grid
from gtec.imports.shape import Shape

#: Cells producers use for withheld or unavailable figures (compared lower-case, stripped).
SECRET_MARKS: frozenset[str] = frozenset({"*", "s", "nd", "n.d.", "n.d", "nc", "n.c.", "ns", "secret", "c", "x", ".."})
AGGREGATIONS: tuple[str, ...] = ("sum", "weighted_mean", "none")
_INDICATOR = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_SPACES = re.compile("[ \u00a0\u202f\u2009\u2007]")
_PLAIN = re.compile(r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$")


@dataclass(frozen=True)
class Mapping:
    """How to read a file that no profile recognises.

    ``code``: column of territory codes; ``level``: their level (``commune``, ``epci``, ``departement``...,
    empty = the level most codes match); ``indicator``: id of the indicator (lower-case, ``_``); ``value``:
    column of values, with ``period`` (a fixed period such as ``2024``) or ``period_column``; or ``wide`` True:
    every column whose label is a period holds values. ``aggregation``: ``sum`` (counts), ``weighted_mean`` by
    ``weight`` (an indicator of the reference store, e.g. ``population``) or ``none``. ``min_value`` and
    ``max_value`` bound the values (counts default to >= 0).
    """

    code: str
    indicator: str
    value: str = ""
    period: str = ""
    period_column: str = ""
    wide: bool = False
    level: str = ""
    aggregation: str = "sum"
    weight: str = ""
    min_value: float | None = None
    max_value: float | None = None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def parse_mapping(text: str) -> Mapping:
    """A mapping from ``key=value,key=value`` (the CLI's ``--mapping``), e.g.
    ``code=CODGEO,value=Nb,period=2024,indicator=jobs,aggregation=sum``."""
    values: dict[str, object] = {}
    fields = set(Mapping.__dataclass_fields__)
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, val = part.partition("=")
        key = key.strip()
        if not sep or key not in fields:
            raise UserError("imports.error.mapping_syntax", part=part[:40])
        if key == "wide":
            values[key] = val.strip().lower() in ("1", "true", "yes", "oui")
        elif key in ("min_value", "max_value"):
            try:
                values[key] = fmt.parse_number(val)
            except ValueError as exc:
                raise UserError("imports.error.mapping_syntax", part=part[:40]) from exc
        else:
            values[key] = val.strip()
    if "code" not in values or "indicator" not in values:
        raise UserError("imports.error.mapping_incomplete")
    return Mapping(**values)  # type: ignore[arg-type]


def load_mapping(text: str) -> Mapping:
    """A mapping from the CLI's ``--mapping``: a JSON object (``{"code": "CODGEO", ...}``), the path of a file
    holding one, or ``key=value,...`` (:func:`parse_mapping`). Unknown keys and values of the wrong type are
    refused (``imports.error.mapping_syntax``)."""
    import json
    from pathlib import Path

    raw = (text or "").strip()
    if raw and not raw.startswith("{") and "=" not in raw:
        path = Path(raw)
        if not path.is_file() or path.stat().st_size > 100_000:
            raise UserError("imports.error.mapping_syntax", part=raw[:40])
        try:
            raw = path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise UserError("imports.error.mapping_syntax", part=path.name[:40]) from exc
    if not raw.startswith("{"):
        return parse_mapping(raw)
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise UserError("imports.error.mapping_syntax", part=raw[:40]) from exc
    if not isinstance(data, dict):
        raise UserError("imports.error.mapping_syntax", part=raw[:40])
    fields = Mapping.__dataclass_fields__
    values: dict[str, object] = {}
    for key, val in data.items():
        if key not in fields:
            raise UserError("imports.error.mapping_syntax", part=str(key)[:40])
        if key == "wide":
            ok = isinstance(val, bool)
        elif key in ("min_value", "max_value"):
            ok = val is None or (isinstance(val, int | float) and not isinstance(val, bool))
        else:
            ok = isinstance(val, str)
        if not ok:
            raise UserError("imports.error.mapping_syntax", part=f"{key}={val}"[:40])
        values[key] = val
    if not values.get("code") or not values.get("indicator"):
        raise UserError("imports.error.mapping_incomplete")
    return Mapping(**values)  # type: ignore[arg-type]


def mapping_from_shape(shape: Shape, indicator: str, **overrides: object) -> Mapping | None:
    """The mapping :func:`gtec.imports.shape.detect_shape` proposes (None without a code column)."""
    if not shape.code_column:
        return None
    base: dict[str, object] = {"code": shape.code_column, "indicator": indicator}
    if shape.value_column and (shape.period_column or not shape.wide):
        base.update(value=shape.value_column, period_column=shape.period_column or "", period=shape.period)
    elif shape.wide:
        base["wide"] = True
    base.update(overrides)
    return Mapping(**base)  # type: ignore[arg-type]


def check_mapping(mapping: Mapping, labels: list[str]) -> None:
    """Refuse a mapping naming columns the file does not have, or one that is incomplete."""
    if not _INDICATOR.match(mapping.indicator or ""):
        raise UserError("imports.error.indicator_name", name=(mapping.indicator or "")[:40])
    if mapping.aggregation not in AGGREGATIONS:
        raise UserError("imports.error.aggregation", rule=mapping.aggregation[:20])
    if mapping.aggregation == "weighted_mean" and not mapping.weight:
        raise UserError("imports.error.weight_missing")
    wanted = [mapping.code] + ([mapping.value] if not mapping.wide else [])
    wanted += [mapping.period_column] if mapping.period_column else []
    missing = [c for c in wanted if c not in labels]
    if missing:
        raise UserError("imports.error.missing_columns", columns=", ".join(m[:40] for m in missing))
    if not mapping.wide and not (mapping.period or mapping.period_column):
        raise UserError("imports.error.period_missing")


def parse_values(cells: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(value, secret, bad)`` for a column of text cells: floats (NaN when missing), secret markers, and cells
    that are neither a number, a marker nor empty (reported as non-numeric)."""
    text = cells.astype(str).str.strip()
    lower = text.str.lower()
    secret = lower.isin(SECRET_MARKS).to_numpy()
    empty = (text == "").to_numpy()
    compact = text.str.replace(_SPACES.pattern, "", regex=True).str.replace("\u2212", "-", regex=False)
    no_point = ~compact.str.contains(".", regex=False)
    one_comma = compact.str.count(",") == 1
    compact = compact.where(~(no_point & one_comma), compact.str.replace(",", ".", regex=False))
    plain = compact.str.match(_PLAIN.pattern).to_numpy()
    value = np.full(len(text), np.nan)
    value[plain] = compact[plain].astype(float).to_numpy()
    rest = ~plain & ~secret & ~empty
    bad = np.zeros(len(text), dtype=bool)
    for i in np.flatnonzero(rest):
        try:
            value[i] = fmt.parse_number(text.iat[i])
        except ValueError:
            bad[i] = True
    return value, secret, bad


def tidy_from_grid(grid: Grid, shape: Shape, mapping: Mapping) -> pd.DataFrame:
    """The values a mapping reads: ``code`` (text, normalised), ``indicator``, ``period``, ``value``, ``secret``,
    ``bad`` (a cell that is not a number), ``line`` (row in the file) and ``column`` (label)."""
    labels = shape.labels
    check_mapping(mapping, labels)
    body = grid.rows[shape.first_row :]
    lines = grid.line_numbers[shape.first_row :]
    used = {mapping.code, mapping.value, mapping.period_column} - {""}
    if mapping.wide:
        used |= {lab for lab in labels if _period(lab)}
    # only the columns the mapping reads, built column by column (short rows padded with empty cells)
    columns = list(itertools.zip_longest(*body, fillvalue="")) if body else []  # transposed at C speed
    frame = pd.DataFrame(
        {
            lab: np.asarray(columns[i], dtype=object) if i < len(columns) else np.full(len(body), "", dtype=object)
            for i, lab in enumerate(labels)
            if lab in used
        },
        dtype=object,
    )
    codes = _codes(frame[mapping.code])
    if mapping.wide:
        wide = {lab: p for lab in labels if (p := _period(lab))}
        if not wide:
            raise UserError("imports.error.no_period_columns")
        parts = []
        for lab, (period, suffix) in wide.items():
            indicator = f"{mapping.indicator}_{suffix}" if suffix else mapping.indicator
            parts.append(_part(frame[lab], codes, lines, indicator, period, lab))
        return pd.concat(parts, ignore_index=True)
    periods = frame[mapping.period_column].astype(str).str.strip() if mapping.period_column else mapping.period
    part = _part(frame[mapping.value], codes, lines, mapping.indicator, periods, mapping.value)
    return part


def _codes(cells: pd.Series) -> pd.Series:
    """:func:`gtec.build.readers.normalise_codes` applied once per distinct cell (files repeat each code once per
    period or indicator)."""
    uniq = pd.unique(cells.to_numpy(dtype=object))
    table = dict(zip(uniq.tolist(), normalise_codes(pd.Series(uniq, dtype=object)).tolist(), strict=True))
    return pd.Series([table[c] for c in cells.tolist()], index=cells.index, dtype=object)


def _period(label: str) -> tuple[str, str] | None:
    from gtec.imports.shape import period_of

    return period_of(label)


def _part(cells: pd.Series, codes: pd.Series, lines: list[int], indicator: str, period: object, column: str):
    value, secret, bad = parse_values(cells)
    return pd.DataFrame(
        {
            "code": codes.to_numpy(dtype=object),
            "indicator": indicator,
            "period": period if isinstance(period, str) else np.asarray(period, dtype=object),
            "value": value,
            "secret": secret,
            "bad": bad,
            "raw": cells.to_numpy(dtype=object),
            "line": np.asarray(lines, dtype=int),
            "column": column,
        }
    )
