"""Cost/benefit for the territory and one-at-a-time sensitivity, on top of the cost split.

Programme cost per learner retained in the region and per job created (total and public money), for both
systems; and how each result moves when one input goes across its declared sensitivity range.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from gtec.alternance.calculator import CalculatorTable, Inputs
from gtec.alternance.costsplit import SYSTEMS, splits
from gtec.core.params import Param

METRICS: tuple[str, ...] = ("cost_per_retained", "public_per_retained", "cost_per_job", "public_per_job")


@dataclass(frozen=True)
class TerritoryResult:
    """Programme cost per learner retained in the region and per job created, for one system (EUR)."""

    system: str
    total_eur: float
    public_eur: float
    retention: float | None  # share of learners staying in the region (0-1); None: not entered (no figure)
    retention_source: str  # source id of the retention figure used (or that would be used once entered)
    jobs: float  # jobs per learner: hired by the host (+ other jobs per KTP project)
    cost_per_retained: float | None
    public_per_retained: float | None
    cost_per_job: float | None
    public_per_job: float | None

    def metric(self, name: str) -> float | None:
        return getattr(self, name)

    @property
    def missing(self) -> tuple[str, ...]:
        """Names of the inputs the user still has to enter before the retention results exist."""
        if self.retention is not None:
            return ()
        return (RETENTION_INPUT[self.system],)


#: The retention input of each system. No published French figure exists for apprentices staying in their
#: region, so the French one is the territory's own figure with no default (never the UK graduate figure).
RETENTION_INPUT: dict[str, str] = {"fr_appr": "territory_retention_pct", "uk_ktp": "retention_pct"}
RETENTION_SOURCE: dict[str, str] = {"fr_appr": "gtec-territory-retention", "uk_ktp": "hesa-graduate-outcomes"}


def _ratio(numerator: float, denominator: float | None) -> float | None:
    return numerator / denominator if denominator is not None and denominator > 0 else None


def retention_used(inputs: Inputs, system: str) -> tuple[float | None, str]:
    """Retention share used for ``system`` and its source id: for apprentices the territory's own figure
    (``None`` while it is not entered), for the KTP the UK graduate figure (HESA) that KTP associates belong to."""
    value = inputs.maybe(RETENTION_INPUT[system])
    return (None if value is None else float(value) / 100.0), RETENTION_SOURCE[system]


def territory_results(table: CalculatorTable, inputs: Inputs) -> dict[str, TerritoryResult]:
    """Whole-programme cost per learner retained and per job created, for both systems.

    A learner retained = programme cost / retention share; a job created = programme cost / (host hiring share
    + other jobs per KTP). Returns ``None`` ratios when the denominator is zero (never a division by zero).
    """
    out = {}
    for split in splits(table, inputs, scope="programme"):
        retention, source = retention_used(inputs, split.system)
        if split.system == "fr_appr":
            jobs = float(inputs["appr_hiring_pct"]) / 100.0
        else:
            jobs = float(inputs["ktp_hiring_pct"]) / 100.0 + float(inputs["ktp_extra_jobs"])
        public = split.by_party()["public"]
        out[split.system] = TerritoryResult(
            system=split.system,
            total_eur=split.total_eur,
            public_eur=public,
            retention=retention,
            retention_source=source,
            jobs=jobs,
            cost_per_retained=_ratio(split.total_eur, retention),
            public_per_retained=_ratio(public, retention),
            cost_per_job=_ratio(split.total_eur, jobs),
            public_per_job=_ratio(public, jobs),
        )
    return out


def relevant_systems(param: Param) -> tuple[str, ...]:
    """Which systems a parameter can move (by section and name prefix)."""
    if param.group == "appr" or param.name.startswith("appr_"):
        return ("fr_appr",)
    if param.group == "ktp" or param.name.startswith("ktp_"):
        return ("uk_ktp",)
    return SYSTEMS


@dataclass(frozen=True)
class SensitivityRow:
    """How ``metric`` for ``system`` moves when ``param`` goes from its low to its high sensitivity value."""

    system: str
    param: str
    low: float
    high: float
    base: float | None
    result_low: float | None
    result_high: float | None

    @property
    def swing(self) -> float:
        if self.result_low is None or self.result_high is None:
            return math.inf
        return abs(self.result_high - self.result_low)


def sensitivity(table: CalculatorTable, inputs: Inputs, metric: str = "cost_per_retained") -> list[SensitivityRow]:
    """One-at-a-time sensitivity: each parameter with a declared range is set to its low then high value,
    the others kept. Parameters that do not move a system's result are left out. Sorted by swing, largest first.
    """
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}")
    base = territory_results(table, inputs)
    rows = []
    for p in table.params:
        ends = p.sensitivity_range()
        if ends is None:
            continue
        low_v, high_v = table.coerce(p.name, ends[0]), table.coerce(p.name, ends[1])
        at_low = territory_results(table, inputs.replace(**{p.name: low_v}))
        at_high = territory_results(table, inputs.replace(**{p.name: high_v}))
        for system in relevant_systems(p):
            r_low, r_high = at_low[system].metric(metric), at_high[system].metric(metric)
            b = base[system].metric(metric)
            if r_low is None and r_high is None:
                continue  # a result that needs an input still missing (the retention): nothing to show
            if (
                r_low is not None
                and r_high is not None
                and b is not None
                and abs(r_high - r_low) < 1e-9
                and abs(r_low - b) < 1e-9
            ):
                continue
            rows.append(SensitivityRow(system, p.name, float(low_v), float(high_v), b, r_low, r_high))
    rows.sort(key=lambda r: (r.system, -r.swing if math.isfinite(r.swing) else -1e300))
    return rows
