"""AppTest of the scenario page: renders in FR/EN, sliders recompute, presets, URL values, save and reload."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from gtec.core import auth
from gtec.core.i18n import t
from gtec.scenarios import params, store
from gtec.storage.workspace import Workspace
from tests.app.cards import cards

APP = Path(__file__).resolve().parents[2] / "app.py"
PAGE = "pages/scenarios.py"


def open_page(query: dict[str, str] | None = None, actor: auth.Actor | None = None, lang: str | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=90)
    if lang:
        at.session_state["lang"] = lang
    for key, value in (query or {}).items():
        at.query_params[key] = value
    if actor is not None:
        at.session_state["actor"] = actor
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def metric(at: AppTest, key: str, lang: str = "fr") -> str:
    return next(m.value for m in cards(at) if m.label == t(f"scenario.kpi.{key}", lang))


@pytest.fixture
def ready(built_data_dir, workspace_path):
    return workspace_path


def test_page_renders_every_slider_and_kpi_in_french(ready):
    at = open_page()
    assert at.title[0].value == t("scenario.title", "fr")
    keys = {s.key for s in at.slider} | {s.key for s in at.select_slider}
    assert keys >= {f"sc_{p.name}" for p in params.PARAMETERS}
    assert [m.label for m in cards(at)] == [
        t(f"scenario.kpi.{k}", "fr") for k in ("openings", "entrants", "imbalance", "rate", "worst_year")
    ]
    assert all(m.value and m.value != "0" for m in cards(at))


def test_decimal_sliders_read_french_decimals(ready):
    """Screens review S10: "-0,10", not "-0.10", on a French page (st.slider's format always draws a dot)."""
    at = open_page({"growth_adjust": "-0.1"})
    growth = at.select_slider(key="sc_growth_adjust")
    assert growth.value == pytest.approx(-0.1)
    assert growth.format_func(growth.value) == "-0,10"
    assert at.select_slider(key="sc_crisis_depth").format_func(2.5) == "2,5"


def test_the_crisis_moves_a_headline_figure_and_says_why_the_averages_stay(ready):
    """Screens review S3: a 10 % crisis left the four headline figures unchanged."""
    at = open_page()
    before = {m.label: m.value for m in cards(at)}
    assert not at.info
    at.select_slider(key="sc_crisis_depth").set_value(10.0)
    at.run()
    assert not at.exception
    after = {m.label: m.value for m in cards(at)}
    worst = t("scenario.kpi.worst_year", "fr")
    assert after[worst] != before[worst] and after[worst].startswith("-")
    assert any(i.value == t("scenario.crisis_note.recovered", "fr") for i in at.info)


def test_page_in_english(ready):
    at = open_page(lang="en")
    assert at.title[0].value == t("scenario.title", "en")
    assert metric(at, "openings", "en")


def test_moving_a_slider_changes_the_figures_and_the_url(ready):
    at = open_page()
    before = metric(at, "imbalance")
    at.slider(key="sc_retention").set_value(90)
    at.run()
    assert not at.exception
    assert metric(at, "imbalance") != before
    assert at.query_params["retention"] in ("90", ["90"])


def test_a_preset_sets_the_sliders(ready):
    at = open_page()
    at.pills(key="sc_preset").set_value("reindustrialisation")
    at.run()
    assert at.slider(key="sc_reindustrialisation").value == 100
    assert at.slider(key="sc_apprenticeship_share").value == 35
    assert at.select_slider(key="sc_attractiveness").value == pytest.approx(0.1)
    assert any(t("scenario.preset.reindustrialisation.description", "fr") in c.value for c in at.caption)


def test_url_values_are_read_and_bad_ones_reported(ready):
    at = open_page({"ecology": "40", "digital": "abc", "horizon": "2035", "territory": "FR-DEP-56"})
    assert at.slider(key="sc_ecology").value == 40
    assert at.slider(key="sc_digital").value == 0
    assert any("digital" in w.value for w in at.warning)
    assert at.segmented_control(key="sc_horizon").value == 2035


def test_a_reader_sees_the_save_form_disabled(ready):
    at = open_page()
    save = next(b for b in at.button if b.label == t("scenario.saved.save", "fr"))
    assert save.disabled
    assert any(c.value == t("scenario.saved.sign_in_hint", "fr") for c in at.caption)


def test_a_facilitator_saves_then_reloads_a_scenario(ready):
    at = open_page(actor=auth.Actor("Camille", "facilitator"))
    at.slider(key="sc_ecology").set_value(70)
    at.run()
    at.text_input[0].input("Atelier Vannes")
    next(b for b in at.button if b.label == t("scenario.saved.save", "fr")).click()
    at.run()
    assert not at.exception
    assert any("Atelier Vannes" in s.value for s in at.success)
    saved = store.list_scenarios(Workspace(ready))
    assert [s.name for s in saved] == ["Atelier Vannes"] and saved[0].settings["ecology"] == 70
    # Move away, then reload the saved scenario.
    at.slider(key="sc_ecology").set_value(0)
    at.run()
    next(b for b in at.button if b.label == t("scenario.saved.load", "fr")).click()
    at.run()
    assert at.slider(key="sc_ecology").value == 70
    # Saving the same name again without "replace" is refused with a message, nothing lost.
    at.text_input[0].input("Atelier Vannes")
    next(b for b in at.button if b.label == t("scenario.saved.save", "fr")).click()
    at.run()
    assert any(t("scenario.error.name_taken", "fr", name="Atelier Vannes") == e.value for e in at.error)
    assert len(store.list_scenarios(Workspace(ready))) == 1
