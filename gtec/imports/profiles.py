"""Official file profiles for imports: the readers of :mod:`gtec.build.readers`, recognised by the file's shape.

A profile is recognised from what :mod:`gtec.imports.reading` saw (kind, header labels, sheet names, archive
members), never from the file name; it is then read by the profile's own ``read_<profile>`` function, so next
year's file of a known producer imports in one step with exactly the build's rules. Zoning and detail profiles
(composition of zones, BMO lexicon, Métiers 2030) are not indicator values and are not importable.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from gtec.build import readers

#: Profiles whose reader yields tidy indicator values, with the levels their codes join to.
IMPORTABLE: dict[str, tuple[str, ...]] = {
    "insee_legal_population": ("commune",),
    "insee_comparateur": ("commune",),
    "insee_localised_unemployment_dep": ("departement",),
    "insee_localised_unemployment_ze": ("zone_emploi",),
    "ft_bmo": ("bmo_bassin",),
    "dares_barometre": ("departement", "country"),
    "lfs_regions": ("uk_itl1", "be_province"),
}


@dataclass(frozen=True)
class Seen:
    """What the reader saw of a file: its kind, the labels of its first rows, its sheets or archive members."""

    kind: str
    rows: list[list[str]]
    sheets: tuple[str, ...] = ()
    members: tuple[str, ...] = ()

    def has_row(self, *labels: str) -> bool:
        return any(all(lab in row for lab in labels) for row in self.rows[:40])


_QUARTER = re.compile(r"^T[1-4]_\d{4}$")
_BMO_SHEET = re.compile(r"^BMO_\d{4}_open_data$")
RECOGNISERS: dict[str, Callable[[Seen], bool]] = {
    "insee_legal_population": lambda s: s.kind == "csv" and s.has_row("COM", "PMUN"),
    "insee_comparateur": lambda s: s.kind == "zip" and "base_cc_comparateur.csv" in {m.lower() for m in s.members},
    "insee_localised_unemployment_dep": lambda s: (
        # INSEE publishes it as a legacy .xls; a copy saved as .xlsx has the same shape and reads the same way
        s.kind in ("xls", "xlsx")
        and any(r and r[0] == "Code" and any(_QUARTER.match(c) for c in r) for r in s.rows[:40])
    ),
    "insee_localised_unemployment_ze": lambda s: s.kind in ("xlsx", "xls") and "txcho_ze" in s.sheets,
    # next year's file names its sheet BMO_2026_open_data: recognised, then read by the build's reader (which reads
    # the 2025 sheet only, so it says plainly that the file does not have the profile's shape)
    "ft_bmo": lambda s: s.kind == "xlsx" and any(_BMO_SHEET.match(n) for n in s.sheets),
    "dares_barometre": lambda s: s.kind == "csv" and s.has_row("date", "valeur", "id_indicateur"),
    "lfs_regions": lambda s: (
        s.kind == "csv"
        and (s.has_row("itl1_code", "indicator", "period", "value") or s.has_row("nuts2_code", "indicator", "period"))
    ),
}


def recognise(seen: Seen) -> str | None:
    """The name of the importable profile whose shape the file has, or None."""
    return next((name for name, test in RECOGNISERS.items() if test(seen)), None)


def read_profile(name: str, path: Path) -> pd.DataFrame:
    """The tidy frame of ``path`` read by profile ``name`` (raises ``SourceFormatError`` on a malformed file)."""
    return readers.PROFILES_BY_NAME[name].reader(Path(path))
