"""A real browser on the scenario page: a slider move updates the figures, charts and map; a facilitator saves and
reloads a scenario; screenshots in FR and EN (tests/browser/screenshots/scenario_*.png)."""

from __future__ import annotations

import contextlib

import pytest

from gtec.access import accounts
from gtec.core import auth
from gtec.core.errors import UserError
from gtec.core.i18n import t
from gtec.scenarios import store
from gtec.storage.workspace import Workspace

pytestmark = pytest.mark.browser
PASSWORD = "scenario workshop 2030"


def kpi(page, key: str, lang: str = "fr") -> str:
    card = page.locator(".gtec-card").filter(has_text=t(f"scenario.kpi.{key}", lang)).first  # components.figure_card
    return card.locator(".val").inner_text()


def charts_drawn(page) -> int:
    return page.locator("[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg").count()


def open_scenarios(page, app_server: str, wait_idle) -> None:
    # The first run of a fresh server must go through app.py: a direct first hit on /scenarios would be served
    # by Streamlit's legacy pages/ discovery (no navigation, no language switch) until app.py has run once.
    page.goto(app_server)
    wait_idle(page, timeout=60_000)
    page.goto(f"{app_server}/scenarios")


def test_slider_updates_figures_charts_and_map(page, app_server, wait_idle, screenshot):
    open_scenarios(page, app_server, wait_idle)
    wait_idle(page, timeout=60_000)
    page.get_by_role("heading", name=t("scenario.title", "fr")).wait_for()
    page.locator("[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg").first.wait_for()
    before = kpi(page, "openings")
    screenshot(page, "scenario_fr")
    slider = page.get_by_role("slider").first  # low-carbon transition, in the open "drivers" group
    slider.focus()
    for _ in range(10):
        slider.press("ArrowRight")
    wait_idle(page)
    page.wait_for_timeout(800)
    wait_idle(page)
    assert kpi(page, "openings") != before
    assert "ecology=50" in page.url
    assert charts_drawn(page) >= 2
    page.get_by_role("tab", name=t("scenario.tab.territories", "fr")).click()
    wait_idle(page)
    page.locator("[data-testid='stVegaLiteChart']").first.wait_for()
    page.wait_for_timeout(800)
    assert charts_drawn(page) >= 2  # map + heatmap
    screenshot(page, "scenario_fr_map")
    page.get_by_role("tab", name=t("scenario.tab.compare", "fr")).click()
    wait_idle(page)
    page.wait_for_timeout(800)
    screenshot(page, "scenario_fr_band")
    page.locator("[data-testid='stSidebar']").get_by_text("English", exact=True).click()
    wait_idle(page)
    page.get_by_role("heading", name=t("scenario.title", "en")).wait_for()
    page.get_by_role("tab", name=t("scenario.tab.families", "en")).click()
    wait_idle(page)
    page.wait_for_timeout(800)
    screenshot(page, "scenario_en")
    assert page.locator("[data-testid='stException']").count() == 0
    # Nothing of this page is fetched from outside the server (the app's favicon, set in app.py, is not ours).
    assert not [u for u in page.blocked_requests if "materialsymbols" not in u]


def set_slider(page, slider, param: str, target: float, wait_idle, tries: int = 30) -> None:
    """Move a slider with the keyboard one step at a time, waiting for each rerun (a key pressed during a rerun
    can be dropped by the browser widget), until the URL (which mirrors the settings) shows ``target``."""

    def current() -> float:
        value = page.evaluate(f"() => new URL(location.href).searchParams.get('{param}')")
        return float(value) if value is not None else 0.0

    for _ in range(tries):
        now = current()
        if now == target:
            return
        slider.focus()
        slider.press("ArrowRight" if now < target else "ArrowLeft")
        wait_idle(page)
    raise AssertionError(f"{param} stuck at {current()}, wanted {target}")


def test_facilitator_saves_and_reloads(page, app_server, wait_idle, screenshot, browser_workspace):
    with contextlib.suppress(UserError):  # already created by an earlier run of this session
        accounts.create_account(
            Workspace.open(browser_workspace), auth.Actor("cli:test", "admin"), "anim", PASSWORD, "facilitator"
        )
    page.goto(f"{app_server}/sign-in")
    wait_idle(page, timeout=60_000)
    page.get_by_label(t("auth.staff.username", "fr")).fill("anim")
    page.get_by_label(t("auth.staff.password", "fr")).fill(PASSWORD)
    page.get_by_role("button", name=t("auth.staff.submit", "fr")).click()
    wait_idle(page)
    page.get_by_role("link", name=t("nav.scenarios", "fr")).click()
    wait_idle(page, timeout=60_000)
    page.get_by_role("heading", name=t("scenario.title", "fr")).wait_for()
    slider = page.get_by_role("slider").first  # low-carbon transition
    set_slider(page, slider, "ecology", 40, wait_idle)
    page.wait_for_function("() => new URL(location.href).searchParams.get('ecology') === '40'")
    wait_idle(page)
    saved_value = kpi(page, "imbalance")
    page.get_by_text(t("scenario.saved.title", "fr")).click()
    page.get_by_label(t("scenario.saved.name", "fr")).fill("Transition 40")
    page.get_by_role("button", name=t("scenario.saved.save", "fr")).click()
    wait_idle(page)
    page.get_by_text(t("scenario.saved.done", "fr", name="Transition 40")).wait_for()
    saved = store.list_scenarios(Workspace(browser_workspace))
    assert any(s.name == "Transition 40" and s.settings["ecology"] == 40 for s in saved)
    set_slider(page, slider, "ecology", 0, wait_idle)
    page.wait_for_function("() => !new URL(location.href).searchParams.has('ecology')")
    wait_idle(page)
    assert kpi(page, "imbalance") != saved_value
    page.get_by_role("button", name=t("scenario.saved.load", "fr")).click()
    page.wait_for_timeout(800)
    wait_idle(page)
    page.wait_for_function("() => new URL(location.href).searchParams.get('ecology') === '40'")
    wait_idle(page)
    assert kpi(page, "imbalance") == saved_value
    screenshot(page, "scenario_fr_saved")
