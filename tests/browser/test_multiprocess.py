"""Several app processes behind nginx, started as docs/deploy.md says (``deploy/run_multi.sh``): the proxy keeps a
browser on its process (cookie), health checks answer through it, and a workshop projector on one process sees
every contribution of two participants served by two other processes exactly once.

Skipped with a clear message when nginx is not installed (``apt-get install -y nginx-light``)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from gtec.access import accounts
from gtec.core import auth
from gtec.core.i18n import t
from gtec.storage.workspace import Workspace
from gtec.workshops import contributions, sessions

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
USERNAME, PASSWORD = "multi-facilitator", "a long enough passphrase"
IDEAS = [("Zoé", "company", "Des ateliers ouverts dans les usines du Morbihan"),
         ("Léa", "jobseeker_learner", "Un parrainage par des salariés de la filière")]  # fmt: skip

#: The texts of the items of every list of a wall column.
LISTS_JS = "(col) => Array.from(col.querySelectorAll('ol')).map(l => Array.from(l.children).map(i => i.textContent))"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, cookie: str | None = None) -> tuple[bytes, dict[str, str]]:
    """Body and headers (Set-Cookie values joined by newlines) of a GET on the local proxy."""
    req = urllib.request.Request(url, headers={"Cookie": f"gtec_node={cookie}"} if cookie else {})
    with urllib.request.urlopen(req, timeout=10) as resp:  # the local proxy
        headers = {k.lower(): v for k, v in resp.headers.items()}
        headers["set-cookie"] = "\n".join(resp.headers.get_all("Set-Cookie") or [])
        return resp.read(), headers


@pytest.fixture(scope="module")
def proxy(built_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """``deploy/run_multi.sh 3 <port> <base>``: three app processes behind nginx, one shared workspace."""
    if NGINX is None:
        pytest.skip("nginx is not installed (apt-get install -y nginx-light): the multi-process tier is skipped")
    run_dir = tmp_path_factory.mktemp("multi")
    workspace = run_dir / "workspace.sqlite"
    port, base = _free_port(), _free_port()
    while any(_port_busy(base + i) for i in range(3)):
        base = _free_port()
    env = {**os.environ, "GTEC_DATA_DIR": str(built_data_dir), "GTEC_WORKSPACE": str(workspace),
           "GTEC_RUN_DIR": str(run_dir / "run"), "NGINX": NGINX}  # fmt: skip
    log = open(run_dir / "run_multi.log", "wb")  # noqa: SIM115  # closed below
    proc = subprocess.Popen(["sh", str(ROOT / "deploy" / "run_multi.sh"), "3", str(port), str(base)], cwd=ROOT,
                            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while b"gtec: ready" not in (run_dir / "run_multi.log").read_bytes():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((run_dir / "run_multi.log").read_text(errors="replace")[-3000:])
            time.sleep(0.5)
        yield {"url": url, "workspace": workspace, "ports": [base, base + 1, base + 2]}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def _port_busy(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def _cookies_per_process(url: str, n: int) -> list[str]:
    """One ``gtec_node`` cookie value per app process (the proxy says which process answered)."""
    found: dict[str, str] = {}
    for i in range(200):
        value = f"test-{i:03d}"
        _, headers = _get(f"{url}/_stcore/health", value)
        found.setdefault(headers["x-gtec-upstream"], value)
        if len(found) == n:
            return list(found.values())
    raise AssertionError(f"the proxy spread 200 keys over {len(found)} processes only")


def test_proxy_health_and_sticky_sessions(proxy):
    body, headers = _get(f"{proxy['url']}/_stcore/health")
    assert body.strip() == b"ok"
    assert "gtec_node=" in headers.get("set-cookie", "") and headers["x-frame-options"] == "SAMEORIGIN"
    for port in proxy["ports"]:
        assert _get(f"http://127.0.0.1:{port}/_stcore/health")[0].strip() == b"ok"
    first = _get(f"{proxy['url']}/_stcore/health", "same-browser")[1]["x-gtec-upstream"]
    assert all(_get(f"{proxy['url']}/", "same-browser")[1]["x-gtec-upstream"] == first for _ in range(5))
    assert len(_cookies_per_process(proxy["url"], 3)) == 3


def _context(browser, url: str, cookie: str, **kw):
    ctx = browser.new_context(locale="fr-FR", **kw)
    ctx.add_cookies([{"name": "gtec_node", "value": cookie, "url": url}])

    def route(r):
        ok = r.request.url.startswith(url) or r.request.url.startswith(("data:", "blob:", "about:"))
        return r.continue_() if ok else r.abort()

    ctx.route("**/*", route)
    page = ctx.new_page()
    page.set_default_timeout(60_000)
    return ctx, page


def _idle(page, timeout: float = 60_000) -> None:
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout)
    page.wait_for_timeout(300)


def _dismiss_dialog(page) -> None:
    if page.locator("[role=dialog]").count():
        page.keyboard.press("Escape")
        page.wait_for_timeout(300)


def test_projector_and_two_phones_on_three_processes(browser, proxy, screenshot):
    url = proxy["url"]
    ws = Workspace.open(proxy["workspace"])
    cli = auth.Actor("cli:test", "admin")
    if accounts.get_account(ws, cli, USERNAME) is None:
        accounts.create_account(ws, cli, USERNAME, PASSWORD, "facilitator", "Anne Facilitatrice")
    fac = auth.Actor("Anne Facilitatrice (multi-facilitator)", "facilitator")
    s = sessions.create_session(ws, fac, "Atelier à plusieurs processus",
                                [sessions.TrackSpec("Rendre les métiers attractifs")], place="Vannes")  # fmt: skip
    sessions.set_phase(ws, fac, s.code, "contribute")
    wall_cookie, *phone_cookies = _cookies_per_process(url, 3)

    contexts = []
    try:
        ctx, wall = _context(browser, url, wall_cookie, viewport={"width": 1600, "height": 900})
        contexts.append(ctx)
        wall.goto(url)
        _idle(wall, 120_000)
        wall.goto(f"{url}/sign-in")
        _idle(wall)
        _dismiss_dialog(wall)
        wall.get_by_role("textbox", name=t("auth.staff.username", "fr")).fill(USERNAME)
        wall.get_by_role("textbox", name=t("auth.staff.password", "fr")).fill(PASSWORD)
        wall.get_by_role("button", name=t("auth.staff.submit", "fr"), exact=True).click()
        _idle(wall)
        wall.locator("[data-testid='stSidebarNav'] a[href$='/workshops']").click()
        _idle(wall)
        wall.get_by_role("link", name=t("workshop.console.wall", "fr")).click()
        _idle(wall)
        wall.locator(".gw").wait_for()

        for (nickname, group, idea), cookie in zip(IDEAS, phone_cookies, strict=True):
            ctx, phone = _context(browser, url, cookie, viewport={"width": 390, "height": 844}, is_mobile=True)
            contexts.append(ctx)
            phone.goto(f"{url}/workshop?code={s.code}")
            _idle(phone, 120_000)
            _dismiss_dialog(phone)
            phone.get_by_role("textbox", name=t("workshop.join.nickname", "fr")).fill(nickname)
            phone.get_by_text(t(f"workshop.group.{group}", "fr"), exact=True).click()
            phone.get_by_role("button", name=t("workshop.join.submit", "fr"), exact=True).click()
            _idle(phone)
            phone.get_by_role("textbox", name=t("workshop.post.label", "fr")).fill(idea)
            phone.get_by_role("button", name=t("workshop.post.submit", "fr"), exact=True).click()
            _idle(phone)
            phone.get_by_text(t("workshop.post.done_visible", "fr")).wait_for()

        for _, _, idea in IDEAS:  # the wall (another process) refreshes itself from the shared workspace
            wall.locator(".gw").get_by_text(idea).first.wait_for(timeout=30_000)
        wall.wait_for_timeout(3000)  # one more refresh cycle: nothing is drawn twice
        # the column lists its best and its newest contributions: each idea once in each list, never twice
        lists = wall.locator(".gw .col").first.evaluate(LISTS_JS)
        assert len(lists) == 2, lists
        for items in lists:
            for _, _, idea in IDEAS:
                assert sum(idea in item for item in items) == 1, (idea, items)
        assert wall.locator("[data-testid='stException']").count() == 0
        screenshot(wall, "multiprocess_wall_fr")
    finally:
        for ctx in contexts:
            ctx.close()
    assert sorted(c.text for c in contributions.list_contributions(ws, s.code)) == sorted(i[2] for i in IDEAS)
