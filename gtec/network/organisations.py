"""Partner organisations: validation (declared types, territory ids, SIREN with its Luhn check), creation and
versioned edits, duplicate detection and merge with history.

Duplicates are two live organisations with the same SIREN, or with close names in the same territory. Names are
compared on a *match key*: accents and case folded, punctuation dropped, legal forms (SAS, SARL, Ltd...) removed;
two keys are close when :class:`difflib.SequenceMatcher` gives at least :data:`SIMILARITY`. A merge keeps one
organisation, moves the other's contacts, interactions and collaborations to it, fills the survivor's empty fields
from it, and keeps the merged row as an alias (``merged_into``, who, when): nothing is deleted, and ids held
elsewhere (roadmap actions) still lead to the survivor through :func:`resolve`.

Every write goes through ``Workspace.write`` (``network.edit`` / ``network.merge``); audit details hold ids only.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any

from gtec.core import auth
from gtec.core.errors import EditConflict, UserError
from gtec.core.text import clean
from gtec.network import vocab
from gtec.storage.reference import ReferenceConnection
from gtec.storage.workspace import Connection, Workspace, name_key, now_iso
from gtec.territories.indicators import get_territory

MAX_NAME = 160
SIMILARITY = 0.88
_TERRITORY = re.compile(r"^[A-Z]{2}(-[A-Za-z0-9_]+)*$|^WS-\d+$")
_NAF = re.compile(r"^\d{2}(\.\d{1,2}[A-Z]?)?$")
#: Legal forms dropped from names before comparing them (FR, UK, BE).
_LEGAL_FORM_WORDS = "sa sas sasu sarl eurl sci scop scic snc gie sem spl ste societe ltd limited plc llp cic inc co"
LEGAL_FORMS = frozenset((_LEGAL_FORM_WORDS + " asbl sprl srl sc bv nv cie group groupe").split(" "))
FIELDS = ("name", "org_type", "country", "territory_id", "naf", "size", "siren", "other_id")


@dataclass(frozen=True)
class OrganisationDraft:
    """What an editor enters. ``territory_id`` is a store id (``FR-COM-56260``); codes come from :mod:`.vocab`."""

    name: str
    org_type: str
    country: str = "FR"
    territory_id: str = ""
    naf: str = ""
    size: str = ""
    siren: str = ""
    other_id: str = ""


def siren_is_valid(siren: str) -> bool:
    """True for 9 digits passing the Luhn check (the SIREN key); spaces are ignored."""
    digits = re.sub(r"\s", "", siren or "")
    if not re.fullmatch(r"\d{9}", digits):
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def match_key(name: str) -> str:
    """The name as compared for duplicates: no accents, case folded, no punctuation, no legal form."""
    folded = unicodedata.normalize("NFKD", clean(name)).casefold()
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch))
    # "S.A.S." -> "sas": dots join abbreviations; any other punctuation separates words
    words = re.sub(r"[^\w]+", " ", plain.replace(".", "").replace("'", " ").replace("’", " ")).split()
    kept = [w for w in words if w not in LEGAL_FORMS]
    return " ".join(kept or words)


_COMMUNE = re.compile(r"^(\d{5}|2[AB]\d{3})$")


def commune_territory(conn: ReferenceConnection, code: str) -> str:
    """The territory id of a commune given by its INSEE code (``56260`` -> ``FR-COM-56260``), checked against the
    reference store; :class:`UserError` ``network.error.commune`` when the code is malformed or unknown."""
    value = clean(code).strip().upper()
    if not _COMMUNE.match(value):
        raise UserError("network.error.commune", code=value)
    territory_id = f"FR-COM-{value}"
    if get_territory(conn, territory_id) is None:
        raise UserError("network.error.commune", code=value)
    return territory_id


def validate(draft: OrganisationDraft) -> dict[str, Any]:
    """The row to store for ``draft`` or a :class:`UserError` (``network.error.*``)."""
    name = " ".join(clean(draft.name).split())
    if not name:
        raise UserError("network.error.name")
    if len(name) > MAX_NAME:
        raise UserError("network.error.too_long", max=MAX_NAME)
    if draft.org_type not in vocab.ORG_TYPES:
        raise UserError("network.error.org_type")
    if draft.country not in vocab.COUNTRIES:
        raise UserError("network.error.country")
    if draft.size and draft.size not in vocab.SIZES:
        raise UserError("network.error.size")
    territory = clean(draft.territory_id).strip()
    if territory and not _TERRITORY.match(territory):
        raise UserError("network.error.territory")
    naf = clean(draft.naf).strip().upper()
    if naf and not _NAF.match(naf):
        raise UserError("network.error.naf")
    siren = re.sub(r"\s", "", clean(draft.siren))
    if siren and not siren_is_valid(siren):
        raise UserError("network.error.siren")
    other_id = clean(draft.other_id).strip()[:40]
    return {
        "name": name,
        "name_key": name_key(name),
        "match_key": match_key(name),
        "org_type": draft.org_type,
        "country": draft.country,
        "territory_id": territory,
        "naf": naf,
        "size": draft.size,
        "siren": siren,
        "other_id": other_id,
    }


def create(ws: Workspace, actor: auth.Actor, draft: OrganisationDraft) -> int:
    """Store a new organisation; returns its id. Possible duplicates are reported by :func:`find_duplicates`."""
    row = validate(draft)
    cols = [*row, "created_by", "created_at"]
    sql = f"INSERT INTO organisations({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)}) RETURNING id"
    detail: dict[str, Any] = {"op": "create"}
    with ws.write(actor, "network.edit", target="organisation", detail=detail) as conn:
        new_id = int(conn.scalar(sql, [*row.values(), actor.name, now_iso()]))
        detail["id"] = new_id  # the audit row is written after this block: it records the new id
    return new_id


def update(ws: Workspace, actor: auth.Actor, org_id: int, draft: OrganisationDraft, version: int) -> None:
    """Save an edit made on ``version``; refused with :class:`EditConflict` when someone saved since."""
    row = validate(draft)
    with ws.write(actor, "network.edit", target=f"organisation:{org_id}", detail={"op": "update"}) as conn:
        current = conn.one("SELECT * FROM organisations WHERE id = ? AND merged_into IS NULL", (org_id,))
        if current is None:
            raise UserError("network.error.unknown_organisation")
        if int(current["version"]) != int(version):
            changed = [f for f in FIELDS if str(current[f]) != str(row[f])] or ["name"]
            conflicts: list[dict[str, object]] = [
                {
                    "id": org_id,
                    "field": f,
                    "yours": row[f],
                    "theirs": current[f],
                    "by": current["created_by"],
                    "at": current["created_at"],
                }
                for f in changed
            ]
            raise EditConflict("network.error.conflict", conflicts)
        sets = ", ".join(f"{c} = ?" for c in row)
        conn.execute(f"UPDATE organisations SET {sets}, version = version + 1 WHERE id = ?", [*row.values(), org_id])


def list_organisations(ws: Workspace, *, include_merged: bool = False) -> list[dict[str, Any]]:
    """Organisations as dicts sorted by name (live ones only unless ``include_merged``)."""
    sql = "SELECT * FROM organisations" + ("" if include_merged else " WHERE merged_into IS NULL")
    with ws.read() as conn:
        rows = [dict(r) for r in conn.all(sql + " ORDER BY name_key, id")]
    return rows


def get(ws: Workspace, org_id: int) -> dict[str, Any] | None:
    """One organisation (live or merged alias), or None."""
    with ws.read() as conn:
        row = conn.one("SELECT * FROM organisations WHERE id = ?", (org_id,))
    return dict(row) if row else None


def resolve(ws: Workspace, org_id: int) -> int | None:
    """The live organisation an id now stands for (itself, or the survivor of its merges); None if unknown."""
    with ws.read() as conn:
        seen: set[int] = set()
        current: int | None = org_id
        while current is not None and current not in seen:
            seen.add(current)
            row = conn.one("SELECT merged_into FROM organisations WHERE id = ?", (current,))
            if row is None:
                return None
            if row["merged_into"] is None:
                return current
            current = int(row["merged_into"])
    return None


@dataclass(frozen=True)
class Duplicate:
    """Two live organisations that look like one: ``reason`` is ``siren`` or ``name``; ``score`` in [0, 1]."""

    first_id: int
    second_id: int
    reason: str
    score: float


def find_duplicates(ws: Workspace, threshold: float = SIMILARITY) -> list[Duplicate]:
    """Pairs of live organisations with the same SIREN, or close match keys in the same territory.

    Names are compared only inside a territory (and a country when no territory is given), so the cost stays
    quadratic in the size of a territory, not of the network.
    """
    orgs = list_organisations(ws)
    found: dict[tuple[int, int], Duplicate] = {}
    by_siren: dict[str, list[int]] = defaultdict(list)
    by_place: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for org in orgs:
        if org["siren"]:
            by_siren[org["siren"]].append(org["id"])
        by_place[org["territory_id"] or f"country:{org['country']}"].append(org)
    for ids in by_siren.values():
        ids.sort()
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                found[(a, b)] = Duplicate(a, b, "siren", 1.0)
    for group in by_place.values():
        for i, x in enumerate(group):
            for y in group[i + 1 :]:
                pair = (min(x["id"], y["id"]), max(x["id"], y["id"]))
                if pair in found or (x["siren"] and y["siren"] and x["siren"] != y["siren"]):
                    continue  # two different valid SIRENs are two legal entities, however close the names
                matcher = difflib.SequenceMatcher(None, x["match_key"], y["match_key"])
                # the cheap upper bounds first: most pairs are far apart
                if matcher.real_quick_ratio() < threshold or matcher.quick_ratio() < threshold:
                    continue
                score = matcher.ratio()
                if score >= threshold:
                    found[pair] = Duplicate(pair[0], pair[1], "name", round(score, 3))
    return sorted(found.values(), key=lambda d: (-d.score, d.first_id, d.second_id))


def _move_links(conn: Connection, table: str, column: str, keep_id: int, merge_id: int) -> int:
    """Point ``table``'s rows of ``merge_id`` at ``keep_id`` (a row already linking both is dropped)."""
    rows = conn.all(f"SELECT {column} FROM {table} WHERE organisation_id = ?", (merge_id,))
    moved = 0
    for row in rows:
        other = row[0]
        exists = conn.one(f"SELECT 1 FROM {table} WHERE {column} = ? AND organisation_id = ?", (other, keep_id))
        if exists:
            conn.execute(f"DELETE FROM {table} WHERE {column} = ? AND organisation_id = ?", (other, merge_id))
        else:
            conn.execute(
                f"UPDATE {table} SET organisation_id = ? WHERE {column} = ? AND organisation_id = ?",
                (keep_id, other, merge_id),
            )
        moved += 1
    return moved


