"""The training-offer import profile: one row per training, checked into a validation report.

Columns (header labels in French or English, any order, case and accents ignored; see :data:`COLUMNS`): title,
provider, commune (INSEE code), level (diploma level 3-8 of the 2019 nomenclature, or CAP, bac pro, BTS...),
route (school, apprenticeship, continuing education), places and/or leavers per year, and the codes such offers
carry (FORMACODE, NSF, ROME, RNCP; several codes per cell allowed).

The file is read through the import machinery's layers (:mod:`gtec.imports.reading` within
:mod:`gtec.imports.limits`: size, kind from the first bytes, strict encodings, delimiter, zip and workbook checks).
Then every row is kept and checked; what is wrong is reported, never dropped silently:

- no commune, an unknown commune: the training is kept but placed in no territory; a merged commune is placed on
  its successor (``commune_successors``) and reported;
- a level or route that cannot be read: kept, that figure missing;
- places or leavers given as a range (``10-15``): the midpoint is used and the range kept; as text
  (``environ 12``, ``variable``): missing, the text kept;
- codes of the wrong form, codes unknown to the crosswalk, trainings no code maps to a family: listed;
- the same training twice in the file (same title, provider, commune, route, level): counted once, the copy
  reported; a training already in the current version is replaced by the new version, never added to it.

Problems a user must fix before anything is stored (a missing column, a file that is not a table) raise
:class:`gtec.core.errors.UserError` with a ``training.error.*`` key.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from gtec.core.errors import UserError
from gtec.core.fmt import parse_number
from gtec.imports import reading
from gtec.imports.limits import ImportLimits
from gtec.storage.workspace import name_key
from gtec.training.crosswalk import SCHEMES, Crosswalk, split_codes, well_formed
from gtec.training.places import Communes

ROUTES: tuple[str, ...] = ("school", "apprenticeship", "continuing")
LEVELS: tuple[int, ...] = (3, 4, 5, 6, 7, 8)
#: Field -> accepted header labels (folded: lower case, no accents, words joined by ``_``). The first is the
#: template's French header, the second its English one.
COLUMNS: dict[str, tuple[str, ...]] = {
    "title": ("intitule", "title", "formation", "libelle", "training"),
    "provider": ("organisme", "provider", "etablissement", "organisme_de_formation"),
    "commune": ("code_commune", "commune_code", "commune", "lieu", "place", "code_insee"),
    "level": ("niveau", "level", "niveau_diplome", "diploma_level"),
    "route": ("voie", "route", "modalite", "voie_de_formation"),
    "places": ("places_par_an", "places_per_year", "places", "capacite", "capacity"),
    "leavers": ("sortants_par_an", "leavers_per_year", "sortants", "leavers"),
    "formacode": ("formacode",),
    "nsf": ("nsf", "code_nsf"),
    "rome": ("rome", "code_rome", "codes_rome"),
    "rncp": ("rncp", "code_rncp", "fiche_rncp"),
}
REQUIRED: tuple[str, ...] = ("title", "commune", "level", "route")
ROUTE_WORDS: dict[str, str] = {
    "scolaire": "school", "voie_scolaire": "school", "school": "school", "initiale": "school",
    "formation_initiale": "school", "statut_scolaire": "school",
    "apprentissage": "apprenticeship", "apprenticeship": "apprenticeship", "apprenti": "apprenticeship",
    "alternance": "apprenticeship",
    "continue": "continuing", "formation_continue": "continuing", "continuing": "continuing",
    "continuing_education": "continuing", "adultes": "continuing", "adult": "continuing",
}  # fmt: skip
LEVEL_WORDS: dict[str, int] = {
    "cap": 3, "bep": 3, "cap_bep": 3, "bac_pro": 4, "bac": 4, "bp": 4, "brevet_professionnel": 4,
    "bts": 5, "btsa": 5, "dut": 5, "but": 6, "licence": 6, "licence_pro": 6, "licence_professionnelle": 6,
    "bachelor": 6, "master": 7, "ingenieur": 7, "doctorat": 8, "phd": 8,
}  # fmt: skip
_RANGE = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*(?:-|–|à|a|to)\s*(\d+(?:[.,]\d+)?)\s*$")
_LEVEL_NUM = re.compile(r"^(?:niveau|level|n)?_?([3-8])$")
#: Problem codes (``training.problem.<code>``); ``blocking`` ones do not exist: every row is kept.
PROBLEMS: tuple[str, ...] = (
    "no_title", "no_commune", "unknown_commune", "merged_commune", "bad_level", "bad_route", "range", "text",
    "no_output", "bad_code", "unknown_code", "unmapped", "duplicate",
)  # fmt: skip
MAX_SHOWN_VALUE = 80


def fold(text: object) -> str:
    """``"Code commune"`` -> ``"code_commune"``, ``"Intitulé"`` -> ``"intitule"``."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", str(text)) if not unicodedata.combining(c)).casefold()
    return "_".join("".join(c if c.isalnum() else " " for c in plain).split())


