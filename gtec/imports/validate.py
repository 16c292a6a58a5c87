"""The validation report, computed before anything is written.

:func:`validate` joins the codes of a tidy frame to the reference store's territories (codes as text) and lists
every problem with its row and column in the file: unknown codes (with close matches), codes of merged communes
(the store's ``commune_successors``: the value goes to the current commune), duplicates, non-numeric and
out-of-range values, and the share of the level's territories covered. ``errors`` block the import; ``warnings``
do not. The user fixes the file or the mapping, or aborts.
"""

from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from gtec.storage.reference import ReferenceConnection

#: Problem kinds and whether they block the import.
BLOCKING: dict[str, bool] = {
    "unknown_code": False,
    "merged_code": False,
    "empty_code": False,
    "duplicate": True,
    "non_numeric": True,
    "out_of_range": True,
    "few_matches": True,
    "no_values": True,
}
MAX_LISTED = 200
MIN_MATCH_SHARE = 0.5
#: Catalogue key of each problem kind (indicator and boundary reports), for the page and the CLI.
PROBLEM_KEYS: dict[str, str] = {
    "unknown_code": "imports.problem.unknown_code",
    "merged_code": "imports.problem.merged_code",
    "empty_code": "imports.problem.empty_code",
    "duplicate": "imports.problem.duplicate",
    "non_numeric": "imports.problem.non_numeric",
    "out_of_range": "imports.problem.out_of_range",
    "few_matches": "imports.problem.few_matches",
    "no_values": "imports.problem.no_values",
    "repaired": "imports.problem.repaired",
    "no_crs": "imports.problem.no_crs",
    "empty_name": "imports.problem.empty_name",
    "simplified": "imports.problem.simplified",
    "invalid_geometry": "imports.problem.invalid_geometry",
    "not_polygon": "imports.problem.not_polygon",
    "no_geometry": "imports.problem.no_geometry",
}


@dataclass
class Geography:
    """The reference store's territories for matching: ``territories`` (id, code, level), ``successors``
    (old commune code -> current code) and ``parents`` (commune id -> parent ids at every level above it)."""

    territories: pd.DataFrame
    successors: dict[str, str]
    parents: pd.DataFrame

    _by_level: dict[str, dict[str, str]] = field(default_factory=dict, repr=False, compare=False)

    def codes(self, level: str) -> dict[str, str]:
        """Code -> territory id of one level (computed once per level: every import asks for it)."""
        found = self._by_level.get(level)
        if found is None:
            sub = self.territories.loc[self.territories["level"] == level]
            found = dict(zip(sub["code"].tolist(), sub["id"].tolist(), strict=True))
            self._by_level[level] = found
        return found


def load_geography(conn: ReferenceConnection) -> Geography:
    """Read :class:`Geography` from the reference store (about 37,000 territories; read once per process)."""
    terr = pd.DataFrame(
        [
            tuple(r)
            for r in conn.execute("SELECT id, code, level, parent_id, departement_id, region_id FROM territories")
        ],
        columns=["id", "code", "level", "parent_id", "departement_id", "region_id"],
    )
    successors = {r[0]: r[1] for r in conn.execute("SELECT code, successor FROM commune_successors")}
    com = terr.loc[terr["level"] == "commune"]
    pairs = [com[["parent_id", "id"]], com[["departement_id", "id"]], com[["region_id", "id"]]]
    frames = [p.set_axis(["parent_id", "child_id"], axis=1) for p in pairs]
    frames.append(pd.DataFrame({"parent_id": "FR", "child_id": com["id"]}))
    mem = pd.DataFrame(
        [
            tuple(r)
            for r in conn.execute(
                "SELECT m.parent_id, m.child_id FROM memberships m JOIN territories c ON c.id = m.child_id"
                " WHERE c.level = 'commune'"
            )
        ],
        columns=["parent_id", "child_id"],
    )
    parents = pd.concat([*frames, mem], ignore_index=True).dropna().drop_duplicates()
    return Geography(terr.loc[:, ["id", "code", "level"]], successors, parents)


@dataclass
class Report:
    """What an import would do. ``problems``: dicts ``kind, line, column, value, detail`` (at most
    :data:`MAX_LISTED`; ``counts`` has every kind's total)."""

    source: str
    sha256: str
    profile: str
    level: str
    rows: int
    values: int
    matched: int
    territories_in_level: int
    indicators: list[str]
    periods: list[str]
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[dict[str, Any]] = field(default_factory=list)
    shape: dict[str, Any] = field(default_factory=dict)

    @property
    def coverage(self) -> float:
        return self.matched / self.territories_in_level if self.territories_in_level else 0.0

    @property
    def ok(self) -> bool:
        return not any(BLOCKING[k] and n for k, n in self.counts.items())

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.update(coverage=round(self.coverage, 4), ok=self.ok)
        return out


def _add(report: Report, kind: str, rows: pd.DataFrame | None = None, **detail: Any) -> None:
    n = 1 if rows is None else len(rows)
    if n == 0:
        return
    report.counts[kind] = report.counts.get(kind, 0) + n
    room = MAX_LISTED - len(report.problems)
    if room <= 0:
        return
    if rows is None:
        report.problems.append({"kind": kind, "line": None, "column": None, "value": None, **detail})
        return
    for r in rows.head(room).itertuples(index=False):
        report.problems.append(
            {
                "kind": kind,
                "line": int(r.line) if "line" in rows.columns and pd.notna(r.line) else None,
                "column": str(r.column) if "column" in rows.columns else None,
                "value": str(getattr(r, "raw", None) if kind in ("non_numeric",) else r.code)[:60],
                **{k: (v(r) if callable(v) else v) for k, v in detail.items()},
            }
        )


