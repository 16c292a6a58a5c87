"""Streamlit's built-in "No results" of select boxes (review G4, issue 11): replaced by the catalogue's words in
the reader's language, in a single select box and in a multiselect. Every wait is on a condition."""

from __future__ import annotations

import pytest

from gtec.core.i18n import t

pytestmark = pytest.mark.browser

SHOWN_TEXT_JS = """() => {
  const span = document.querySelector('[role=listbox][data-empty=true] [role=option] > span');
  if (!span) return null;
  const after = getComputedStyle(span, '::after').content;
  return {own: getComputedStyle(span).fontSize, after: after};
}"""


@pytest.mark.parametrize(
    ("lang", "path", "box", "key"),
    [
        ("fr", "/", "stSelectbox", "select.no_results"),
        ("en", "/", "stSelectbox", "select.no_results"),
        ("fr", "/custom-basin", "stMultiSelect", "select.no_options"),
    ],
)
def test_empty_select_list_speaks_the_readers_language(page, app_server, wait_idle, lang, path, box, key):
    page.goto(f"{app_server}{path}?lang={lang}")
    wait_idle(page, timeout=90_000)
    if page.locator("[role=dialog]").count():
        page.keyboard.press("Escape")
    field = page.locator(f"[data-testid={box}] input").first
    field.wait_for()
    field.click()
    field.type("zzqxw")
    page.wait_for_selector("[role=listbox][data-empty=true]")
    shown = page.evaluate(SHOWN_TEXT_JS)
    assert shown is not None
    assert shown["own"] == "0px"  # Streamlit's English words are not drawn
    assert shown["after"] == '"' + t(key, lang) + '"'
