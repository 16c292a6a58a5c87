"""The app served on a PostgreSQL workspace (``GTEC_WORKSPACE_URL``): a facilitator signs in, two phones (390x844)
join a workshop by its code and post, the projector wall shows both ideas, and the rows are in PostgreSQL.

Needs ``GTEC_TEST_PG_URL`` (skipped otherwise, like the PostgreSQL unit tier); each run uses a fresh schema.
"""

from __future__ import annotations

import os
import uuid

import pytest

from gtec.access import accounts
from gtec.core import auth
from gtec.core.i18n import t
from gtec.storage.workspace import Workspace
from gtec.workshops import contributions, sessions

pytestmark = pytest.mark.browser

USERNAME, PASSWORD = "pg-facilitator", "a long enough passphrase"
IDEAS = [("Inès", "company", "Des ateliers ouverts dans les usines"), ("Tom", "institution", "Un guichet unique")]


def _context(browser, url, **kw):
    ctx = browser.new_context(locale="fr-FR", **kw)

    def route(r):
        ok = r.request.url.startswith(url) or r.request.url.startswith(("data:", "blob:", "about:"))
        return r.continue_() if ok else r.abort()

    ctx.route("**/*", route)
    page = ctx.new_page()
    page.set_default_timeout(30_000)
    return ctx, page


def _dismiss_dialog(page) -> None:
    if page.locator("[role=dialog]").count():
        page.keyboard.press("Escape")
        page.wait_for_timeout(300)


def test_workshop_on_a_postgresql_workspace(
    browser, built_data_dir, server_factory, wait_idle, screenshot, tmp_path, monkeypatch
):
    base = os.environ.get("GTEC_TEST_PG_URL")
    if not base:
        pytest.skip("PostgreSQL tier: set GTEC_TEST_PG_URL=postgresql://user:password@host/db to run it")
    target = f"{base}{'&' if '?' in base else '?'}schema=gtec_browser_{uuid.uuid4().hex[:10]}"
    ws = Workspace.open(target)
    try:
        accounts.create_account(
            ws, auth.Actor("cli:test", "admin"), USERNAME, PASSWORD, "facilitator", "Paul Animateur"
        )
        fac = auth.Actor("Paul Animateur (pg-facilitator)", "facilitator")
        s = sessions.create_session(ws, fac, "Atelier sur PostgreSQL", [sessions.TrackSpec("Attractivité")])
        sessions.set_phase(ws, fac, s.code, "contribute")
        monkeypatch.setenv("GTEC_WORKSPACE_URL", target)  # the server process inherits it
        contexts = []
        with server_factory(built_data_dir, tmp_path / "unused.sqlite", tmp_path / "server.log") as url:
            try:
                ctx, wall = _context(browser, url, viewport={"width": 1280, "height": 720})
                contexts.append(ctx)
                wall.goto(f"{url}/sign-in")
                wait_idle(wall, timeout=60_000)
                _dismiss_dialog(wall)
                wall.get_by_role("textbox", name=t("auth.staff.username", "fr")).fill(USERNAME)
                wall.get_by_role("textbox", name=t("auth.staff.password", "fr")).fill(PASSWORD)
                wall.get_by_role("button", name=t("auth.staff.submit", "fr"), exact=True).first.click()
                wait_idle(wall)
                wall.locator("[data-testid='stSidebarNav'] a[href$='/workshops']").click()
                wait_idle(wall)
                wall.get_by_role("link", name=t("workshop.console.wall", "fr")).click()
                wait_idle(wall)
                wall.locator(".gw").wait_for()
                for nickname, group, idea in IDEAS:
                    ctx, phone = _context(browser, url, viewport={"width": 390, "height": 844}, is_mobile=True)
                    contexts.append(ctx)
                    phone.goto(f"{url}/workshop?code={s.code}")
                    wait_idle(phone, timeout=60_000)
                    _dismiss_dialog(phone)
                    phone.get_by_role("textbox", name=t("workshop.join.nickname", "fr")).fill(nickname)
                    phone.get_by_text(t(f"workshop.group.{group}", "fr"), exact=True).click()
                    phone.get_by_role("button", name=t("workshop.join.submit", "fr"), exact=True).first.click()
                    wait_idle(phone)
                    phone.get_by_role("textbox", name=t("workshop.post.label", "fr")).fill(idea)
                    phone.get_by_role("button", name=t("workshop.post.submit", "fr"), exact=True).first.click()
                    wait_idle(phone)
                    phone.get_by_text(t("workshop.post.done_visible", "fr")).wait_for()
                    screenshot(phone, "workspace_pg_phone_390")
                for _, _, idea in IDEAS:  # the wall refreshes itself from PostgreSQL
                    wall.locator(".gw").get_by_text(idea).first.wait_for(timeout=15_000)
                assert wall.locator("[data-testid='stException']").count() == 0
                screenshot(wall, "workspace_pg_wall_1280")
            finally:
                for ctx in contexts:
                    ctx.close()
        posted = sorted(c.text for c in contributions.list_contributions(ws, s.code))
        assert posted == sorted(idea for _, _, idea in IDEAS)
        assert {e["action"] for e in ws.audit_entries()} >= {"workshop.contribute", "workshop.join"}
    finally:
        ws.drop()  # type: ignore[attr-defined]
