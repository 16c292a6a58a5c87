"""Browser tier: a real Streamlit server (``python -m components.serve``, as ``make run`` starts it) driven by
Playwright in Debian's chromium.

Requests to anything but the local server are aborted, so the tests prove the app works offline.
Screenshots go to tests/browser/screenshots/ (git-ignored).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
CHROMIUM = os.environ.get("GTEC_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def browser_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("browser-ws") / "workspace.sqlite"


@contextmanager
def run_server(data_dir: Path, workspace: Path, log: Path) -> Iterator[str]:
    """Start the app as ``make run`` does (``python -m components.serve``: ``streamlit run app.py`` without the
    legacy pages/ mode) on a free port; yield its base URL once healthy; stop it afterwards."""
    port = _free_port()
    env = {**os.environ, "GTEC_DATA_DIR": str(data_dir), "GTEC_WORKSPACE": str(workspace)}
    cmd = [
        sys.executable,
        "-m",
        "components.serve",
        "--server.headless=true",
        f"--server.port={port}",
        "--server.address=127.0.0.1",
        "--browser.gatherUsageStats=false",
        "--server.fileWatcherType=none",
    ]
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                    if resp.read().strip() == b"ok":
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("streamlit did not start:\n" + log.read_text(errors="replace")[-3000:])
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def app_server(
    built_data_dir: Path, browser_workspace: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Base URL of a real Streamlit server on a free port, using the session's reference build."""
    log = tmp_path_factory.mktemp("server") / "streamlit.log"
    with run_server(built_data_dir, browser_workspace, log) as url:
        yield url


@pytest.fixture
def server_factory():
    """``with server_factory(data_dir, workspace, log) as url:`` a server of one's own (fresh process)."""
    return run_server


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Debian chromium not found at {CHROMIUM}: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser, app_server: str) -> Iterator[object]:
    """A fresh page (1440x900) whose requests outside the local server are aborted (offline proof)."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="fr-FR")
    blocked: list[str] = []

    def route(r):
        if r.request.url.startswith(app_server) or r.request.url.startswith(("data:", "blob:", "about:")):
            return r.continue_()
        blocked.append(r.request.url)
        return r.abort()

    context.route("**/*", route)
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    pg.blocked_requests = blocked  # type: ignore[attr-defined]
    yield pg
    context.close()


def _wait_idle(page, timeout: float = 30_000) -> None:
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout)
    page.wait_for_timeout(300)


def _screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def wait_idle():
    """``wait_idle(page)``: wait until the Streamlit script has finished its run."""
    return _wait_idle


@pytest.fixture
def screenshot():
    """``screenshot(page, name)``: full-page PNG under tests/browser/screenshots/, returns its path."""
    return _screenshot
