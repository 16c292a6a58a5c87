"""A real browser on a real server: the home page renders, the language switch works, no page errors."""

import pytest

from components.registry import PAGES
from gtec.core.i18n import t

pytestmark = pytest.mark.browser


def test_home_renders_portrait_and_switches_language(page, app_server, wait_idle, screenshot):
    page.goto(app_server)
    wait_idle(page)
    page.get_by_role("heading", name=t("portrait.title", "fr")).wait_for()
    page.get_by_role("heading", name="Pays de Vannes").wait_for()
    page.locator("[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg").first.wait_for()
    screenshot(page, "home_fr")
    page.locator("[data-testid=stSidebar]").get_by_text("English", exact=True).click()
    page.wait_for_function("() => location.search.includes('lang=en')")
    wait_idle(page)
    page.locator("h1", has_text=t("portrait.title", "en")).wait_for()
    screenshot(page, "home_en")
    assert not page.locator("[data-testid='stException']").count()


@pytest.mark.parametrize("spec", [p for p in PAGES if p.permission is None], ids=lambda s: s.url_path)
def test_public_pages_show_no_error(page, app_server, wait_idle, screenshot, spec):
    page.goto(f"{app_server}/{'' if spec.default else spec.url_path}")
    wait_idle(page, timeout=60_000)
    page.wait_for_timeout(1000)
    wait_idle(page, timeout=60_000)
    screenshot(page, f"page_{spec.url_path}")
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator("[data-testid='stAlertContentError']").count() == 0
