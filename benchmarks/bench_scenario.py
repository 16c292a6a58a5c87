"""Scenario figures: one national recompute (every EPCI x family x 15 years) and the page rerun after a slider move.

- ``scenario_compute_ms``: :func:`gtec.scenarios.compute` on all EPCIs with employment data, 16 families, 15
  projection years, a non-trivial preset (low-carbon transition plus a crisis); baseline: the same model as a
  straightforward per-cell Python loop (:func:`gtec.scenarios.compute_naive`), measured in the same run.
- ``scenario_rerun_ms``: server time of the scenario page rerun (AppTest) after moving the low-carbon slider;
  baseline: the same rerun with Streamlit's caches cleared (inputs re-read from the store, geometry reloaded).
"""

from __future__ import annotations

import time
from pathlib import Path

from benchmarks.run import entry, median_ms


def run(context: dict | None = None) -> dict:
    from gtec.build import pipeline
    from gtec.scenarios import engine, loader, params
    from gtec.storage import reference

    if not reference.check_reference().ok:
        pipeline.build_reference()
    conn = reference.connect_reference()
    try:
        base = loader.load_base(conn)
    finally:
        conn.close()
    inputs = base.inputs
    horizon = base.base_year + 15
    settings = params.preset_settings("low_carbon", horizon).replace(crisis_depth=3, crisis_recovery=3)
    fast = median_ms(lambda: engine.compute(inputs, settings), repeat=25, warmup=2)
    slow = median_ms(lambda: engine.compute_naive(inputs, settings), repeat=3, warmup=0)
    cells = inputs.employment.size * (horizon - base.base_year)

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/scenarios.py").run()
    assert not at.exception, at.exception
    state = {"v": 0}

    def move_slider() -> None:
        state["v"] = (state["v"] + 5) % 100
        at.slider(key="sc_ecology").set_value(state["v"])
        at.run()
        assert not at.exception, at.exception

    def move_slider_uncached() -> None:
        st.cache_data.clear()
        st.cache_resource.clear()
        move_slider()

    rerun = median_ms(move_slider, repeat=7, warmup=1)
    rerun_uncached = median_ms(move_slider_uncached, repeat=3, warmup=0)
    return {
        "scenario_compute_ms": entry(
            fast,
            "ms",
            slow,
            target=30,
            note=f"{len(inputs.territory_ids)} EPCI x {len(inputs.family_ids)} families x {horizon - base.base_year}"
            f" years = {cells:,} cells, vectorised numpy; baseline: per-cell Python loop, same run",
        ),
        "scenario_rerun_ms": entry(
            rerun,
            "ms",
            rerun_uncached,
            target=250,
            note="AppTest rerun of the scenario page after a slider move (median of 7); baseline: the same rerun "
            "with caches cleared",
        ),
    }


if __name__ == "__main__":
    started = time.perf_counter()
    print(run())
    print(f"{time.perf_counter() - started:.1f} s")
