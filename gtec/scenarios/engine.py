"""Foresight scenario engine: a stock-flow model of job openings and potential imbalances per occupation family.

Method of France Stratégie / Dares, "Les métiers en 2030" (2022), per territory ``t``, family ``f`` and
projection year ``y = 1..H`` (``H`` = horizon - base year)::

    employment      E[y]  = E0 * (1 + g_f + drivers)^y * (1 - crisis_depth * exposure_f * shape(y))
    net creation    C[y]  = E[y] - E[y-1]
    departures      D[y]  = departure_rate_f * territory_factor_t * (1 - retirement_shift / H) * E0
    openings        O[y]  = C[y] + D[y]
    young entrants  Y[y]  = training_output * (1 + training_change * y / H) * insertion * retention
    net mobility    M[y]  = attractiveness * E[y-1]          (net inflow of workers, positive = arrivals)
    imbalance       I[y]  = O[y] - Y[y] - M[y]               (positive = potential shortage)

End-of-career departures are a property of the base-year workforce (those who retire by the horizon are
already in work), so they apply to base-year employment and a crisis does not change them. Training output is
calibrated so that, at the reference settings, young entrants equal the family's entrant
rate times base-year employment (``training_output = entrant_rate_f * E0 / (insertion_ref * retention_ref)``):
insertion, retention and training capacity act through their change from the reference. With an imported training
offer (:class:`OfferLeavers`, issue 18) the training output is the offer's own yearly leavers instead, by route:
``Y = (school_leavers * insertion_school + apprentice_leavers * insertion_apprentice) * retention`` (the
apprenticeship share of the settings is then the offer's own).

Everything here is pure (no streamlit): a frozen :class:`Inputs` and :class:`Settings` in, a
:class:`Result` of numpy arrays out. Parameters are declared once in :data:`PARAMETERS`; the same table
draws the sliders, validates input (:func:`validate_value`, :func:`settings_from_query`) and is printed in
the documentation (:func:`parameter_table`).
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gtec.core.errors import UserError
from gtec.core.fmt import parse_number
from gtec.scenarios.params import (
    CRISIS_DRIVER,
    DRIVERS,
    GROWTH_DRIVERS,
    MAX_HORIZON,
    PARAMETERS,
    SCENARIO_DATA_DIR,
    SENSITIVITIES_FILE,
    Settings,
    param_index,
)

# ---------------------------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Inputs:
    """What the engine needs. Arrays are read-only; shapes in brackets (T territories, F families).

    - ``employment`` [T, F]: base-year employment (jobs);
    - ``growth`` [F]: baseline annual employment growth (fraction, 0.004 = +0.4 %/yr);
    - ``departure_rate`` [F]: annual end-of-career departures as a fraction of employment;
    - ``entrant_rate`` [F]: annual young entrants as a fraction of base-year employment (reference settings);
    - ``sensitivities`` [len(DRIVERS), F]: extra annual growth (fraction) at 100 % of each growth driver, and
      the relative crisis exposure (last row);
    - ``departure_factor`` [T]: territory multiplier of departure rates (older workforce > 1), default 1.
    """

    territory_ids: tuple[str, ...]
    family_ids: tuple[str, ...]
    employment: np.ndarray
    growth: np.ndarray
    departure_rate: np.ndarray
    entrant_rate: np.ndarray
    sensitivities: np.ndarray
    base_year: int
    departure_factor: np.ndarray = field(default=None)  # type: ignore[assignment,arg-type]

    def __post_init__(self) -> None:
        n_t, n_f = len(self.territory_ids), len(self.family_ids)
        arrays = {
            "employment": (self.employment, (n_t, n_f)),
            "growth": (self.growth, (n_f,)),
            "departure_rate": (self.departure_rate, (n_f,)),
            "entrant_rate": (self.entrant_rate, (n_f,)),
            "sensitivities": (self.sensitivities, (len(DRIVERS), n_f)),
        }
        if self.departure_factor is None:
            object.__setattr__(self, "departure_factor", np.ones(n_t))
        arrays["departure_factor"] = (self.departure_factor, (n_t,))
        for name, (arr, shape) in arrays.items():
            arr = np.array(arr, dtype=float)  # a private copy
            if arr.shape != shape:
                raise ValueError(f"{name}: shape {arr.shape}, expected {shape}")
            if name in ("employment", "departure_rate", "entrant_rate", "departure_factor") and np.any(arr < 0):
                raise ValueError(f"{name}: negative values")
            if not np.all(np.isfinite(arr)):
                raise ValueError(f"{name}: missing or infinite values")
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)

    def subset(self, territory_ids: Sequence[str], weights: Sequence[float] | None = None) -> Inputs:
        """The same inputs restricted to some territories (in the given order).

        ``weights`` scale each territory's employment (an EPCI straddling two départements counts for its share
        in each); the model is linear in base employment, so counts scale by the same factor.
        """
        index = {tid: i for i, tid in enumerate(self.territory_ids)}
        rows = [index[tid] for tid in territory_ids]
        employment = self.employment[rows]
        if weights is not None:
            employment = employment * np.asarray(weights, dtype=float)[:, None]
        return Inputs(
            tuple(territory_ids), self.family_ids, employment, self.growth, self.departure_rate,
            self.entrant_rate, self.sensitivities, self.base_year, self.departure_factor[rows],
        )  # fmt: skip

    def collapse(self, territory_id: str) -> Inputs:
        """All territories merged into one (same counts as summing their results).

        Exact because every territory shares the family rates: the merged departure factor is the
        employment-weighted mean of the territories' factors (the same for every family).
        """
        total = self.employment.sum(axis=0)
        weights = self.employment.sum(axis=1)
        factor = float(np.average(self.departure_factor, weights=weights)) if weights.sum() > 0 else 1.0
        return Inputs(
            (territory_id,), self.family_ids, total[None, :], self.growth, self.departure_rate, self.entrant_rate,
            self.sensitivities, self.base_year, np.array([factor]),
        )  # fmt: skip


# ---------------------------------------------------------------------------------------------------------------
# Engine
# ---------------------------------------------------------------------------------------------------------------

FLOWS: tuple[str, ...] = ("creation", "departures", "openings", "entrants", "mobility", "imbalance")


@dataclass(frozen=True, eq=False)
class Result:
    """Projection results. ``employment`` is [T, F, H+1] (index 0 = base year); flows are [T, F, H] (years 1..H)."""

    territory_ids: tuple[str, ...]
    family_ids: tuple[str, ...]
    years: tuple[int, ...]  # projection years base+1..horizon
    employment: np.ndarray
    creation: np.ndarray
    departures: np.ndarray
    openings: np.ndarray
    entrants: np.ndarray
    mobility: np.ndarray
    imbalance: np.ndarray

    @property
    def n_years(self) -> int:
        return len(self.years)

    @property
    def base_employment(self) -> np.ndarray:
        return self.employment[:, :, 0]

    def flow(self, name: str) -> np.ndarray:
        if name not in FLOWS:
            raise KeyError(name)
        return getattr(self, name)

    def aggregate(self, groups: Mapping[str, Sequence[str] | Mapping[str, float]]) -> Result:
        """Sum member territories into groups (basin = its EPCIs). Counts add up exactly.

        A group is a list of member ids or a mapping ``member id -> share`` (share of the member counted in the
        group, for EPCIs straddling départements). Unknown members raise ``KeyError``.
        """
        index = {tid: i for i, tid in enumerate(self.territory_ids)}
        ids = tuple(groups)
        plans = []
        for g in ids:
            members = groups[g]
            shares = dict(members) if isinstance(members, Mapping) else dict.fromkeys(members, 1.0)
            plans.append(([index[m] for m in shares], np.array(list(shares.values()), dtype=float)))

        def agg(arr: np.ndarray) -> np.ndarray:
            if not ids:
                return arr[:0]
            out = []
            for rows, w in plans:
                part = arr[rows]
                out.append(part.sum(axis=0) if np.all(w == 1.0) else np.tensordot(w, part, axes=1))
            return np.stack(out)

        return Result(
            ids, self.family_ids, self.years, agg(self.employment),
            *(agg(getattr(self, name)) for name in FLOWS),
        )  # fmt: skip

    def summary(self) -> pd.DataFrame:
        """Per territory and family: base employment, annual averages of the flows, cumulative imbalance and rate.

        Columns: territory_id, family_id, employment_base, employment_horizon, <flow>_per_year for each flow,
        imbalance_total, imbalance_rate (cumulative imbalance / base employment, %; NaN when employment is 0).
        """
        n_t, n_f = len(self.territory_ids), len(self.family_ids)
        base = self.base_employment
        data = {
            "territory_id": np.repeat(self.territory_ids, n_f),
            "family_id": np.tile(self.family_ids, n_t),
            "employment_base": base.ravel(),
            "employment_horizon": self.employment[:, :, -1].ravel(),
        }
        for name in FLOWS:
            data[f"{name}_per_year"] = self.flow(name).mean(axis=2).ravel()
        total = self.imbalance.sum(axis=2)
        data["imbalance_total"] = total.ravel()
        with np.errstate(divide="ignore", invalid="ignore"):
            data["imbalance_rate"] = np.where(base > 0, 100 * total / base, np.nan).ravel()
        return pd.DataFrame(data)

    def territory_totals(self) -> pd.DataFrame:
        """Per territory (all families): base employment, annual flows, cumulative imbalance and its rate (%)."""
        base = self.base_employment.sum(axis=1)
        data: dict[str, object] = {"territory_id": list(self.territory_ids), "employment_base": base}
        for name in FLOWS:
            data[f"{name}_per_year"] = self.flow(name).sum(axis=1).mean(axis=1)
        total = self.imbalance.sum(axis=(1, 2))
        data["imbalance_total"] = total
        with np.errstate(divide="ignore", invalid="ignore"):
            data["imbalance_rate"] = np.where(base > 0, 100 * total / base, np.nan)
        return pd.DataFrame(data)

    def yearly(self) -> pd.DataFrame:
        """All territories and families summed, per year: each flow and the cumulative imbalance."""
        data: dict[str, object] = {"year": list(self.years)}
        for name in FLOWS:
            data[name] = self.flow(name).sum(axis=(0, 1))
        data["imbalance_cumulative"] = np.cumsum(self.imbalance.sum(axis=(0, 1)))
        data["employment"] = self.employment[:, :, 1:].sum(axis=(0, 1))
        return pd.DataFrame(data)


def _settings_arrays(inputs: Inputs, settings: Settings) -> dict[str, Any]:
    """Scalar and per-family quantities derived from the settings (shared by the vectorised and naive engines)."""
    n_years = settings.horizon - inputs.base_year
    if n_years < 1:
        raise UserError("scenario.error.horizon", min=inputs.base_year + 1, max=MAX_HORIZON)
    sens = inputs.sensitivities
    rate = inputs.growth + settings["growth_adjust"] / 100
    for i, driver in enumerate(GROWTH_DRIVERS):
        rate = rate + settings[driver] / 100 * sens[i]
    rate = np.maximum(rate, -0.5)  # a family cannot lose more than half its jobs a year
    exposure = sens[len(GROWTH_DRIVERS)]
    crisis = np.clip(settings["crisis_depth"] / 100 * exposure, 0.0, 0.9)  # [F]
    ref = Settings.default()
    insertion = _insertion(settings) / _insertion(ref)
    retention = settings["retention"] / ref["retention"]
    return {
        "n_years": n_years,
        "rate": rate,
        "crisis": crisis,
        "recovery": int(settings["crisis_recovery"]),
        "departure_mult": max(0.0, 1.0 - settings["retirement_shift"] / n_years),
        "entrant_mult": insertion * retention,
        "training_change": settings["training_change"] / 100,
        "attractiveness": settings["attractiveness"] / 100,
    }


def _insertion(settings: Settings) -> float:
    share = settings["apprenticeship_share"] / 100
    return share * settings["insertion_apprentice"] / 100 + (1 - share) * settings["insertion_school"] / 100


def crisis_shape(n_years: int, recovery: int) -> np.ndarray:
    """Share of the crisis shock still present in years 1..n: 1 in year 1, back to 0 after ``recovery`` years."""
    years = np.arange(1, n_years + 1)
    return np.clip(1.0 - (years - 1) / recovery, 0.0, 1.0)


@dataclass(frozen=True, eq=False)
class OfferLeavers:
    """Yearly leavers of an imported training offer, [T, F] per route (school, apprenticeship), the same territories
    and families as the :class:`Inputs` they go with; ``source_id`` names the offer's version. Continuing
    education is not young entrants and is not given here."""

    school: np.ndarray
    apprentice: np.ndarray
    source_id: str = ""

    def __post_init__(self) -> None:
        for name in ("school", "apprentice"):
            arr = np.array(getattr(self, name), dtype=float)
            if arr.ndim != 2 or np.any(arr < 0) or not np.all(np.isfinite(arr)):
                raise ValueError(f"{name}: expected a [T, F] array of non-negative numbers")
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)


def compute(inputs: Inputs, settings: Settings, offer: OfferLeavers | None = None) -> Result:
    """Run the model for every territory and family at once (numpy broadcasting over [T, F, years]).

    ``offer``: young entrants from an imported training offer instead of the default assumption (see the module
    docstring)."""
    k = _settings_arrays(inputs, settings)
    n_years: int = k["n_years"]  # type: ignore[assignment]
    steps = np.arange(n_years + 1)
    trend = (1.0 + k["rate"])[:, None] ** steps[None, :]  # [F, H+1]
    shape = np.concatenate(([0.0], crisis_shape(n_years, k["recovery"])))  # type: ignore[arg-type]
    path = trend * (1.0 - np.asarray(k["crisis"])[:, None] * shape[None, :])  # [F, H+1]
    employment = inputs.employment[:, :, None] * path[None, :, :]  # [T, F, H+1]
    previous = employment[:, :, :-1]
    creation = employment[:, :, 1:] - previous
    dep_rate = inputs.departure_factor[:, None] * (inputs.departure_rate * k["departure_mult"])[None, :]  # [T, F]
    departures = np.broadcast_to((dep_rate * inputs.employment)[:, :, None], creation.shape).copy()
    openings = creation + departures
    training = 1.0 + k["training_change"] * steps[1:] / n_years  # [H]
    base_entrants = inputs.employment * (inputs.entrant_rate * k["entrant_mult"])[None, :]  # [T, F]
    if offer is not None:
        if offer.school.shape != inputs.employment.shape or offer.apprentice.shape != inputs.employment.shape:
            raise ValueError(f"offer: shape {offer.school.shape}, expected {inputs.employment.shape}")
        ins_school, ins_app = settings["insertion_school"] / 100, settings["insertion_apprentice"] / 100
        base_entrants = (offer.school * ins_school + offer.apprentice * ins_app) * (settings["retention"] / 100)
    entrants = base_entrants[:, :, None] * training[None, None, :]
    mobility = k["attractiveness"] * previous
    imbalance = openings - entrants - mobility
    years = tuple(range(inputs.base_year + 1, settings.horizon + 1))
    return Result(
        inputs.territory_ids, inputs.family_ids, years, employment,
        creation, departures, openings, entrants, mobility, imbalance,
    )  # fmt: skip


def compute_naive(inputs: Inputs, settings: Settings) -> Result:
    """The same model as a straightforward per-cell Python loop (the benchmark baseline and a cross-check)."""
    k = _settings_arrays(inputs, settings)
    n_years: int = k["n_years"]  # type: ignore[assignment]
    n_t, n_f = inputs.employment.shape
    employment = np.zeros((n_t, n_f, n_years + 1))
    flows = {name: np.zeros((n_t, n_f, n_years)) for name in FLOWS}
    rate, crisis = k["rate"], k["crisis"]
    recovery = k["recovery"]
    for t in range(n_t):
        for f in range(n_f):
            e0 = float(inputs.employment[t, f])
            employment[t, f, 0] = e0
            trend, previous = e0, e0
            dep = float(inputs.departure_factor[t]) * float(inputs.departure_rate[f]) * k["departure_mult"]  # type: ignore[operator]
            for y in range(1, n_years + 1):
                trend = trend * (1.0 + float(rate[f]))  # type: ignore[index]
                shock = max(0.0, min(1.0, 1.0 - (y - 1) / recovery))  # type: ignore[operator]
                current = trend * (1.0 - float(crisis[f]) * shock)  # type: ignore[index]
                creation = current - previous
                departures = dep * e0
                entrants = (
                    e0
                    * float(inputs.entrant_rate[f])
                    * k["entrant_mult"]
                    * (
                        1.0 + k["training_change"] * y / n_years  # type: ignore[operator]
                    )
                )
                mobility = k["attractiveness"] * previous  # type: ignore[operator]
                employment[t, f, y] = current
                flows["creation"][t, f, y - 1] = creation
                flows["departures"][t, f, y - 1] = departures
                flows["openings"][t, f, y - 1] = creation + departures
                flows["entrants"][t, f, y - 1] = entrants
                flows["mobility"][t, f, y - 1] = mobility
                flows["imbalance"][t, f, y - 1] = creation + departures - entrants - mobility
                previous = current
    years = tuple(range(inputs.base_year + 1, settings.horizon + 1))
    return Result(inputs.territory_ids, inputs.family_ids, years, employment, *(flows[n] for n in FLOWS))


# ---------------------------------------------------------------------------------------------------------------
# Uncertainty: one-at-a-time sensitivity (tornado) and low/high variants
# ---------------------------------------------------------------------------------------------------------------


def tornado(inputs: Inputs, settings: Settings) -> pd.DataFrame:
    """Effect on the cumulative imbalance (all territories and families) of moving each parameter by ∓ its band.

    Columns: parameter, value, low_value, high_value, imbalance_low, imbalance_high (imbalance with the parameter
    at its low/high value), delta_low, delta_high (difference from the central run), swing = |high - low|;
    sorted by swing, largest first.
    """
    central = float(compute(inputs, settings).imbalance.sum())
    rows = []
    for p in PARAMETERS:
        value = settings[p.name]
        lo, hi = p.sensitivity_range(value) or (value, value)
        i_lo = float(compute(inputs, _with(settings, p.name, lo)).imbalance.sum())
        i_hi = float(compute(inputs, _with(settings, p.name, hi)).imbalance.sum())
        rows.append(
            {
                "parameter": p.name,
                "value": value,
                "low_value": lo,
                "high_value": hi,
                "imbalance_low": i_lo,
                "imbalance_high": i_hi,
                "delta_low": i_lo - central,
                "delta_high": i_hi - central,
                "swing": abs(i_hi - i_lo),
            }
        )
    return pd.DataFrame(rows).sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)


def _with(settings: Settings, name: str, value: float) -> Settings:
    values = list(settings.values)
    values[param_index(name)] = float(value)
    return Settings(tuple(values), settings.horizon)


def variants(inputs: Inputs, settings: Settings, table: pd.DataFrame | None = None) -> tuple[Settings, Settings]:
    """Low and high variants: every parameter moved, within its band, towards a smaller / larger imbalance."""
    table = tornado(inputs, settings) if table is None else table
    low, high = list(settings.values), list(settings.values)
    for row in table.itertuples():
        i = param_index(row.parameter)
        if row.imbalance_low <= row.imbalance_high:
            low[i], high[i] = row.low_value, row.high_value
        else:
            low[i], high[i] = row.high_value, row.low_value
    return Settings(tuple(low), settings.horizon), Settings(tuple(high), settings.horizon)


def band(inputs: Inputs, settings: Settings, table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per year: cumulative imbalance of the scenario and of its low/high variants (all territories summed).

    Columns: year, central, low, high (cumulative imbalance, jobs).
    """
    low, high = variants(inputs, settings, table)
    out = (
        compute(inputs, settings)
        .yearly()[["year", "imbalance_cumulative"]]
        .rename(columns={"imbalance_cumulative": "central"})
    )
    out["low"] = compute(inputs, low).yearly()["imbalance_cumulative"].to_numpy()
    out["high"] = compute(inputs, high).yearly()["imbalance_cumulative"].to_numpy()
    return out


