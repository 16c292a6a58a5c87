"""Small pure helpers to build parameterised SQL."""

from __future__ import annotations

from collections.abc import Sequence


def quote_identifier(name: str) -> str:
    """Quote an SQL identifier (table or column name) for SQLite."""
    return '"' + str(name).replace('"', '""') + '"'


def placeholders(values: Sequence[object]) -> str:
    """``?, ?, ?`` for an ``IN (...)`` clause; raises on an empty sequence (``IN ()`` is a trap)."""
    if not values:
        raise ValueError("empty IN list")
    return ", ".join("?" for _ in values)
