"""Needs surveys and roadmap in a real browser: a respondent answers a survey on a phone (390x844) through its open
link and cannot answer twice; a facilitator downloads the import template, imports 200 answers generated from it,
sees the matrix with a suppressed small cell, turns a cell into a roadmap action and finds it on the timeline."""

from __future__ import annotations

import random

import pytest

from gtec.access import accounts
from gtec.core import auth
from gtec.core.i18n import t
from gtec.needs import bank, matrix, surveys
from gtec.roadmap import actions
from gtec.storage.workspace import Workspace

pytestmark = pytest.mark.browser

USERNAME, PASSWORD = "needs-facilitator", "a long enough passphrase"
GROUPS = ("students", "companies", "public_authorities")


def _context(browser, app_server, **kw):
    ctx = browser.new_context(locale="fr-FR", accept_downloads=True, **kw)

    def route(r):
        ok = r.request.url.startswith(app_server) or r.request.url.startswith(("data:", "blob:", "about:"))
        return r.continue_() if ok else r.abort()

    ctx.route("**/*", route)
    page = ctx.new_page()
    page.set_default_timeout(30_000)
    return ctx, page


def _dismiss_dialog(page) -> None:
    if page.locator("[role=dialog]").count():
        page.keyboard.press("Escape")
        page.wait_for_timeout(300)


def test_answer_import_matrix_and_roadmap(browser, app_server, browser_workspace, wait_idle, screenshot, tmp_path):
    ws = Workspace.open(browser_workspace)
    cli = auth.Actor("cli:test", "admin")
    if accounts.get_account(ws, cli, USERNAME) is None:
        accounts.create_account(ws, cli, USERNAME, PASSWORD, "facilitator", "Nadia Facilitatrice")
    fac = auth.Actor("Nadia Facilitatrice (needs-facilitator)", "facilitator")
    s = surveys.create_survey(ws, fac, title="Besoins des acteurs du Pays de Vannes", kind="needs", groups=GROUPS,
                              question_ids=[q.id for q in bank.questions_for(GROUPS)], mode="open")  # fmt: skip

    # --- a respondent on a phone
    ctx, phone = _context(browser, app_server, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        phone.goto(f"{app_server}/survey?s={s.link_code}")
        wait_idle(phone, timeout=60_000)
        _dismiss_dialog(phone)
        phone.get_by_text(s.title).wait_for()
        phone.get_by_text(t("needs.group.students", "fr"), exact=True).click()
        wait_idle(phone)
        radios = phone.locator("[data-testid='stRadio']")
        radios.nth(5).wait_for()  # the group's questions appear
        for i in range(1, 6):  # radio 0 is the group
            radios.nth(i).get_by_text(t("needs.scale.4", "fr"), exact=True).click()
        screenshot(phone, "needs_survey_phone")
        phone.get_by_role("button", name=t("needs.answer.submit", "fr")).click()
        wait_idle(phone)
        phone.get_by_text(t("needs.answer.thanks", "fr")).wait_for()
        screenshot(phone, "needs_survey_phone_done")
        assert len(matrix.answers_frame(ws, s.id)) == 5
        phone.reload()  # same address, same browser token: the answer is kept and cannot be sent again
        wait_idle(phone, timeout=60_000)
        phone.get_by_text(t("needs.answer.already", "fr")).wait_for()
        assert phone.get_by_role("button", name=t("needs.answer.submit", "fr")).count() == 0
        assert len(matrix.answers_frame(ws, s.id)) == 5
    finally:
        ctx.close()

    # --- the facilitator imports 200 answers generated from the downloaded template
    ctx, desk = _context(browser, app_server, viewport={"width": 1280, "height": 720})
    desk.set_default_timeout(90_000)  # the machine is shared: a page run can take a while under load
    try:
        desk.goto(f"{app_server}/sign-in")
        wait_idle(desk, timeout=60_000)
        _dismiss_dialog(desk)
        desk.get_by_role("textbox", name=t("auth.staff.username", "fr")).fill(USERNAME)
        desk.get_by_role("textbox", name=t("auth.staff.password", "fr")).fill(PASSWORD)
        desk.get_by_role("button", name=t("auth.staff.submit", "fr"), exact=True).first.click()
        wait_idle(desk)
        desk.locator("[data-testid='stSidebarNav'] a[href$='/needs']").click()
        wait_idle(desk, timeout=90_000)
        desk.get_by_role("tab", name=t("needs.tab.manage", "fr")).click()
        with desk.expect_download() as download:
            desk.get_by_role("button", name=t("needs.manage.template_csv", "fr")).click()
        header = download.value.path().read_text(encoding="utf-8-sig").splitlines()[0].split(";")
        assert header[:2] == ["respondent", "group"] and set(header[2:]) == set(s.question_ids)
        rnd = random.Random(200)
        lines = [";".join(header)]
        for i in range(200):  # only 3 public authorities: their cells must be suppressed
            group = "public_authorities" if i < 3 else rnd.choice(["Étudiants", "companies"])
            code = "public_authorities" if i < 3 else ("students" if group == "Étudiants" else group)
            asked = {q.id for q in bank.questions_for([code])}
            lines.append(
                ";".join([f"R{i:03d}", group, *[str(rnd.randint(1, 4)) if q in asked else "" for q in header[2:]]])
            )
        upload = tmp_path / "reponses.csv"
        upload.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
        desk.locator("input[type=file]").set_input_files(str(upload))
        wait_idle(desk)
        desk.get_by_text(t("needs.import.ready", "fr", rows=200)).wait_for()
        desk.get_by_role("button", name=t("needs.import.confirm", "fr", rows=200)).click()
        wait_idle(desk)
        desk.get_by_text(t("needs.import.done", "fr", rows=200)).wait_for()
        assert matrix.answers_frame(ws, s.id)["response_id"].nunique() == 201

        # --- the matrix, with the public authorities' cells suppressed
        desk.get_by_role("tab", name=t("needs.tab.matrix", "fr")).click()
        desk.locator("[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg").first.wait_for()
        desk.get_by_text(t("needs.matrix.suppressed_list", "fr", count=len(bank.THEMES), min_n=5)).wait_for()
        screenshot(desk, "needs_matrix_desktop")
        cells = matrix.survey_matrix(ws, surveys.get_survey(ws, s.id))
        assert cells.loc[cells["group"] == "public_authorities", "suppressed"].all()

        # --- one cell becomes a roadmap action, shown on the timeline
        desk.get_by_role("button", name=t("needs.matrix.create_action", "fr")).click()
        wait_idle(desk)
        desk.get_by_role("link", name=t("needs.matrix.open_roadmap", "fr")).wait_for()
        made = actions.list_actions(ws)
        assert len(made) == 1 and made[0]["origin_kind"] == "needs_cell"
        desk.get_by_role("link", name=t("needs.matrix.open_roadmap", "fr")).click()
        wait_idle(desk)
        desk.get_by_role("heading", name=t("roadmap.title", "fr")).wait_for()
        desk.locator("[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg").first.wait_for()
        desk.locator("[data-testid='stDataFrame']").first.wait_for()  # the actions table under the timeline
        screenshot(desk, "roadmap_desktop")
        desk.set_viewport_size({"width": 390, "height": 844})
        desk.goto(f"{app_server}/needs")
        wait_idle(desk, timeout=60_000)
        desk.locator("[data-testid='stVegaLiteChart']").first.wait_for()
        screenshot(desk, "needs_matrix_phone")
        desk.goto(f"{app_server}/roadmap")
        wait_idle(desk, timeout=60_000)
        screenshot(desk, "roadmap_phone")
    finally:
        ctx.close()
