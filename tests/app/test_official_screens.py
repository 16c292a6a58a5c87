"""AppTest of the screens on official figures (issue 12): the Vannes portrait without demonstration values by
default and the switch that shows them marked, the zones d'emploi map coloured by the ILO rate, and the
"Métiers qui recrutent" page listing bassin 5310's top occupations with the store's figures."""

from __future__ import annotations

import json
from pathlib import Path

from gtec.core import fmt
from gtec.core.i18n import t
from gtec.core.text import md
from gtec.storage import reference
from gtec.territories import occupations
from tests.app.cards import cards

ROOT = Path(__file__).resolve().parents[2]


def _texts(at) -> str:
    parts = [" ".join((m.label, m.value, *m.subs)) for m in cards(at)]
    parts += [c.value for c in at.caption] + [m.value for m in at.markdown]
    return "\n".join(parts)


def test_vannes_portrait_shows_official_figures_and_no_demo_value_by_default(open_page):
    at = open_page(None, "fr")
    assert any(h.value == "Pays de Vannes" for h in at.header)
    labels = {m.label: m.value for m in cards(at)}
    assert labels["Population"] == fmt.number(235_029, "fr")
    assert {"Emplois", "Population active", "Chômeurs de 15 à 64 ans"} <= set(labels)
    assert labels["Taux de chômage"] == fmt.figure(11.78, "rate", "%", "fr")
    periods = {sub for m in cards(at) for sub in m.subs}  # the period sits under each card's value
    assert "recensement 2018" in periods and "2023" in periods
    text = _texts(at)
    assert "recensement 2018" in text and "PL 2023" in text  # sources and vintages under the cards
    assert t("demo.mark", "fr") not in text and not at.warning
    assert at.toggle(key="show_demo").value is False
    # the zone d'emploi and BMO bassin block, with the population shares of basin_overlaps
    assert "Zone d'emploi **Vannes** (5318) : 96,9" in text and "Bassin BMO **VANNES** (5310) : 97,8" in text
    assert "2023 T3" in text  # the zone's ILO rate, latest quarter


def test_the_switch_shows_demonstration_values_marked(open_page):
    at = open_page(None, "en")
    at.toggle(key="show_demo").set_value(True).run()
    assert not at.exception
    labels = [m.label for m in cards(at)]
    assert any("Jobseekers" in label for label in labels)
    assert t("demo.mark", "en") in _texts(at)
    assert at.warning  # the page says some values are not published statistics
    table = next(h.proto.body for h in at.get("html") if 'class="gtec-cmp' in h.proto.body)  # the comparison
    assert f'<span class="demo">{t("demo.mark", "en")}</span>' in table
    assert f"<th>{t('portrait.col.status', 'en')}</th>" in table


def test_departement_portrait_has_the_ilo_quarter_and_its_quarterly_series(open_page):
    at = open_page(None, "fr")
    at.selectbox(key="territory_level").set_value("departement").run()
    at.selectbox(key="territory_select_departement").set_value("FR-DEP-56").run()
    assert not at.exception
    labels = {m.label: m.value for m in cards(at)}
    assert labels["Taux de chômage localisé (BIT)"] == fmt.figure(6.0, "rate", "%", "fr")
    assert "2025 T3" in {sub for m in cards(at) for sub in m.subs}
    at.selectbox(key="portrait_trend").set_value("unemployment_rate").run()
    assert t("portrait.quarterly_note", "fr") in [c.value for c in at.caption]
    assert t("figure.flag.lower_bound", "fr") in _texts(at)  # BMO hiring projects: secret cells left out


def test_map_on_zones_d_emploi_is_coloured_by_the_ilo_rate(open_page):
    at = open_page("pages/map.py", "fr")
    at.selectbox(key="map_level").set_value("region").run()
    at.selectbox(key="map_level").set_value("zone_emploi").run()
    assert not at.exception
    assert at.selectbox(key="map_ind").value == "unemployment_rate"
    assert at.select_slider(key="map_year").value == 2023
    legend = at.get("html")[0].proto.body
    assert "Taux de chômage localisé (BIT), 2023 T3" in legend and "officiel" in legend
    args = json.loads(at.get("bidi_component")[0].proto.json)  # the Leaflet map: values here, geometry by URL
    geometry = (ROOT / "static" / args["layer_url"].removeprefix("/app/static/")).read_text()
    assert "FR-ZE-5318" in geometry and geometry.count('"type":"Feature"') >= 300
    assert sum(str(text).endswith("%") for _, text in args["values"]) >= 290  # French percent, missing kept missing


def test_bmo_bassins_map_says_the_figures_are_lower_bounds(open_page):
    at = open_page("pages/map.py", "en")
    at.selectbox(key="map_level").set_value("bmo_bassin").run()
    assert not at.exception
    assert at.selectbox(key="map_ind").value == "hiring_projects"
    assert t("figure.flag.lower_bound", "en") in at.get("html")[0].proto.body


def test_occupations_page_lists_the_top_occupations_of_bassin_5310(open_page, built_data_dir):
    at = open_page("pages/occupations.py", "fr")
    assert at.title[0].value == t("occ.title", "fr")
    conn = reference.connect_reference()
    top = occupations.occupations(conn, "FR-BMO-5310").head(5)
    text = _texts(at)
    for rank, row in enumerate(top.to_dict("records"), start=1):
        assert f"**{rank}. {md(row['met_label'])}**" in text
        assert f"**{fmt.number(row['projects'], 'fr')}** projets" in text
    assert fmt.number(10_518, "fr") in text and "60,3" in text
    assert t("occ.source_line", "fr") in text
    assert t("occ.secret", "fr") not in text.split("**1.")[1].split("**2.")[0]
    assert not at.dataframe and not at.table  # phone-friendly: cards, no wide table


def test_occupations_search_ignores_accents_and_case_and_shows_secret(open_page):
    at = open_page("pages/occupations.py", "en")
    at.text_input(key="occ_search").input("HOTELLERIE").run()
    assert not at.exception
    titles = [m.value for m in at.markdown if m.value.startswith("**") and ". " in m.value]
    table = occupations.occupations(reference.connect_reference(), "FR-BMO-5310")
    expected = occupations.search(table, "hôtellerie")  # the label or the family matches, accents aside
    assert 0 < len(titles) == min(occupations.TOP_SHOWN, len(expected))
    assert titles[0] == f"**1. {md(expected.iloc[0]['met_label'])}**"
    at.text_input(key="occ_search").input("").run()
    at.toggle(key="occ_all").set_value(True).run()
    assert t("occ.secret", "en") in _texts(at)


def test_a_project_basin_is_read_through_its_bmo_bassin(open_page):
    at = open_page("pages/occupations.py", "fr")
    at.selectbox(key="bassin_level").set_value("basin").run()
    at.selectbox(key="bassin_select_basin").set_value("FR-BASIN-VANNES").run()
    assert not at.exception
    assert any("97,8" in c.value and "5310" in c.value for c in at.caption)
