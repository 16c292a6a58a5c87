"""Screens review, smaller pages in a real browser: the sign-in page on a phone (F4, F5, L1) and the file
uploader's built-in English replaced by the catalogue's text (G4). Every wait is on a condition."""

from __future__ import annotations

import pytest

from gtec.access import accounts
from gtec.core import auth
from gtec.core.i18n import t
from gtec.storage.workspace import Workspace

pytestmark = pytest.mark.browser

USERNAME, PASSWORD = "small-pages-admin", "a long enough small pages passphrase"


def _open(page, url: str, wait_idle) -> None:
    page.goto(url)
    wait_idle(page, timeout=90_000)
    if page.locator("[role=dialog]").count():
        page.keyboard.press("Escape")


def test_sign_in_on_a_phone_has_44_px_targets_a_capitals_code_box_and_no_command(page, app_server, wait_idle):
    page.set_viewport_size({"width": 390, "height": 844})
    _open(page, f"{app_server}/sign-in", wait_idle)
    code = page.get_by_role("textbox", name=t("auth.workshop.code", "fr"))
    code.wait_for()
    boxes = [code, page.get_by_role("textbox", name=t("auth.staff.username", "fr"))]
    buttons = [
        page.get_by_role("button", name=t("auth.workshop.join", "fr")),
        page.get_by_role("button", name=t("auth.staff.submit", "fr"), exact=True),
    ]
    for target in [*boxes, *buttons]:
        box = target.bounding_box()
        assert box and box["height"] >= 44, (target, box)
    assert code.evaluate("e => getComputedStyle(e).textTransform") == "uppercase"
    body = page.locator("[data-testid='stMain']").inner_text()
    assert "python" not in body and "n'existe" not in body
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390  # nothing wider than the phone


def test_file_uploader_shows_french_text_and_the_limit_in_french_format(page, app_server, browser_workspace, wait_idle):
    ws, cli = Workspace.open(browser_workspace), auth.Actor("cli:test", "admin")
    if accounts.get_account(ws, cli, USERNAME) is None:
        accounts.create_account(ws, cli, USERNAME, PASSWORD, "admin", "Small Pages Admin")
    page.set_viewport_size({"width": 1280, "height": 720})
    _open(page, f"{app_server}/sign-in", wait_idle)
    page.get_by_role("textbox", name=t("auth.staff.username", "fr")).fill(USERNAME)
    page.get_by_role("textbox", name=t("auth.staff.password", "fr")).fill(PASSWORD)
    page.get_by_role("button", name=t("auth.staff.submit", "fr"), exact=True).click()
    wait_idle(page)
    page.locator("[data-testid='stSidebarNav'] a[href$='/imports']").click()
    zone = page.locator("[data-testid='stFileUploaderDropzone']").first
    zone.wait_for(timeout=90_000)
    shown = zone.inner_text()
    assert not any(english in shown for english in ("Drag and drop", "Browse files", "Limit", "per file", "Upload"))
    instructions = zone.locator("[data-testid='stFileUploaderDropzoneInstructions'] > div").first
    hint = instructions.evaluate("e => getComputedStyle(e, '::after').content")
    assert "Glissez-déposez" in hint and "25\u00a0Mo" in hint
    button = zone.locator("button > div").first.evaluate("e => getComputedStyle(e, '::after').content")
    assert button == '"Parcourir"'


@pytest.mark.parametrize(("width", "height"), [(1280, 720), (390, 844)])
def test_transferability_first_screen_is_a_readable_matrix(page, app_server, wait_idle, width, height):
    """Review T1, T3: at 1280x720 several rows of the coloured matrix are in the first screen, difficulty in
    16 px or more; on a phone the grid becomes a list per system and nothing is wider than the screen."""
    page.set_viewport_size({"width": width, "height": height})
    _open(page, f"{app_server}/transferability", wait_idle)
    rows = page.locator("table.tm-grid tbody tr")
    rows.first.wait_for()
    tops = [rows.nth(i).bounding_box()["y"] for i in range(rows.count())]
    if width >= 1280:
        assert sum(1 for y in tops if y < height - 40) >= 3, tops
        head = page.locator("table.tm-grid thead th.high")
        assert float(head.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 16
    else:
        assert page.locator("table.tm-grid thead").evaluate("e => getComputedStyle(e).display") == "none"
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    chip = page.locator("section.tm-row .tm-chip").first
    assert float(chip.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 16
