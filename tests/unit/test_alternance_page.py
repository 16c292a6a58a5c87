"""What the apprenticeship / KTP page shows (screens review A1-A13): headline cards, detailed table, CSV, summary,
charts. Pure functions over the curated data (no store, no Streamlit session)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from components import charts_alternance as ca
from gtec.alternance import compare_view, comparison, costsplit, outcomes, summary
from gtec.core.export import to_safe_csv

EDITORIAL = re.compile(r"\[(?:H|M|L)(?:/[HML])?\]|vérifier|to verify|check the vintage", re.IGNORECASE)
#: English words the catalogue had in French tables and sources (screens review A2).
ENGLISH_IN_FRENCH = ("release", "cohort ", "updated", "Several public", "Project partners", "Cited figures",
                     "loyals", "stayers", "averages", "project documents", "European Central Bank")  # fmt: skip


@pytest.fixture(scope="module")
def bundle() -> comparison.Bundle:
    return comparison.load_from_curated()


@pytest.fixture(scope="module")
def texts():
    return compare_view.load_source_text_curated()


def _summary(bundle, texts, lang: str, inputs=None) -> str:
    inputs = inputs or bundle.table.defaults()
    splits = costsplit.splits(bundle.table, inputs, "year")
    statuses = {"fr_appr": "illustrative", "uk_ktp": "estimate"}
    found = compare_view.localised_sources(bundle, texts, lang)
    return summary.summary_html(
        table=bundle.table, inputs=inputs, illustrative=["npec_eur"], splits=splits,
        results=outcomes.territory_results(bundle.table, inputs), statuses=statuses,
        items=compare_view.headline(bundle, splits, statuses, lang), sources=found,
        source_ids=ca.page_source_ids(bundle), notes=["note"], chart_png=None, lang=lang, dated=date(2026, 12, 2),
    )  # fmt: skip


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_no_editorial_marks_in_table_csv_or_summary(bundle, texts, lang):
    found = compare_view.localised_sources(bundle, texts, lang)
    table = compare_view.table_html(bundle, found, lang)
    csv_text = to_safe_csv(compare_view.csv_frame(bundle, found, lang), lang)
    notes = " ".join(found[s].note(lang) for s in ca.page_source_ids(bundle))
    for text in (table, csv_text, _summary(bundle, texts, lang), notes):
        assert not EDITORIAL.search(text), EDITORIAL.search(text)
    # an unverified figure says "estimation" in plain words: the 8,397 engineers rest on an 'estimate' source
    assert found["cge-insertion-apprentis-ingenieurs"].status == "estimate"


def test_french_table_and_sources_have_no_english(bundle, texts):
    found = compare_view.localised_sources(bundle, texts, "fr")
    table = compare_view.table_html(bundle, found, "fr")
    page = [found[sid] for sid in ca.page_source_ids(bundle)]
    listed = " ".join(f"{s.title('fr')} {s.publisher} {s.vintage_text('fr')} {s.licence} {s.note('fr')}" for s in page)
    for word in ENGLISH_IN_FRENCH:
        assert word not in table and word not in listed, word
    assert "Plusieurs évaluations publiques" in table and "publication de février 2025" in table
    assert compare_view.localised_sources(bundle, texts, "en")["fr-cout-public-apprentissage"].publisher == (
        "Several public evaluations"
    )


def test_belgian_column_collapses_into_one_line(bundle, texts):
    found = compare_view.localised_sources(bundle, texts, "fr")
    out = compare_view.table_html(bundle, found, "fr")
    assert "Alternance (Belgique)</th>" not in out
    assert out.count("Alternance (Belgique)") == 1 and "pas encore de chiffre sourcé" in out
    assert out.count('scope="col"') == 3


def test_comparison_csv_headers_in_the_page_language_and_whole_numbers(bundle, texts):
    found = compare_view.localised_sources(bundle, texts, "fr")
    text = to_safe_csv(compare_view.csv_frame(bundle, found, "fr"), "fr")
    header = text.splitlines()[0]
    assert header.startswith("Indicateur;Dispositif;Valeur (basse);Valeur (haute);Unité")
    assert "indicator" not in header and "878900;889400" in text and "878900.0" not in text and "16,8" in text


def test_headline_has_three_cards_per_system_with_status(bundle):
    splits = costsplit.splits(bundle.table, bundle.table.defaults(), "year")
    items = compare_view.headline(bundle, splits, {"fr_appr": "illustrative", "uk_ktp": "estimate"}, "fr")
    assert [i.system for i in items].count("fr_appr") == 3 and [i.system for i in items].count("uk_ktp") == 3
    cost = [i for i in items if i.label == "Coût d'un apprenant sur un an"]
    assert [c.value for c in cost] == ["19\u202f459\u00a0EUR", "120\u202f360\u00a0EUR"]
    assert [c.status for c in cost] == ["illustrative", "estimate"]
    assert cost[0].note == "dont 37\u202f% payés par l'entreprise"
    assert all(i.status or i.source_ids for i in items)


def test_summary_states_every_input_the_date_and_the_sources(bundle, texts):
    page = _summary(bundle, texts, "fr")
    for p in bundle.table.params:
        assert p.label("fr").replace("'", "&#x27;") in page, p.name
    assert "2 décembre 2026" in page
    found = compare_view.localised_sources(bundle, texts, "fr")
    for sid in ca.page_source_ids(bundle):
        assert found[sid].publisher.replace("'", "&#x27;") in page
    assert "valeur de démonstration, non officielle" in page and "non saisi" in page
    assert "@page{size:A4 landscape" in page


def test_english_amounts_and_shares_use_english_typography():
    assert compare_view.eur(1234.0, "en") == "EUR 1,234" and compare_view.pct(0.37, "en") == "37%"
    assert compare_view.eur(1234.0, "fr") == "1\u202f234\u00a0EUR" and compare_view.pct(0.37, "fr") == "37\u202f%"


def test_charts_use_the_shared_defaults_no_zero_legend_and_one_scale(bundle):
    table = bundle.table
    inputs = table.defaults().replace(territory_retention_pct=80.0)
    spec = ca.split_chart(costsplit.splits(table, inputs, "year"), "fr").to_dict()
    assert spec["config"]["locale"]["number"]["thousands"] == "\u202f"  # gtec.core.chartstyle.finish
    assert spec["encoding"]["color"]["scale"]["domain"] == ["Entreprise", "Financement public et mutualisé"]
    rows = outcomes.sensitivity(table, inputs, "cost_per_retained")
    sens = ca.sensitivity_chart(rows, table, "cost_per_retained", "fr").to_dict()
    assert "vconcat" not in sens and "hconcat" not in sens  # both systems on one euro scale
    assert sens["config"]["locale"]["number"]["decimal"] == ","
    assert {r.system for r in rows} == {"fr_appr", "uk_ktp"}


def test_comparison_csv_keeps_provenance_and_neutralises_formulas(bundle, texts):
    import dataclasses
    import io

    import pandas as pd

    from gtec.core.i18n import t

    col = {c: t(f"alternance_page.csv.{c}", "en") for c in ("source", "vintage", "status", "value_low", "system")}
    found = compare_view.localised_sources(bundle, texts, "en")
    df = compare_view.csv_frame(bundle, found, "en")
    assert set(col.values()) <= set(df.columns)
    missing = df[df[col["system"]] == "Work-based learning (Belgium)"]
    assert len(missing) == len(bundle.indicators) and missing[col["value_low"]].isna().all()
    evil = dict(bundle.facts[0], text_en='=HYPERLINK("http://x")')
    hacked = dataclasses.replace(bundle, facts=(evil, *bundle.facts[1:]))
    back = pd.read_csv(io.StringIO(to_safe_csv(compare_view.csv_frame(hacked, found, "en"))))
    text = back[t("alternance_page.csv.text", "en")].dropna()
    assert text.str.startswith("'=HYPERLINK").any() and not text.str.startswith("=").any()
