"""AppTest of the alternance / KTP page (calculator reacts to inputs) and the transferability matrix page."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from gtec.alternance import comparison
from gtec.core import auth
from gtec.core.i18n import t
from tests.app.cards import cards

TIMEOUT = 120
APP = Path(__file__).resolve().parents[2] / "app.py"


def _metrics(at: AppTest, label: str) -> list[str]:
    return [m.value for m in cards(at) if m.label == label]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_page_renders_comparison_split_and_territory(open_page, lang):
    at = open_page("pages/alternance.py", lang)
    assert at.title[0].value == t("alternance.title", lang)
    assert not at.error
    totals = _metrics(at, t("alternance.calc.total_year", lang, months=12))
    assert len(totals) == 2 and all("EUR" in v for v in totals)
    assert len(_metrics(at, t("alternance.metric.cost_per_retained", lang))) == 2
    # the NPEC default is illustrative: the page says so
    assert any(t("alternance.calc.illustrative_inputs", lang, names="")[:20] in w.value for w in at.warning)


def test_changing_company_size_changes_the_shares(open_page):
    at = open_page("pages/alternance.py")
    company = t("alternance.party.company", "fr")
    before = _metrics(at, company)
    assert before == ["7\u202f209\u00a0EUR", "39\u202f719\u00a0EUR"]  # apprentice year 1 (SME); KTP year 1 (67% grant)
    at.selectbox(key="wbl_company_size").select("large").run()
    after = _metrics(at, company)
    assert after == ["10\u202f209\u00a0EUR", "60\u202f180\u00a0EUR"]  # aid 2,000 instead of 5,000; KTP grant 50%
    shares = [sub for m in cards(at) for sub in m.subs if sub.startswith("soit ")]
    assert "soit 50\u202f% du total" in shares


def test_entering_the_npec_turns_the_result_into_an_estimate(open_page):
    at = open_page("pages/alternance.py", "en")
    at.text_input(key="wbl_npec_eur").input("9500").run()
    assert not [w for w in at.warning if "Illustrative value still in use" in w.value]
    assert _metrics(at, "Public and mutualised funding")[0] == "EUR 13,750"  # 5,000 aid + 9,500 - 750


def test_impossible_contract_year_gives_a_plain_message(open_page):
    at = open_page("pages/alternance.py")
    at.number_input(key="wbl_appr_months").set_value(12).run()
    at.number_input(key="wbl_appr_year").set_value(2).run()
    assert not at.exception
    assert any("dépasse la durée du contrat (12 mois)" in e.value for e in at.error)


def test_french_retention_has_no_uk_default_and_is_entered_by_the_territory(open_page):
    """Screens review A5: no UK graduate figure stands in; the result says what is missing until it is entered."""
    at = open_page("pages/alternance.py", "en")
    label = "Cost per learner retained in the region"
    assert next(c.value for c in cards(at) if c.label == label) == "not computed"
    assert any("No published French statistic" in i.value for i in at.info)
    assert at.text_input(key="wbl_territory_retention_pct").value == ""
    at.text_input(key="wbl_territory_retention_pct").input("80").run()
    assert next(c.value for c in cards(at) if c.label == label) == "EUR 50,811"  # 40,649 / 0.80
    assert not any("No published French statistic" in i.value for i in at.info)


def test_out_of_range_input_says_so_in_french_and_keeps_the_last_figures(open_page):
    """Screens review A10: a year 7 is refused in plain French, and the figures say they did not update."""
    at = open_page("pages/alternance.py")
    company = t("alternance.party.company", "fr")
    before = _metrics(at, company)
    at.number_input(key="wbl_appr_year").set_value(7).run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "ne peut pas dépasser 3" in errors and "n'ont pas été mis à jour" in errors
    assert _metrics(at, company) == before


def test_reader_sees_the_matrix_read_only(open_page):
    at = open_page("pages/transferability.py")
    assert any(t("alternance.matrix.read_only", "fr") in i.value for i in at.info)
    assert not at.dataframe  # no editor (and no edit history yet)
    assert not [b for b in at.button if b.label == t("alternance.matrix.save", "fr")]


def test_facilitator_edits_the_matrix_through_the_audited_path(open_page, ws):
    actor = auth.Actor("Bob Le Gall", "facilitator")
    at = open_page("pages/transferability.py", "en", actor)
    assert len(at.dataframe) == 1  # the editor (AppTest shows st.data_editor as a dataframe)
    # the editor's cells are not scriptable in AppTest: save a change the way the page does, then reload
    data = comparison.load_from_curated()
    rows = comparison.current_matrix(data.seeds, comparison.load_edits(ws), "en")
    change = comparison.MatrixChange(rows[0]["row_id"], rows[0]["system"], rows[0]["feature"], "high", "B", "A")
    comparison.save_changes(ws, actor, [change], "en")
    at.run()
    assert not at.exception
    assert len(at.dataframe) == 2
    history = at.dataframe[-1].value
    assert "Bob Le Gall" in set(history.iloc[:, 1])
    save = next(b for b in at.button if b.label == t("alternance.matrix.save", "en"))
    save.click().run()
    assert any(t("alternance.matrix.no_change", "en") in i.value for i in at.info)
