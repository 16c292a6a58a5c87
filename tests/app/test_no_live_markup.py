"""No text from a URL or a person renders as live Markdown anywhere it is shown (AppTest through app.py).

Hostile values go into every query parameter the pages read and into the names people give (a custom basin, a
saved scenario); then every element Streamlit renders as Markdown is rendered with a CommonMark + GFM renderer
and must hold no link, no image, no raw HTML, and no unescaped Streamlit directive (``:red[``, ``:material/``).
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from gtec.core import auth
from gtec.scenarios import params, store
from gtec.storage import reference
from gtec.territories import custom

RENDERER = MarkdownIt("commonmark", {"linkify": True, "html": True}).enable(["table", "strikethrough", "linkify"])
ATTACKS = [
    "![q](http://evil.example/x.png)",
    ":red[**Session expirée, reconnectez-vous sur http://evil.example**]",
    "[cliquez](http://evil.example)",
    "<img src=http://evil.example/x.png>",
    ":material/warning: www.evil.example",
    "$\\href{http://evil.example}{x}$",
]
MARKDOWN_KINDS = ("markdown", "caption", "error", "warning", "info", "success", "title", "header", "subheader")
# The app's own badges use directives (:violet-badge[...]); what must never be live is the *injected* payload.
INJECTED = re.compile(r"(?<!\\):(?:red\[\*\*Session|material/warning:)|(?<!\\)\$\\href")


def _problems(at) -> list[str]:
    found = []
    texts = [str(getattr(e, "value", "")) for kind in MARKDOWN_KINDS for e in getattr(at, kind)]
    texts += [str(m.label) for m in at.metric]
    for text in texts:
        html = RENDERER.render(text)
        if re.search(r"<(a|img)\b[^>]*evil\.example|<(script|iframe)\b", html) or INJECTED.search(text):
            found.append(text[:160])
    return found


@pytest.mark.parametrize("attack", ATTACKS)
@pytest.mark.parametrize(
    ("page", "keys"),
    [
        ("pages/map.py", ("ind", "level", "year", "sel", "measure", "cmp", "method", "palette")),
        ("pages/scenarios.py", ("territory", "horizon", "ecology", "growth_adjust", "retention")),
        ("pages/portrait.py", ("territory",)),
    ],
)
def test_hostile_query_parameters_are_never_live_markup(open_page, page, keys, attack):
    at = open_page(None)
    for key in keys:
        at.query_params[key] = attack
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not _problems(at)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(ATTACKS) | st.text(alphabet="![]()*_`:#<>$~|\\/ .abchttpwx", min_size=3, max_size=40))
def test_names_people_give_are_never_live_markup(open_page, ws, name):
    ref = reference.connect_reference()
    fac = auth.Actor("Fac", "facilitator")
    for c in custom.list_custom(ws):
        custom.delete(ws, fac, c.id)
    try:
        tid = custom.save(ws, fac, ref, name, ["FR-EPCI-200067932"])
    except Exception:  # a name refused with a message (empty after cleaning...) has nothing to show
        return
    for s in store.list_scenarios(ws):
        store.delete_scenario(ws, fac, s.id)
    store.save_scenario(ws, fac, name[:80] or "x", "FR-EPCI-200067932", params.Settings.default())
    for page in ("pages/portrait.py", "pages/custom_basin.py", "pages/scenarios.py"):
        at = open_page(None, actor=fac)
        at.query_params["territory"] = tid
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        assert not _problems(at), (page, name)


def test_the_checker_does_catch_live_markup():
    class Fake:
        metric = ()

        def __getattr__(self, kind):
            return [type("E", (), {"value": "![x](http://evil.example/x.png)"})()] if kind == "markdown" else []

    assert _problems(Fake())
