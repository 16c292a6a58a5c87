"""A real browser: a facilitator signs in, creates two partner organisations, logs two interactions and sees the
reciprocity flag change on the figure cards; screenshots at 1280x720 and on a 390x844 phone."""

from __future__ import annotations

import contextlib

import pytest

from gtec.access import accounts
from gtec.core import auth, fmt
from gtec.core.errors import UserError
from gtec.core.i18n import t
from gtec.network import organisations
from gtec.storage.workspace import Workspace

pytestmark = pytest.mark.browser

USERNAME, PASSWORD = "net-anim", "a long enough network passphrase"
FIRST, SECOND = "Chantiers Navals du Golfe", "Lycée maritime d’Étel"


def _cards(page) -> list[str]:
    return [v.strip() for v in page.locator(".gtec-card .val").all_inner_texts()]


def _sign_in(page, app_server, wait_idle) -> None:
    page.goto(f"{app_server}/sign-in")
    wait_idle(page, timeout=60_000)
    if page.locator("[role=dialog]").count():  # Streamlit's "page not found" dialog on a deep link: close it
        page.keyboard.press("Escape")
        page.wait_for_timeout(300)
    page.get_by_label(t("auth.staff.username", "fr")).fill(USERNAME)
    page.get_by_label(t("auth.staff.password", "fr")).fill(PASSWORD)
    page.get_by_role("button", name=t("auth.staff.submit", "fr")).click()
    wait_idle(page)


def _log_interaction(page, wait_idle, names: list[str]) -> None:
    box = page.get_by_label(t("network.field.organisations", "fr")).first
    for _attempt in range(5):  # a click on the tab during a rerun may be lost: click until the form shows
        page.get_by_role("tab", name=t("network.tab.log", "fr")).click()
        wait_idle(page)
        if box.is_visible():
            break
        page.wait_for_timeout(500)
    for name in names:
        option = page.get_by_role("option").filter(has_text=name).first
        for _attempt in range(3):  # the list opens on a click; a click landing during a rerun is lost
            box.click()
            page.keyboard.type(name[:10])
            try:
                option.wait_for(timeout=5_000)
                break
            except Exception:
                page.keyboard.press("Escape")
                box.fill("")
        option.click()
    page.keyboard.press("Escape")
    page.get_by_role("button", name=t("network.log.save", "fr")).click()
    wait_idle(page)
    page.get_by_text(t("network.log.saved", "fr")).first.wait_for()


def test_two_partners_two_interactions_and_the_flag_changes(page, app_server, browser_workspace, wait_idle, screenshot):
    ws = Workspace.open(browser_workspace)
    with contextlib.suppress(UserError):  # created by an earlier run of this session
        accounts.create_account(ws, auth.Actor("cli:test", "admin"), USERNAME, PASSWORD, "facilitator", "Anim Réseau")
    before = len(organisations.list_organisations(ws))
    page.set_viewport_size({"width": 1280, "height": 720})
    _sign_in(page, app_server, wait_idle)
    page.get_by_role("link", name=t("nav.partners", "fr")).click()
    wait_idle(page, timeout=60_000)
    page.get_by_role("heading", name=t("network.partners.title", "fr")).wait_for()
    for name in (FIRST, SECOND):
        try:
            page.get_by_label(t("network.field.name", "fr")).first.fill(name)  # the new-organisation form
        except Exception:
            screenshot(page, "network_debug_fill")
            raise
        page.get_by_role("button", name=t("network.org.save", "fr")).click()
        wait_idle(page)
        page.get_by_text(t("network.org.saved", "fr", name=name)).wait_for()
    assert len(organisations.list_organisations(ws)) == before + 2
    screenshot(page, "network_partners_fr_1280")

    page.get_by_role("link", name=t("nav.network", "fr")).click()
    wait_idle(page, timeout=60_000)
    page.get_by_role("heading", name=t("network.page.title", "fr")).wait_for()
    share, below, counted = _cards(page)
    assert (below, counted) == (str(before + 2), str(before + 2)) and share.startswith("0")

    _log_interaction(page, wait_idle, [FIRST, SECOND])
    assert _cards(page)[1] == str(before + 2)  # one meeting each: both still under two
    _log_interaction(page, wait_idle, [FIRST])
    share, below, counted = _cards(page)
    assert below == str(before + 1)  # the flag of the first partner changed
    if before == 0:
        assert share == fmt.percent("50", "fr")
    frame = page.locator('iframe[title="streamlit_folium.st_folium"]').last
    frame.wait_for()
    frame.scroll_into_view_if_needed()
    page.wait_for_timeout(800)
    screenshot(page, "network_map_fr_1280")
    page.get_by_role("tab", name=t("network.tab.matrix", "fr")).click()
    chart = page.locator("[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg").first
    chart.wait_for()
    chart.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    screenshot(page, "network_matrix_fr_1280")
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(500)
    page.get_by_role("tab", name=t("network.tab.indicator", "fr")).click()
    page.wait_for_timeout(500)
    screenshot(page, "network_phone_fr_390")
    assert page.locator("[data-testid='stException']").count() == 0
    assert not page.blocked_requests, page.blocked_requests[:3]


def test_a_reader_sees_partners_and_the_indicator_but_no_form(page, app_server, wait_idle, screenshot):
    for width, height in ((1280, 720), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        for path, title in (("partners", "network.partners.title"), ("network", "network.page.title")):
            page.goto(f"{app_server}/{path}?lang=en")
            wait_idle(page, timeout=60_000)
            if page.locator("[role=dialog]").count():
                page.keyboard.press("Escape")
            page.get_by_role("heading", name=t(title, "en")).wait_for()
            assert page.get_by_role("button", name=t("network.org.save", "en")).count() == 0
            assert page.get_by_role("tab", name=t("network.tab.contacts", "en")).count() == 0
            assert page.get_by_text(t("network.sign_in", "en")).count() >= 1  # says why there is no form
            page.wait_for_timeout(400)
            screenshot(page, f"network_reader_{path}_en_{width}")
            assert page.locator("[data-testid='stException']").count() == 0
