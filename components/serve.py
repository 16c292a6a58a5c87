"""``python -m components.serve [--procs N] [--base-port P] [streamlit options]``: the app server.

One process (default): ``streamlit run app.py`` without the legacy pages/ mode. Streamlit treats an app with a
``pages/`` folder as a legacy multipage app until ``st.navigation`` has run once in the process: a direct link
opened first after a restart then shows a "Page not found" dialog (or runs a page file without app.py, which
``components.shell.page_guard`` catches). Starting the server through this module turns that mode off before
the first session, so every run goes through app.py. ``make run`` uses it.

Several processes (``--procs N``, see docs/deploy.md): N such servers on ports ``P .. P+N-1`` of one host,
behind a proxy that keeps each browser on its process (deploy/nginx.conf). They share the one reference store
and the one SQLite workspace (WAL; every write is one short ``BEGIN IMMEDIATE`` transaction), and one cookie
secret (``STREAMLIT_SERVER_COOKIE_SECRET``, generated for the group when none is configured). The workspace's
pending migrations are applied once, here, before any process starts. The launcher waits for every
``/_stcore/health`` to answer ``ok``, restarts a process that dies, and stops them all on SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    parser.add_argument("--procs", type=int, default=1)
    parser.add_argument("--base-port", type=int, default=8601)
    parser.add_argument("--address", default="127.0.0.1")
    known, rest = parser.parse_known_args(args)
    if known.procs > 1:
        return serve_many(known.procs, known.base_port, known.address, rest)
    return serve_one(rest)


def serve_one(options: list[str]) -> int:
    """Run one Streamlit server in this process (blocks until it stops)."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli

    PagesManager.uses_pages_directory = False  # read once, at the first session: app.py always uses st.navigation
    from components.guards import protect_server_caches

    protect_server_caches()  # before the first client connects
    _skip_altair_validation()
    _preload()
    app = str(ROOT / "app.py")
    return cli.main.main(args=["run", app, *options], prog_name="streamlit", standalone_mode=False) or 0


#: Modules the pages need, imported before the first session: otherwise the first visitors of a fresh process
#: wait, all at once, for Altair, folium, the map layers and the scenario engine to load (seconds on 2 cores).
PRELOAD = ("altair", "components.charts", "components.data", "components.map_view", "components.scenario_ui",
           "components.territory_picker", "components.figure_card", "gtec.scenarios.engine")  # fmt: skip


def _preload() -> None:
    import importlib
    import logging

    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except Exception:  # a page that cannot import shows its own error to its visitor, as before
            logging.getLogger("gtec").warning("preload of %s failed", name, exc_info=True)


def _skip_altair_validation() -> None:
    """Altair validates every object it builds against the Vega-Lite JSON schema ("debug mode"): under a room's
    load that was a tenth of the server's time, on charts whose builders the tests validate (``to_dict()``).
    The server turns it off; tests and the CLI keep it."""
    try:
        from altair.utils import schemapi

        schemapi.disable_debug_mode()
    except (ImportError, AttributeError):  # another Altair: validation stays on
        pass


def healthy(url: str, timeout: float = 2.0) -> bool:
    """True when ``<url>/_stcore/health`` answers ``ok`` (``url`` is a local http:// address)."""
    if not url.startswith("http://"):
        raise ValueError(url)
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=timeout) as resp:  # noqa: S310  # http only
            return resp.read().strip() == b"ok"
    except OSError:
        return False


def wait_healthy(urls: list[str], timeout: float = 120.0) -> bool:
    """Wait until every server answers its health check (False after ``timeout`` seconds)."""
    deadline = time.monotonic() + timeout
    pending = list(urls)
    while pending and time.monotonic() < deadline:
        pending = [u for u in pending if not healthy(u)]
        if pending:
            time.sleep(0.3)
    return not pending


def _migrate_once() -> None:
    from gtec.core import config
    from gtec.storage.workspace import Workspace

    Workspace.open(config.workspace_target())  # applies pending migrations once, before N processes race for it


def child_command(port: int, address: str, options: list[str]) -> list[str]:
    """The command of one app process of the group."""
    return [
        sys.executable,
        "-m",
        "components.serve",
        f"--server.port={port}",
        f"--server.address={address}",
        "--server.headless=true",
        *options,
    ]


def serve_many(procs: int, base_port: int, address: str, options: list[str]) -> int:
    """Start ``procs`` app processes and supervise them until SIGTERM/SIGINT."""
    _migrate_once()
    env = dict(os.environ)
    env.setdefault("STREAMLIT_SERVER_COOKIE_SECRET", secrets.token_hex(32))  # one secret for the whole group
    ports = [base_port + i for i in range(procs)]
    children: dict[int, subprocess.Popen] = {}

    def start(port: int) -> None:
        children[port] = subprocess.Popen(child_command(port, address, options), cwd=ROOT, env=env)

    stopping = False

    def stop(_signum, _frame) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for port in ports:
        start(port)
    urls = [f"http://{address}:{p}" for p in ports]
    if wait_healthy(urls):
        print(f"gtec: {procs} app processes ready on {', '.join(urls)}", flush=True)
    else:
        print("gtec: some app processes did not answer their health check", file=sys.stderr, flush=True)
    try:
        while not stopping:
            for port, child in list(children.items()):
                if child.poll() is not None and not stopping:
                    print(f"gtec: app process on port {port} exited ({child.returncode}); restarting", flush=True)
                    start(port)
            time.sleep(0.5)
    finally:
        for child in children.values():
            if child.poll() is None:
                child.terminate()
        for child in children.values():
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
