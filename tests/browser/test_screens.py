"""Every public page as its real users see it (issue 11): a projector at 1280x720 (normal and presentation mode)
and a 390x844 phone, in French and English.

Fails when a card or metric label/value, a navigation entry, a select box or a button has its text cut
(``scrollWidth > clientWidth``), when the first screen holds no figure, chart or map, when one of Streamlit's
English strings shows on a French page, or when an internal label ("generator v1", "[M]"...) shows anywhere.
Screenshots of the first screen go to tests/browser/screenshots/screens_*.png. Bounded: one test per page, view
and language (``-k fr-projector`` runs one view), no interaction (about 2-5 s a screen). The staff pages are
walked too, signed in as an admin, in French on the projector and in English on the phone (cut text, internal
labels, English on French pages; their first screen is a tool, not a figure).
"""

from __future__ import annotations

import contextlib

import pytest

from components.registry import PAGES
from gtec.access import accounts
from gtec.core import auth
from gtec.core.i18n import t
from gtec.storage.workspace import Workspace
from tests.browser.conftest import SCREENSHOTS

pytestmark = pytest.mark.browser

#: Public pages that exist to show figures: their first screen must hold a figure card, a metric, a chart, a map
#: or the transferability matrix.
FIGURE_PAGES = {
    "portrait": "the territory's figures",
    "map": "the indicator map",
    "scenarios": "the scenario's headline cards and charts",
    "alternance-ktp": "the apprenticeship/KTP headline cards",
    "transferability": "the colour-coded matrix",
    "occupations": "the bassin's hiring-project cards",
    "training": "trainees against the jobs to fill",
    "network": "the reciprocity indicator",
}
#: Public pages that show figures people entered (surveys, actions): the test's fresh workspace has none, so their
#: first screen must hold a figure or the notice saying there is none yet.
ENTERED_PAGES = {
    "needs": "the needs matrix of the surveys answered",
    "roadmap": "the timeline of the actions entered",
}
#: Public pages whose first screen is rightly something else, and why (a test below checks every public page is
#: in one of the three lists, so a new page needs a decision).
EXEMPT = {
    "custom-basin": "a builder: the member picker comes first, the figures once members are chosen",
    "datasets": "a catalogue of datasets (producer, licence, vintage), not of figures",
    "practices": "a library of written practices: search, filters and the list",
    "survey": "a form a respondent fills in on a phone",
    "partners": "a directory of organisations",
    "sign-in": "a form",
    "workshop": "a form (the workshop code)",
}
PUBLIC = [p for p in PAGES if p.permission is None]
#: The projector wall hides the menu (a full-screen dark page): it is walked last.
STAFF = sorted((p for p in PAGES if p.permission is not None), key=lambda p: p.url_path == "workshop-wall")
STAFF_VIEWS = {"fr-projector": ("fr", "projector"), "en-phone": ("en", "phone")}
ADMIN, ADMIN_PASSWORD = "screens-admin", "a long enough screens passphrase"
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
DRAWER_OPEN_JS = "() => document.querySelector('[data-testid=stSidebar]').getBoundingClientRect().right > 200"
VIEWS = {"projector": (1280, 720, ""), "present": (1280, 720, "present=1"), "phone": (390, 844, "")}
ENGLISH_ON_FRENCH = (
    "Choose an option",
    "Choose options",
    "Press Enter to apply",
    "matches",
    "Select all",
    "Page not found",
    "No results",
)
INTERNAL = ("generator v1", "calibration v1", "scenario v1", "[M]", "[L]", "[H]", "[M/L]", "chiffre à vérifier")

CUT_JS = """() => {
  const sel = ['[data-testid=stMetricLabel] *', '[data-testid=stMetricValue] *', '.gtec-card .lbl', '.gtec-card .val',
    '[data-testid=stSidebarNav] a span', '[data-testid=stSelectbox] input',
    '[data-testid=stMultiSelect] [role=group] span',
    '[data-testid=stMain] button p', '[data-testid=stMain] button div', '[data-testid=stWidgetLabel] p'];
  const out = [];
  for (const s of sel) for (const el of document.querySelectorAll(s)) {
    const st = getComputedStyle(el);
    if (st.display === 'none' || st.visibility === 'hidden' || el.clientWidth === 0) continue;
    const text = (el.value || el.innerText || '').trim();  // a select box shows its choice as an input's value
    if (el.scrollWidth > el.clientWidth + 1 && text) out.push(s + ' :: ' + text.slice(0, 60));
  }
  return out;
}"""
FIRST_SCREEN_JS = """([h, notice]) => {
  const sel = '.gtec-card, [data-testid=stMetric], [data-testid=stVegaLiteChart], .gtec-map.leaflet-container, '
    + '[data-testid=stImage], table.tm-grid' + (notice ? ', [data-testid=stMain] [data-testid=stAlert]' : '');
  return [...document.querySelectorAll(sel)].filter(el => { const r = el.getBoundingClientRect();
    return r.height > 20 && r.top < h && r.bottom > 0; }).length;
}"""


def _url(base: str, spec, lang: str, flag: str) -> str:
    query = "&".join(q for q in (("lang=en" if lang == "en" else ""), flag) if q)
    return f"{base}/{'' if spec.default else spec.url_path}" + (f"?{query}" if query else "")


