"""Who pays what: one French apprenticeship contract versus one UK Knowledge Transfer Partnership (KTP).

Pure functions. The inputs are declared once, in the curated parameter table ``data/wbl_parameters.csv``
(labels FR/EN, unit, default, bounds, step, sensitivity range, help, source) with the choices of
``data/wbl_options.csv`` and the apprentice pay grid ``data/wbl_apprentice_pay.csv``. That table draws the
widgets, validates the input (:meth:`ParamTable.validate`) and documents itself (:func:`parameter_markdown`).

Money is in euros per learner; KTP amounts are converted from pounds at the ``fx_eur_per_gbp`` rate.
Parties: ``learner``, ``company``, ``training`` (training centre / university / knowledge base) and
``public`` (State aid, OPCO funding from the mutualised training levy, Innovate UK grant).

Simplifications (said on the page): employer social contributions on apprentice pay are not modelled (they
are largely exempt); a collective-agreement minimum above the SMIC is not modelled; the age band is the one at
the start of the contract; OPCO funding counts as collective (public and mutualised) money.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

SECTIONS: tuple[str, ...] = ("common", "appr", "ktp", "territory")
KINDS: tuple[str, ...] = ("float", "int", "choice", "bool")
PARTIES: tuple[str, ...] = ("learner", "company", "training", "public")
SYSTEMS: tuple[str, ...] = ("fr_appr", "uk_ktp")
METRICS: tuple[str, ...] = ("cost_per_retained", "public_per_retained", "cost_per_job", "public_per_job")
Value = float | int | str | bool


# ----------------------------------------------------------------------------------------------------------
# The declarative parameter table
# ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    """One choice of a ``choice`` parameter."""

    value: str
    label_fr: str
    label_en: str

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_fr


@dataclass(frozen=True)
class Issue:
    """One validation problem: ``key`` is an i18n key, formatted with ``label`` and ``fmt``."""

    param: str
    key: str
    fmt: tuple[tuple[str, Any], ...] = ()


class InputError(ValueError):
    """Invalid calculator input; ``issues`` say which parameter and why (i18n keys, never a traceback)."""

    def __init__(self, issues: Iterable[Issue]) -> None:
        self.issues = tuple(issues)
        super().__init__("; ".join(f"{i.param}: {i.key}" for i in self.issues))


@dataclass(frozen=True)
class Param:
    """One calculator input, as declared in ``data/wbl_parameters.csv``."""

    name: str
    section: str
    kind: str
    rank: int
    label_fr: str
    label_en: str
    unit_fr: str
    unit_en: str
    default: Value
    min: float | None
    max: float | None
    step: float | None
    sens_low: float | None
    sens_high: float | None
    advanced: bool
    help_fr: str
    help_en: str
    source_ids: tuple[str, ...]
    options: tuple[Option, ...] = ()

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_fr

    def unit(self, lang: str) -> str:
        return (self.unit_en if lang == "en" else self.unit_fr) or ""

    def help(self, lang: str) -> str:
        return self.help_en if lang == "en" else self.help_fr

    def option_label(self, value: str, lang: str) -> str:
        for o in self.options:
            if o.value == value:
                return o.label(lang)
        return str(value)

    @property
    def has_sensitivity(self) -> bool:
        return self.sens_low is not None and self.sens_high is not None

    def coerce(self, raw: object) -> Value:
        """Turn ``raw`` (widget value, text from a URL or a file) into a valid value, or raise :class:`InputError`."""
        if self.kind == "bool":
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in ("1", "true", "yes", "oui", "vrai"):
                return True
            if text in ("0", "false", "no", "non", "faux", ""):
                return False
            raise InputError([Issue(self.name, "alternance.error.not_bool")])
        if self.kind == "choice":
            value = str(raw)
            if value not in {o.value for o in self.options}:
                raise InputError([Issue(self.name, "alternance.error.not_option")])
            return value
        number = _to_number(raw)
        if number is None:
            raise InputError([Issue(self.name, "alternance.error.not_number")])
        if self.kind == "int":
            if abs(number - round(number)) > 1e-9:
                raise InputError([Issue(self.name, "alternance.error.not_integer")])
            number = round(number)
        if self.min is not None and number < self.min:
            raise InputError([Issue(self.name, "alternance.error.below_min", (("min", plain_number(self.min)),))])
        if self.max is not None and number > self.max:
            raise InputError([Issue(self.name, "alternance.error.above_max", (("max", plain_number(self.max)),))])
        return number


def _to_number(raw: object) -> float | None:
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, int | float):
        value = float(raw)
    else:
        text = str(raw).strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace(",", ".")
        try:
            value = float(text)
        except ValueError:
            return None
    return value if math.isfinite(value) else None


def plain_number(value: float) -> str:
    """``12`` for 12.0, ``1.18`` for 1.18 (bounds and defaults in messages and docs)."""
    return str(int(value)) if float(value).is_integer() else str(value)


@dataclass(frozen=True)
class Inputs:
    """A complete, validated set of calculator inputs (hashable, so Streamlit can cache on it)."""

    values: tuple[tuple[str, Value], ...]

    def __getitem__(self, name: str) -> Value:
        for key, value in self.values:
            if key == name:
                return value
        raise KeyError(name)

    def as_dict(self) -> dict[str, Value]:
        return dict(self.values)

    def replace(self, **changes: Value) -> Inputs:
        """A copy with some values changed (unknown names raise ``KeyError``)."""
        current = self.as_dict()
        for key in changes:
            if key not in current:
                raise KeyError(key)
        current.update(changes)
        return Inputs(tuple(current.items()))


@dataclass(frozen=True)
class ParamTable:
    """The parameters, in display order, and the apprentice pay grid ``(age band, year) -> % of SMIC``."""

    params: tuple[Param, ...]
    pay_grid: tuple[tuple[str, int, float], ...]
    pay_grid_source: str = "fr-remuneration-apprentis"

    def __getitem__(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

    def names(self) -> list[str]:
        return [p.name for p in self.params]

    def section(self, section: str, *, advanced: bool | None = None) -> list[Param]:
        return [p for p in self.params if p.section == section and (advanced is None or p.advanced == advanced)]

    def source_ids(self) -> set[str]:
        return {s for p in self.params for s in p.source_ids} | {self.pay_grid_source}

    def defaults(self) -> Inputs:
        return Inputs(tuple((p.name, p.default) for p in self.params))

    def validate(self, raw: Mapping[str, object]) -> Inputs:
        """Coerce and check every value of ``raw`` (missing names take their default).

        Raises :class:`InputError` listing every problem (bounds, types, choices, and cross-checks such as a
        contract year beyond the contract's length); unknown names are refused too.
        """
        issues: list[Issue] = [Issue(str(k), "alternance.error.unknown_param") for k in raw if k not in self.names()]
        values: list[tuple[str, Value]] = []
        for p in self.params:
            if p.name not in raw:
                values.append((p.name, p.default))
                continue
            try:
                values.append((p.name, p.coerce(raw[p.name])))
            except InputError as exc:
                issues.extend(exc.issues)
                values.append((p.name, p.default))
        inputs = Inputs(tuple(values))
        if not issues:
            issues.extend(check_inputs(inputs))
        if issues:
            raise InputError(issues)
        return inputs

    def pay_pct(self, age_band: str, year: int) -> float:
        """Apprentice minimum pay as % of the SMIC for an age band and a contract year (1-3)."""
        for band, y, pct in self.pay_grid:
            if band == age_band and y == year:
                return pct
        raise KeyError((age_band, year))


def _parse_default(kind: str, text: str) -> Value:
    if kind == "bool":
        return text.strip() in ("1", "true", "True")
    if kind == "choice":
        return text.strip()
    number = float(text)
    return int(number) if kind == "int" else number


def make_table(
    param_rows: Iterable[Mapping[str, Any]],
    option_rows: Iterable[Mapping[str, Any]],
    pay_rows: Iterable[Mapping[str, Any]],
) -> ParamTable:
    """Build the table from rows of ``wbl_parameters``, ``wbl_options`` and ``wbl_apprentice_pay``.

    Raises ``ValueError`` on an unknown section or kind, a choice without options, a default outside its
    bounds or choices, an inverted range, or an incomplete pay grid.
    """
    options: dict[str, list[tuple[int, Option]]] = {}
    for r in option_rows:
        options.setdefault(r["param"], []).append(
            (int(r["rank"]), Option(str(r["value"]), r["label_fr"], r["label_en"]))
        )
    params = []
    for r in param_rows:
        name, kind = r["name"], r["kind"]
        if r["section"] not in SECTIONS or kind not in KINDS:
            raise ValueError(f"parameter {name}: unknown section {r['section']!r} or kind {kind!r}")
        opts = tuple(o for _, o in sorted(options.get(name, []), key=lambda x: x[0]))
        if kind == "choice" and not opts:
            raise ValueError(f"parameter {name}: a choice needs options")
        p = Param(
            name=name,
            section=r["section"],
            kind=kind,
            rank=int(r["rank"]),
            label_fr=r["label_fr"],
            label_en=r["label_en"],
            unit_fr=r.get("unit_fr") or "",
            unit_en=r.get("unit_en") or "",
            default=_parse_default(kind, str(r["default_value"])),
            min=_opt_float(r.get("min_value")),
            max=_opt_float(r.get("max_value")),
            step=_opt_float(r.get("step")),
            sens_low=_opt_float(r.get("sens_low")),
            sens_high=_opt_float(r.get("sens_high")),
            advanced=bool(int(r.get("advanced") or 0)),
            help_fr=r["help_fr"],
            help_en=r["help_en"],
            source_ids=tuple(s for s in (r.get("source_id"), r.get("source_id_2")) if s),
            options=opts,
        )
        p.coerce(p.default)  # a default outside its own bounds is a data error
        if p.has_sensitivity and p.sens_low > p.sens_high:  # type: ignore[operator]
            raise ValueError(f"parameter {name}: sensitivity range is inverted")
        if p.min is not None and p.max is not None and p.min > p.max:
            raise ValueError(f"parameter {name}: min > max")
        params.append(p)
    params.sort(key=lambda p: p.rank)
    grid = tuple(sorted((r["age_band"], int(r["contract_year"]), float(r["pct_smic"])) for r in pay_rows))
    table = ParamTable(tuple(params), grid)
    ages = [o.value for o in table["appr_age"].options]
    for age in ages:
        for year in (1, 2, 3):
            table.pay_pct(age, year)
    return table


def _opt_float(value: object) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return float(value)  # type: ignore[arg-type]


def load_table(conn: sqlite3.Connection) -> ParamTable:
    """Read the parameter table from the reference store (tables ``wbl_parameters``, ``wbl_options``,
    ``wbl_apprentice_pay`` loaded from ``data/`` by the build)."""
    conn.row_factory = sqlite3.Row
    return make_table(
        [dict(r) for r in conn.execute("SELECT * FROM wbl_parameters")],
        [dict(r) for r in conn.execute("SELECT * FROM wbl_options")],
        [dict(r) for r in conn.execute("SELECT * FROM wbl_apprentice_pay")],
    )


# ----------------------------------------------------------------------------------------------------------
# The model
# ----------------------------------------------------------------------------------------------------------


def months_in_year(total_months: int, year: int) -> int:
    """Months of contract year ``year`` (1-based) for a contract of ``total_months`` (0 when beyond it)."""
    return max(0, min(12, int(total_months) - 12 * (int(year) - 1)))


def contract_years(total_months: int) -> int:
    """Number of (possibly partial) contract years: 24 months -> 2, 30 months -> 3."""
    return max(1, math.ceil(int(total_months) / 12))


def check_inputs(inputs: Inputs) -> list[Issue]:
    """Cross-parameter checks that bounds alone cannot express."""
    issues = []
    if months_in_year(int(inputs["appr_months"]), int(inputs["appr_year"])) == 0:
        issues.append(
            Issue("appr_year", "alternance.error.year_beyond_contract", (("months", int(inputs["appr_months"])),))
        )
    return issues


@dataclass(frozen=True)
class LineItem:
    """One amount paid by one party. ``item`` is an i18n key suffix (``alternance.item.<item>``)."""

    party: str
    item: str
    amount_eur: float
    amount_native: float
    currency: str


@dataclass(frozen=True)
class CostSplit:
    """Cost of one learner for one system over a ``scope`` (``year`` or ``programme``), split by party."""

    system: str
    scope: str
    months: int
    currency: str
    items: tuple[LineItem, ...]
    learner_pay_eur: float  # gross pay the learner receives over the scope (already inside the costs)
    rate: float  # apprenticeship: pay as % of SMIC this year; KTP: grant rate as a fraction
    notes: tuple[str, ...] = field(default=())  # i18n key suffixes of the rules applied

    @property
    def total_eur(self) -> float:
        return sum(i.amount_eur for i in self.items)

    @property
    def total_native(self) -> float:
        return sum(i.amount_native for i in self.items)

    def by_party(self) -> dict[str, float]:
        """EUR per party, every party present (0.0 when it pays nothing)."""
        out = dict.fromkeys(PARTIES, 0.0)
        for i in self.items:
            out[i.party] += i.amount_eur
        return out

    def shares(self) -> dict[str, float | None]:
        """Share of the total per party (0-1); ``None`` when the total is zero."""
        total = self.total_eur
        return {p: (v / total if total else None) for p, v in self.by_party().items()}


def apprentice_monthly_pay(table: ParamTable, inputs: Inputs, year: int | None = None) -> float:
    """Gross minimum monthly pay (EUR) for the inputs' age band in contract ``year`` (default: the chosen year)."""
    year = int(inputs["appr_year"]) if year is None else year
    return table.pay_pct(str(inputs["appr_age"]), year) / 100.0 * float(inputs["smic_monthly_eur"])


def hiring_aid(inputs: Inputs) -> float:
    """Annual employer hiring aid (EUR, year 1 only) for the company size."""
    key = "appr_aid_sme_eur" if inputs["company_size"] == "sme" else "appr_aid_large_eur"
    return float(inputs[key])


def contribution_applies(inputs: Inputs) -> bool:
    """The EUR 750 employer contribution: diplomas at level 6 and above, contracts from 1 July 2025."""
    return int(inputs["appr_level"]) >= 6 and bool(inputs["contract_after_july2025"])


def _apprenticeship_year(table: ParamTable, inputs: Inputs, year: int) -> dict[tuple[str, str], float]:
    months = months_in_year(int(inputs["appr_months"]), year)
    frac = months / 12.0
    pay = apprentice_monthly_pay(table, inputs, year) * months
    aid = hiring_aid(inputs) * frac if year == 1 else 0.0
    npec = float(inputs["npec_eur"]) * frac
    contribution = (
        min(float(inputs["contribution_750_eur"]), npec) if year == 1 and contribution_applies(inputs) else 0.0
    )
    return {
        ("company", "appr_pay_after_aid"): pay - aid,
        ("company", "appr_contribution"): contribution,
        ("public", "appr_hiring_aid"): aid,
        ("public", "appr_opco"): npec - contribution,
        ("training", "appr_training_gap"): float(inputs["training_gap_eur"]) * frac,
        ("learner", "own_costs"): float(inputs["learner_own_costs_eur"]) * frac,
        ("_pay", "_pay"): pay,
        ("_months", "_months"): float(months),
    }


def split_apprenticeship(table: ParamTable, inputs: Inputs, scope: str = "year") -> CostSplit:
    """Cost split of one apprenticeship contract in EUR: the chosen contract year, or the whole ``programme``.

    Company: gross pay minus the hiring aid (year 1, pro rata of months) plus the EUR 750 contribution (year 1,
    level 6+, contracts from 1 July 2025). Public and mutualised: the hiring aid and the OPCO funding at the
    NPEC (minus the 750 the employer pays instead). Training centre: cost above the NPEC. Learner: own costs.
    """
    years = (
        [int(inputs["appr_year"])]
        if scope == "year"
        else list(range(1, contract_years(int(inputs["appr_months"])) + 1))
    )
    totals: dict[tuple[str, str], float] = {}
    for y in years:
        for key, value in _apprenticeship_year(table, inputs, y).items():
            totals[key] = totals.get(key, 0.0) + value
    items = tuple(
        LineItem(party, item, value, value, "EUR")
        for (party, item), value in totals.items()
        if not party.startswith("_")
    )
    notes = ["social_contributions", "opco_collective"]
    if contribution_applies(inputs):
        notes.append("contribution_750")
    return CostSplit(
        system="fr_appr",
        scope=scope,
        months=int(totals[("_months", "_months")]),
        currency="EUR",
        items=items,
        learner_pay_eur=totals[("_pay", "_pay")],
        rate=table.pay_pct(str(inputs["appr_age"]), int(inputs["appr_year"])),
        notes=tuple(notes),
    )


def ktp_grant_rate(inputs: Inputs) -> float:
    """Innovate UK grant rate (fraction) for the partner: SME 67% (60% non-FEC), large business and public
    sector 50%, not-for-profit 75% (70% non-FEC), read from the editable rate parameters."""
    org, fec = inputs["ktp_org"], bool(inputs["ktp_fec"])
    if org == "public" or (org == "business" and inputs["company_size"] == "large"):
        pct = inputs["ktp_grant_large_pct"]
    elif org == "nonprofit":
        pct = inputs["ktp_grant_nfp_pct"] if fec else inputs["ktp_grant_nfp_nonfec_pct"]
    else:
        pct = inputs["ktp_grant_sme_pct"] if fec else inputs["ktp_grant_sme_nonfec_pct"]
    return float(pct) / 100.0


def split_ktp(inputs: Inputs, scope: str = "year") -> CostSplit:
    """Cost split of one KTP: a year (the first 12 months) or the whole ``programme``; GBP converted to EUR.

    The total project cost is the monthly cost times the months; the grant pays ``rate`` of it (public) and the
    company the rest. The associate is employed by the knowledge base out of that budget (no tuition).
    """
    months = min(12, int(inputs["ktp_months"])) if scope == "year" else int(inputs["ktp_months"])
    fx, rate = float(inputs["fx_eur_per_gbp"]), ktp_grant_rate(inputs)
    total = float(inputs["ktp_monthly_gbp"]) * months
    grant = total * rate
    frac = months / 12.0
    native = {
        ("company", "ktp_company_share"): total - grant,
        ("public", "ktp_grant"): grant,
        ("training", "ktp_kb_extra"): float(inputs["ktp_kb_extra_gbp"]) * frac,
        ("learner", "own_costs"): float(inputs["learner_own_costs_eur"]) * frac / fx,
    }
    items = tuple(LineItem(party, item, value * fx, value, "GBP") for (party, item), value in native.items())
    return CostSplit(
        system="uk_ktp",
        scope=scope,
        months=months,
        currency="GBP",
        items=items,
        learner_pay_eur=float(inputs["ktp_salary_gbp"]) * frac * fx,
        rate=rate,
        notes=("ktp_associate", "fx"),
    )


def splits(table: ParamTable, inputs: Inputs, scope: str = "year") -> tuple[CostSplit, CostSplit]:
    """Both systems' splits for the same inputs and scope."""
    return split_apprenticeship(table, inputs, scope), split_ktp(inputs, scope)


# ----------------------------------------------------------------------------------------------------------
# Cost/benefit for the territory and sensitivity
# ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TerritoryResult:
    """Programme cost per learner retained in the region and per job created, for one system (EUR)."""

    system: str
    total_eur: float
    public_eur: float
    retention: float  # share of learners staying in the region (0-1)
    retention_source: str  # source id of the retention figure used
    jobs: float  # jobs per learner: hired by the host (+ other jobs per KTP project)
    cost_per_retained: float | None
    public_per_retained: float | None
    cost_per_job: float | None
    public_per_job: float | None

    def metric(self, name: str) -> float | None:
        return getattr(self, name)


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator > 0 else None


def retention_used(inputs: Inputs, system: str) -> tuple[float, str]:
    """Retention share used for ``system`` and its source: the territory's own figure for apprentices when
    chosen, otherwise the published graduate range parameter."""
    if system == "fr_appr" and inputs["appr_retention_basis"] == "territory":
        return float(inputs["territory_retention_pct"]) / 100.0, "gtec-territory-retention"
    return float(inputs["retention_pct"]) / 100.0, "hesa-graduate-outcomes"


def territory_results(table: ParamTable, inputs: Inputs) -> dict[str, TerritoryResult]:
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
    if param.section == "appr" or param.name.startswith("appr_"):
        return ("fr_appr",)
    if param.section == "ktp" or param.name.startswith("ktp_"):
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


def sensitivity(table: ParamTable, inputs: Inputs, metric: str = "cost_per_retained") -> list[SensitivityRow]:
    """One-at-a-time sensitivity: each parameter with a declared range is set to its low then high value,
    the others kept. Parameters that do not move a system's result are left out. Sorted by swing, largest first.
    """
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}")
    base = territory_results(table, inputs)
    rows = []
    for p in table.params:
        if not p.has_sensitivity:
            continue
        low_v, high_v = p.coerce(p.sens_low), p.coerce(p.sens_high)
        at_low = territory_results(table, inputs.replace(**{p.name: low_v}))
        at_high = territory_results(table, inputs.replace(**{p.name: high_v}))
        for system in relevant_systems(p):
            r_low, r_high = at_low[system].metric(metric), at_high[system].metric(metric)
            b = base[system].metric(metric)
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


