"""Foresight engine: pinned numbers, invariants, validation, presets, URL round trip."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gtec.core.errors import UserError as ScenarioInputError
from gtec.scenarios import engine, params
from gtec.scenarios.engine import Inputs
from gtec.scenarios.params import PARAMETERS, Settings


def tiny_inputs(departure_factor=None) -> Inputs:
    """Two territories, two families, base year 2020."""
    sens = np.array(
        [
            [0.01, -0.005],  # ecology: +1 pp / -0.5 pp a year at 100 %
            [0.0, 0.02],  # digital
            [0.004, 0.0],  # reindustrialisation
            [2.0, 0.5],  # crisis exposure
        ]
    )
    return Inputs(
        territory_ids=("A", "B"),
        family_ids=("F01", "F02"),
        employment=np.array([[1000.0, 500.0], [200.0, 100.0]]),
        growth=np.array([0.02, -0.01]),
        departure_rate=np.array([0.03, 0.025]),
        entrant_rate=np.array([0.025, 0.02]),
        sensitivities=sens,
        base_year=2020,
        departure_factor=departure_factor,
    )


def test_pinned_reference_numbers():
    r = engine.compute(tiny_inputs(), Settings.default(2025))
    assert r.years == (2021, 2022, 2023, 2024, 2025)
    # Territory A, family F01, year 1: E1 = 1000 * 1.02 = 1020.
    assert r.employment[0, 0, 1] == pytest.approx(1020.0)
    assert r.creation[0, 0, 0] == pytest.approx(20.0)
    assert r.departures[0, 0, 0] == pytest.approx(30.0)
    assert r.openings[0, 0, 0] == pytest.approx(50.0)
    assert r.entrants[0, 0, 0] == pytest.approx(25.0)
    assert r.imbalance[0, 0, 0] == pytest.approx(25.0)
    # Over 5 years: creation 1000 * (1.02^5 - 1) = 104.08080..., departures 150, entrants 125.
    assert r.creation[0, 0].sum() == pytest.approx(104.0808032, rel=1e-9)
    assert r.imbalance[0, 0].sum() == pytest.approx(129.0808032, rel=1e-9)
    # F02 shrinks: creation 500 * (0.99^5 - 1) = -24.504975..., departures 62.5, entrants 50.
    assert r.imbalance[0, 1].sum() == pytest.approx(-24.50497505 + 62.5 - 50.0, rel=1e-8)
    summary = r.territory_totals().set_index("territory_id")
    assert summary.at["A", "imbalance_rate"] == pytest.approx(100 * (129.0808032 - 12.00497505) / 1500, rel=1e-8)


def test_pinned_scenario_numbers():
    s = Settings.default(2025).replace(
        ecology=50, crisis_depth=2, crisis_recovery=2, retirement_shift=1, training_change=10, attractiveness=0.5
    )
    r = engine.compute(tiny_inputs(), s)
    # F01 growth = 2 % + 0.5 * 1 pp = 2.5 %; crisis: 2 % * exposure 2 = 4 % in year 1, 2 % in year 2, 0 after.
    e1 = 1000 * 1.025 * (1 - 0.04)
    e2 = 1000 * 1.025**2 * (1 - 0.02)
    assert r.employment[0, 0, 1] == pytest.approx(e1)
    assert r.employment[0, 0, 2] == pytest.approx(e2)
    assert r.employment[0, 0, 3] == pytest.approx(1000 * 1.025**3)
    assert r.creation[0, 0, 0] == pytest.approx(e1 - 1000)
    # Departures: 3 % * (1 - 1/5) * 1000 = 24 a year.
    assert r.departures[0, 0] == pytest.approx([24.0] * 5)
    # Entrants: 25 * (1 + 0.10 * y / 5): 25.5, 26, 26.5, 27, 27.5.
    assert r.entrants[0, 0] == pytest.approx([25.5, 26.0, 26.5, 27.0, 27.5])
    # Mobility: 0.5 % of previous-year employment.
    assert r.mobility[0, 0, 1] == pytest.approx(0.005 * e1)
    assert r.imbalance[0, 0, 1] == pytest.approx((e2 - e1) + 24 - 26.0 - 0.005 * e1)


def test_zero_shock_gives_the_baseline_pinned_by_hand():
    """Every parameter at its default: each family follows its own trend, nothing else moves."""
    r = engine.compute(tiny_inputs(), Settings.default(2030))
    # Numbers worked out by hand: 1000 * 1.02^10, 100 * 0.99^10 (territory B, family F02).
    assert r.employment[0, 0, -1] == pytest.approx(1218.9944199947574, rel=1e-12)
    assert r.employment[1, 1, -1] == pytest.approx(90.43820750088044, rel=1e-12)
    assert r.creation[0, 0].sum() == pytest.approx(218.9944199947574, rel=1e-12)
    assert r.departures[1, 1] == pytest.approx([2.5] * 10)  # 100 * 2.5 % a year
    assert r.entrants[1, 1] == pytest.approx([2.0] * 10)  # 100 * 2 % a year
    assert r.openings[1, 1].sum() == pytest.approx((90.43820750088044 - 100) + 25.0, rel=1e-12)
    assert not r.mobility.any()
    assert engine.compute(tiny_inputs(), params.preset_settings("reference", 2030)).imbalance.sum() == pytest.approx(
        r.imbalance.sum(), rel=1e-15
    )


def test_supply_levers_leave_demand_unchanged_and_scale_entrants():
    """Training, insertion and retention change who fills the openings, never the openings themselves."""
    inputs = tiny_inputs()
    base = engine.compute(inputs, Settings.default(2030))
    half = engine.compute(inputs, Settings.default(2030).replace(retention=30))  # 60 % -> 30 %: half the entrants
    for name in ("employment", "creation", "departures", "openings"):
        np.testing.assert_array_equal(getattr(half, name), getattr(base, name))
    np.testing.assert_allclose(half.entrants, base.entrants / 2, rtol=1e-12)
    # More training by the horizon: +50 % phased in, so the last year's entrants are 1.5 times the baseline.
    more = engine.compute(inputs, Settings.default(2030).replace(training_change=50))
    np.testing.assert_allclose(more.entrants[:, :, -1], 1.5 * base.entrants[:, :, -1], rtol=1e-12)
    np.testing.assert_array_equal(more.openings, base.openings)


def test_components_add_up_to_the_totals():
    s = Settings.default(2030).replace(ecology=60, crisis_depth=3, attractiveness=0.4, training_change=-10)
    r = engine.compute(tiny_inputs(np.array([1.2, 0.8])), s)
    totals = r.territory_totals().set_index("territory_id")
    yearly = r.yearly()
    for name in engine.FLOWS:
        assert totals[f"{name}_per_year"].sum() == pytest.approx(yearly[name].mean(), rel=1e-12)
    # the cumulative imbalance is openings minus newcomers, summed over territories, families and years
    newcomers = r.entrants.sum() + r.mobility.sum()
    assert yearly["imbalance_cumulative"].iloc[-1] == pytest.approx(r.openings.sum() - newcomers, rel=1e-12)
    assert totals["imbalance_total"].sum() == pytest.approx(yearly["imbalance_cumulative"].iloc[-1], rel=1e-12)
    # openings are the change in employment plus the departures, whatever the path in between
    change = r.employment[:, :, -1] - r.employment[:, :, 0]
    np.testing.assert_allclose(r.openings.sum(axis=2), change + r.departures.sum(axis=2), rtol=1e-12)


settings_strategy = st.builds(
    lambda vals, horizon: Settings(tuple(vals), horizon),
    st.tuples(
        *(
            st.integers(0, round((p.max - p.min) / p.step)).map(lambda k, p=p: round(p.min + k * p.step, 6))
            for p in PARAMETERS
        )
    ),
    st.integers(2021, 2040),
)


@settings(max_examples=60, deadline=None)
@given(settings_strategy, st.lists(st.floats(-0.02, 0.02), min_size=8, max_size=8))
def test_drivers_at_zero_ignore_sensitivities(s: Settings, sens: list[float]):
    """With every driver at zero, the sensitivities (whatever they are) change nothing."""
    s = s.replace(ecology=0, digital=0, reindustrialisation=0, crisis_depth=0)
    base = tiny_inputs()
    other = Inputs(
        base.territory_ids, base.family_ids, base.employment, base.growth, base.departure_rate, base.entrant_rate,
        np.vstack([np.array(sens).reshape(4, 2)[:3], [[3.0, 0.1]]]), base.base_year,
    )  # fmt: skip
    a, b = engine.compute(base, s), engine.compute(other, s)
    for name in engine.FLOWS:
        np.testing.assert_allclose(a.flow(name), b.flow(name), rtol=1e-12, atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(settings_strategy)
def test_openings_are_creation_plus_departures_exactly(s: Settings):
    r = engine.compute(tiny_inputs(np.array([1.2, 0.8])), s)
    assert np.array_equal(r.openings, r.creation + r.departures)
    assert np.array_equal(r.imbalance, r.openings - r.entrants - r.mobility)
    np.testing.assert_allclose(r.creation.sum(axis=2), r.employment[:, :, -1] - r.employment[:, :, 0], atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(settings_strategy)
def test_vectorised_engine_matches_the_per_cell_loop(s: Settings):
    inputs = tiny_inputs(np.array([1.3, 0.7]))
    a, b = engine.compute(inputs, s), engine.compute_naive(inputs, s)
    np.testing.assert_allclose(a.employment, b.employment, rtol=1e-12)
    for name in engine.FLOWS:
        np.testing.assert_allclose(a.flow(name), b.flow(name), rtol=1e-9, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(settings_strategy)
def test_territory_of_two_epcis_is_the_sum_of_its_parts(s: Settings):
    inputs = tiny_inputs(np.array([1.25, 0.6]))
    parts = engine.compute(inputs, s)
    summed = parts.aggregate({"AB": ["A", "B"]})
    merged = engine.compute(inputs.collapse("AB"), s)
    for name in ("employment", *engine.FLOWS):
        np.testing.assert_allclose(getattr(summed, name)[0], getattr(parts, name).sum(axis=0), rtol=1e-12)
        np.testing.assert_allclose(getattr(merged, name), getattr(summed, name), rtol=1e-9, atol=1e-8)


def test_weighted_aggregate_matches_weighted_subset():
    inputs = tiny_inputs(np.array([1.1, 0.9]))
    s = Settings.default(2030).replace(ecology=40, attractiveness=0.3)
    full = engine.compute(inputs, s)
    group = full.aggregate({"G": {"A": 0.25, "B": 1.0}})
    sub = engine.compute(inputs.subset(["A", "B"], [0.25, 1.0]), s)
    np.testing.assert_allclose(group.imbalance[0], sub.imbalance.sum(axis=0), rtol=1e-12)


def test_directions_of_the_main_levers():
    inputs = tiny_inputs()
    ref = engine.compute(inputs, Settings.default(2030)).imbalance.sum()

    def total(**changes):
        return engine.compute(inputs, Settings.default(2030).replace(**changes)).imbalance.sum()

    assert total(training_change=20) < ref
    assert total(retention=80) < ref
    assert total(attractiveness=0.5) < ref
    assert total(retirement_shift=2) < ref
    assert total(retirement_shift=-1) > ref
    assert total(growth_adjust=0.5) > ref
    assert total(apprenticeship_share=50) < ref  # apprentices find work more often (67 % vs 50 %)
    # A crisis fully recovered before the horizon shifts needs in time without changing the cumulative total.
    assert total(crisis_depth=5, crisis_recovery=3) == pytest.approx(ref, rel=1e-9)


def test_tornado_and_band():
    inputs = tiny_inputs()
    s = Settings.default(2030).replace(ecology=50)
    table = engine.tornado(inputs, s)
    assert list(table["swing"]) == sorted(table["swing"], reverse=True)
    assert set(table["parameter"]) == {p.name for p in PARAMETERS}
    row = table.set_index("parameter").loc["ecology"]
    assert (row["low_value"], row["high_value"]) == (30, 70)
    b = engine.band(inputs, s, table)
    assert (b["low"] <= b["central"] + 1e-9).all() and (b["central"] <= b["high"] + 1e-9).all()
    assert b["high"].iloc[-1] > b["low"].iloc[-1]


def test_validation_messages_and_parsing():
    assert params.validate_value("attractiveness", "0,25") == 0.25
    assert params.validate_value("ecology", 52) == 50.0  # snapped to the 5-point step
    with pytest.raises(ScenarioInputError) as err:
        params.validate_value("ecology", 150)
    assert err.value.key == "scenario.error.out_of_range"
    for bad in ("abc", "nan", "inf", "", None, True, "1e400"):
        with pytest.raises(ScenarioInputError):
            params.validate_value("ecology", bad)
    with pytest.raises(ScenarioInputError) as err:
        params.validate_value("__class__", 1)
    assert err.value.key == "scenario.error.unknown_param"
    with pytest.raises(ScenarioInputError):
        params.validate_horizon("2019", 2024)
    with pytest.raises(ScenarioInputError):
        params.validate_horizon("2030.5", 2024)
    assert params.validate_horizon("2035", 2024) == 2035


@settings(max_examples=60, deadline=None)
@given(settings_strategy)
def test_url_round_trip(s: Settings):
    query = params.settings_to_query(s)
    assert all(isinstance(v, str) for v in query.values())
    back, errors = params.settings_from_query(query, base_year=2020)
    assert not errors
    assert back == s


def test_bad_url_values_fall_back_to_defaults_with_errors():
    s, errors = params.settings_from_query(
        {"ecology": "<script>", "digital": "40", "retention": "999", "horizon": "1900", "lang": "en"}, base_year=2024
    )
    assert s["digital"] == 40
    assert s["ecology"] == 0 and s["retention"] == 60 and s.horizon == params.DEFAULT_HORIZON
    assert sorted(e.key for e in errors) == [
        "scenario.error.horizon",
        "scenario.error.not_number",
        "scenario.error.out_of_range",
    ]


def test_parameter_table_is_complete():
    names = [p.name for p in PARAMETERS]
    assert len(names) == len(set(names))
    for p in PARAMETERS:
        assert p.min <= p.default <= p.max, p.name
        assert p.step > 0 and p.band > 0
        assert math.isclose(params.validate_value(p.name, p.default), p.default), p.name
        assert p.label_fr and p.label_en and p.help_fr and p.help_en and p.unit_fr and p.unit_en
        assert p.group in params.PARAMETER_GROUPS
    md = params.parameter_table_markdown("en")
    assert all(f"`{n}`" in md for n in names)


def test_parameter_sources_are_declared_in_the_manifest():
    from gtec.build import curated

    declared = {s["id"] for s in curated.load_manifest()["sources"]}
    assert {p.source for p in PARAMETERS} <= declared


def test_presets_are_valid_and_distinct():
    presets = params.load_presets()
    assert set(presets) == set(params.PRESET_IDS)
    assert presets["reference"] == {}
    assert params.preset_settings("reference") == Settings.default()
    seen = set()
    for pid in params.PRESET_IDS:
        s = params.preset_settings(pid, 2035)
        assert s.horizon == 2035
        assert s.values not in seen
        seen.add(s.values)
    with pytest.raises(ScenarioInputError):
        params.preset_settings("nope")


def test_invalid_inputs_are_refused():
    base = tiny_inputs()
    with pytest.raises(ValueError):
        Inputs(("A",), ("F01", "F02"), np.array([[1.0, np.nan]]), base.growth, base.departure_rate,
               base.entrant_rate, base.sensitivities, 2020)  # fmt: skip
    with pytest.raises(ValueError):
        Inputs(("A",), ("F01", "F02"), np.array([[1.0, -5.0]]), base.growth, base.departure_rate,
               base.entrant_rate, base.sensitivities, 2020)  # fmt: skip
    with pytest.raises(ScenarioInputError):
        engine.compute(base, Settings.default(2020))
    assert base.employment.flags.writeable is False
