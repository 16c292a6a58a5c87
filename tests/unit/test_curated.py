"""Curated inputs: the manifest, its validation and loading into a hand-built tiny store."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from gtec.build import curated
from gtec.build.pipeline import create_schema
from gtec.core import config

DATA = config.CURATED_DIR
OWN_FILES = (
    "manifest.toml",
    "indicators.csv",
    "national_figures.csv",
    "occupation_families.csv",
    "occupation_crosswalk.csv",
    "occupation_baseline.csv",
)


def tiny_store() -> sqlite3.Connection:
    """Schema plus FR, a région, a département and one EPCI, as the geography step would leave them."""
    conn = sqlite3.connect(":memory:")
    create_schema(conn)
    conn.execute(
        "INSERT INTO sources (id, title_fr, title_en, publisher, vintage, status) "
        "VALUES ('insee-pop-2017', 'Titre géographie', 'Geography title', 'INSEE', '2017', 'official')"
    )
    conn.executemany(
        "INSERT INTO territories (id, code, name, level, country, parent_id, population, pop_source_id) "
        "VALUES (?, ?, ?, ?, 'FR', ?, ?, 'insee-pop-2017')",
        [
            ("FR", "FR", "France", "country", None, 1000),
            ("FR-REG-53", "53", "Bretagne", "region", "FR", 1000),
            ("FR-DEP-56", "56", "Morbihan", "departement", "FR-REG-53", 1000),
            ("FR-EPCI-200067932", "200067932", "GMVA", "epci", "FR-DEP-56", 1000),
        ],
    )
    return conn


@pytest.fixture
def own_data(tmp_path: Path) -> Path:
    """A copy of this module's own curated files (no fragments from other areas), free to break."""
    for name in OWN_FILES:
        shutil.copy(DATA / name, tmp_path / name)
    return tmp_path


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# ---------------------------------------------------------------------------------------------- manifest


def test_manifest_sources_are_complete_and_valid():
    manifest = curated.load_manifest()
    sources = {s["id"]: s for s in manifest["sources"]}
    assert all(s["status"] in curated.STATUSES and s["vintage"] for s in sources.values())
    ill = sources["gtec-illustrative"]
    assert ill["status"] == "illustrative"
    assert ill["vintage"] == "generator v1"
    assert "NOT statistics" in ill["note_en"]
    for sid in ("dares-metiers-2030", "ft-bmo-2024", "ft-bmo-2025", "dares-apprentissage", "ukri-ktp-grant-rates",
                "inserjeunes-2022", "cge-insertion-apprentis-ingenieurs", "hesa-graduate-outcomes", "hecsu-2015",
                "sgpe-2024", "gtec-occupations"):  # fmt: skip
        assert sid in sources, sid
    assert sources["gtec-occupations"]["status"] == "estimate"
    assert "889,400" in sources["dares-apprentissage"]["note_en"]  # the later revision is shown


def test_real_data_directory_loads(tmp_path):
    """The committed data/ (with every area's manifest fragments) validates and loads."""
    conn = tiny_store()
    counts = curated.load_curated(conn)
    assert counts["indicators"] >= 10
    assert counts["indicator_values_official"] == 7
    assert counts["occupation_families"] >= 14


# ------------------------------------------------------------------------------------------------ loading


def test_load_curated_into_tiny_store(own_data):
    conn = tiny_store()
    steps = []
    counts = curated.load_curated(conn, progress=lambda k, f: steps.append((k, f)), curated_dir=own_data)
    assert steps == [("build.step.curated", 0.65)]
    assert counts["population_values"] == 4
    assert counts["occupation_crosswalk"] == conn.execute("SELECT COUNT(*) FROM occupation_crosswalk").fetchone()[0]
    # the source inserted by geography is kept as it was
    title = conn.execute("SELECT title_en FROM sources WHERE id = 'insee-pop-2017'").fetchone()[0]
    assert title == "Geography title"
    rows = dict(
        ((i, y), (v, s))
        for i, y, v, s in conn.execute(
            "SELECT indicator_id, year, value, source_id FROM indicator_values WHERE territory_id = 'FR'"
        )
    )
    assert rows[("hiring_projects", 2024)] == (2_782_000, "ft-bmo-2024")
    assert rows[("hiring_projects", 2025)] == (2_430_000, "ft-bmo-2025")
    assert rows[("hiring_difficult_share", 2024)] == (57.4, "ft-bmo-2024")
    assert rows[("hiring_difficult_share", 2025)] == (50.1, "ft-bmo-2025")
    assert rows[("apprenticeship_contracts", 2022)] == (837_000, "dares-apprentissage")
    assert rows[("apprenticeship_contracts", 2023)] == (852_000, "dares-apprentissage")
    assert rows[("apprenticeship_contracts", 2024)] == (878_900, "dares-apprentissage")
    assert rows[("population", 2017)] == (1000, "insee-pop-2017")
    bad = conn.execute(
        "SELECT COUNT(*) FROM indicator_values v LEFT JOIN sources s ON s.id = v.source_id "
        "WHERE s.status IS NULL OR s.status NOT IN ('official', 'estimate', 'illustrative')"
    ).fetchone()[0]
    assert bad == 0


