"""The needs, survey and roadmap pages through app.py (AppTest): answering a survey, a link used twice, a closed
survey, building a survey, importing answers with a report, the matrix with a suppressed cell, a cell turned into a
roadmap action in one click, the three-click creation from an origin and the timeline."""

from __future__ import annotations

import random

import pytest

from gtec.core import auth
from gtec.core.i18n import t
from gtec.needs import bank, importing, matrix, surveys
from gtec.roadmap import actions

FAC = auth.Actor("Fanny", "facilitator")


def _ok(at):
    assert not at.exception, [e.value for e in at.exception]
    return at


def _survey(ws, mode="open", groups=("students", "companies", "public_authorities"), title="Besoins Vannes"):
    qids = [q.id for q in bank.questions_for(groups)]
    return surveys.create_survey(ws, FAC, title=title, kind="needs", groups=groups, question_ids=qids, mode=mode)


def _open_survey(open_page, query: dict):
    at = open_page(None)
    for k, v in query.items():
        at.query_params[k] = v
    at.switch_page("pages/survey.py").run()
    return _ok(at)


def test_a_respondent_answers_through_the_open_link_once(open_page, ws):
    s = _survey(ws)
    at = _open_survey(open_page, {"s": s.link_code})
    assert at.query_params["k"]  # this browser's token, kept in the address
    at.radio[0].set_value("students").run()
    for radio in at.radio[1:4]:
        radio.set_value(4)
    _ok(at.get("form_submit_button")[0].click().run())
    assert any(t("needs.answer.thanks", "fr") in s_.value for s_ in at.success), [e.value for e in at.error]
    assert len(matrix.answers_frame(ws, s.id)) == 3
    _ok(at.run())  # a reload: the answer is kept, the form is not shown again
    assert any(t("needs.answer.already", "fr") in s_.value for s_ in at.success)
    assert not at.get("form_submit_button")


def test_personal_links_a_used_token_and_a_closed_survey_give_plain_messages(open_page, ws):
    s = _survey(ws, mode="tokens")
    tok = surveys.issue_tokens(ws, FAC, s.id, 2)
    at = _open_survey(open_page, {"s": s.link_code})
    assert any(t("needs.answer.need_token", "fr") in e.value for e in at.error)
    surveys.submit(ws, s.link_code, tok[0], "companies", {"REC1": 3})
    at = _open_survey(open_page, {"s": s.link_code, "k": tok[0]})
    assert any(t("needs.answer.already", "fr") in x.value for x in at.success)
    at = _open_survey(open_page, {"s": "nope-nope-nope"})
    assert any(t("needs.error.link", "fr") in e.value for e in at.error)
    surveys.set_status(ws, FAC, s.id, "closed", s.version)
    at = _open_survey(open_page, {"s": s.link_code, "k": tok[1]})
    assert any(t("needs.error.closed", "fr") in w.value for w in at.warning)
    assert len(matrix.answers_frame(ws, s.id)) == 1  # nothing lost, nothing added


def test_a_hostile_survey_title_is_text(open_page, ws):
    s = _survey(ws, title="![x](http://evil.example/a.png) :red[pirate]")
    at = _open_survey(open_page, {"s": s.link_code})
    shown = [h.value for h in at.subheader]
    assert any("evil" in v for v in shown) and all("](http" not in v for v in shown)


def _fill(ws, s, per_group):
    rnd = random.Random(5)
    for g, n in per_group.items():
        for _ in range(n):
            surveys.submit(ws, s.link_code, surveys.new_token(), g,
                           {q.id: rnd.randint(2, 4) for q in bank.questions_for([g])})  # fmt: skip


