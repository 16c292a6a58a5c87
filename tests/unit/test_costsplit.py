"""Cost split of one apprenticeship contract vs one KTP: pinned numbers, rules, invariants, validation."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gtec.alternance import calculator, comparison, costsplit, outcomes
from gtec.core.params import InvalidParams


@pytest.fixture(scope="module")
def table() -> calculator.CalculatorTable:
    return comparison.load_from_curated().table


@pytest.fixture(scope="module")
def sources():
    return comparison.load_from_curated().sources


# ----------------------------------------------------------------------------------------------- pinned numbers


def test_apprentice_21_25_year_1_at_smic_nov_2024_gets_53_percent_of_1801_80(table):
    d = table.defaults()
    assert d["smic_monthly_eur"] == pytest.approx(1801.80)
    assert table.pay_pct("21_25", 1) == 53
    assert costsplit.apprentice_monthly_pay(table, d.replace(appr_age="21_25", appr_year=1)) == pytest.approx(954.954)


@pytest.mark.parametrize(
    ("age", "pcts"),
    [("lt18", (27, 39, 55)), ("18_20", (43, 51, 67)), ("21_25", (53, 61, 78)), ("26plus", (100, 100, 100))],
)
def test_pay_grid_matches_the_published_rates(table, age, pcts):
    assert tuple(table.pay_pct(age, y) for y in (1, 2, 3)) == pcts


def test_sme_ktp_at_8500_gbp_a_month_for_24_months_gets_67_percent(table):
    d = table.defaults().replace(company_size="sme", ktp_org="business", ktp_fec=True)
    assert d["ktp_monthly_gbp"] == 8500 and d["ktp_months"] == 24
    assert costsplit.ktp_grant_rate(d) == pytest.approx(0.67)
    whole = costsplit.split_ktp(d, "programme")
    native = {i.item: i.amount_native for i in whole.items}
    assert whole.total_native == pytest.approx(204_000)
    assert native["ktp_grant"] == pytest.approx(136_680)
    assert native["ktp_company_share"] == pytest.approx(67_320)
    year = costsplit.split_ktp(d, "year")
    company_year = {i.item: i.amount_native for i in year.items}["ktp_company_share"]
    assert company_year == pytest.approx(33_660)  # within the published SME range GBP 25k-35k a year
    assert whole.by_party()["company"] == pytest.approx(67_320 * d["fx_eur_per_gbp"])


@pytest.mark.parametrize(
    ("size", "org", "fec", "rate"),
    [
        ("sme", "business", True, 0.67),
        ("sme", "business", False, 0.60),
        ("large", "business", True, 0.50),
        ("large", "business", False, 0.50),
        ("sme", "nonprofit", True, 0.75),
        ("large", "nonprofit", False, 0.70),
        ("sme", "public", True, 0.50),
    ],
)
def test_ktp_grant_rate_rules(table, size, org, fec, rate):
    d = table.defaults().replace(company_size=size, ktp_org=org, ktp_fec=fec)
    assert costsplit.ktp_grant_rate(d) == pytest.approx(rate)


def test_apprenticeship_year_1_engineering_sme_split(table):
    d = table.defaults()  # SME, 21-25, year 1, level 7, 24 months, NPEC 8,000, contract after July 2025
    split = costsplit.split_apprenticeship(table, d, "year")
    parts = split.by_party()
    pay = 0.53 * 1801.80 * 12
    assert split.learner_pay_eur == pytest.approx(pay)  # 11,459.45
    assert parts["company"] == pytest.approx(pay - 5000 + 750)  # pay minus hiring aid plus EUR 750
    assert parts["public"] == pytest.approx(5000 + 8000 - 750)  # aid + OPCO at NPEC minus the 750
    assert parts["training"] == 0 and parts["learner"] == 0
    assert split.total_eur == pytest.approx(pay + 8000)


def test_year_2_has_no_aid_and_no_contribution(table):
    split = costsplit.split_apprenticeship(table, table.defaults().replace(appr_year=2), "year")
    parts = split.by_party()
    assert parts["company"] == pytest.approx(0.61 * 1801.80 * 12)
    assert parts["public"] == pytest.approx(8000)


def test_contribution_only_for_level_6_and_contracts_from_july_2025(table):
    d = table.defaults()
    assert costsplit.contribution_applies(d)
    assert not costsplit.contribution_applies(d.replace(appr_level="5"))
    assert not costsplit.contribution_applies(d.replace(contract_after_july2025=False))
    level5 = costsplit.split_apprenticeship(table, d.replace(appr_level="5"), "year").by_party()
    assert level5["public"] == pytest.approx(5000 + 8000)


def test_large_company_gets_smaller_aid_and_smaller_ktp_grant(table):
    sme, large = table.defaults(), table.defaults().replace(company_size="large")
    a_sme, k_sme = costsplit.splits(table, sme)
    a_large, k_large = costsplit.splits(table, large)
    assert a_large.by_party()["company"] - a_sme.by_party()["company"] == pytest.approx(3000)
    assert k_large.shares()["company"] == pytest.approx(0.50)
    assert k_sme.shares()["company"] == pytest.approx(0.33)


def test_partial_years_are_pro_rata(table):
    d = table.defaults().replace(appr_months=18)
    assert calculator.months_in_year(18, 1) == 12 and calculator.months_in_year(18, 2) == 6
    assert calculator.months_in_year(18, 3) == 0 and calculator.contract_years(18) == 2
    year2 = costsplit.split_apprenticeship(table, d.replace(appr_year=2), "year")
    assert year2.months == 6
    assert year2.by_party()["public"] == pytest.approx(4000)
    whole = costsplit.split_apprenticeship(table, d, "programme")
    assert whole.months == 18
    assert whole.learner_pay_eur == pytest.approx(1801.80 * (0.53 * 12 + 0.61 * 6))
    short = costsplit.split_apprenticeship(table, d.replace(appr_months=6), "year").by_party()
    assert short["public"] == pytest.approx(2500 + 4000 - 750)  # half-year aid, half NPEC, full 750


# -------------------------------------------------------------------------------------------------- invariants


def _input_strategy(table: calculator.CalculatorTable):
    fields = {}
    for p in table.params:
        if p.kind == "choice":
            fields[p.name] = st.sampled_from([o.value for o in p.options])
        elif p.kind == "bool":
            fields[p.name] = st.booleans()
        elif p.kind == "int":
            fields[p.name] = st.integers(int(p.min), int(p.max))
        else:
            fields[p.name] = st.floats(p.min, p.max, allow_nan=False, allow_infinity=False)
    return st.fixed_dictionaries(fields)


TABLE = comparison.load_from_curated().table


@settings(max_examples=150, deadline=None)
@given(raw=_input_strategy(TABLE))
def test_shares_add_up_to_the_total(raw):
    raw["appr_year"] = min(raw["appr_year"], calculator.contract_years(raw["appr_months"]))
    inputs = TABLE.validate(raw)
    for scope in ("year", "programme"):
        for split in costsplit.splits(TABLE, inputs, scope):
            assert sum(split.by_party().values()) == pytest.approx(split.total_eur, rel=1e-9, abs=1e-6)
            assert sum(i.amount_eur for i in split.items) == pytest.approx(split.total_eur, rel=1e-9, abs=1e-6)
            if split.total_eur:
                assert sum(s for s in split.shares().values() if s is not None) == pytest.approx(1.0)
        appr, ktp = costsplit.splits(TABLE, inputs, scope)
        frac = appr.months / 12
        expected = appr.learner_pay_eur + frac * (
            inputs["npec_eur"] + inputs["training_gap_eur"] + inputs["learner_own_costs_eur"]
        )
        assert appr.total_eur == pytest.approx(expected, rel=1e-9, abs=1e-6)
        rate = costsplit.ktp_grant_rate(inputs)
        project = inputs["ktp_monthly_gbp"] * ktp.months
        company = {i.item: i.amount_native for i in ktp.items}["ktp_company_share"]
        assert company == pytest.approx(project * (1 - rate), abs=1e-6)
    results = outcomes.territory_results(TABLE, inputs)
    for r in results.values():
        if r.retention is not None and r.retention > 0:
            assert r.cost_per_retained == pytest.approx(r.total_eur / r.retention)
            assert r.cost_per_retained >= r.total_eur - 1e-6
        else:
            assert r.cost_per_retained is None


# -------------------------------------------------------------------------------------------- territory results


def test_cost_per_learner_retained_and_per_job(table):
    d = table.defaults().replace(territory_retention_pct=80.0)
    res = outcomes.territory_results(table, d)
    appr = costsplit.split_apprenticeship(table, d, "programme")
    assert res["fr_appr"].total_eur == pytest.approx(appr.total_eur)
    assert res["fr_appr"].cost_per_retained == pytest.approx(appr.total_eur / 0.80)
    assert res["fr_appr"].cost_per_job == pytest.approx(appr.total_eur / 0.361)
    assert res["uk_ktp"].cost_per_retained == pytest.approx(204_000 * 1.18 / 0.51)
    assert res["uk_ktp"].public_per_job == pytest.approx(136_680 * 1.18 / 0.63)


def test_no_uk_graduate_figure_stands_in_for_french_apprentices(table):
    """Screens review A5: the French retention has no default; the results that need it say what is missing."""
    d = table.defaults()
    assert d.maybe("territory_retention_pct") is None and "territory_retention_pct" in table.optional
    res = outcomes.territory_results(table, d)
    appr = res["fr_appr"]
    assert appr.retention is None and appr.retention_source == "gtec-territory-retention"
    assert appr.cost_per_retained is None and appr.public_per_retained is None
    assert appr.missing == ("territory_retention_pct",)
    assert appr.cost_per_job is not None  # the job results do not need the retention
    assert res["uk_ktp"].retention == pytest.approx(0.51) and res["uk_ktp"].retention_source == "hesa-graduate-outcomes"
    entered = table.validate({"territory_retention_pct": 62})
    assert outcomes.territory_results(table, entered)["fr_appr"].retention == pytest.approx(0.62)
    assert table.validate({"territory_retention_pct": ""}).maybe("territory_retention_pct") is None
    assert table.validate({"territory_retention_pct": None}).maybe("territory_retention_pct") is None


def test_zero_retention_or_hiring_gives_missing_not_infinite(table):
    d = table.defaults().replace(retention_pct=0.0, appr_hiring_pct=0.0, territory_retention_pct=0.0)
    res = outcomes.territory_results(table, d)
    assert res["fr_appr"].cost_per_retained is None and res["fr_appr"].cost_per_job is None
    assert res["uk_ktp"].cost_per_retained is None


def test_sensitivity_covers_only_inputs_that_move_each_system(table):
    assert not {r.system for r in outcomes.sensitivity(table, table.defaults())} - {"uk_ktp"}  # no FR retention yet
    d = table.defaults().replace(territory_retention_pct=80.0)
    rows = outcomes.sensitivity(table, d, "cost_per_retained")
    appr = {r.param for r in rows if r.system == "fr_appr"}
    ktp = {r.param for r in rows if r.system == "uk_ktp"}
    assert {"npec_eur", "appr_months"} <= appr and "retention_pct" not in appr
    assert {"retention_pct", "ktp_monthly_gbp", "ktp_months", "fx_eur_per_gbp"} <= ktp
    assert "fx_eur_per_gbp" not in appr and "npec_eur" not in ktp
    assert "ktp_grant_sme_pct" not in ktp  # the grant splits the cost, it does not change the total
    public = {r.param for r in outcomes.sensitivity(table, d, "public_per_retained") if r.system == "uk_ktp"}
    assert "ktp_grant_sme_pct" in public
    for r in rows:
        lo, hi = sorted((r.result_low, r.result_high))
        assert lo - 1e-6 <= r.base <= hi + 1e-6  # base values lie inside the declared ranges: results too
    retention = next(r for r in rows if r.system == "uk_ktp" and r.param == "retention_pct")
    total = outcomes.territory_results(table, d)["uk_ktp"].total_eur
    assert retention.result_low == pytest.approx(total / 0.46)
    assert retention.result_high == pytest.approx(total / 0.71)
    with pytest.raises(ValueError):
        outcomes.sensitivity(table, d, "nonsense")


# ------------------------------------------------------------------------------------------ the parameter table


def test_parameter_table_is_complete_and_sourced(table, sources):
    names = table.names()
    assert len(names) == len(set(names))
    for p in table.params:
        assert p.label_fr and p.label_en and p.help_fr and p.help_en, p.name
        assert p.sources and all(s in sources for s in p.sources), p.name
        if p.kind in ("float", "int"):
            assert p.min <= p.default <= p.max, p.name
            if p.has_sensitivity:
                assert p.min <= p.low <= p.default <= p.high <= p.max, p.name
    costsplit.split_apprenticeship(table, table.defaults())  # every name the model reads exists
    costsplit.split_ktp(table.defaults())
    outcomes.territory_results(table, table.defaults())


def test_npec_default_is_flagged_illustrative(table, sources):
    statuses = {k: s.status for k, s in sources.items()}
    assert sources["gtec-wbl-assumptions"].status == "illustrative"
    assert calculator.illustrative_inputs(table, table.defaults(), statuses) == ["npec_eur"]
    assert calculator.illustrative_inputs(table, table.defaults().replace(npec_eur=9100.0), statuses) == []


def test_parameter_markdown_documents_every_parameter(table, sources):
    titles = {k: s.title_en for k, s in sources.items()}
    doc = calculator.parameter_markdown(table, titles, "en")
    for name in table.names():
        assert f"`{name}`" in doc
    assert "Knowledge Transfer Partnerships: grant rates guidance" in doc


# ---------------------------------------------------------------------------------------------------- validation


def _keys(exc: pytest.ExceptionInfo) -> list[tuple[str, str]]:
    return [(e.values["name"], e.key) for e in exc.value.errors]


def test_validation_refuses_out_of_range_and_garbage(table):
    with pytest.raises(InvalidParams) as exc:
        table.validate({"ktp_months": 48, "npec_eur": "abc", "company_size": "huge", "nope": 1})
    assert set(_keys(exc)) == {
        ("ktp_months", "alternance.error.above_max"),
        ("npec_eur", "alternance.error.not_number"),
        ("company_size", "alternance.error.not_option"),
        ("nope", "alternance.error.unknown_param"),
    }
    with pytest.raises(InvalidParams) as exc:
        table.validate({"appr_months": 2.5})
    assert _keys(exc) == [("appr_months", "alternance.error.not_integer")]
    with pytest.raises(InvalidParams) as exc:
        table.validate({"fx_eur_per_gbp": float("nan")})
    assert _keys(exc) == [("fx_eur_per_gbp", "alternance.error.not_number")]


def test_validation_accepts_french_decimals_and_text(table):
    inputs = table.validate({"fx_eur_per_gbp": "1,15", "npec_eur": "9\u202f500", "ktp_fec": "non", "appr_year": "2"})
    assert inputs["fx_eur_per_gbp"] == pytest.approx(1.15)
    assert inputs["npec_eur"] == pytest.approx(9500)
    assert inputs["ktp_fec"] is False and inputs["appr_year"] == 2


def test_contract_year_beyond_the_contract_is_refused(table):
    with pytest.raises(InvalidParams) as exc:
        table.validate({"appr_months": 12, "appr_year": 2})
    assert _keys(exc) == [("appr_year", "alternance.error.year_beyond_contract")]
    assert exc.value.errors[0].values == {"name": "appr_year", "months": 12}


def test_inputs_are_hashable_and_replace_checks_names(table):
    d = table.defaults()
    assert hash(d) == hash(table.defaults())
    with pytest.raises(KeyError):
        d.replace(no_such_input=1)
    assert not math.isnan(float(d["npec_eur"]))