def test_catalogue_rules_are_consistent(own_data):
    conn = tiny_store()
    curated.load_curated(conn, curated_dir=own_data)
    cur = conn.execute("SELECT * FROM indicators")
    names = [d[0] for d in cur.description]
    cat = {r[0]: dict(zip(names, r, strict=True)) for r in cur.fetchall()}
    required = {
        "population": ("count", "sum", None),
        "employment": ("count", "sum", None),
        "jobseekers": ("count", "sum", None),
        "population_15_64": ("count", "sum", None),
        "hiring_projects": ("count", "sum", None),
        "hiring_difficult_share": ("rate", "weighted_mean", "hiring_projects"),
        "apprenticeship_contracts": ("count", "sum", None),
        "unemployment_rate": ("rate", "weighted_mean", "active_population"),
        "seniors_share": ("rate", "weighted_mean", "employment"),
    }
    for ind, (kind, agg, weight) in required.items():
        row = cat[ind]
        assert (row["kind"], row["aggregation"], row["weight_indicator"]) == (kind, agg, weight), ind
        assert row["label_fr"] and row["label_en"] and row["description_fr"] and row["description_en"]
    assert cat["jobseekers"]["denominator_indicator"] == "population_15_64"
    for row in cat.values():
        if row["aggregation"] == "weighted_mean":
            assert cat[row["weight_indicator"]]["kind"] == "count"
        if row["kind"] == "rate":
            assert row["rate_per"] == 100


def test_generic_table_keeps_codes_as_text_and_records_column_sources(own_data):
    (own_data / "manifest.d").mkdir()
    (own_data / "manifest.d" / "extra.toml").write_text(
        """
[[sources]]
id = "test-extra"
title_fr = "t"
title_en = "t"
publisher = "p"
vintage = "2024"
status = "estimate"

[[datasets]]
file = "extra_facts.csv"
table = "extra_facts"
key = ["code"]
columns = [
    { name = "code", type = "text" },
    { name = "amount", type = "real", source = "test-extra", unit = "EUR" },
    { name = "n", type = "integer", required = false },
    { name = "source_id", type = "text" },
]
""",
        encoding="utf-8",
    )
    (own_data / "extra_facts.csv").write_text(
        "code,amount,n,source_id\n01001,12.5,3,test-extra\n2A004,7,,gtec-illustrative\n", encoding="utf-8"
    )
    conn = tiny_store()
    counts = curated.load_curated(conn, curated_dir=own_data)
    assert counts["curated_extra_facts"] == 2
    rows = conn.execute("SELECT code, amount, n, typeof(amount) FROM extra_facts ORDER BY code").fetchall()
    assert rows == [("01001", 12.5, 3, "real"), ("2A004", 7.0, None, "real")]
    src = conn.execute(
        "SELECT source_id, unit FROM curated_columns WHERE table_name = 'extra_facts' AND column_name = 'amount'"
    ).fetchone()
    assert src == ("test-extra", "EUR")
    baseline = conn.execute(
        "SELECT source_id FROM curated_columns WHERE table_name = 'occupation_baseline' AND column_name = ?",
        ("departure_rate",),
    ).fetchone()[0]
    assert conn.execute("SELECT status FROM sources WHERE id = ?", (baseline,)).fetchone()[0] == "estimate"


# ------------------------------------------------------------------------------------- validation errors


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (
            "national_figures.csv",
            "2782000,ft-bmo-2024",
            "2782000,no-such-source",
            r"national_figures\.csv, line 2: unknown source id 'no-such-source'",
        ),
        (
            "national_figures.csv",
            "FR,hiring_projects,2025",
            "FR,hiring_projects,2024",
            r"national_figures\.csv, line 3: duplicate key .*first on line 2",
        ),
        (
            "national_figures.csv",
            "2430000",
            "2.43 M",
            r"national_figures\.csv, line 3: column 'value': '2.43 M' is not a valid real",
        ),
        (
            "national_figures.csv",
            "FR,hiring_projects,2024",
            "FR,hiring_projectz,2024",
            r"national_figures\.csv, line 2: unknown indicator",
        ),
        (
            "national_figures.csv",
            "FR,apprenticeship_contracts,2022",
            "XX,apprenticeship_contracts,2022",
            r"line 6: unknown territory 'XX'",
        ),
        (
            "national_figures.csv",
            "territory_id,",
            "territory,",
            r"national_figures\.csv, line 1: header does not match",
        ),
        (
            "indicators.csv",
            "rate,weighted_mean,hiring_projects",
            "rate,weighted_mean,",
            r"indicators\.csv, line \d+: .*needs a weight_indicator",
        ),
        ("indicators.csv", ",count,sum,", ",count,total,", r"indicators\.csv, line 2: aggregation 'total'"),
        (
            "occupation_crosswalk.csv",
            "F01,isco08,6,",
            "F01,isco08,11,",
            r"occupation_crosswalk\.csv, line 2: isco08 major group '11'",
        ),
        (
            "occupation_baseline.csv",
            "F01,838000",
            "F01,lots",
            r"occupation_baseline\.csv, line 2: column 'employment_2019'",
        ),
        (
            "manifest.toml",
            'status = "estimate"',
            'status = "guess"',
            r"manifest\.toml \[\[sources\]\] #\d+: source '[a-z-]+' has status 'guess'",
        ),
        ("manifest.toml", 'id = "ft-bmo-2025"', 'id = "ft-bmo-2024"', r"duplicate source id 'ft-bmo-2024'"),
        (
            "manifest.toml",
            'source = "gtec-occupation-sizes"',
            'source = "nope"',
            r"column 'employment_2019' names unknown source 'nope'",
        ),
    ],
)
def test_validation_errors_name_file_and_line(own_data, file, old, new, expected):
    _replace(own_data / file, old, new)
    conn = tiny_store()
    with pytest.raises(curated.CuratedDataError, match=expected):
        curated.load_curated(conn, curated_dir=own_data)