@dataclass
class Problem:
    line: int
    code: str
    value: str = ""


@dataclass
class Report:
    """What the check found: ``rows`` read, ``problems`` (line, code, value), counts by code, the rows placed in a
    territory, mapped to a family, and against the current version (``carried``: already there, replaced;
    ``new``; ``gone``: in the current version, not in this file)."""

    file_name: str
    sha256: str
    size: int
    kind: str
    rows: int = 0
    placed: int = 0
    mapped: int = 0
    counted: int = 0
    carried: int = 0
    new: int = 0
    gone: int = 0
    columns: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return dict(Counter(p.code for p in self.problems))

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "counts": self.counts}


@dataclass
class Checked:
    """The rows as they will be stored (dicts with the columns of ``training_rows``) and the report."""

    rows: list[dict[str, Any]]
    report: Report


def read_grid(path: Path, limits: ImportLimits) -> reading.Grid:
    """The file as a grid of text cells, through the import machinery's checks (CSV/TSV, xlsx, legacy xls)."""
    path = Path(path)
    reading.check_size(path, limits)
    with path.open("rb") as fh:
        head = fh.read(8)
    kind = reading.sniff_kind(head)
    if kind == "zip":
        kind = reading.workbook_kind(path, limits)
        if kind != "xlsx":
            raise UserError("training.error.unsupported")
        return reading.read_workbook_grid(path, "xlsx", limits)
    if kind == "xls":
        return reading.read_workbook_grid(path, "xls", limits)
    return reading.read_text_grid(path.read_bytes(), limits)


def header_map(grid: reading.Grid) -> tuple[int, dict[str, int]]:
    """``(index of the header row, field -> column index)``: the first of the first 20 rows naming at least
    three known columns. Raises ``training.error.no_header`` / ``training.error.missing_columns``."""
    for i, row in enumerate(grid.rows[:20]):
        found: dict[str, int] = {}
        for j, cell in enumerate(row):
            label = fold(cell)
            for fld, aliases in COLUMNS.items():
                if label in aliases and fld not in found:
                    found[fld] = j
        if len(found) >= 3:
            missing = [f for f in REQUIRED if f not in found]
            if "places" not in found and "leavers" not in found:
                missing.append("places")
            if not any(s in found for s in SCHEMES):
                missing.append("rome")
            if missing:
                raise UserError("training.error.missing_columns", columns=", ".join(COLUMNS[f][0] for f in missing))
            return i, found
    raise UserError("training.error.no_header")


def parse_count(raw: str) -> tuple[float | None, float | None, float | None, str]:
    """``(value, low, high, how)`` of a places/leavers cell: ``how`` is ``ok``, ``empty``, ``range`` (value = the
    midpoint) or ``text`` (value missing)."""
    text = (raw or "").strip()
    if not text:
        return None, None, None, "empty"
    try:
        value = parse_number(text)
    except ValueError:
        value = None
    if value is not None:
        return (value, None, None, "ok") if value >= 0 else (None, None, None, "text")
    hit = _RANGE.match(text.lower())
    if hit:
        low, high = sorted((parse_number(hit.group(1)), parse_number(hit.group(2))))
        return (low + high) / 2, low, high, "range"
    return None, None, None, "text"


def parse_level(raw: str) -> int | None:
    word = fold(raw)
    if word in LEVEL_WORDS:
        return LEVEL_WORDS[word]
    hit = _LEVEL_NUM.match(word)
    return int(hit.group(1)) if hit else None


def training_key(title: str, provider: str, commune: str, route: str | None, level: int | None) -> str:
    """A training's identity across files and versions (case, accents and spacing ignored)."""
    return name_key("|".join((fold(title), fold(provider), commune, route or "", str(level or ""))))


