"""Needs surveys: the question bank, answer links and tokens, imports (validation report, all or nothing), the
needs matrix (intervals, suppression, divergence) and the company skills-needs view."""

from __future__ import annotations

import math
import random

import pandas as pd
import pytest

from gtec.core import auth, i18n
from gtec.core.errors import EditConflict, UserError
from gtec.imports.limits import ImportLimits
from gtec.needs import bank, company, importing, matrix, surveys

FAC = auth.Actor("Fanny", "facilitator")


def _survey(ws, mode="open", groups=bank.GROUPS, title="Besoins 2026"):
    qids = [q.id for q in bank.questions_for(groups)]
    return surveys.create_survey(ws, FAC, title=title, kind="needs", groups=groups, question_ids=qids, mode=mode)


def test_the_bank_is_bilingual_and_covers_every_group_and_theme():
    assert len(bank.BANK) >= 20 and len(bank.BY_ID) == len(bank.BANK)
    for q in bank.BANK:
        assert q.text_fr and q.text_en and q.text_fr != q.text_en
        assert q.theme in bank.THEMES and set(q.groups) <= set(bank.GROUPS)
    for g in bank.GROUPS:
        assert {q.theme for q in bank.questions_for([g])} == set(bank.THEMES), g
    keys = i18n.catalogue()
    for family, members in {"needs.group.{}": bank.GROUPS, "needs.theme.{}": bank.THEMES,
                            "needs.scale.{}": range(1, bank.SCALE_MAX + 1), "needs.mode.{}": surveys.MODES,
                            "needs.kind.{}": surveys.KINDS, "needs.survey_status.{}": surveys.STATUSES,
                            "needs.verdict.{}": ("agree", "mixed", "diverge", "insufficient"),
                            "needs.reason.{}": ("small", "none")}.items():  # fmt: skip
        assert all(family.format(m) in keys for m in members), family


def test_an_open_link_takes_one_answer_per_browser_token_and_refuses_a_second(ws):
    s = _survey(ws)
    token = surveys.new_token()
    rid = surveys.submit(ws, s.link_code, token, "students", {"REC1": 4, "TRA1": 3, "ATT1": None})
    assert rid > 0 and surveys.answered(ws, s, token)
    with pytest.raises(UserError) as err:
        surveys.submit(ws, s.link_code, token, "students", {"REC1": 1})
    assert err.value.key == "needs.error.already"
    df = matrix.answers_frame(ws, s.id)
    assert sorted(df["question_id"]) == ["REC1", "TRA1"]  # "don't know" is not stored, the first answer is kept
    assert set(df["value"]) == {4.0, 3.0}
    audit = ws.audit_entries()[0]
    assert audit["action"] == "needs.answer" and audit["role"] == "participant" and token not in audit["detail"]


def test_personal_tokens_answer_once_and_unknown_tokens_are_refused(ws):
    s = _survey(ws, mode="tokens")
    tokens = surveys.issue_tokens(ws, FAC, s.id, 3)
    assert len(set(tokens)) == 3 and surveys.token_counts(ws, s.id) == (3, 0)
    with ws.read() as conn:
        stored = [r[0] for r in conn.all("SELECT token_hash FROM needs_tokens")]
    assert not set(tokens) & set(stored)  # only hashes are kept
    surveys.submit(ws, s.link_code, tokens[0], "companies", {"REC1": 2})
    for bad, key in (
        (tokens[0], "needs.error.already"),
        ("not-a-real-token", "needs.error.token"),
        (None, "needs.error.token"),
    ):
        with pytest.raises(UserError) as err:
            surveys.submit(ws, s.link_code, bad, "companies", {"REC1": 2})
        assert err.value.key == key
    assert surveys.token_counts(ws, s.id) == (3, 1)


def test_bad_answers_and_a_closed_survey_change_nothing(ws):
    s = _survey(ws)
    for answers, group, key in (({"REC1": 5}, "students", "needs.error.value"), ({"ZZZ": 2}, "students",
                                "needs.error.question_unknown"), ({}, "students", "needs.error.empty"),
                                ({"REC1": 2}, "aliens", "needs.error.group")):  # fmt: skip
        with pytest.raises(UserError) as err:
            surveys.submit(ws, s.link_code, surveys.new_token(), group, answers)
        assert err.value.key == key
    closed = surveys.set_status(ws, FAC, s.id, "closed", s.version)
    with pytest.raises(UserError) as err:
        surveys.submit(ws, s.link_code, surveys.new_token(), "students", {"REC1": 2})
    assert err.value.key == "needs.error.closed"
    with pytest.raises(EditConflict):
        surveys.set_status(ws, FAC, s.id, "open", s.version)  # stale version
    assert surveys.set_status(ws, FAC, s.id, "open", closed.version).is_open
    with pytest.raises(UserError):
        surveys.submit(ws, "unknown-link-code", surveys.new_token(), "students", {"REC1": 2})
    assert matrix.answers_frame(ws, s.id).empty