def merge(ws: Workspace, actor: auth.Actor, keep_id: int, merge_id: int) -> dict[str, int]:
    """Merge ``merge_id`` into ``keep_id``; returns how many contacts, interactions, collaborations moved.

    The merged row stays as an alias (``merged_into``, ``merged_by``, ``merged_at``); the survivor's empty fields
    are filled from it and its version goes up. Refused when either is unknown, already merged, or the same.
    """
    if keep_id == merge_id:
        raise UserError("network.error.merge_same")
    detail: dict[str, Any] = {"kept": keep_id, "merged": merge_id}
    with ws.write(actor, "network.merge", target=f"organisation:{keep_id}", detail=detail) as conn:
        keep = conn.one("SELECT * FROM organisations WHERE id = ?", (keep_id,))
        gone = conn.one("SELECT * FROM organisations WHERE id = ?", (merge_id,))
        if keep is None or gone is None:
            raise UserError("network.error.unknown_organisation")
        if keep["merged_into"] is not None or gone["merged_into"] is not None:
            raise UserError("network.error.already_merged")
        contacts = conn.execute(
            "UPDATE contacts SET organisation_id = ? WHERE organisation_id = ?", (keep_id, merge_id)
        ).rowcount
        interactions = _move_links(conn, "interaction_organisations", "interaction_id", keep_id, merge_id)
        collaborations = _move_links(conn, "collaboration_parties", "collaboration_id", keep_id, merge_id)
        fill = {f: gone[f] for f in ("territory_id", "naf", "size", "siren", "other_id") if not keep[f] and gone[f]}
        if fill:
            sets = ", ".join(f"{c} = ?" for c in fill)
            conn.execute(f"UPDATE organisations SET {sets} WHERE id = ?", [*fill.values(), keep_id])
        conn.execute("UPDATE organisations SET version = version + 1 WHERE id = ?", (keep_id,))
        conn.execute(
            "UPDATE organisations SET merged_into = ?, merged_by = ?, merged_at = ?, version = version + 1 "
            "WHERE id = ?",
            (keep_id, actor.name, now_iso(), merge_id),
        )
        # ids that already pointed at the merged row (an earlier merge) now point at the survivor
        conn.execute("UPDATE organisations SET merged_into = ? WHERE merged_into = ?", (keep_id, merge_id))
        moved = {"contacts": contacts, "interactions": interactions, "collaborations": collaborations}
        detail.update(moved)  # the audit row is written after this block, with the counts
    return moved


def aliases(ws: Workspace, org_id: int) -> list[dict[str, Any]]:
    """The organisations merged into ``org_id``: name, SIREN, who merged and when (the merge history)."""
    with ws.read() as conn:
        rows = conn.all(
            "SELECT id, name, siren, territory_id, merged_by, merged_at FROM organisations "
            "WHERE merged_into = ? ORDER BY merged_at, id",
            (org_id,),
        )
    return [dict(r) for r in rows]


def draft_of(org: dict[str, Any]) -> OrganisationDraft:
    """The editable fields of a stored organisation, as a draft (for edit forms)."""
    return OrganisationDraft(**{f: org[f] for f in asdict(OrganisationDraft("", ""))})