def check_offer(
    grid: reading.Grid,
    communes: Communes,
    crosswalk: Crosswalk,
    *,
    file_name: str = "",
    sha256: str = "",
    size: int = 0,
    current_keys: frozenset[str] = frozenset(),
    mappings: dict[str, list[str]] | None = None,
) -> Checked:
    """Check every row of ``grid`` (see the module docstring). ``current_keys``: training keys of the current
    version (for carried/new/gone); ``mappings``: families given by hand, by training key."""
    mappings = mappings or {}
    start, cols = header_map(grid)
    report = Report(file_name, sha256, size, grid.kind, columns=sorted(cols))
    out: list[dict[str, Any]] = []
    first_line: dict[str, int] = {}

    def cell(row: list[str], fld: str) -> str:
        j = cols.get(fld)
        return " ".join(row[j].split()) if j is not None and j < len(row) else ""

    for row, line in zip(grid.rows[start + 1 :], grid.line_numbers[start + 1 :], strict=False):
        problems: list[Problem] = []

        def note(code: str, value: str = "", line: int = line, problems: list[Problem] = problems) -> None:
            problems.append(Problem(line, code, value[:MAX_SHOWN_VALUE]))

        title, provider = cell(row, "title"), cell(row, "provider")
        if not title:
            note("no_title")
        raw_commune = cell(row, "commune")
        commune, how = communes.resolve(raw_commune)
        if how == "empty":
            note("no_commune")
        elif how == "unknown":
            note("unknown_commune", raw_commune)
        elif how == "merged":
            note("merged_commune", f"{raw_commune} → {commune}")
        level = parse_level(cell(row, "level"))
        if level is None:
            note("bad_level", cell(row, "level"))
        route = ROUTE_WORDS.get(fold(cell(row, "route")))
        if route is None:
            note("bad_route", cell(row, "route"))
        counts = {}
        for fld in ("places", "leavers"):
            value, low, high, kind = parse_count(cell(row, fld))
            if kind in ("range", "text"):
                note(kind, f"{fld}: {cell(row, fld)}")
            counts[fld] = (value, low, high, cell(row, fld) if kind in ("range", "text") else "")
        if counts["places"][0] is None and counts["leavers"][0] is None:
            note("no_output")
        codes: dict[str, list[str]] = {}
        families: list[str] = []
        for scheme in SCHEMES:
            codes[scheme] = split_codes(cell(row, scheme))
            for code in codes[scheme]:
                if not well_formed(scheme, code):
                    note("bad_code", f"{scheme.upper()} {code}")
                    continue
                fam = crosswalk.family(scheme, code)
                if fam is None and scheme in ("rome", "nsf"):
                    note("unknown_code", f"{scheme.upper()} {code}")
                elif fam and fam not in families:
                    families.append(fam)
        key = training_key(title, provider, commune or fold(raw_commune), route, level)
        if not families and key not in mappings:
            note("unmapped", "; ".join(f"{s.upper()} {' '.join(c)}" for s, c in codes.items() if c) or "-")
        duplicate_of = first_line.get(key)
        if duplicate_of is not None:
            note("duplicate", str(duplicate_of))
        else:
            first_line[key] = line
        report.problems.extend(problems)
        places, leavers = counts["places"], counts["leavers"]
        out.append(
            {
                "line": line, "row_key": key, "title": title, "provider": provider, "commune_code": raw_commune,
                "commune_id": f"FR-COM-{commune}" if commune else None, "level": level, "route": route,
                "places": places[0], "places_low": places[1] if places[1] is not None else leavers[1],
                "places_high": places[2] if places[2] is not None else leavers[2], "leavers": leavers[0],
                "places_text": " / ".join(x for x in (places[3], leavers[3]) if x),
                "formacode": " ".join(codes["formacode"]), "nsf": " ".join(codes["nsf"]),
                "rome": " ".join(codes["rome"]), "rncp": " ".join(codes["rncp"]), "families": " ".join(families),
                "duplicate_of": duplicate_of,
            }
        )  # fmt: skip
    if not out:
        raise UserError("training.error.no_rows")
    kept = [r for r in out if r["duplicate_of"] is None]
    report.rows = len(out)
    report.counted = len(kept)
    report.placed = sum(1 for r in kept if r["commune_id"])
    report.mapped = sum(1 for r in kept if r["families"] or r["row_key"] in mappings)
    keys = {r["row_key"] for r in kept}
    report.carried = len(keys & current_keys)
    report.new = len(keys - current_keys)
    report.gone = len(current_keys - keys)
    return Checked(out, report)


def file_digest(path: Path) -> tuple[str, int]:
    data = Path(path).read_bytes()
    return hashlib.sha256(data).hexdigest(), len(data)