@pytest.fixture(scope="module")
def screen_contexts(browser, app_server):
    """One browser context per view and language, shared by that view's pages (each page is its own test, so
    the walk stays inside pytest's per-test timeout on a loaded machine)."""
    made: dict[tuple[str, str], object] = {}

    def get(view: str, lang: str):
        if (view, lang) not in made:
            width, height, _ = VIEWS[view]
            context = browser.new_context(viewport={"width": width, "height": height}, locale=f"{lang}-FR")
            context.route(
                "**/*",
                lambda r: r.continue_() if r.request.url.startswith((app_server, "data:", "blob:")) else r.abort(),
            )
            page = context.new_page()
            page.set_default_timeout(60_000)
            made[(view, lang)] = page
        return made[(view, lang)]

    yield get
    for page in made.values():
        page.context.close()


@pytest.mark.parametrize("view", list(VIEWS))
@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("spec", PUBLIC, ids=[p.url_path for p in PUBLIC])
def test_public_screens(screen_contexts, app_server, spec, lang, view):
    _, height, flag = VIEWS[view]
    page = screen_contexts(view, lang)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(_url(app_server, spec, lang, flag))
    page.wait_for_selector(IDLE)
    need = "figure" if spec.url_path in FIGURE_PAGES else ("notice" if spec.url_path in ENTERED_PAGES else "")
    problems = _check(page, spec.url_path, f"{view}_{lang}", lang, height, need)
    assert not problems, "\n".join(problems)


def _check(page, name: str, view: str, lang: str, height: int, need: str) -> list[str]:
    """The problems of the page on screen (its first screen saved as screens_<view>_<name>.png). ``need``:
    "figure" (a figure in the first screen), "notice" (a figure or a notice), "" (no first-screen rule)."""
    arg = [height, need == "notice"]
    if need:  # charts and maps draw after the script run
        with contextlib.suppress(Exception):
            page.wait_for_function(FIRST_SCREEN_JS, arg=arg, timeout=15_000)
    page.wait_for_timeout(600)
    page.screenshot(path=str(SCREENSHOTS / f"screens_{view}_{name}.png"))
    where = f"{view}/{name}"
    problems = [f"{where}: cut text {c}" for c in page.evaluate(CUT_JS)]
    if need and not page.evaluate(FIRST_SCREEN_JS, arg):
        problems.append(f"{where}: no figure, chart or map in the first {height} px")
    text = page.locator("body").inner_text()
    problems += [f"{where}: internal label {w!r}" for w in INTERNAL if w in text]
    if lang == "fr":
        problems += [f"{where}: English Streamlit string {w!r}" for w in ENGLISH_ON_FRENCH if w in text]
    if page.locator("[data-testid='stException']").count():
        problems.append(f"{where}: exception")
    return problems


def test_every_public_page_is_a_figure_page_or_exempt_with_a_reason():
    lists = [set(FIGURE_PAGES), set(ENTERED_PAGES), set(EXEMPT)]
    assert {p.url_path for p in PUBLIC} == set.union(*lists)
    assert sum(len(x) for x in lists) == len(set.union(*lists))  # each page in one list only


@pytest.mark.parametrize("view", list(STAFF_VIEWS))
def test_staff_screens(browser, app_server, browser_workspace, view):
    """Every staff page signed in as an admin (the session keeps the sign-in: pages are opened from the menu)."""
    lang, size = STAFF_VIEWS[view]
    width, height, _ = VIEWS[size]
    ws, cli = Workspace.open(browser_workspace), auth.Actor("cli:test", "admin")
    if accounts.get_account(ws, cli, ADMIN) is None:
        accounts.create_account(ws, cli, ADMIN, ADMIN_PASSWORD, "admin", "Screens Admin")
    context = browser.new_context(viewport={"width": width, "height": height}, locale=f"{lang}-FR")
    context.route(
        "**/*", lambda r: r.continue_() if r.request.url.startswith((app_server, "data:", "blob:")) else r.abort()
    )
    page = context.new_page()
    page.set_default_timeout(60_000)
    problems: list[str] = []
    try:
        page.goto(f"{app_server}/sign-in" + ("?lang=en" if lang == "en" else ""))
        page.wait_for_selector(IDLE)
        page.get_by_role("textbox", name=t("auth.staff.username", lang)).fill(ADMIN)
        page.get_by_role("textbox", name=t("auth.staff.password", lang)).fill(ADMIN_PASSWORD)
        page.get_by_role("button", name=t("auth.staff.submit", lang), exact=True).click()
        page.wait_for_selector(IDLE)
        for spec in STAFF:
            link = page.locator(f"[data-testid='stSidebarNav'] a[href$='/{spec.url_path}']")
            if width < 640 and not page.evaluate(DRAWER_OPEN_JS):  # the phone's menu is a drawer
                page.locator("[data-testid=stExpandSidebarButton]").first.click()
                page.wait_for_function(DRAWER_OPEN_JS)
            link.click()
            page.wait_for_url(f"**/{spec.url_path}*")
            page.wait_for_selector(IDLE)
            page.locator("[data-testid=stMain] h1, [data-testid=stMain] [data-testid=stAlert]").first.wait_for()
            problems += _check(page, spec.url_path, f"staff_{view}", lang, height, need="")
    finally:
        context.close()
    assert not problems, "\n".join(problems)
