"""Foresight scenario parameters, declared once: the table, validated settings and the presets.

The same table (:data:`TABLE`, a :class:`gtec.core.params.ParamTable` of :data:`PARAMETERS`) draws the sliders,
validates input (:func:`validate_value`, :func:`settings_from_query`) and is printed in the documentation
(:func:`parameter_table_markdown`). Invalid input raises :class:`gtec.core.errors.UserError` with a
``scenario.error.*`` key.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from gtec.core import config
from gtec.core.errors import UserError
from gtec.core.fmt import parse_number, plain
from gtec.core.params import Param, ParamTable, messages_under

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
#: Source of the -/+ uncertainty bands of the parameters (the tornado chart and the low/high variants).
BANDS_SOURCE = "gtec-scenario-assumptions"


def _param(
    name: str,
    group: str,
    label_fr: str,
    label_en: str,
    unit_fr: str,
    unit_en: str,
    default: float,
    min: float,
    max: float,
    step: float,
    band: float,
    help_fr: str,
    help_en: str,
    source: str,
) -> Param:
    """A scenario driver: a float snapped to its step, with a ± ``band`` (the low/high variants and the tornado
    chart) and one source, the id of a source in ``data/scenario_sources.csv``."""
    return Param(
        name, group, label_fr, label_en, unit_fr=unit_fr, unit_en=unit_en, default=float(default), min=min, max=max,
        step=step, band=band, help_fr=help_fr, help_en=help_en, sources=(source,), snap=True,
    )  # fmt: skip


PARAMETERS: tuple[Param, ...] = (
    _param(
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
    _param(
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
    _param(
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
    _param(
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
    _param(
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
    _param(
        "crisis_recovery", "crisis",
        "Crise : années de reprise", "Crisis: years to recover",
        "années", "years",
        2, 1, 8, 1, 1,
        "Nombre d'années pour revenir à la trajectoire d'avant crise (reprise linéaire).",
        "Number of years to return to the pre-crisis path (linear recovery).",
        "gtec-scenario-assumptions",
    ),
    _param(
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
    _param(
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
    _param(
        "training_change", "training",
        "Capacité de formation (évolution)", "Training capacity (change)",
        "% à l'horizon", "% by the horizon",
        0, -30, 50, 5, 5,
        "Évolution du nombre de jeunes formés d'ici l'horizon (montée progressive), toutes familles.",
        "Change in the number of young people trained by the horizon (phased in), all families.",
        "gtec-scenario-assumptions",
    ),
    _param(
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
    _param(
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
    _param(
        "insertion_apprentice", "training",
        "Insertion des apprentis", "Insertion of apprentices",
        "% en emploi", "% in work",
        67, 40, 95, 1, 5,
        "Part des apprentis en emploi salarié six mois après leur sortie (InserJeunes, CAP à BTS, sortants 2022).",
        "Share of apprentices in salaried work six months after leaving (InserJeunes, CAP to BTS, 2022 leavers).",
        "inserjeunes-2022",
    ),
    _param(
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

#: Messages of the scenario table: a value outside the range says both bounds (the slider's range).
MESSAGES = messages_under(
    "scenario.error",
    below_min="scenario.error.out_of_range",
    above_max="scenario.error.out_of_range",
    not_integer="scenario.error.not_number",
    not_option="scenario.error.not_number",
    not_bool="scenario.error.not_number",
)
TABLE = ParamTable(PARAMETERS, MESSAGES)
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


def param_index(name: str) -> int:
    """Position of parameter ``name`` in :data:`PARAMETERS` (and in :attr:`Settings.values`)."""
    return _INDEX[name]


def validate_value(name: str, raw: object) -> float:
    """The value of parameter ``name`` from ``raw``, checked against its declared range, rounded to its step.

    Raises :class:`UserError` (``scenario.error.unknown_param``, ``scenario.error.not_number``,
    ``scenario.error.out_of_range``).
    """
    return float(TABLE.coerce(name, raw))


def validate_horizon(raw: object, base_year: int) -> int:
    """A horizon year after ``base_year`` and at most :data:`MAX_HORIZON`. Raises :class:`UserError`."""
    try:
        value = parse_number(raw)
    except (TypeError, ValueError) as exc:
        raise UserError("scenario.error.horizon", min=base_year + 1, max=MAX_HORIZON) from exc
    if value != int(value) or not base_year < value <= MAX_HORIZON:
        raise UserError("scenario.error.horizon", min=base_year + 1, max=MAX_HORIZON)
    return int(value)


def settings_from_mapping(
    values: Mapping[str, object], horizon: object = DEFAULT_HORIZON, base_year: int = 2019
) -> Settings:
    """Settings from a mapping (missing names take their default). Raises :class:`UserError`."""
    out = Settings.default().as_dict()
    for name, raw in values.items():
        out[name] = validate_value(name, raw)
    return Settings(tuple(out[p.name] for p in PARAMETERS), validate_horizon(horizon, base_year))


def settings_from_query(
    params: Mapping[str, object], base_year: int, prefix: str = ""
) -> tuple[Settings, list[UserError]]:
    """Settings from URL query parameters (plain values), tolerant: a bad value falls back to its default.

    Returns the settings and the errors met (for a message). Unknown query parameters are ignored (the URL also
    carries the language and the territory).
    """
    given = {p.name: params[prefix + p.name] for p in PARAMETERS if params.get(prefix + p.name) is not None}
    out, errors = TABLE.check(given)
    horizon = DEFAULT_HORIZON
    raw_h = params.get(prefix + "horizon")
    if raw_h is not None:
        try:
            horizon = validate_horizon(raw_h, base_year)
        except UserError as exc:
            errors.append(exc)
    return Settings(tuple(float(out[p.name]) for p in PARAMETERS), horizon), errors


def settings_to_query(settings: Settings, prefix: str = "") -> dict[str, str]:
    """Plain query values for the settings that differ from the defaults (and the horizon)."""
    out = {prefix + "horizon": str(settings.horizon)}
    for name, value in settings.changed(Settings.default(settings.horizon)).items():
        out[prefix + name] = plain(value)
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
            f"| `{p.name}` | {p.label(lang)} | {p.unit(lang)} | {plain(float(p.default))} | {plain(p.min)} | "
            f"{plain(p.max)} | {plain(p.step)} | {plain(p.band)} | {p.source} |"
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
        raise UserError("scenario.error.unknown_preset", name=str(preset_id)[:40])
    return Settings.default(horizon).replace(None, **presets[preset_id])
