"""Who pays what: one French apprenticeship contract versus one UK Knowledge Transfer Partnership (KTP).

Pure functions over the validated :class:`gtec.alternance.calculator.Inputs` (the inputs and their table live in
:mod:`gtec.alternance.calculator`; cost per learner retained and the sensitivity in
:mod:`gtec.alternance.outcomes`).

Money is in euros per learner; KTP amounts are converted from pounds at the ``fx_eur_per_gbp`` rate.
Parties: ``learner``, ``company``, ``training`` (training centre / university / knowledge base) and
``public`` (State aid, OPCO funding from the mutualised training levy, Innovate UK grant).

Simplifications (said on the page): employer social contributions on apprentice pay are not modelled (they
are largely exempt); a collective-agreement minimum above the SMIC is not modelled; the age band is the one at
the start of the contract; OPCO funding counts as collective (public and mutualised) money.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gtec.alternance.calculator import CalculatorTable, Inputs, contract_years, months_in_year

PARTIES: tuple[str, ...] = ("learner", "company", "training", "public")
SYSTEMS: tuple[str, ...] = ("fr_appr", "uk_ktp")


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


def apprentice_monthly_pay(table: CalculatorTable, inputs: Inputs, year: int | None = None) -> float:
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


def _apprenticeship_year(table: CalculatorTable, inputs: Inputs, year: int) -> dict[tuple[str, str], float]:
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


def split_apprenticeship(table: CalculatorTable, inputs: Inputs, scope: str = "year") -> CostSplit:
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


def splits(table: CalculatorTable, inputs: Inputs, scope: str = "year") -> tuple[CostSplit, CostSplit]:
    """Both systems' splits for the same inputs and scope."""
    return split_apprenticeship(table, inputs, scope), split_ktp(inputs, scope)