# ----------------------------------------------------------------------------------------------------------
# Documentation
# ----------------------------------------------------------------------------------------------------------


def parameter_markdown(table: ParamTable, source_titles: Mapping[str, str], lang: str = "en") -> str:
    """The parameter table as a Markdown table (README / docs): name, label, unit, default, range, source."""
    head = (
        "| Parameter | Label | Unit | Default | Range | Sensitivity | Source |\n|---|---|---|---|---|---|---|"
        if lang == "en"
        else "| Paramètre | Libellé | Unité | Défaut | Bornes | Sensibilité | Source |\n|---|---|---|---|---|---|---|"
    )
    lines = [head]
    for p in table.params:
        if p.kind == "choice":
            default = p.option_label(str(p.default), lang)
            bounds = " / ".join(o.label(lang) for o in p.options)
        else:
            default = plain_number(float(p.default)) if p.kind != "bool" else ("yes" if p.default else "no")
            bounds = f"{plain_number(p.min)}–{plain_number(p.max)}" if p.min is not None and p.max is not None else ""
        sens = f"{plain_number(p.sens_low)}–{plain_number(p.sens_high)}" if p.has_sensitivity else ""
        src = "; ".join(source_titles.get(s, s) for s in p.source_ids)
        cells = [f"`{p.name}`", p.label(lang), p.unit(lang), default, bounds, sens, src]
        lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    return "\n".join(lines)


def illustrative_inputs(table: ParamTable, inputs: Inputs, statuses: Mapping[str, str]) -> list[str]:
    """Names of inputs still at a non-zero default whose source is illustrative (e.g. the NPEC): a result that
    uses them is illustrative, not an estimate. ``statuses`` maps source id -> status."""
    out = []
    for p in table.params:
        value = inputs[p.name]
        at_default = p.kind in ("float", "int") and value == p.default and value != 0
        if at_default and p.source_ids and statuses.get(p.source_ids[0]) == "illustrative":
            out.append(p.name)
    return out