def test_facilitator_builds_a_survey_and_imports_answers_after_a_report(open_page, ws, tmp_path):
    at = _ok(open_page("pages/needs.py", "fr", FAC))
    at.text_input[0].input("Enquête des acteurs 2026")
    _ok(at.get("form_submit_button")[0].click().run())
    made = surveys.list_surveys(ws)
    assert [x.title for x in made] == ["Enquête des acteurs 2026"] and made[0].groups == bank.GROUPS
    s = made[0]
    at = _ok(open_page("pages/needs.py", "fr", FAC))
    cols = importing.template_columns(s)
    bad = ";".join(cols) + "\r\n" + ";".join(["a", "students", "9", *[""] * (len(cols) - 3)]) + "\r\n"
    _ok(at.file_uploader[0].upload("answers.csv", bad.encode("utf-8"), "text/csv").run())
    assert any(t("needs.import.problems", "fr", count=2) in e.value for e in at.error)  # out of scale, so no answer
    problems = at.dataframe[-1].value[t("needs.import.col_problem", "fr")].tolist()
    assert t("needs.import.out_of_scale", "fr", value="9", low=1, high=4) in problems
    assert matrix.answers_frame(ws, s.id).empty
    rows = [";".join([f"r{i}", "Étudiants" if i % 2 else "companies", *["3"] * (len(cols) - 2)]) for i in range(12)]
    good = ";".join(cols) + "\r\n" + "\r\n".join(rows) + "\r\n"
    _ok(at.file_uploader[0].upload("answers.csv", good.encode("cp1252"), "text/csv").run())
    confirm = next(b for b in at.button if b.label == t("needs.import.confirm", "fr", rows=12))
    _ok(confirm.click().run())
    assert any(t("needs.import.done", "fr", rows=12) in x.value for x in at.success)
    assert matrix.answers_frame(ws, s.id)["response_id"].nunique() == 12


def test_reader_sees_the_matrix_with_a_suppressed_cell_but_no_editing(open_page, ws):
    s = _survey(ws)
    _fill(ws, s, {"students": 6, "companies": 5, "public_authorities": 2})
    at = _ok(open_page("pages/needs.py", "fr"))
    assert at.get("vega_lite_chart")
    assert any(t("needs.matrix.suppressed_list", "fr", count=len(bank.THEMES), min_n=5) in w.value for w in at.warning)
    assert any(t("needs.manage.sign_in", "fr") in i.value for i in at.info)
    assert not at.file_uploader and not any(b.label == t("needs.matrix.create_action", "fr") for b in at.button)
    assert any(b.label == t("needs.matrix.export", "fr") for b in at.get("download_button"))


def test_a_needs_cell_becomes_an_action_on_the_roadmap(open_page, ws):
    s = _survey(ws)
    _fill(ws, s, {"students": 6, "companies": 5, "public_authorities": 2})
    at = _ok(open_page("pages/needs.py", "fr", FAC))
    cell = at.selectbox(key="needs_cell_pick")
    assert all(not o.startswith("public_authorities") for o in cell.options)  # suppressed cells are not offered
    _ok(next(b for b in at.button if b.label == t("needs.matrix.create_action", "fr")).click().run())
    made = actions.list_actions(ws)
    assert (
        len(made) == 1
        and made[0]["origin_kind"] == "needs_cell"
        and made[0]["origin_ref"].startswith(f"survey:{s.id}:")
    )
    at = _ok(open_page("pages/roadmap.py", "fr"))
    assert at.get("vega_lite_chart")
    assert made[0]["title"] in at.dataframe[0].value[t("roadmap.col.title", "fr")].tolist()
    assert not at.tabs  # a reader has no editing tabs


