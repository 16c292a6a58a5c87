"""Alternance / KTP page in a real browser: FR and EN screenshots, the calculator reacts, exports download."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from gtec.core.i18n import t

pytestmark = pytest.mark.browser


def _dismiss_dialog(page) -> None:
    dialog = page.get_by_role("dialog")
    if dialog.count() and dialog.first.is_visible():
        page.keyboard.press("Escape")


def _open_tab(page, wait_idle, name: str) -> None:
    page.get_by_role("tab", name=name).click()
    wait_idle(page)
    page.wait_for_timeout(800)


def test_alternance_page_fr_en_calculator_and_exports(page, app_server, wait_idle, screenshot):
    page.set_viewport_size({"width": 1440, "height": 2300})
    page.goto(f"{app_server}/alternance-ktp")
    wait_idle(page, timeout=60_000)
    _dismiss_dialog(page)
    page.get_by_role("heading", name=t("alternance.title", "fr")).wait_for()
    table = page.locator("table.wbl")
    table.first.wait_for()
    assert "878\u202f900–889\u202f400 contrats" in table.first.inner_text()
    screenshot(page, "alternance_compare_fr")

    _open_tab(page, wait_idle, t("alternance.tab.calc", "fr"))
    page.locator("[data-testid='stVegaLiteChart']").first.wait_for()
    company = page.locator(".gtec-card").filter(has_text=t("alternance.party.company", "fr"))  # figure cards
    assert "39\u202f719 EUR" in company.nth(1).inner_text()
    screenshot(page, "alternance_calc_fr")
    page.get_by_test_id("stSelectbox").filter(has_text="Taille de l'entreprise").click()
    page.get_by_role("option", name="Grande entreprise (250 salariés et plus)").click()
    expect(company.nth(1)).to_contain_text("60\u202f180 EUR", timeout=30_000)

    page.goto(f"{app_server}/alternance-ktp?lang=en")
    wait_idle(page, timeout=60_000)
    _dismiss_dialog(page)
    _open_tab(page, wait_idle, t("alternance.tab.calc", "en"))
    page.get_by_role("heading", name=t("alternance.calc.result_title", "en")).wait_for()
    screenshot(page, "alternance_calc_en")
    _open_tab(page, wait_idle, t("alternance.tab.territory", "en"))
    page.locator("[data-testid='stVegaLiteChart']").last.wait_for()
    screenshot(page, "alternance_territory_en")

    _open_tab(page, wait_idle, t("alternance.tab.export", "en"))
    page.get_by_role("button", name=t("alternance.export.prepare", "en")).click()
    page.get_by_role("button", name=t("alternance.export.summary", "en")).wait_for(timeout=120_000)
    wait_idle(page)
    with page.expect_download(timeout=120_000) as info:
        page.get_by_role("button", name=t("alternance.export.summary", "en")).click()
    html = Path(info.value.path()).read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and "data:image/png;base64," in html
    with page.expect_download(timeout=120_000) as info:
        page.get_by_role("button", name=t("alternance.export.split_png", "en")).click()
    assert Path(info.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with page.expect_download(timeout=120_000) as info:
        page.get_by_role("button", name=t("alternance.export.compare_csv", "en")).click()
    assert Path(info.value.path()).read_bytes()[:3] == b"\xef\xbb\xbf"  # UTF-8 BOM for Excel
    assert page.locator("[data-testid='stException']").count() == 0
    # nothing of this page left the machine (app.py's material favicon is fetched from fonts.gstatic.com: not ours)
    assert not [u for u in page.blocked_requests if not u.startswith("https://fonts.gstatic.com/")]


def test_transferability_page_read_only_for_readers(page, app_server, wait_idle, screenshot):
    page.set_viewport_size({"width": 1440, "height": 1800})
    page.goto(f"{app_server}/transferability")
    wait_idle(page, timeout=60_000)
    _dismiss_dialog(page)
    page.get_by_text(t("alternance.matrix.read_only", "fr")).wait_for()
    assert page.locator("table.tm-grid tbody tr").count() >= 4  # one row per system, coloured by difficulty
    assert page.locator("section.tm-row").count() >= 10  # then each feature's barriers and actions
    screenshot(page, "transferability_fr")
    assert page.locator("[data-testid='stException']").count() == 0
