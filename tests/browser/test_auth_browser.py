"""A real browser signs in with a wrong then a right password, sees the admin pages, and signs out."""

from __future__ import annotations

import pytest

from gtec.access import accounts
from gtec.core import auth
from gtec.core.i18n import t
from gtec.storage.workspace import Workspace

pytestmark = pytest.mark.browser

USERNAME, PASSWORD = "browser-admin", "a long enough passphrase"


def _dismiss_dialog(page) -> None:
    # Streamlit may show a "page not found" dialog on a deep link; it makes the page inert until closed.
    if page.locator("[role=dialog]").count():
        page.keyboard.press("Escape")
        page.wait_for_timeout(300)


def _sign_in(page, wait_idle, password: str) -> None:
    page.get_by_role("textbox", name=t("auth.staff.username", "fr")).fill(USERNAME)
    page.get_by_role("textbox", name=t("auth.staff.password", "fr")).fill(password)
    page.get_by_role("button", name=t("auth.staff.submit", "fr"), exact=True).click()
    wait_idle(page)


def test_sign_in_and_sign_out(page, app_server, browser_workspace, wait_idle, screenshot):
    ws, cli = Workspace.open(browser_workspace), auth.Actor("cli:test", "admin")
    if accounts.get_account(ws, cli, USERNAME) is None:
        accounts.create_account(ws, cli, USERNAME, PASSWORD, "admin", "Browser Admin")
    page.goto(f"{app_server}/sign-in")
    wait_idle(page, timeout=60_000)
    _dismiss_dialog(page)
    nav = page.locator("[data-testid='stSidebarNav']")
    assert nav.locator("a[href$='/audit']").count() == 0  # a reader's navigation has no admin page

    _sign_in(page, wait_idle, "not the password")
    page.get_by_text(t("auth.sign_in.invalid", "fr")).wait_for()
    screenshot(page, "auth_wrong_password_fr")

    _sign_in(page, wait_idle, PASSWORD)
    page.get_by_text(
        t("auth.sign_in.done", "fr", name="Browser Admin (browser-admin)", role="administrateur")
    ).wait_for()
    nav.locator("a[href$='/audit']").click()
    wait_idle(page)
    page.get_by_role("heading", name=t("auth.audit.title", "fr")).wait_for()
    page.get_by_text("Browser Admin (browser-admin)").first.wait_for()
    screenshot(page, "auth_audit_fr")
    assert page.locator("[data-testid='stException']").count() == 0

    page.locator("[data-testid='stSidebar']").get_by_role("button", name=t("auth.sign_out", "fr")).click()
    wait_idle(page)
    page.get_by_text(t("auth.signed_out", "fr")).wait_for()
    assert nav.locator("a[href$='/audit']").count() == 0
    page.locator("[data-testid='stSidebar']").get_by_text(t("auth.sidebar.link", "fr")).wait_for()
    screenshot(page, "auth_signed_out_fr")
