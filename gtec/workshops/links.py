"""Links from a contribution to the observatory's reference data: an occupation family, a territory."""

from __future__ import annotations

from collections.abc import Iterable

from gtec.core.i18n import pick
from gtec.storage.reference import ReferenceConnection

#: Territory levels offered to participants (the scale at which a room discusses jobs and training).
LINK_LEVELS: tuple[str, ...] = ("region", "departement", "zone_emploi", "basin", "epci")


def families(conn: ReferenceConnection, lang: str) -> list[tuple[str, str]]:
    """``(id, label)`` of the occupation families, in the reader's language, by id."""
    rows = conn.execute("SELECT id, label_fr, label_en FROM occupation_families ORDER BY id").fetchall()
    return [(str(r[0]), pick({"label_fr": r[1], "label_en": r[2]}, "label", lang)) for r in rows]


def territories(conn: ReferenceConnection, levels: Iterable[str] = LINK_LEVELS) -> list[tuple[str, str]]:
    """``(id, name)`` of the territories of ``levels``, by level then name."""
    wanted = tuple(levels)
    marks = ", ".join("?" for _ in wanted)
    order = " ".join(f"WHEN '{lvl}' THEN {i}" for i, lvl in enumerate(wanted))  # constants of this module only
    rows = conn.execute(
        f"SELECT id, name FROM territories WHERE level IN ({marks}) ORDER BY CASE level {order} END, name", wanted
    ).fetchall()
    return [(str(r[0]), str(r[1])) for r in rows]


def labels(conn: ReferenceConnection | None, lang: str, ids: Iterable[str | None]) -> dict[str, str]:
    """Readable names of family and territory ids (missing ones map to themselves); no store: ids as given."""
    wanted = sorted({i for i in ids if i})
    out = {i: i for i in wanted}
    if conn is None or not wanted:
        return out
    marks = ", ".join("?" for _ in wanted)
    for r in conn.execute(f"SELECT id, label_fr, label_en FROM occupation_families WHERE id IN ({marks})", wanted):
        out[str(r[0])] = pick({"label_fr": r[1], "label_en": r[2]}, "label", lang)
    for r in conn.execute(f"SELECT id, name FROM territories WHERE id IN ({marks})", wanted):
        out[str(r[0])] = str(r[1])
    return out