def test_only_signed_in_roles_build_surveys_and_names_are_unique(ws):
    with pytest.raises(auth.PermissionDenied):
        surveys.create_survey(
            ws, auth.ANONYMOUS, title="x", kind="needs", groups=["students"], question_ids=["REC1"], mode="open"
        )
    _survey(ws, title="Besoins 2026")
    with pytest.raises(UserError) as err:
        _survey(ws, title="  BESOINS   2026 ")
    assert err.value.key == "needs.error.duplicate"


def _fill(ws, s, per_group: dict[str, int], seed=1):
    rnd = random.Random(seed)
    for g, n in per_group.items():
        for _ in range(n):
            answers = {q.id: rnd.choice((2, 3, 4)) for q in bank.questions_for([g])}
            surveys.submit(ws, s.link_code, surveys.new_token(), g, answers)


def test_the_matrix_suppresses_small_cells_and_matches_the_naive_loop(ws):
    s = _survey(ws, groups=("students", "companies", "public_authorities"))
    _fill(ws, s, {"students": 8, "companies": 6, "public_authorities": 3})
    cells = matrix.survey_matrix(ws, s)
    assert len(cells) == 3 * len(bank.THEMES)
    small = cells[cells["group"] == "public_authorities"]
    assert small["suppressed"].all() and set(small["reason"]) == {"small"} and small["mean"].isna().all()
    assert (small["n"] == 3).all()  # n is still shown, the figures are not
    shown = cells[cells["group"] == "students"]
    assert not shown["suppressed"].any() and (shown["n"] == 8).all()
    assert ((shown["mean_low"] <= shown["mean"]) & (shown["mean"] <= shown["mean_high"])).all()
    assert ((shown["share_low"] <= shown["share_high"]) & (shown["share_high"] <= shown["share_high_ci"])).all()
    naive = matrix.compute_naive(matrix.answers_frame(ws, s.id), matrix.question_themes(s), s.groups,
                                 list(cells["theme"].unique()))  # fmt: skip
    pd.testing.assert_frame_equal(cells.reset_index(drop=True), naive.reset_index(drop=True), check_dtype=False)
    in_pandas = matrix.compute(matrix.answers_frame(ws, s.id), matrix.question_themes(s), s.groups,
                               list(cells["theme"].unique()))  # fmt: skip
    pd.testing.assert_frame_equal(cells.reset_index(drop=True), in_pandas.reset_index(drop=True), check_dtype=False)


def test_interval_formulas_are_the_textbook_ones():
    assert matrix.t975(4) == pytest.approx(2.776) and matrix.t975(60) == pytest.approx(2.000, abs=1e-3)
    lo, hi = matrix.wilson(8, 10)
    assert (lo, hi) == (pytest.approx(0.4902, abs=1e-4), pytest.approx(0.9433, abs=1e-4))
    answers = pd.DataFrame({"response_id": range(5), "group": "students", "question_id": "REC1",
                            "value": [1.0, 2.0, 3.0, 4.0, 4.0]})  # fmt: skip
    cell = matrix.compute(answers, {"REC1": "recruitment"}, ["students"], ["recruitment"]).iloc[0]
    sd = pd.Series([1, 2, 3, 4, 4]).std()
    assert cell["mean"] == pytest.approx(2.8)
    assert cell["mean_high"] == pytest.approx(min(4, 2.8 + 2.776 * sd / math.sqrt(5)))
    assert cell["share_high"] == pytest.approx(0.6)


def test_divergence_reads_the_spread_between_group_means():
    m = pd.DataFrame({"group": ["students", "companies", "universities"], "theme": "recruitment",
                      "mean": [1.5, 3.0, 2.0], "suppressed": [False, False, False]})  # fmt: skip
    d = matrix.divergence(m, ["recruitment"]).iloc[0]
    assert d["spread"] == pytest.approx(1.5) and d["verdict"] == "diverge"
    assert (d["low_group"], d["high_group"]) == ("students", "companies")
    m["mean"] = [2.0, 2.2, 2.1]
    assert matrix.divergence(m, ["recruitment"]).iloc[0]["verdict"] == "agree"
    m["suppressed"] = [True, True, False]
    assert matrix.divergence(m, ["recruitment"]).iloc[0]["verdict"] == "insufficient"


def test_export_carries_provenance_and_keeps_suppressed_cells_empty(ws):
    s = _survey(ws, title='=HYPERLINK("http://x")', groups=("students", "companies"))
    _fill(ws, s, {"students": 5, "companies": 2})
    csv = matrix.to_csv(matrix.survey_matrix(ws, s), s, "fr").decode("utf-8-sig")
    df = pd.read_csv(pd.io.common.StringIO(csv))
    assert set(df["status"]) == {"survey"} and df["source"].iloc[0].startswith("'=")  # formula neutralised
    comp = df[df["group"] == "companies"]
    assert comp["mean_priority"].isna().all() and (comp["suppressed_reason"] == "moins de 5 répondants").all()
    assert (df.loc[df["group"] == "students", "n"] == 5).all()
    chart = matrix.heatmap(matrix.survey_matrix(ws, s), "fr").to_dict()
    assert chart["config"]["locale"]["number"]["decimal"] == ","


