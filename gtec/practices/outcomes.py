"""Results of a practice measured by the observatory: an indicator of the reference store for the practice's
territory, before and after (two years). A value absent from the store stays missing (None), never zero; where
no indicator fits, the practice states its results in words (``results``)."""

from __future__ import annotations

from dataclasses import dataclass

from gtec.storage.reference import ReferenceConnection


@dataclass(frozen=True)
class Change:
    """An indicator of the store, before and after; values are None when the store has none for that year."""

    indicator_id: str
    territory_id: str
    before_year: int
    after_year: int
    before: float | None
    after: float | None
    source_id: str | None


def _value(
    conn: ReferenceConnection, territory_id: str, indicator_id: str, year: int
) -> tuple[float | None, str | None]:
    row = conn.execute(
        "SELECT value, source_id FROM indicator_values WHERE territory_id = ? AND indicator_id = ? AND year = ? "
        "ORDER BY period DESC LIMIT 1",
        (territory_id, indicator_id, year),
    ).fetchone()
    return (None, None) if row is None or row[0] is None else (float(row[0]), row[1])


def indicator_change(conn: ReferenceConnection, practice: dict) -> Change | None:
    """The before/after change recorded for ``practice`` (``indicator_id``, years in ``indicator_before`` and
    ``indicator_after``), read from the store; None when the practice names no indicator or no valid years."""
    indicator, territory = practice.get("indicator_id") or "", practice.get("territory_id") or ""
    try:
        before_year, after_year = (
            int(practice.get("indicator_before") or ""),
            int(practice.get("indicator_after") or ""),
        )
    except ValueError:
        return None
    if not indicator or not territory:
        return None
    before, source_a = _value(conn, territory, indicator, before_year)
    after, source_b = _value(conn, territory, indicator, after_year)
    return Change(indicator, territory, before_year, after_year, before, after, source_b or source_a)


def indicator_years(conn: ReferenceConnection, territory_id: str, indicator_id: str) -> list[int]:
    """Years for which the store has a value of ``indicator_id`` for ``territory_id``, oldest first."""
    rows = conn.execute(
        "SELECT DISTINCT year FROM indicator_values WHERE territory_id = ? AND indicator_id = ? AND value IS NOT NULL "
        "ORDER BY year",
        (territory_id, indicator_id),
    ).fetchall()
    return [int(r[0]) for r in rows]
