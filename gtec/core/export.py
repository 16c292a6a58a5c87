"""Exports handed to users: CSV that spreadsheets open without running anything."""

from __future__ import annotations

import pandas as pd

from gtec.core.i18n import choose

#: A cell starting with one of these is read as a formula by Excel/LibreOffice (CSV formula injection).
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralise_cell(value: object) -> object:
    """``value`` with a leading apostrophe when it is text a spreadsheet would evaluate as a formula.

    Numbers (including negative ones) are left alone: only strings are ever evaluated as formulas.
    """
    if isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _whole_floats_as_integers(df: pd.DataFrame) -> pd.DataFrame:
    """Float columns holding only whole numbers (headcounts "2526.0") written as integers; NaN stays empty."""
    out = df.copy()
    for column in out.columns:
        col = out[column]
        if pd.api.types.is_float_dtype(col) and col.notna().any() and (col.dropna() % 1 == 0).all():
            out[column] = col.astype("Int64")
    return out


def to_safe_csv(df: pd.DataFrame, lang: str | None = None) -> str:
    """``df`` as CSV text (UTF-8, no index) with formula-like text cells neutralised.

    Column names are neutralised too; missing values stay empty cells. Without ``lang`` the output is the
    plain comma-separated file it always was. With a ``lang``, whole-number float columns are written as
    integers (no "2526.0"), and in French (``lang="fr"``) the file is what a French spreadsheet opens by
    default: ";" between cells and "," decimals (screens review G5, M13, S13).
    """
    safe = _whole_floats_as_integers(df) if lang else df.copy()
    safe.columns = [neutralise_cell(str(c)) for c in safe.columns]
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise_cell, na_action="ignore")
    # CRLF (RFC 4180): the csv writer then quotes any cell holding a bare \r or \n, so a stray carriage return
    # inside a value can never start a new row in a spreadsheet.
    if not lang:
        return safe.to_csv(index=False, lineterminator="\r\n")
    sep, decimal = choose(lang, fr=(";", ","), en=(",", "."))
    return safe.to_csv(index=False, lineterminator="\r\n", sep=sep, decimal=decimal)


def to_safe_csv_bytes(df: pd.DataFrame, lang: str | None = None) -> bytes:
    """:func:`to_safe_csv` encoded for a download: UTF-8 with a byte-order mark, so Excel reads accents."""
    return ("\ufeff" + to_safe_csv(df, lang)).encode("utf-8")