def test_three_clicks_from_an_origin_and_a_direct_action(open_page, ws):
    s = _survey(ws, groups=("students",))
    _fill(ws, s, {"students": 5})
    at = _ok(open_page("pages/roadmap.py", "fr", FAC))
    assert any(t("roadmap.empty", "fr") in i.value for i in at.info)
    _ok(at.segmented_control(key="roadmap_origin_kind").set_value("needs_cell").run())  # 1
    item = at.selectbox(key="roadmap_origin_item")
    _ok(item.select(item.options[0]).run())  # 2
    _ok(at.button(key="roadmap_origin_create").click().run())  # 3
    assert any("Action n°" in x.value for x in at.success)
    assert len(actions.list_actions(ws)) == 1 and at.get("vega_lite_chart")
    form_inputs = [x for x in at.text_input if x.label == t("roadmap.col.title", "fr")]
    form_inputs[0].input("Observatoire partagé des compétences")
    submit = next(b for b in at.get("form_submit_button") if b.label == t("roadmap.create", "fr"))
    _ok(submit.click().run())
    titles = [r["title"] for r in actions.list_actions(ws)]
    assert "Observatoire partagé des compétences" in titles and len(titles) == 2


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_pages_render_in_both_languages(open_page, ws, lang):
    _fill(ws, _survey(ws), {"students": 5})
    for page in ("pages/needs.py", "pages/roadmap.py"):
        at = _ok(open_page(page, lang, FAC))
        assert at.title[0].value == t(f"{page.split('/')[1][:-3]}.title", lang)


def test_company_needs_beside_bmo_and_the_scenario(open_page, ws, built_data_dir):
    from gtec.needs import company
    from gtec.storage.reference import connect_reference

    fams = company.families(connect_reference(built_data_dir / "reference.sqlite"))
    s = surveys.create_survey(ws, FAC, title="Entreprises du Pays de Vannes", kind="company", groups=["companies"],
                              question_ids=[q.id for q in bank.company_questions(fams)], mode="open",
                              territory_id="FR-BASIN-VANNES")  # fmt: skip
    for i in range(5):
        surveys.submit(ws, s.link_code, surveys.new_token(), "companies", {"now_F02": 3, "in3y_F02": 4 + i})
    surveys.submit(ws, s.link_code, surveys.new_token(), "companies", {"now_F11": 2})
    at = _ok(open_page("pages/needs.py", "fr"))
    table = next(d.value for d in at.dataframe if t("needs.company.col.bmo", "fr") in d.value.columns)
    row = table.set_index(t("needs.company.col.family", "fr")).loc[fams["F02"][0]]
    assert row[t("needs.company.col.now", "fr")] == "15" and row[t("needs.company.col.in3y", "fr")] == "30"
    assert row[t("needs.company.col.bmo", "fr")] not in ("–", "") and row[t("needs.company.col.openings", "fr")] != "–"
    by_family = table.set_index(t("needs.company.col.family", "fr"))
    assert by_family.loc[fams["F11"][0], t("needs.company.col.now", "fr")] == t("needs.company.suppressed", "fr")
    assert by_family.loc[fams["F13"][0], t("needs.company.col.now", "fr")] == "–"  # nobody answered: missing
    shown = " ".join(m.value for m in at.markdown)
    assert t("status.official", "fr") in shown or ":green-badge[" in shown


def test_a_stale_edit_of_an_action_is_refused_with_both_values(open_page, ws):
    aid = actions.create_action(ws, FAC, actions.ActionDraft(title="Forum alternance", group_code="public_authorities",
                                                             start_on="2026-01-01", end_on="2026-06-30"))  # fmt: skip
    at = _ok(open_page("pages/roadmap.py", "fr", FAC))
    row = actions.get_action(ws, aid)
    actions.update_action(ws, FAC, aid, actions.draft_of({**row, "title": "Forum **alternance** 2026"}), 1)
    edit_title = [x for x in at.text_input if x.label == t("roadmap.col.title", "fr") and x.value == "Forum alternance"]
    edit_title[0].input("Forum de l'alternance")
    save = next(b for b in at.get("form_submit_button") if b.label == t("roadmap.save", "fr"))
    _ok(save.click().run())
    assert any(t("roadmap.error.conflict", "fr", count=1) in e.value for e in at.error)
    assert any("Forum \\*\\*alternance\\*\\* 2026" in c.value for c in at.caption)  # the stored value, as text
    assert actions.get_action(ws, aid)["title"] == "Forum **alternance** 2026"
