"""The server-side run timer of the workshop benchmark (components.workshop_timing): off without its variable, one
JSON line per script run with it."""

from __future__ import annotations

import json

from streamlit.runtime.scriptrunner import script_runner
from streamlit.testing.v1 import AppTest

from components import workshop_timing


def _app() -> None:
    import streamlit as st

    if st.button("go"):
        st.write("done")


def test_run_timer_writes_one_line_per_run_only_when_asked(tmp_path, monkeypatch):
    # restored after the test: the timer patches the script runner class for the whole process
    monkeypatch.setattr(script_runner.ScriptRunner, "_run_script", script_runner.ScriptRunner._run_script)
    monkeypatch.setattr(workshop_timing, "_installed", [])
    log = tmp_path / "runs.jsonl"
    monkeypatch.delenv(workshop_timing.ENV, raising=False)
    assert workshop_timing.install_from_env() is False
    AppTest.from_function(_app).run()
    assert not log.exists()  # off: nothing written

    monkeypatch.setenv(workshop_timing.ENV, str(log))
    assert workshop_timing.install_from_env() is True
    at = AppTest.from_function(_app).run()
    at.button[0].click().run()
    runs = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert len(runs) == 2
    assert all(r["ms"] > 0 and r["fragment"] is False and {"page", "at"} <= set(r) for r in runs)
