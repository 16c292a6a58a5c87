"""Widget state survives page switches (every keyed widget persists for the session): leave a page, come back."""

from __future__ import annotations

import ast
from pathlib import Path

from gtec.scenarios import params

ROOT = Path(__file__).resolve().parents[2]
STATEFUL = {
    "selectbox", "slider", "radio", "segmented_control", "pills", "toggle", "checkbox", "multiselect",
    "text_input", "number_input", "select_slider", "date_input", "text_area",
}  # fmt: skip


def test_leaving_the_scenario_page_and_coming_back_keeps_every_setting(open_page):
    at = open_page("pages/scenarios.py")
    at.select_slider(key="sc_growth_adjust").set_value(0.5).run()  # a decimal driver: a select-slider
    at.slider(key="sc_ecology").set_value(40).run()
    at.segmented_control(key="sc_horizon").set_value(2035).run()
    assert not at.exception and not at.error
    for _ in range(2):  # and on the next visits too
        at.switch_page("pages/portrait.py").run()
        assert not at.exception
        at.switch_page("pages/scenarios.py").run()
        assert not at.exception, [e.value for e in at.exception]
        assert not at.error, [e.value for e in at.error]
        assert at.select_slider(key="sc_growth_adjust").value == 0.5
        assert at.slider(key="sc_ecology").value == 40
        assert at.segmented_control(key="sc_horizon").value == 2035
        untouched = at.slider(key="sc_retention").value
        assert untouched == params.PARAM_BY_NAME["retention"].default


def test_leaving_the_map_and_coming_back_keeps_the_view(open_page):
    at = open_page("pages/map.py")
    level = at.selectbox(key="map_level")
    other = next(o for o in level.options if o != level.value)
    level.select(other).run()
    chosen = at.selectbox(key="map_level").value
    at.switch_page("pages/portrait.py").run()
    at.switch_page("pages/map.py").run()
    assert not at.exception
    assert at.selectbox(key="map_level").value == chosen


def _keyed_widgets_without_persistence(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in STATEFUL:
            kws = {k.arg for k in node.keywords}
            if "key" in kws and not kws & {"persist_state", "bind"}:
                out.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.func.attr}")
    return out


def test_every_keyed_widget_keeps_its_state_across_pages():
    """The shared rule: a keyed widget passes persist_state="session" (or is bound to the URL)."""
    offenders = [
        w
        for d in ("pages", "components")
        for f in (ROOT / d).glob("*.py")
        for w in _keyed_widgets_without_persistence(f)
    ]
    assert not offenders, offenders
