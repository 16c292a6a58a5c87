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


def test_the_documents_language_follows_the_page(page, app_server, wait_idle):
    """Streamlit's index.html says lang="en": a screen reader read the French pages with English pronunciation
    (WCAG 3.1.1). The document's language is the page's, and follows the sidebar's language switch."""
    page.goto(f"{app_server}/map")
    wait_idle(page, timeout=90_000)
    page.wait_for_function("() => document.documentElement.lang === 'fr'", timeout=30_000)
    page.locator("[data-testid=stSidebar]").get_by_text("English", exact=True).click()
    page.wait_for_function("() => document.documentElement.lang === 'en'", timeout=30_000)
    wait_idle(page)
    page.goto(f"{app_server}/?lang=fr")
    page.wait_for_function("() => document.documentElement.lang === 'fr'", timeout=30_000)
    # the element that carries the script takes no room above the title
    gap = page.evaluate(
        "() => [...document.querySelectorAll('.stElementContainer')].filter(e => e.querySelector('.stHtml script'))"
        ".map(e => getComputedStyle(e).display)"
    )
    assert gap and set(gap) == {"none"}, gap
