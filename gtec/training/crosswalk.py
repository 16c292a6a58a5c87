"""The curated crosswalk from training codes to the project's occupation families.

``data/training_crosswalk.csv`` (``scheme, code, family_id, fap_domain, label_fr``) attaches each ROME domain or
sub-domain and each NSF group to a FAP 2009 domain and to the project family grouping that domain; its source and
status are declared in ``data/training_crosswalk.toml`` (status ``estimate``: the project's reading of the
nomenclatures). ROME codes match by their longest known prefix (``M1805`` -> ``M18`` -> ``M``), NSF codes by
their three-digit group (``221t`` -> ``221``). FORMACODE and RNCP codes are checked for their form but have no
crosswalk: a training that carries only those is unmapped, listed, and an admin maps it by hand.
"""

from __future__ import annotations

import csv
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from gtec.core import config
from gtec.core.provenance import Source

CROSSWALK_FILE = "training_crosswalk.csv"
SOURCE_FILE = "training_crosswalk.toml"
SCHEMES: tuple[str, ...] = ("rome", "nsf", "formacode", "rncp")
#: The form of each scheme's codes (upper-cased, spaces removed).
PATTERNS: dict[str, re.Pattern[str]] = {
    "rome": re.compile(r"^[A-N]\d{4}$"),
    "nsf": re.compile(r"^\d{3}[A-Z]?$"),
    "formacode": re.compile(r"^\d{5}$"),
    "rncp": re.compile(r"^(RNCP)?\d{1,6}$"),
}
_SPLIT = re.compile(r"[,;/|\s]+")


@dataclass(frozen=True)
class Crosswalk:
    """``entries``: (scheme, code prefix) -> family id; ``source``: where the crosswalk comes from."""

    entries: dict[tuple[str, str], str]
    source: Source

    def family(self, scheme: str, code: str) -> str | None:
        """The family of one well-formed code, or None when the crosswalk does not know it."""
        if scheme == "rome":
            for length in (3, 1):
                hit = self.entries.get(("rome", code[:length]))
                if hit:
                    return hit
            return None
        if scheme == "nsf":
            return self.entries.get(("nsf", code[:3]))
        return None


def split_codes(raw: str) -> list[str]:
    """The codes of one cell (several codes separated by commas, semicolons, slashes, bars or spaces), upper-cased."""
    return [c for c in _SPLIT.split((raw or "").upper()) if c]


def well_formed(scheme: str, code: str) -> bool:
    return bool(PATTERNS[scheme].match(code))


@cache
def load(directory: Path | None = None) -> Crosswalk:
    """The crosswalk and its source from ``directory`` (default: the curated ``data/`` folder)."""
    folder = directory or config.CURATED_DIR
    with (folder / SOURCE_FILE).open("rb") as fh:
        src = tomllib.load(fh)["source"]
    source = Source(
        src["id"], src["title_fr"], src["title_en"], src["publisher"], src.get("url", ""), src.get("licence", ""),
        str(src["vintage"]), src["status"], src.get("note_fr", ""), src.get("note_en", ""),
    )  # fmt: skip
    entries: dict[tuple[str, str], str] = {}
    with (folder / CROSSWALK_FILE).open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(line for line in fh if not line.startswith("#")):
            entries[(row["scheme"].strip(), row["code"].strip().upper())] = row["family_id"].strip()
    return Crosswalk(entries, source)


def family_ids(crosswalk: Crosswalk) -> set[str]:
    """Every family the crosswalk maps to (checked against the reference store's families by a test)."""
    return set(crosswalk.entries.values())
