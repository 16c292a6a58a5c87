"""Every public page as its real users see it (issue 11): a projector at 1280x720 (normal and presentation mode)
and a 390x844 phone, in French and English.

Fails when a card or metric label/value, a navigation entry, a select box or a button has its text cut
(``scrollWidth > clientWidth``), when the first screen holds no figure, chart or map, when one of Streamlit's
English strings shows on a French page, or when an internal label ("generator v1", "[M]"...) shows anywhere.
Screenshots of the first screen go to tests/browser/screenshots/screens_*.png. Bounded: one page per page and
view, no interaction (about 2-3 s a screen).
"""

from __future__ import annotations

import contextlib

import pytest

from components.registry import PAGES
from tests.browser.conftest import SCREENSHOTS

pytestmark = pytest.mark.browser

#: Pages whose first screen must hold a figure card, a metric, a chart or a map (sign-in and workshop join
#: are forms: their first screen is the form).
FIGURE_PAGES = {"portrait", "map", "scenarios"}
PUBLIC = [p for p in PAGES if p.permission is None]
VIEWS = {"projector": (1280, 720, ""), "present": (1280, 720, "present=1"), "phone": (390, 844, "")}
ENGLISH_ON_FRENCH = (
    "Choose an option",
    "Press Enter to apply",
    "matches",
    "Select all",
    "Page not found",
    "No results",
)
INTERNAL = ("generator v1", "calibration v1", "scenario v1", "[M]", "[L]", "[H]", "[M/L]", "chiffre à vérifier")

CUT_JS = """() => {
  const sel = ['[data-testid=stMetricLabel] *', '[data-testid=stMetricValue] *', '.gtec-card .lbl', '.gtec-card .val',
    '[data-testid=stSidebarNav] a span', '[data-baseweb=select] [value]', '[data-baseweb=select] > div > div',
    '[data-testid=stMain] button p', '[data-testid=stMain] button div'];
  const out = [];
  for (const s of sel) for (const el of document.querySelectorAll(s)) {
    const st = getComputedStyle(el);
    if (st.display === 'none' || st.visibility === 'hidden' || el.clientWidth === 0) continue;
    const text = (el.innerText || '').trim();
    if (el.scrollWidth > el.clientWidth + 1 && text) out.push(s + ' :: ' + text.slice(0, 60));
  }
  return out;
}"""
FIRST_SCREEN_JS = """(h) => {
  const sel = '.gtec-card, [data-testid=stMetric], [data-testid=stVegaLiteChart], .gtec-map.leaflet-container, '
    + '[data-testid=stImage]';
  return [...document.querySelectorAll(sel)].filter(el => { const r = el.getBoundingClientRect();
    return r.height > 20 && r.top < h && r.bottom > 0; }).length;
}"""


def _url(base: str, spec, lang: str, flag: str) -> str:
    query = "&".join(q for q in (("lang=en" if lang == "en" else ""), flag) if q)
    return f"{base}/{'' if spec.default else spec.url_path}" + (f"?{query}" if query else "")


@pytest.mark.parametrize("view", list(VIEWS))
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_public_screens(browser, app_server, lang, view):
    width, height, flag = VIEWS[view]
    context = browser.new_context(viewport={"width": width, "height": height}, locale=f"{lang}-FR")
    context.route(
        "**/*", lambda r: r.continue_() if r.request.url.startswith((app_server, "data:", "blob:")) else r.abort()
    )
    page = context.new_page()
    page.set_default_timeout(60_000)
    problems: list[str] = []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        for spec in PUBLIC:
            page.goto(_url(app_server, spec, lang, flag))
            page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']")
            if spec.url_path in FIGURE_PAGES:  # charts and maps draw after the script run
                with contextlib.suppress(Exception):
                    page.wait_for_function(FIRST_SCREEN_JS, arg=height, timeout=15_000)
            page.wait_for_timeout(600)
            page.screenshot(path=str(SCREENSHOTS / f"screens_{view}_{lang}_{spec.url_path}.png"))
            where = f"{view}/{lang}/{spec.url_path}"
            problems += [f"{where}: cut text {c}" for c in page.evaluate(CUT_JS)]
            if spec.url_path in FIGURE_PAGES and not page.evaluate(FIRST_SCREEN_JS, height):
                problems.append(f"{where}: no figure, chart or map in the first {height} px")
            text = page.locator("body").inner_text()
            problems += [f"{where}: internal label {w!r}" for w in INTERNAL if w in text]
            if lang == "fr":
                problems += [f"{where}: English Streamlit string {w!r}" for w in ENGLISH_ON_FRENCH if w in text]
            if page.locator("[data-testid='stException']").count():
                problems.append(f"{where}: exception")
    finally:
        context.close()
    assert not problems, "\n".join(problems)
