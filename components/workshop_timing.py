"""Server time of every script run, written to a file: how ``participant_run_ms`` is measured on a real server.

Off unless the server's environment names a file in ``GTEC_RUN_TIMING`` (the workshop benchmark sets it; a normal
server never does, and nothing is written then). Once on, each script run of the process (a whole page or a
fragment) appends one JSON line when it ends: ``{"ms": ..., "fragment": true|false, "page": "workshop", "at": ...}``,
``ms`` being the wall time Streamlit's script runner spent on the run, from picking up the rerun request to its
last message queued (the script or fragment itself, widget state, the end-of-run clean-up). Measured around
``ScriptRunner._run_script``, the one method every run goes through (Streamlit 1.67), so the figure is what the
server spends, not the network or the browser's drawing.
"""

from __future__ import annotations

import json
import os
import threading
import time
from typing import Any

ENV = "GTEC_RUN_TIMING"
#: Also profile each run (cProfile) into ``<dir>/run-<n>-<page|fragment>.prof`` when set (slows the runs: profiling).
PROFILE_ENV = "GTEC_RUN_PROFILE"
_installed: list[str] = []
_write_guard = threading.Lock()


def install_from_env() -> bool:
    """Start timing the script runs of this process when ``GTEC_RUN_TIMING`` names a file (once). True when on."""
    path = os.environ.get(ENV, "")
    if not path:
        return False
    if _installed:
        return True
    from streamlit.runtime.scriptrunner import script_runner
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    original = script_runner.ScriptRunner._run_script
    profile_dir = os.environ.get(PROFILE_ENV, "")
    count = [0]

    def timed(self: Any, rerun_data: Any) -> None:
        profiler = None
        if profile_dir:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        start = time.perf_counter()
        try:
            original(self, rerun_data)
        finally:
            if profiler is not None:
                profiler.disable()
                count[0] += 1
                kind = "fragment" if rerun_data.fragment_id_queue else "page"
                profiler.dump_stats(os.path.join(profile_dir, f"run-{count[0]:03d}-{kind}.prof"))
            ms = (time.perf_counter() - start) * 1000
            page = ""
            try:
                ctx = get_script_run_ctx()
                info = self._pages_manager.get_pages().get(ctx.page_script_hash, {}) if ctx else {}
                page = str(info.get("url_pathname", ""))
            except Exception:  # the page name is informative only: never break a run for it
                page = ""
            line = {"ms": round(ms, 3), "fragment": bool(rerun_data.fragment_id_queue), "page": page, "at": time.time()}
            with _write_guard, open(path, "a", encoding="utf-8") as out:
                out.write(json.dumps(line) + "\n")

    script_runner.ScriptRunner._run_script = timed  # type: ignore[method-assign]
    _installed.append(path)
    return True
