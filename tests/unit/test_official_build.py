"""Official figures in a full build (the session's shared ``built_data_dir``): pinned real values, levels, coverage,
no generated value where an official one exists, the figures CLI and the foresight on official bases."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from gtec.cli import main as cli
from gtec.scenarios import engine, loader, params
from gtec.storage import reference


@pytest.fixture(scope="module")
def conn(built_data_dir):
    c = reference.connect_reference(built_data_dir / "reference.sqlite")
    yield c
    c.close()


def value(conn, territory, indicator, year):
    row = conn.execute(
        "SELECT value, source_id, period, flag FROM indicator_values WHERE territory_id = ? AND indicator_id = ?"
        " AND year = ?",
        (territory, indicator, year),
    ).fetchone()
    return row


def test_legal_population_2023(conn):
    assert value(conn, "FR-COM-56260", "population", 2023)[:2] == (55_790, "insee-pl2023")
    assert value(conn, "FR-BASIN-VANNES", "population", 2023)[0] == 235_029
    n = conn.execute(
        "SELECT COUNT(*) FROM territories WHERE level = 'commune' AND parent_id IN"
        " (SELECT child_id FROM memberships WHERE parent_id = 'FR-BASIN-VANNES')"
    ).fetchone()[0]
    assert n == 59
    assert value(conn, "FR-COM-75056", "population", 2023)[0] == 2_103_778
    assert value(conn, "FR-DEP-976", "population", 2023) is None  # Mayotte: missing, not zero
    fr = value(conn, "FR", "population", 2023)
    assert fr[3] == "partial"  # France without Mayotte, said so


def test_localised_unemployment_quarterly(conn):
    assert value(conn, "FR-DEP-56", "unemployment_rate", 2025)[:3] == (6.0, "insee-tcl-dep", "2025-T3")
    assert value(conn, "FR-ZE-5318", "unemployment_rate", 2023)[:3] == (5.7, "insee-tcl-ze", "2023-T3")
    q = conn.execute(
        "SELECT COUNT(*) FROM indicator_periods WHERE territory_id = 'FR-DEP-56' AND indicator_id = 'unemployment_rate'"
    ).fetchone()[0]
    assert q == 4 * 43 + 3  # 1982 T1 - 2025 T3
    # never averaged upward: no official localised rate for régions
    assert value(conn, "FR-REG-53", "unemployment_rate", 2025) is None


def test_bmo_bassin_and_lower_bounds(conn):
    v = value(conn, "FR-BMO-5310", "hiring_projects", 2025)
    assert v[0] == 10_518 and v[3] == "lower_bound"
    assert value(conn, "FR-BMO-5310", "hiring_difficult_share", 2025)[0] == 60.3
    assert value(conn, "FR-BMO-5310", "hiring_seasonal_share", 2025)[0] == 42.0
    top = conn.execute(
        "SELECT met_label, family_id FROM bmo_occupations WHERE bassin_id = 'FR-BMO-5310' ORDER BY projects DESC"
    ).fetchall()
    assert len(top) > 100 and all(f for _, f in top[:20])
    dep = conn.execute("SELECT SUM(projects) FROM bmo_occupations WHERE departement_id = 'FR-DEP-56'").fetchone()[0]
    assert value(conn, "FR-DEP-56", "hiring_projects", 2025)[0] == dep


def test_apprenticeship_departements_sum_to_national(conn):
    df = pd.read_sql_query(
        "SELECT v.year, SUM(v.value) AS deps FROM indicator_values v JOIN territories t ON t.id = v.territory_id"
        " WHERE v.indicator_id = 'apprenticeship_contracts' AND t.level = 'departement' GROUP BY v.year",
        conn,
    ).set_index("year")["deps"]
    assert list(df.index) == [2017, 2018, 2019, 2020, 2021]
    for year, deps in df.items():
        assert deps == value(conn, "FR", "apprenticeship_contracts", year)[0]
    assert value(conn, "FR", "apprenticeship_contracts", 2021)[0] == 731_785
    part = conn.execute(
        "SELECT value FROM indicator_periods WHERE territory_id = 'FR' AND period = '2022-01/2022-10'"
    ).fetchone()
    assert tuple(part) == (834_549,)


def test_zone_levels_built(conn):
    counts = dict(conn.execute("SELECT level, COUNT(*) FROM territories GROUP BY level").fetchall())
    assert counts["zone_emploi"] == 306
    assert counts["bmo_bassin"] >= 406
    sizes = dict(
        conn.execute(
            "SELECT t.level, SUM(LENGTH(g.geojson)) FROM geometries g JOIN territories t ON t.id = g.territory_id"
            " WHERE g.resolution = 'national' GROUP BY t.level"
        ).fetchall()
    )
    assert sizes["zone_emploi"] < sizes["epci"] and sizes["bmo_bassin"] < sizes["epci"] <= 1_300_000
    overlap = dict(
        conn.execute("SELECT zone_id, population_share FROM basin_overlaps WHERE basin_id = 'FR-BASIN-VANNES'")
    )
    assert overlap["FR-ZE-5318"] > 90 and overlap["FR-BMO-5310"] > 90
    assert sum(v for k, v in overlap.items() if k.startswith("FR-ZE-")) == pytest.approx(100, abs=0.05)


def test_census_counts_and_rate(conn):
    act = value(conn, "FR-BASIN-VANNES", "active_population", 2018)[0]
    une = value(conn, "FR-BASIN-VANNES", "unemployed_15_64", 2018)[0]
    assert value(conn, "FR-BASIN-VANNES", "census_unemployment_rate", 2018)[0] == pytest.approx(
        100 * une / act, abs=0.01
    )
    assert value(conn, "FR-BASIN-VANNES", "employment", 2018)[1] == "insee-rp2018-comparateur"


def test_no_generated_value_where_official(conn):
    pairs = pd.read_sql_query(
        "SELECT DISTINCT v.indicator_id, t.level, s.status = 'illustrative' AS generated FROM indicator_values v"
        " JOIN territories t ON t.id = v.territory_id JOIN sources s ON s.id = v.source_id"
        " WHERE v.indicator_id != 'population'",
        conn,
    )
    both = pairs.groupby(["indicator_id", "level"])["generated"].nunique()
    assert list(both[both > 1].index) == []
    assert value(conn, "FR-EPCI-200067932", "jobseekers", 2024)[1] == "gtec-illustrative"
    assert value(conn, "BE-BE21", "unemployment_rate", 2023) is None  # not published: missing, not generated
    assert value(conn, "UK-TLM", "employment_rate_16_64", 2022)[:3] == (75.3, "ons-lfs-itl1-2022q3", "2022-07/2022-09")


def test_source_files_and_coverage_recorded(conn):
    rows = {r[0]: r[1:] for r in conn.execute("SELECT source_id, rows_read, codes_unmatched FROM source_files")}
    assert len(rows) == 12
    assert rows["insee-pl2023"][0] == 34_858
    assert "ENG" in rows["ons-lfs-itl1-2022q3"][1].split()


def test_figures_cli_json(built_data_dir, capsys, monkeypatch):
    monkeypatch.setenv("GTEC_DATA_DIR", str(built_data_dir))
    assert cli.main(["figures", "FR-BASIN-VANNES", "--format", "json"]) == 0
    rows = {r["indicator"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["population"]["value"] == 235_029 and rows["population"]["status"] == "official"
    assert rows["employment"]["source"] == "insee-rp2018-comparateur" and rows["employment"]["period"] == "2018"
    assert rows["active_population"]["status"] == "official"
    assert rows["census_unemployment_rate"]["vintage"]
    assert cli.main(["territories", "--level", "zone_emploi"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "id,code,name,level" and len(lines) == 307
    assert cli.main(["figures", "FR-NOPE"]) == 2


def test_foresight_on_official_bases_bretagne(conn):
    """Bretagne (FR-REG-53), reference preset over 2019-2030 (11 years) from the census jobs of its EPCIs:
    departures within 3 % and openings within 10 % of the published regional table (creation uses the national
    family growth rates: Bretagne grows faster than them, hence the wider tolerance on openings)."""
    base = loader.load_base(conn)
    assert base.base_year == 2018 and "dares-metiers-2030-regions-file" in base.source_ids
    inputs = base.territory_inputs("FR-REG-53")
    r = engine.compute(inputs, params.preset_settings("reference", horizon=base.base_year + 11))
    pub = conn.execute(
        "SELECT SUM(departures), SUM(openings) FROM metiers_2030_regions WHERE region_id = 'FR-REG-53'"
    ).fetchone()
    assert r.departures.sum() == pytest.approx(pub[0] * 1000, rel=0.03)
    assert r.openings.sum() == pytest.approx(pub[1] * 1000, rel=0.10)
    assert np.isfinite(inputs.employment).all()
