"""Exports handed to users: CSV that spreadsheets open without running anything."""

from __future__ import annotations

import pandas as pd

#: A cell starting with one of these is read as a formula by Excel/LibreOffice (CSV formula injection).
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralise_cell(value: object) -> object:
    """``value`` with a leading apostrophe when it is text a spreadsheet would evaluate as a formula.

    Numbers (including negative ones) are left alone: only strings are ever evaluated as formulas.
    """
    if isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def to_safe_csv(df: pd.DataFrame) -> str:
    """``df`` as CSV text (UTF-8, comma-separated, no index) with formula-like text cells neutralised.

    Column names are neutralised too; missing values stay empty cells.
    """
    safe = df.copy()
    safe.columns = [neutralise_cell(str(c)) for c in safe.columns]
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise_cell, na_action="ignore")
    # CRLF (RFC 4180): the csv writer then quotes any cell holding a bare \r or \n, so a stray carriage return
    # inside a value can never start a new row in a spreadsheet.
    return safe.to_csv(index=False, lineterminator="\r\n")


def to_safe_csv_bytes(df: pd.DataFrame) -> bytes:
    """:func:`to_safe_csv` encoded for a download: UTF-8 with a byte-order mark, so Excel reads accents."""
    return ("\ufeff" + to_safe_csv(df)).encode("utf-8")
