"""Foresight scenarios: a stock-flow model of job openings and potential imbalances per occupation family.

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
insertion, retention and training capacity act through their change from the reference.

Everything here is pure (no streamlit): a frozen :class:`Inputs` and :class:`Settings` in, a
:class:`Result` of numpy arrays out. Parameters are declared once in :data:`PARAMETERS`; the same table
draws the sliders, validates input (:func:`validate_value`, :func:`settings_from_query`) and is printed in
the documentation (:func:`parameter_table`).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from gtec.access import auth
from gtec.core import config
from gtec.storage import workspace

#: Scenario drivers acting on families through declared sensitivities (``data/scenario_sensitivities.csv``).
GROWTH_DRIVERS: tuple[str, ...] = ("ecology", "digital", "reindustrialisation")
#: The crisis exposure column of the sensitivity table (relative, national employment-weighted mean about 1).
CRISIS_DRIVER = "crisis"
DRIVERS: tuple[str, ...] = (*GROWTH_DRIVERS, CRISIS_DRIVER)

SCENARIO_DATA_DIR = config.CURATED_DIR
SENSITIVITIES_FILE = "scenario_sensitivities.csv"
PRESETS_FILE = "scenario_presets.csv"
#: Horizons offered on the page (the engine accepts any year up to :data:`MAX_HORIZON`).
HORIZONS: tuple[int, ...] = (2030, 2035)
MAX_HORIZON = 2040
DEFAULT_HORIZON = 2030
PRESET_IDS: tuple[str, ...] = ("reference", "low_carbon", "digital_ai", "crisis_recovery", "reindustrialisation")
MAX_NAME_LENGTH = 80


class ScenarioInputError(ValueError):
    """Invalid user input. ``key`` is an i18n key and ``fmt`` its format arguments, for a message in FR/EN."""

    def __init__(self, key: str, **fmt: object) -> None:
        super().__init__(f"{key} {fmt}")
        self.key = key
        self.fmt = fmt


@dataclass(frozen=True)
class Param:
    """One scenario parameter, declared once: labels, unit, default, range, step, uncertainty, help, source.

    ``band`` is the half-width of the plausible range around the chosen value used for the low/high variants
    and the tornado chart. ``source`` is the id of a source in ``data/scenario_sources.csv``.
    """

    name: str
    group: str  # "drivers", "crisis", "demography", "training"
    label_fr: str
    label_en: str
    unit_fr: str
    unit_en: str
    default: float
    min: float
    max: float
    step: float
    band: float
    help_fr: str
    help_en: str
    source: str

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_fr

    def unit(self, lang: str) -> str:
        return self.unit_en if lang == "en" else self.unit_fr

    def help(self, lang: str) -> str:
        return self.help_en if lang == "en" else self.help_fr

    @property
    def decimals(self) -> int:
        """Decimal places implied by ``step`` (0.25 -> 2, 5 -> 0)."""
        text = f"{self.step:.6f}".rstrip("0").rstrip(".")
        return len(text.split(".")[1]) if "." in text else 0


PARAMETERS: tuple[Param, ...] = (
    Param(
        "ecology", "drivers",
        "Transition bas-carbone", "Low-carbon transition",
        "% de la planification", "% of the planning path",
        0, 0, 100, 5, 20,
        "Part réalisée, au-delà du scénario de référence, de la planification écologique (SGPE 2024 : +150 000 "
        "emplois nets en équivalent temps plein d'ici 2030, +400 000 créés, -250 000 détruits). Agit sur chaque "
        "famille par sa sensibilité déclarée (bâtiment, énergie, transports en hausse ; activités fossiles en baisse).",
        "Share achieved, beyond the reference scenario, of ecological planning (SGPE 2024: +150,000 net full-time "
        "jobs by 2030, +400,000 created, -250,000 destroyed). Acts on each family through its declared sensitivity "
        "(construction, energy, transport up; fossil-based activities down).",
        "sgpe-2024",
    ),
    Param(
        "digital", "drivers",
        "Accélération numérique et IA", "Digital and AI acceleration",
        "% d'intensité", "% intensity",
        0, 0, 100, 5, 20,
        "Intensité de l'accélération numérique au-delà de la référence (où les ingénieurs informatiques croissent "
        "déjà de 26 % d'ici 2030). À 100 % : informatique et ingénierie nettement plus dynamiques, emplois "
        "administratifs et de guichet en recul.",
        "Intensity of digital acceleration beyond the reference (where IT engineers already grow 26% by 2030). "
        "At 100%: IT and engineering markedly stronger, clerical and counter jobs shrinking.",
        "dares-metiers-2030",
    ),
    Param(
        "reindustrialisation", "drivers",
        "Réindustrialisation", "Reindustrialisation",
        "% d'intensité", "% intensity",
        0, 0, 100, 5, 20,
        "Intensité d'un retour de l'industrie au-delà de la référence : hausse de l'emploi ouvrier qualifié, de la "
        "maintenance, de la logistique et de l'ingénierie industrielle.",
        "Intensity of an industrial revival beyond the reference: more skilled industrial workers, maintenance, "
        "logistics and industrial engineering jobs.",
        "gtec-scenario-assumptions",
    ),
    Param(
        "growth_adjust", "drivers",
        "Croissance économique (écart à la tendance)", "Economic growth (gap to trend)",
        "points de % par an", "percentage points a year",
        0, -1, 1, 0.05, 0.2,
        "Écart de croissance annuelle de l'emploi appliqué à toutes les familles, par rapport à la tendance de "
        "référence (environ +0,3 % par an en France sur 2019-2030).",
        "Gap in annual employment growth applied to every family, compared with the reference trend (about "
        "+0.3% a year in France over 2019-2030).",
        "dares-metiers-2030",
    ),
    Param(
        "crisis_depth", "crisis",
        "Crise : emploi perdu la première année", "Crisis: employment lost in the first year",
        "% de l'emploi", "% of employment",
        0, 0, 10, 0.5, 1,
        "Recul de l'emploi la première année de projection, comme en 2020, réparti entre familles selon leur "
        "exposition (hôtellerie-restauration et commerce bien plus touchés que la santé ou le public).",
        "Employment loss in the first projection year, as in 2020, spread across families by their exposure "
        "(hospitality and retail hit far harder than health or public services).",
        "gtec-scenario-assumptions",
    ),
    Param(
        "crisis_recovery", "crisis",
        "Crise : années de reprise", "Crisis: years to recover",
        "années", "years",
        2, 1, 8, 1, 1,
        "Nombre d'années pour revenir à la trajectoire d'avant crise (reprise linéaire).",
        "Number of years to return to the pre-crisis path (linear recovery).",
        "gtec-scenario-assumptions",
    ),
    Param(
        "retirement_shift", "demography",
        "Âge effectif de départ (décalage)", "Effective retirement age (shift)",
        "années", "years",
        0, -2, 3, 0.25, 0.5,
        "Décalage de l'âge effectif de fin de carrière par rapport à la référence. Logique de cohortes : reculer "
        "l'âge d'un an retient une génération de départs, soit 1/H des départs annuels sur H années de projection.",
        "Shift of the effective end-of-career age compared with the reference. Cohort logic: one year later keeps "
        "one year's cohort in work, i.e. 1/H of annual departures over H projection years.",
        "gtec-scenario-assumptions",
    ),
    Param(
        "attractiveness", "demography",
        "Attractivité (solde migratoire des actifs)", "Attractiveness (net migration of workers)",
        "% de l'emploi par an", "% of employment a year",
        0, -1, 1, 0.05, 0.1,
        "Arrivées moins départs d'actifs, chaque année, en % de l'emploi. Les régions de l'Ouest et du Sud "
        "gagnent 4 à 5 % de leur emploi 2019 sur 2019-2030 (environ +0,4 % par an). 0 au niveau national.",
        "Workers arriving minus leaving, each year, as % of employment. Western and southern regions gain 4-5% of "
        "their 2019 employment over 2019-2030 (about +0.4% a year). 0 at national level.",
        "dares-metiers-2030-regions",
    ),
    Param(
        "training_change", "training",
        "Capacité de formation (évolution)", "Training capacity (change)",
        "% à l'horizon", "% by the horizon",
        0, -30, 50, 5, 5,
        "Évolution du nombre de jeunes formés d'ici l'horizon (montée progressive), toutes familles.",
        "Change in the number of young people trained by the horizon (phased in), all families.",
        "gtec-scenario-assumptions",
    ),
    Param(
        "apprenticeship_share", "training",
        "Part de l'apprentissage", "Apprenticeship share",
        "% des sortants", "% of leavers",
        25, 0, 60, 5, 5,
        "Part des jeunes sortants formés en apprentissage. Les apprentis s'insèrent mieux (InserJeunes : 67 % en "
        "emploi salarié six mois après un CAP à BTS, sortants 2022).",
        "Share of young leavers trained through apprenticeship. Apprentices find work more often (InserJeunes: "
        "67% in salaried work six months after a CAP to BTS, 2022 leavers).",
        "gtec-scenario-assumptions",
    ),
    Param(
        "insertion_school", "training",
        "Insertion des sortants de la voie scolaire", "Insertion of school-route leavers",
        "% en emploi", "% in work",
        50, 20, 90, 5, 5,
        "Part des sortants de la voie scolaire en emploi salarié (estimation : nettement sous le taux des apprentis "
        "dans InserJeunes). Avec la part d'apprentissage, donne le taux d'insertion moyen.",
        "Share of school-route leavers in salaried work (estimate: well below the apprentices' rate in "
        "InserJeunes). With the apprenticeship share, gives the average insertion rate.",
        "gtec-scenario-assumptions",
    ),
    Param(
        "insertion_apprentice", "training",
        "Insertion des apprentis", "Insertion of apprentices",
        "% en emploi", "% in work",
        67, 40, 95, 1, 5,
        "Part des apprentis en emploi salarié six mois après leur sortie (InserJeunes, CAP à BTS, sortants 2022).",
        "Share of apprentices in salaried work six months after leaving (InserJeunes, CAP to BTS, 2022 leavers).",
        "inserjeunes-2022",
    ),
    Param(
        "retention", "training",
        "Jeunes formés restant sur le territoire", "Young people trained who stay in the territory",
        "% des sortants", "% of leavers",
        60, 30, 100, 5, 10,
        "Part des jeunes formés ici qui y travaillent ensuite. Pas de chiffre général français ; au Royaume-Uni "
        "51 % des diplômés travaillent dans leur région d'études (HESA) et 46 à 71 % près de leur région d'origine "
        "(HECSU 2015).",
        "Share of young people trained here who then work here. No general French figure; in the UK 51% of "
        "graduates work in the region where they studied (HESA) and 46-71% near their home region (HECSU 2015).",
        "hecsu-2015",
    ),
)  # fmt: skip

PARAM_BY_NAME: dict[str, Param] = {p.name: p for p in PARAMETERS}
PARAMETER_GROUPS: tuple[str, ...] = ("drivers", "crisis", "demography", "training")


# ---------------------------------------------------------------------------------------------------------------
# Settings: validated parameter values + horizon
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """A complete, validated set of parameter values (in :data:`PARAMETERS` order) and a horizon year."""

    values: tuple[float, ...]
    horizon: int = DEFAULT_HORIZON

    def __post_init__(self) -> None:
        if len(self.values) != len(PARAMETERS):
            raise ValueError(f"expected {len(PARAMETERS)} values, got {len(self.values)}")

    def __getitem__(self, name: str) -> float:
        return self.values[_INDEX[name]]

    def as_dict(self) -> dict[str, float]:
        return {p.name: v for p, v in zip(PARAMETERS, self.values, strict=True)}

    def replace(self, horizon: int | None = None, **changes: float) -> Settings:
        """A copy with some values changed (validated)."""
        values = self.as_dict()
        for name, raw in changes.items():
            values[name] = validate_value(name, raw)
        return Settings(tuple(values[p.name] for p in PARAMETERS), self.horizon if horizon is None else horizon)

    def changed(self, other: Settings | None = None) -> dict[str, float]:
        """Values differing from ``other`` (default: the declared defaults)."""
        other = other or Settings.default(self.horizon)
        return {p.name: v for p, v, w in zip(PARAMETERS, self.values, other.values, strict=True) if v != w}

    @staticmethod
    def default(horizon: int = DEFAULT_HORIZON) -> Settings:
        """Every parameter at its declared default (the reference scenario)."""
        return Settings(tuple(float(p.default) for p in PARAMETERS), horizon)


_INDEX = {p.name: i for i, p in enumerate(PARAMETERS)}


def parse_number(raw: object) -> float:
    """A float from a number or text (French decimal comma accepted). Raises ``ValueError``."""
    if isinstance(raw, bool):
        raise ValueError("boolean is not a number")
    if isinstance(raw, int | float | np.integer | np.floating):
        value = float(raw)
    else:
        text = str(raw).strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace(",", ".")
        if not text or len(text) > 32:
            raise ValueError("empty or too long")
        value = float(text)
    if not math.isfinite(value):
        raise ValueError("not finite")
    return value


def validate_value(name: str, raw: object) -> float:
    """The value of parameter ``name`` from ``raw``, checked against its declared range, rounded to its step.

    Raises :class:`ScenarioInputError` (``scenario.error.unknown_param``, ``scenario.error.not_number``,
    ``scenario.error.out_of_range``).
    """
    param = PARAM_BY_NAME.get(name)
    if param is None:
        raise ScenarioInputError("scenario.error.unknown_param", name=str(name)[:40])
    try:
        value = parse_number(raw)
    except (TypeError, ValueError) as exc:
        raise ScenarioInputError("scenario.error.not_number", name=name, value=str(raw)[:40]) from exc
    if value < param.min - 1e-9 or value > param.max + 1e-9:
        raise ScenarioInputError(
            "scenario.error.out_of_range", name=name, value=f"{value:g}", min=f"{param.min:g}", max=f"{param.max:g}"
        )
    snapped = param.min + round((value - param.min) / param.step) * param.step
    return float(round(min(max(snapped, param.min), param.max), param.decimals + 2))


def validate_horizon(raw: object, base_year: int) -> int:
    """A horizon year after ``base_year`` and at most :data:`MAX_HORIZON`. Raises :class:`ScenarioInputError`."""
    try:
        value = parse_number(raw)
    except (TypeError, ValueError) as exc:
        raise ScenarioInputError("scenario.error.horizon", min=base_year + 1, max=MAX_HORIZON) from exc
    if value != int(value) or not base_year < value <= MAX_HORIZON:
        raise ScenarioInputError("scenario.error.horizon", min=base_year + 1, max=MAX_HORIZON)
    return int(value)


def settings_from_mapping(
    values: Mapping[str, object], horizon: object = DEFAULT_HORIZON, base_year: int = 2019
) -> Settings:
    """Settings from a mapping (missing names take their default). Raises :class:`ScenarioInputError`."""
    out = Settings.default().as_dict()
    for name, raw in values.items():
        out[name] = validate_value(name, raw)
    return Settings(tuple(out[p.name] for p in PARAMETERS), validate_horizon(horizon, base_year))


def settings_from_query(
    params: Mapping[str, object], base_year: int, prefix: str = ""
) -> tuple[Settings, list[ScenarioInputError]]:
    """Settings from URL query parameters (plain values), tolerant: a bad value falls back to its default.

    Returns the settings and the errors met (for a message). Unknown query parameters are ignored (the URL also
    carries the language and the territory).
    """
    errors: list[ScenarioInputError] = []
    out = Settings.default().as_dict()
    for param in PARAMETERS:
        raw = params.get(prefix + param.name)
        if raw is None:
            continue
        try:
            out[param.name] = validate_value(param.name, raw)
        except ScenarioInputError as exc:
            errors.append(exc)
    horizon = DEFAULT_HORIZON
    raw_h = params.get(prefix + "horizon")
    if raw_h is not None:
        try:
            horizon = validate_horizon(raw_h, base_year)
        except ScenarioInputError as exc:
            errors.append(exc)
    return Settings(tuple(out[p.name] for p in PARAMETERS), horizon), errors


def settings_to_query(settings: Settings, prefix: str = "") -> dict[str, str]:
    """Plain query values for the settings that differ from the defaults (and the horizon)."""
    out = {prefix + "horizon": str(settings.horizon)}
    for name, value in settings.changed(Settings.default(settings.horizon)).items():
        out[prefix + name] = f"{value:g}"
    return out


def parameter_table(lang: str = "fr") -> pd.DataFrame:
    """The declared parameters as a table (for documentation and the page's 'parameters' expander)."""
    rows = [
        {
            "name": p.name,
            "label": p.label(lang),
            "unit": p.unit(lang),
            "default": p.default,
            "min": p.min,
            "max": p.max,
            "step": p.step,
            "band": p.band,
            "help": p.help(lang),
            "source": p.source,
        }
        for p in PARAMETERS
    ]
    return pd.DataFrame(rows)


def parameter_table_markdown(lang: str = "en") -> str:
    """The parameter table in Markdown (pasted in the README and docs/scenarios.md)."""
    head = (
        "| name | label | unit | default | min | max | step | ± band | source |\n|---|---|---|---|---|---|---|---|---|"
    )
    lines = [head]
    for p in PARAMETERS:
        lines.append(
            f"| `{p.name}` | {p.label(lang)} | {p.unit(lang)} | {p.default:g} | {p.min:g} | {p.max:g} | "
            f"{p.step:g} | {p.band:g} | {p.source} |"
        )
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------------------------
# Presets
# ---------------------------------------------------------------------------------------------------------------


def load_presets(path: Path | None = None) -> dict[str, dict[str, float]]:
    """Preset id -> changed parameter values (``data/scenario_presets.csv``: preset, parameter, value).

    Every value is validated against the parameter table; the reference preset is all defaults.
    """
    path = path or SCENARIO_DATA_DIR / PRESETS_FILE
    presets: dict[str, dict[str, float]] = {pid: {} for pid in PRESET_IDS}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(line for line in fh if not line.startswith("#")):
            pid = row["preset"].strip()
            if pid not in presets:
                raise ValueError(f"{path.name}: unknown preset {pid!r}")
            presets[pid][row["parameter"].strip()] = validate_value(row["parameter"].strip(), row["value"])
    return presets


def preset_settings(preset_id: str, horizon: int = DEFAULT_HORIZON, path: Path | None = None) -> Settings:
    """Settings of a preset (defaults + the preset's changes)."""
    presets = load_presets(path)
    if preset_id not in presets:
        raise ScenarioInputError("scenario.error.unknown_preset", name=str(preset_id)[:40])
    return Settings.default(horizon).replace(**presets[preset_id])


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
    departure_factor: np.ndarray = field(default=None)  # type: ignore[assignment]

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


def _settings_arrays(inputs: Inputs, settings: Settings) -> dict[str, object]:
    """Scalar and per-family quantities derived from the settings (shared by the vectorised and naive engines)."""
    n_years = settings.horizon - inputs.base_year
    if n_years < 1:
        raise ScenarioInputError("scenario.error.horizon", min=inputs.base_year + 1, max=MAX_HORIZON)
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


def compute(inputs: Inputs, settings: Settings) -> Result:
    """Run the model for every territory and family at once (numpy broadcasting over [T, F, years])."""
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


def _bounded(param: Param, value: float) -> float:
    return min(max(value, param.min), param.max)


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
        lo, hi = _bounded(p, value - p.band), _bounded(p, value + p.band)
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
    values[_INDEX[name]] = float(value)
    return Settings(tuple(values), settings.horizon)


def variants(inputs: Inputs, settings: Settings, table: pd.DataFrame | None = None) -> tuple[Settings, Settings]:
    """Low and high variants: every parameter moved, within its band, towards a smaller / larger imbalance."""
    table = tornado(inputs, settings) if table is None else table
    low, high = list(settings.values), list(settings.values)
    for row in table.itertuples():
        i = _INDEX[row.parameter]
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


# ---------------------------------------------------------------------------------------------------------------
# Saved scenarios (workspace; every write through gtec.storage.workspace.write)
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SavedScenario:
    id: int
    name: str
    territory_id: str
    settings: Settings
    preset: str
    created_by: str
    created_at: str
    updated_at: str


def validate_name(raw: object) -> str:
    """A scenario name: trimmed, 1..80 printable characters. Raises :class:`ScenarioInputError`."""
    name = " ".join(str(raw or "").split())
    if not name:
        raise ScenarioInputError("scenario.error.name_empty")
    if len(name) > MAX_NAME_LENGTH or any(not ch.isprintable() for ch in name):
        raise ScenarioInputError("scenario.error.name_invalid", max=MAX_NAME_LENGTH)
    return name


def save_scenario(
    actor: auth.Actor,
    name: str,
    territory_id: str,
    settings: Settings,
    preset: str = "",
    *,
    overwrite: bool = False,
    path: Path | None = None,
) -> int:
    """Save (or, with ``overwrite``, replace) a named scenario. Returns its id.

    Raises :class:`gtec.access.auth.PermissionDenied` for a reader, :class:`ScenarioInputError`
    (``scenario.error.name_taken``) when the name exists and ``overwrite`` is false.
    """
    name = validate_name(name)
    values = ";".join(f"{p.name}={v:g}" for p, v in zip(PARAMETERS, settings.values, strict=True))
    now = workspace.now_iso()
    with workspace.write(actor, "scenario.save", target=name, detail={"territory": territory_id}, path=path) as conn:
        row = conn.execute("SELECT id FROM scenarios WHERE name = ?", (name,)).fetchone()
        if row and not overwrite:
            raise ScenarioInputError("scenario.error.name_taken", name=name)
        if row:
            conn.execute(
                "UPDATE scenarios SET territory_id = ?, horizon = ?, params = ?, preset = ?, updated_at = ?,"
                " created_by = ? WHERE id = ?",
                (territory_id, settings.horizon, values, preset, now, actor.name, row[0]),
            )
            return int(row[0])
        cur = conn.execute(
            "INSERT INTO scenarios(name, territory_id, horizon, params, preset, created_by, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (name, territory_id, settings.horizon, values, preset, actor.name, now, now),
        )
        return int(cur.lastrowid or 0)


def _decode_params(text: str, horizon: int) -> Settings:
    values: dict[str, object] = {}
    for part in text.split(";"):
        if "=" in part:
            key, _, raw = part.partition("=")
            if key in PARAM_BY_NAME:  # a parameter removed since the save is ignored; new ones take defaults
                values[key] = raw
    settings = Settings.default(horizon)
    return settings.replace(**{k: parse_number(v) for k, v in values.items()})


def list_scenarios(path: Path | None = None) -> list[SavedScenario]:
    """Saved scenarios, most recently updated first."""
    with workspace.read(path) as conn:
        rows = conn.execute(
            "SELECT id, name, territory_id, horizon, params, preset, created_by, created_at, updated_at"
            " FROM scenarios ORDER BY updated_at DESC, id DESC"
        ).fetchall()
    out = []
    for r in rows:
        try:
            settings = _decode_params(r["params"], int(r["horizon"]))
        except (ScenarioInputError, ValueError):
            continue  # a row edited by hand to an invalid value is skipped rather than breaking the page
        out.append(
            SavedScenario(
                int(r["id"]),
                r["name"],
                r["territory_id"],
                settings,
                r["preset"],
                r["created_by"],
                r["created_at"],
                r["updated_at"],
            )
        )
    return out


def get_scenario(scenario_id: int, path: Path | None = None) -> SavedScenario | None:
    """One saved scenario by id, or None."""
    return next((s for s in list_scenarios(path) if s.id == scenario_id), None)


def delete_scenario(actor: auth.Actor, scenario_id: int, path: Path | None = None) -> bool:
    """Delete a saved scenario. Returns False when it did not exist. Raises PermissionDenied for a reader."""
    with workspace.write(actor, "scenario.delete", target=str(scenario_id), path=path) as conn:
        cur = conn.execute("DELETE FROM scenarios WHERE id = ?", (scenario_id,))
        return cur.rowcount > 0


def compare_settings(a: Settings, b: Settings) -> pd.DataFrame:
    """Parameters (and horizon) whose values differ between two settings: parameter, a, b."""
    rows = [{"parameter": "horizon", "a": float(a.horizon), "b": float(b.horizon)}] if a.horizon != b.horizon else []
    rows += [
        {"parameter": p.name, "a": va, "b": vb}
        for p, va, vb in zip(PARAMETERS, a.values, b.values, strict=True)
        if va != vb
    ]
    return pd.DataFrame(rows, columns=["parameter", "a", "b"])


__all__ = [
    "DRIVERS",
    "FLOWS",
    "PARAMETERS",
    "Inputs",
    "Param",
    "Result",
    "SavedScenario",
    "ScenarioInputError",
    "Settings",
    "band",
    "compute",
    "compute_naive",
    "tornado",
]