# ---------------------------------------------------------------------------------------------------------------
# Data files: sensitivities and family baseline
# ---------------------------------------------------------------------------------------------------------------


def load_sensitivities(family_ids: Sequence[str], path: Path | None = None) -> np.ndarray:
    """[len(DRIVERS), F] from ``data/scenario_sensitivities.csv`` (family_id, driver, value, unit).

    Growth drivers are given in percentage points of annual growth at 100 % intensity and returned as fractions;
    crisis exposure is relative (1 = average). A family without a row for a driver has 0 (1 for the crisis).
    """
    path = path or SCENARIO_DATA_DIR / SENSITIVITIES_FILE
    out = np.zeros((len(DRIVERS), len(family_ids)))
    out[DRIVERS.index(CRISIS_DRIVER)] = 1.0
    col = {fid: i for i, fid in enumerate(family_ids)}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(line for line in fh if not line.startswith("#")):
            fid, driver = row["family_id"].strip(), row["driver"].strip()
            if driver not in DRIVERS:
                raise ValueError(f"{path.name}: unknown driver {driver!r}")
            if fid not in col:
                continue
            value = parse_number(row["value"])
            out[DRIVERS.index(driver), col[fid]] = value if driver == CRISIS_DRIVER else value / 100
    return out


def sensitivity_table(path: Path | None = None) -> pd.DataFrame:
    """The sensitivity file as a DataFrame (family_id, driver, value, status, source)."""
    path = path or SCENARIO_DATA_DIR / SENSITIVITIES_FILE
    return pd.read_csv(path, comment="#", dtype={"family_id": str})