def test_missing_file_and_bad_toml(own_data):
    (own_data / "occupation_baseline.csv").unlink()
    with pytest.raises(curated.CuratedDataError, match=r"occupation_baseline\.csv: file declared in the manifest"):
        curated.load_curated(tiny_store(), curated_dir=own_data)
    (own_data / "manifest.toml").write_text("[[sources]\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"manifest\.toml: invalid TOML"):
        curated.load_manifest(own_data)


def test_duplicate_source_across_fragments(own_data):
    (own_data / "manifest.d").mkdir()
    (own_data / "manifest.d" / "dup.toml").write_text(
        '[[sources]]\nid = "ft-bmo-2024"\ntitle_fr = "x"\ntitle_en = "x"\npublisher = "x"\nvintage = "1"\n'
        'status = "official"\n',
        encoding="utf-8",
    )
    with pytest.raises(curated.CuratedDataError, match=r"manifest\.d/dup\.toml: duplicate source id 'ft-bmo-2024'"):
        curated.load_manifest(own_data)


def test_reserved_tables_are_refused(own_data):
    _replace(own_data / "manifest.toml", 'table = "occupation_baseline"', 'table = "territories"')
    with pytest.raises(curated.CuratedDataError, match="belongs to another build step"):
        curated.load_curated(tiny_store(), curated_dir=own_data)


def test_source_year():
    assert curated.source_year("2017") == 2017
    assert curated.source_year("February 2025 release") == 2025
    assert curated.source_year("2023-24") == 2023
    assert curated.source_year("2006/07 to 2020") is None  # ambiguous: two years
    assert curated.source_year("generator v1") is None


# ------------------------------------------------------------------------------------ occupation baseline


def test_occupation_families_and_crosswalk(own_data):
    conn = tiny_store()
    curated.load_curated(conn, curated_dir=own_data)
    families = [r[0] for r in conn.execute("SELECT id FROM occupation_families")]
    assert 14 <= len(families) <= 16
    for scheme, codes in (("isco08", set("0123456789")), ("soc2020", set("123456789"))):
        got = {r[0] for r in conn.execute("SELECT code FROM occupation_crosswalk WHERE scheme = ?", (scheme,))}
        assert got == codes, scheme
        per_family = {
            r[0] for r in conn.execute("SELECT family_id FROM occupation_crosswalk WHERE scheme = ?", (scheme,))
        }
        assert per_family == set(families), scheme
    domains = "".join(r[0] for r in conn.execute("SELECT fap_domains FROM occupation_families")).replace(" ", "")
    assert sorted(domains) == sorted(set(domains)), "a FAP domain belongs to two families"
    assert set(domains) == set("ABCDEFGHJKLMNPQRSTUVWX")  # the 22 FAP 2009 domains


def test_occupation_baseline_matches_metiers_2030_orders_of_magnitude(own_data):
    conn = tiny_store()
    curated.load_curated(conn, curated_dir=own_data)
    rows = conn.execute(
        "SELECT employment_2019, departure_rate, growth_rate, young_entrant_rate FROM occupation_baseline"
    ).fetchall()
    emp = sum(r[0] for r in rows)
    departures = sum(r[0] * r[1] / 100 for r in rows)
    net = sum(r[0] * r[2] / 100 for r in rows)
    young = sum(r[0] * r[3] / 100 for r in rows)
    assert 27e6 <= emp <= 28e6
    assert 2.4 <= departures / emp * 100 <= 2.9  # departures 26-31 % of employment over 2019-2030
    assert 0.26 <= departures * 11 / emp <= 0.31
    openings = departures + net
    assert 740_000 <= openings <= 780_000  # about 760,000 openings a year
    assert 0.88 <= departures / openings <= 0.91  # 89-90 % from departures
    assert 630_000 <= young <= 650_000  # about 640,000 young entrants a year
    assert all(0 < r[1] < 5 and -3 < r[2] < 3 and 0 < r[3] < 5 for r in rows)
