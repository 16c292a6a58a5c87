"""Foresight engine: pinned numbers, invariants, validation, presets, URL round trip."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gtec.scenarios import scenario as sc
from gtec.scenarios.scenario import PARAMETERS, Inputs, ScenarioInputError, Settings


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
    r = sc.compute(tiny_inputs(), Settings.default(2025))
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
    r = sc.compute(tiny_inputs(), s)
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


def test_all_drivers_zero_give_the_baseline_path():
    inputs = tiny_inputs()
    r = sc.compute(inputs, Settings.default(2030))
    years = np.arange(11)
    expected = inputs.employment[:, :, None] * (1 + inputs.growth)[None, :, None] ** years[None, None, :]
    np.testing.assert_allclose(r.employment, expected, rtol=1e-12)
    np.testing.assert_allclose(r.entrants[:, :, 0], inputs.employment * inputs.entrant_rate, rtol=1e-12)
    np.testing.assert_allclose(r.departures[:, :, 0], inputs.employment * inputs.departure_rate, rtol=1e-12)
    assert not r.mobility.any()


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
    a, b = sc.compute(base, s), sc.compute(other, s)
    for name in sc.FLOWS:
        np.testing.assert_allclose(a.flow(name), b.flow(name), rtol=1e-12, atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(settings_strategy)
def test_openings_are_creation_plus_departures_exactly(s: Settings):
    r = sc.compute(tiny_inputs(np.array([1.2, 0.8])), s)
    assert np.array_equal(r.openings, r.creation + r.departures)
    assert np.array_equal(r.imbalance, r.openings - r.entrants - r.mobility)
    np.testing.assert_allclose(r.creation.sum(axis=2), r.employment[:, :, -1] - r.employment[:, :, 0], atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(settings_strategy)
def test_vectorised_engine_matches_the_per_cell_loop(s: Settings):
    inputs = tiny_inputs(np.array([1.3, 0.7]))
    a, b = sc.compute(inputs, s), sc.compute_naive(inputs, s)
    np.testing.assert_allclose(a.employment, b.employment, rtol=1e-12)
    for name in sc.FLOWS:
        np.testing.assert_allclose(a.flow(name), b.flow(name), rtol=1e-9, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(settings_strategy)
def test_territory_of_two_epcis_is_the_sum_of_its_parts(s: Settings):
    inputs = tiny_inputs(np.array([1.25, 0.6]))
    parts = sc.compute(inputs, s)
    summed = parts.aggregate({"AB": ["A", "B"]})
    merged = sc.compute(inputs.collapse("AB"), s)
    for name in ("employment", *sc.FLOWS):
        np.testing.assert_allclose(getattr(summed, name)[0], getattr(parts, name).sum(axis=0), rtol=1e-12)
        np.testing.assert_allclose(getattr(merged, name), getattr(summed, name), rtol=1e-9, atol=1e-8)


def test_weighted_aggregate_matches_weighted_subset():
    inputs = tiny_inputs(np.array([1.1, 0.9]))
    s = Settings.default(2030).replace(ecology=40, attractiveness=0.3)
    full = sc.compute(inputs, s)
    group = full.aggregate({"G": {"A": 0.25, "B": 1.0}})
    sub = sc.compute(inputs.subset(["A", "B"], [0.25, 1.0]), s)
    np.testing.assert_allclose(group.imbalance[0], sub.imbalance.sum(axis=0), rtol=1e-12)


def test_directions_of_the_main_levers():
    inputs = tiny_inputs()
    ref = sc.compute(inputs, Settings.default(2030)).imbalance.sum()

    def total(**changes):
        return sc.compute(inputs, Settings.default(2030).replace(**changes)).imbalance.sum()

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
    table = sc.tornado(inputs, s)
    assert list(table["swing"]) == sorted(table["swing"], reverse=True)
    assert set(table["parameter"]) == {p.name for p in PARAMETERS}
    row = table.set_index("parameter").loc["ecology"]
    assert (row["low_value"], row["high_value"]) == (30, 70)
    b = sc.band(inputs, s, table)
    assert (b["low"] <= b["central"] + 1e-9).all() and (b["central"] <= b["high"] + 1e-9).all()
    assert b["high"].iloc[-1] > b["low"].iloc[-1]


def test_validation_messages_and_parsing():
    assert sc.validate_value("attractiveness", "0,25") == 0.25
    assert sc.validate_value("ecology", 52) == 50.0  # snapped to the 5-point step
    with pytest.raises(ScenarioInputError) as err:
        sc.validate_value("ecology", 150)
    assert err.value.key == "scenario.error.out_of_range"
    for bad in ("abc", "nan", "inf", "", None, True, "1e400"):
        with pytest.raises(ScenarioInputError):
            sc.validate_value("ecology", bad)
    with pytest.raises(ScenarioInputError) as err:
        sc.validate_value("__class__", 1)
    assert err.value.key == "scenario.error.unknown_param"
    with pytest.raises(ScenarioInputError):
        sc.validate_horizon("2019", 2024)
    with pytest.raises(ScenarioInputError):
        sc.validate_horizon("2030.5", 2024)
    assert sc.validate_horizon("2035", 2024) == 2035


@settings(max_examples=60, deadline=None)
@given(settings_strategy)
def test_url_round_trip(s: Settings):
    query = sc.settings_to_query(s)
    assert all(isinstance(v, str) for v in query.values())
    back, errors = sc.settings_from_query(query, base_year=2020)
    assert not errors
    assert back == s


def test_bad_url_values_fall_back_to_defaults_with_errors():
    s, errors = sc.settings_from_query(
        {"ecology": "<script>", "digital": "40", "retention": "999", "horizon": "1900", "lang": "en"}, base_year=2024
    )
    assert s["digital"] == 40
    assert s["ecology"] == 0 and s["retention"] == 60 and s.horizon == sc.DEFAULT_HORIZON
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
        assert math.isclose(sc.validate_value(p.name, p.default), p.default), p.name
        assert p.label_fr and p.label_en and p.help_fr and p.help_en and p.unit_fr and p.unit_en
        assert p.group in sc.PARAMETER_GROUPS
    md = sc.parameter_table_markdown("en")
    assert all(f"`{n}`" in md for n in names)


def test_parameter_sources_are_declared_in_the_manifest():
    from gtec.build import curated

    declared = {s["id"] for s in curated.load_manifest()["sources"]}
    assert {p.source for p in PARAMETERS} <= declared


def test_presets_are_valid_and_distinct():
    presets = sc.load_presets()
    assert set(presets) == set(sc.PRESET_IDS)
    assert presets["reference"] == {}
    assert sc.preset_settings("reference") == Settings.default()
    seen = set()
    for pid in sc.PRESET_IDS:
        s = sc.preset_settings(pid, 2035)
        assert s.horizon == 2035
        assert s.values not in seen
        seen.add(s.values)
    with pytest.raises(ScenarioInputError):
        sc.preset_settings("nope")


def test_invalid_inputs_are_refused():
    base = tiny_inputs()
    with pytest.raises(ValueError):
        Inputs(("A",), ("F01", "F02"), np.array([[1.0, np.nan]]), base.growth, base.departure_rate,
               base.entrant_rate, base.sensitivities, 2020)  # fmt: skip
    with pytest.raises(ValueError):
        Inputs(("A",), ("F01", "F02"), np.array([[1.0, -5.0]]), base.growth, base.departure_rate,
               base.entrant_rate, base.sensitivities, 2020)  # fmt: skip
    with pytest.raises(ScenarioInputError):
        sc.compute(base, Settings.default(2020))
    assert base.employment.flags.writeable is False
