"""National check: fed with national inputs and the reference preset, the engine reproduces the published orders
of magnitude of "Les métiers en 2030" (France Stratégie / Dares, March 2022, reference scenario 2019-2030).

Inputs used, and where they come from:
- national employment 2019 per family: ``data/occupation_baseline.csv`` column ``employment_2019`` (source
  ``gtec-occupation-sizes``: orders of magnitude summing to 27.4 million jobs, illustrative per family);
- departure, growth and young-entrant rates per family: same file (source ``gtec-occupation-calibration``:
  relative profiles calibrated on the national totals of the report);
- reference preset (every driver at zero), base year 2019, horizon 2030 (11 projection years), no net mobility.

Published figures (facts.md, [H/M]): about 760,000 openings a year, 89-90 % of them from end-of-career departures,
about +1 million net jobs over 2019-2030, about 640,000 young entrants a year, openings not covered by young
entrants about 5 % of 2019 employment. Tolerances: openings and entrants within 5 %, net creation within 15 %,
departure share within 2 points of the 89-90 % range, uncovered share between 4 and 7 % of employment.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gtec.core import config
from gtec.scenarios import engine, loader, params


@pytest.fixture(scope="module")
def national():
    baseline = pd.read_csv(config.CURATED_DIR / "occupation_baseline.csv", dtype={"family_id": str})
    baseline = baseline.set_index("family_id", drop=False)
    sens = engine.load_sensitivities(list(baseline.index))
    inputs = loader.national_inputs(baseline, sens, base_year=2019)
    result = engine.compute(inputs, params.preset_settings("reference", horizon=2030))
    return baseline, inputs, result


def test_national_reference_reproduces_les_metiers_en_2030(national):
    _, inputs, r = national
    totals = r.territory_totals().iloc[0]
    assert r.n_years == 11
    assert totals["openings_per_year"] == pytest.approx(760_000, rel=0.05)
    share = totals["departures_per_year"] / totals["openings_per_year"]
    assert 0.87 <= share <= 0.92
    assert r.creation.sum() == pytest.approx(1_000_000, rel=0.15)
    assert totals["entrants_per_year"] == pytest.approx(640_000, rel=0.05)
    uncovered = (r.openings.sum() - r.entrants.sum()) / inputs.employment.sum()
    assert 0.04 <= uncovered <= 0.07


def test_national_figures_pinned(national):
    """The exact figures of this build of the inputs (reported in docs/scenarios.md)."""
    _, _, r = national
    totals = r.territory_totals().iloc[0]
    assert totals["openings_per_year"] == pytest.approx(772_951, abs=1)
    assert totals["departures_per_year"] == pytest.approx(680_000, abs=1)  # 88.0 % of openings
    assert totals["entrants_per_year"] == pytest.approx(640_000, abs=1)
    assert r.creation.sum() == pytest.approx(1_022_465, abs=1)
    assert totals["imbalance_rate"] == pytest.approx(5.337, abs=0.001)


def test_it_engineers_family_grows_about_a_quarter(national):
    """IT, telecoms and R&D (F08) grow by about 26 % by 2030 in the report (IT engineers +26 %)."""
    baseline, _, r = national
    i = list(baseline.index).index("F08")
    growth = r.employment[0, i, -1] / r.employment[0, i, 0] - 1
    assert growth == pytest.approx(0.26, abs=0.03)


def test_sensitivities_are_calibrated_as_declared():
    baseline = pd.read_csv(config.CURATED_DIR / "occupation_baseline.csv", dtype={"family_id": str})
    emp = baseline.set_index("family_id")["employment_2019"]
    table = engine.sensitivity_table()
    growth = table[table["driver"] != params.CRISIS_DRIVER]
    implied = growth["national_jobs_2030"] / growth["family_id"].map(emp) / 11 * 100
    np.testing.assert_allclose(growth["value"], implied, atol=0.001)
    eco = growth[growth["driver"] == "ecology"]["national_jobs_2030"]
    assert eco[eco > 0].sum() == 400_000 and eco[eco < 0].sum() == -250_000  # SGPE 2024 orders of magnitude
    crisis = table[table["driver"] == params.CRISIS_DRIVER].set_index("family_id")["value"]
    assert np.average(crisis, weights=emp[crisis.index]) == pytest.approx(1.0, abs=0.02)
    assert set(table["family_id"]) <= set(emp.index)