def _write_grid(tmp_path, survey, rows, name="answers.csv", sep=";", encoding="utf-8"):
    lines = [sep.join(importing.template_columns(survey))] + [sep.join(r) for r in rows]
    path = tmp_path / name
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def test_import_reports_every_problem_with_line_and_column_and_writes_nothing(ws, tmp_path):
    s = _survey(ws, groups=("students", "companies"))
    width = len(s.question_ids)
    good = ["r1", "Étudiants", "3", *[""] * (width - 1)]
    bad_scale = ["r2", "companies", "7", *[""] * (width - 1)]
    bad_group = ["r3", "martians", "2", *[""] * (width - 1)]
    not_number = ["r4", "companies", "beaucoup", *[""] * (width - 1)]
    path = _write_grid(tmp_path, s, [good, bad_scale, bad_group, not_number], encoding="cp1252")
    report = importing.prepare(s, path, ImportLimits())
    found = {(p.line, p.column, p.key) for p in report.problems}
    first = s.question_ids[0]
    assert (3, first, "needs.import.out_of_scale") in found
    assert (4, "group", "needs.import.unknown_group") in found
    assert (5, first, "needs.import.not_number") in found
    with pytest.raises(UserError):
        importing.commit(ws, FAC, report)
    assert matrix.answers_frame(ws, s.id).empty
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("respondent;group;NOPE\nr1;students;2\n", encoding="utf-8")
    assert [p.key for p in importing.prepare(s, unknown, ImportLimits()).problems] == ["needs.import.unknown_question"]


def test_a_clean_import_writes_all_rows_once_and_the_same_file_twice_is_refused(ws, tmp_path):
    s = _survey(ws, groups=("students", "companies"))
    rnd = random.Random(3)
    rows = [[f"p{i}", rnd.choice(["students", "Entreprises"]), *[str(rnd.randint(1, 4)) for _ in s.question_ids]]
            for i in range(200)]  # fmt: skip
    path = _write_grid(tmp_path, s, rows, sep=",")
    report = importing.prepare(s, path, ImportLimits())
    assert report.ok and report.delimiter == ","
    assert importing.commit(ws, FAC, report) == 200
    with pytest.raises(UserError) as err:
        importing.commit(ws, FAC, importing.prepare(s, path, ImportLimits()))
    assert err.value.key == "needs.import.already"
    assert matrix.answers_frame(ws, s.id)["response_id"].nunique() == 200
    assert ws.audit_entries()[0]["action"] == "needs.import"


def test_the_xlsx_template_reads_back_through_the_import_machinery(ws, tmp_path):
    s = _survey(ws, groups=("students",))
    path = tmp_path / "template.xlsx"
    path.write_bytes(importing.template_xlsx(s, "fr"))
    grid = importing.read_grid(path, ImportLimits())
    assert grid.kind == "xlsx" and grid.rows[0] == importing.template_columns(s)
    csv_path = tmp_path / "template.csv"
    csv_path.write_bytes(importing.template_csv(s))
    assert importing.read_grid(csv_path, ImportLimits()).rows[0] == importing.template_columns(s)


def test_company_needs_beside_bmo_and_scenario(ws, built_data_dir):
    from gtec.scenarios import loader
    from gtec.storage.reference import connect_reference

    conn = connect_reference(built_data_dir / "reference.sqlite")
    fams = company.families(conn)
    qids = [q.id for q in bank.company_questions(fams)]
    s = surveys.create_survey(ws, FAC, title="Entreprises du Pays de Vannes", kind="company", groups=["companies"],
                              question_ids=qids, mode="open", territory_id="FR-BASIN-VANNES")  # fmt: skip
    assert s.groups == ("companies",) and len(qids) == 2 * len(fams)
    for i in range(6):
        surveys.submit(ws, s.link_code, surveys.new_token(), "companies", {"now_F02": 2 + i, "in3y_F02": 5})
    surveys.submit(ws, s.link_code, surveys.new_token(), "companies", {"now_F13": 1})
    needs = company.survey_needs(ws, s).set_index("family_id")
    assert needs.at["F02", "companies"] == 6 and needs.at["F02", "now_total"] == sum(range(2, 8))
    assert needs.at["F02", "in3y_total"] == 30
    assert needs.at["F13", "suppressed"] and math.isnan(needs.at["F13", "now_total"])  # 1 company: hidden
    assert needs.at["F01", "companies"] == 0 and math.isnan(needs.at["F01", "now_total"])  # missing, not zero
    ref = company.beside(conn, loader.load_base(conn), "FR-BASIN-VANNES")
    assert ref.bassin_id == "FR-BMO-5310" and ref.bmo_status == "official"
    table = company.side_by_side(company.survey_needs(ws, s), ref).set_index("family_id")
    assert table["bmo_projects"].notna().sum() >= 10 and (table["scenario_openings"].dropna() > 0).all()
    assert ref.scenario_status in ("estimate", "illustrative", "official")
