"""gtec.territories.display (what may be shown, periods and flags in words) and gtec.territories.occupations."""

from __future__ import annotations

import sqlite3

import pandas as pd
import pytest

from gtec.territories import display, occupations


def _long(rows):
    return pd.DataFrame(rows, columns=["territory_id", "indicator_id", "year", "value", "source_id"])


STATUSES = {"off": "official", "demo": "illustrative"}


def test_demonstration_values_are_hidden_by_default():
    df = _long([("A", "x", 2020, 1.0, "demo"), ("A", "y", 2020, 2.0, "off")])
    assert list(display.visible_values(df, STATUSES, False)["indicator_id"]) == ["y"]
    assert len(display.visible_values(df, STATUSES, True)) == 2


def test_a_generated_value_never_replaces_an_official_one():
    df = _long([("A", "x", 2018, 1.0, "off"), ("A", "x", 2024, 9.0, "demo"), ("B", "x", 2024, 3.0, "demo")])
    shown = display.visible_values(df, STATUSES, True)
    assert list(zip(shown["territory_id"], shown["year"], strict=True)) == [("A", 2018), ("B", 2024)]


def test_an_unknown_source_counts_as_demonstration():
    df = _long([("A", "x", 2020, 1.0, "mystery")])
    assert display.visible_values(df, STATUSES, False).empty


def test_missing_rows_of_a_level_table_stay_missing():
    df = pd.DataFrame({"territory_id": ["A", "B"], "status": [None, "illustrative"]})
    assert list(display.visible_mask(df, False)) == [True, False]


@pytest.mark.parametrize(
    ("year", "period", "source", "lang", "expected"),
    [
        (2025, "2025-T3", None, "fr", "2025 T3"),
        (2025, "2025-T3", None, "en", "Q3 2025"),
        (2018, None, "insee-rp2018-comparateur", "fr", "recensement 2018"),
        (2018, None, "insee-rp2018-comparateur", "en", "census 2018"),
        (2022, "2022-01/2022-10", None, "fr", "01/2022 – 10/2022"),
        (2023, None, "insee-pl2023", "fr", "2023"),
    ],
)
def test_period_text(year, period, source, lang, expected):
    assert display.period_text(year, period, source, lang) == expected


def test_flags_and_statuses_in_words():
    assert display.flag_text("lower_bound", "fr") == "minimum : cellules secrètes non comptées"
    assert display.flag_text("lower_bound", "en") == "minimum: secret cells left out"
    assert display.flag_text(None, "fr") == "" and display.flag_text(float("nan"), "fr") == ""
    assert display.status_text("illustrative", "fr") == "valeur de démonstration, non officielle"
    assert display.status_text("official", "en") == "official"
    assert display.quarter_date("2023-T4") == "2023-10-01" and display.quarter_date("2023") is None


def test_the_two_unemployment_rates_are_named_apart():
    ilo = display.indicator_label({"id": "unemployment_rate", "label_fr": "Taux de chômage"}, "fr")
    census = display.indicator_label({"id": "census_unemployment_rate", "label_fr": "x"}, "fr")
    assert ilo != census and "BIT" in ilo


def test_fold_ignores_accents_case_and_punctuation():
    assert occupations.fold("Aides-Soignants") == "aides soignants"
    assert occupations.fold("ÉLECTRICIEN") == "electricien"


@pytest.fixture
def bmo() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.executescript(
        """
        CREATE TABLE occupation_families (id TEXT, label_fr TEXT, label_en TEXT);
        INSERT INTO occupation_families VALUES ('F11', 'Hôtellerie', 'Hospitality');
        CREATE TABLE bmo_occupations (bassin_id TEXT, met_code TEXT, met_label TEXT, family_id TEXT,
            departement_id TEXT, projects REAL, difficult REAL, seasonal REAL, projects_secret INT,
            difficult_secret INT, seasonal_secret INT);
        INSERT INTO bmo_occupations VALUES
            ('B1', 'S1', 'Cuisiniers', 'F11', 'D1', 100, 80, 50, 0, 0, 0),
            ('B1', 'S2', 'Serveurs', 'F11', 'D1', 40, NULL, 10, 0, 1, 0),
            ('B1', 'S3', 'Vétérinaires', NULL, 'D1', NULL, NULL, NULL, 1, 1, 1),
            ('B2', 'S1', 'Cuisiniers', 'F11', 'D1', 300, 150, 30, 0, 0, 0),
            ('B3', 'S1', 'Cuisiniers', 'F11', 'D2', NULL, NULL, NULL, 1, 1, 1);
        """
    )
    return conn


def test_occupations_sorted_with_secret_cells_missing_not_zero(bmo):
    df = occupations.occupations(bmo, "B1")
    assert list(df["met_code"]) == ["S1", "S2", "S3"]
    assert df.loc[0, "difficult_share"] == pytest.approx(80.0)
    assert pd.isna(df.loc[1, "difficult_share"]) and bool(df.loc[1, "difficult_secret"])
    assert pd.isna(df.loc[2, "projects"]) and bool(df.loc[2, "projects_secret"])


def test_comparison_with_the_departement_and_france(bmo):
    cmp = occupations.comparison(bmo, ["S1"], "D1").set_index("scope")
    assert cmp.loc["departement", "projects"] == 400 and cmp.loc["departement", "difficult_share"] == pytest.approx(
        57.5
    )
    assert cmp.loc["national", "projects"] == 400 and bool(cmp.loc["national", "projects_secret"])


def test_search_and_card_text(bmo):
    df = occupations.occupations(bmo, "B1")
    assert list(occupations.search(df, "veterinaire")["met_code"]) == ["S3"]
    assert list(occupations.search(df, "HOTEL cuisin")["met_code"]) == ["S1"]
    text = occupations.describe(df.iloc[2].to_dict(), pd.DataFrame(), {}, "fr")
    assert text.figures.startswith("**secret**") and "0" not in text.figures
    card = occupations.describe(df.iloc[0].to_dict(), occupations.comparison(bmo, ["S1"], "D1"),
                                {"departement": "Dép", "national": "France"}, "en")  # fmt: skip
    assert card.family == "Hospitality" and "Dép: 57.5%" in card.compare


def test_headline_values_are_the_totals_line_in_three_parts():
    """The occupations page's three cards (issue 11) say what the totals line said, in the reader's format."""
    from gtec.territories.occupations import Totals, headline_values

    totals = Totals("FR-BMO-5310", 10518.0, "min", 60.3, 42.0, "bmo")
    assert headline_values(totals, "fr") == ("10\u202f518", "60,3\u202f%", "42,0\u202f%")
    assert headline_values(totals, "en") == ("10,518", "60.3%", "42.0%")
    missing = Totals("FR-BMO-1", None, None, None, 1.0, "bmo")
    assert headline_values(missing, "en")[0] == headline_values(missing, "en")[1]  # the secret wording, twice