def close_codes(code: str, lookup: dict[str, str], n: int = 3) -> list[str]:
    """Up to ``n`` known codes close to an unknown one (a typo, a lost leading zero, an old code): compared with
    the codes sharing its first two characters (a commune's département), else its first; at most 1,000
    candidates, so a file of unknown codes stays fast."""
    index = _prefix_index(lookup)
    pool = index.get(code[:2]) or index.get(code[:1]) or []
    return difflib.get_close_matches(code, pool[:1000], n=n, cutoff=0.6)


def _prefix_index(lookup: dict[str, str]) -> dict[str, list[str]]:
    key = id(lookup)
    cached = _PREFIXES.get(key)
    if cached is not None and cached[0] is lookup:
        return cached[1]
    index: dict[str, list[str]] = {}
    for c in lookup:
        index.setdefault(c[:2], []).append(c)
        index.setdefault(c[:1], []).append(c)
    _PREFIXES[key] = (lookup, index)
    return index


_PREFIXES: dict[int, tuple[dict[str, str], dict[str, list[str]]]] = {}


def choose_level(codes: pd.Series, geo: Geography, candidates: tuple[str, ...] | None) -> str:
    """The level whose codes match most of ``codes`` (among ``candidates``, else every level)."""
    levels = candidates or tuple(sorted(geo.territories["level"].unique()))
    distinct = set(codes.dropna().unique())
    scores = {lv: len(distinct & set(geo.codes(lv))) for lv in levels}
    best = max(scores, key=lambda lv: (scores[lv], -levels.index(lv)))
    return best


def validate(
    tidy: pd.DataFrame,
    geo: Geography,
    *,
    source: str,
    sha256: str,
    profile: str = "",
    levels: tuple[str, ...] | None = None,
    aggregation: str = "sum",
    min_value: float | None = None,
    max_value: float | None = None,
) -> tuple[Report, pd.DataFrame]:
    """``(report, values)``: ``values`` has ``territory_id, indicator, period, value, secret`` for the matched
    rows (what would be written when ``report.ok``). ``tidy``: ``code, indicator, period, value, secret`` and
    optionally ``bad, raw, line, column`` (see :func:`gtec.imports.mapping.tidy_from_grid`)."""
    df = tidy.copy()
    for col, default in (("bad", False), ("line", None), ("column", ""), ("raw", "")):
        if col not in df.columns:
            df[col] = default
    df["period"] = df["period"].astype(str)
    level = choose_level(df["code"], geo, levels)
    lookup = geo.codes(level)
    report = Report(source, sha256, profile, level, len(df), 0, 0, len(lookup), [], [])
    empty = df["code"].isna()
    _add(report, "empty_code", df.loc[empty].assign(code=""))
    df = df.loc[~empty]
    # a dict lookup per code in plain Python: several times faster than Series.map(dict) on 100,000 rows
    direct = [lookup.get(c) for c in df["code"].tolist()]
    df["territory_id"] = pd.Series(direct, index=df.index, dtype=object)
    is_direct = pd.Series([t is not None for t in direct], index=df.index)
    if level == "commune":
        old = df["territory_id"].isna() & df["code"].isin(geo.successors.keys())
        moved = df.loc[old]
        _add(report, "merged_code", moved, detail=lambda r: geo.successors.get(r.code, ""))
        df.loc[old, "territory_id"] = df.loc[old, "code"].map(geo.successors).map(lookup)
    unknown = df["territory_id"].isna()
    if unknown.any():
        uniq = df.loc[unknown, "code"].unique()[:20]
        close = {c: ", ".join(close_codes(str(c), lookup)) for c in uniq}
        _add(report, "unknown_code", df.loc[unknown], detail=lambda r: close.get(r.code, ""))
    df = df.loc[~unknown]
    _add(report, "non_numeric", df.loc[df["bad"].astype(bool)])
    lo = 0.0 if min_value is None and aggregation == "sum" else min_value
    vals = df["value"].to_numpy(dtype=float)
    out = np.zeros(len(df), dtype=bool)
    if lo is not None:
        out |= vals < lo
    if max_value is not None:
        out |= vals > max_value
    _add(
        report,
        "out_of_range",
        df.loc[out],
        detail=f"[{'' if lo is None else lo}, {'' if max_value is None else max_value}]",
    )
    # merged communes (and arrondissements) add up into their current commune for counts
    key = ["territory_id", "indicator", "period"]
    merged = ~is_direct.reindex(df.index, fill_value=False)
    if merged.any() and aggregation == "sum":
        df = df.groupby(key, sort=False, as_index=False).agg(
            value=("value", lambda s: s.sum(min_count=1)),
            secret=("secret", "any"),
            code=("code", "first"),
            line=("line", "first"),
            column=("column", "first"),
        )
    else:
        df = df.loc[~(merged & df.duplicated(key, keep=False))] if merged.any() else df
    dup = df.duplicated(key, keep=False)
    _add(report, "duplicate", df.loc[dup])
    report.matched = int(df["territory_id"].nunique())
    report.values = int(df["value"].notna().sum())
    report.indicators = sorted(df["indicator"].dropna().astype(str).unique().tolist())
    report.periods = sorted(df["period"].astype(str).unique().tolist())
    distinct = tidy["code"].dropna().nunique()
    if report.matched == 0 or report.values == 0:
        _add(report, "no_values")
    elif distinct and report.matched / distinct < MIN_MATCH_SHARE:
        _add(report, "few_matches", share=round(report.matched / distinct, 3))
    values = df.loc[:, ["territory_id", "indicator", "period", "value", "secret"]].reset_index(drop=True)
    values["secret"] = values["secret"].astype(bool)
    return report, values
