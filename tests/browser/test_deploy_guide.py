"""docs/deploy.md followed from scratch, for N app processes on one host behind nginx: with the SQLite workspace
(WAL, one file) and, when ``GTEC_TEST_PG_URL`` is set, with the workspace on PostgreSQL shared by the processes as
several hosts would share it (``GTEC_WORKSPACE_URL``, a fresh schema per run).

Each run starts ``deploy/run_multi.sh 2 <port> <base>`` as the guide says and checks what the guide promises:
every ``/_stcore/health`` answers ``ok`` directly and through the proxy; the proxy keeps a browser (its
``gtec_node`` cookie) on one process and spreads browsers over both; the security headers of the local site
(``deploy/nginx-local.conf.in``, which the production site ``deploy/nginx.conf`` also sends) are on every
answer and nginx does not give its version; a write made in the workspace (a saved custom territory) is shown by
every app process on its next page view (Streamlit's websocket protocol, as a browser speaks it).

Skipped with a clear message when nginx is not installed (``apt-get install -y nginx-light``; ``.ci/run`` installs
it) and, for the PostgreSQL run, when ``GTEC_TEST_PG_URL`` is not set (``.ci/postgres`` starts a server)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from gtec.core import auth
from gtec.storage.reference import connect_reference
from gtec.storage.workspace import Workspace
from gtec.territories import custom

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
PROCS = 2
ADMIN = auth.Actor("deploy-check", "admin")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _port_busy(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def _get(url: str, cookie: str | None = None) -> tuple[int, bytes, dict[str, str]]:
    """Status, body and headers (lower-case names) of a GET on the local proxy or an app process."""
    req = urllib.request.Request(url, headers={"Cookie": f"gtec_node={cookie}"} if cookie else {})
    with urllib.request.urlopen(req, timeout=15) as resp:  # local servers started by the fixture
        return resp.status, resp.read(), {k.lower(): v for k, v in resp.headers.items()}


def _local_site_headers() -> dict[str, str]:
    """``add_header`` names and values of the local site (``deploy/nginx-local.conf.in``), test-only ones aside."""
    text = (ROOT / "deploy" / "nginx-local.conf.in").read_text()
    found = dict(re.findall(r"add_header\s+([\w-]+)\s+(\S+)", text))
    found.pop("X-Gtec-Upstream", None)  # says which process answered: tests and troubleshooting only
    return {k.lower(): v.strip('"') for k, v in found.items()}


@pytest.fixture(params=["sqlite", "postgresql"], scope="module")
def deployment(request, built_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """``deploy/run_multi.sh 2 <port> <base>`` on the SQLite workspace or on a fresh PostgreSQL schema."""
    if NGINX is None:
        pytest.skip("nginx is not installed (apt-get install -y nginx-light): the deployment guide check is skipped")
    run_dir = tmp_path_factory.mktemp(f"deploy-{request.param}")
    env = {**os.environ, "GTEC_DATA_DIR": str(built_data_dir), "GTEC_RUN_DIR": str(run_dir / "run"), "NGINX": NGINX}
    env.pop("GTEC_WORKSPACE_URL", None)
    if request.param == "postgresql":
        base_url = os.environ.get("GTEC_TEST_PG_URL")
        if not base_url:
            pytest.skip("PostgreSQL tier: set GTEC_TEST_PG_URL=postgresql://user:password@host/db to run it")
        target = f"{base_url}{'&' if '?' in base_url else '?'}schema=gtec_deploy_{uuid.uuid4().hex[:10]}"
        env["GTEC_WORKSPACE_URL"] = target
    else:
        target = str(run_dir / "workspace.sqlite")
        env["GTEC_WORKSPACE"] = target
    port, base = _free_port(), _free_port()
    while any(_port_busy(base + i) for i in range(PROCS)):
        base = _free_port()
    log_path = run_dir / "run_multi.log"
    log = open(log_path, "wb")  # noqa: SIM115  # closed below
    command = ["sh", str(ROOT / "deploy" / "run_multi.sh"), str(PROCS), str(port), str(base)]
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        while b"gtec: ready" not in log_path.read_bytes():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(log_path.read_text(errors="replace")[-3000:])
            time.sleep(0.5)
        ports = [base + i for i in range(PROCS)]
        yield {"url": f"http://127.0.0.1:{port}", "ports": ports, "target": target, "data": built_data_dir}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def test_health_sticky_sessions_and_headers(deployment):
    url = deployment["url"]
    for port in deployment["ports"]:  # every app process, directly
        assert _get(f"http://127.0.0.1:{port}/_stcore/health")[1].strip() == b"ok"
    status, body, _ = _get(f"{url}/_stcore/health")
    assert status == 200 and body.strip() == b"ok"
    # sticky: one browser (cookie) stays on its process; browsers are spread over every process
    first = _get(f"{url}/_stcore/health", "browser-1")[2]["x-gtec-upstream"]
    assert all(_get(f"{url}/_stcore/health", "browser-1")[2]["x-gtec-upstream"] == first for _ in range(5))
    upstreams = {_get(f"{url}/_stcore/health", f"browser-{i}")[2]["x-gtec-upstream"] for i in range(40)}
    assert upstreams == {f"127.0.0.1:{p}" for p in deployment["ports"]}
    # the security headers of the guide, on the app's page and on its health check; no nginx version
    expected = _local_site_headers()
    assert {"x-frame-options", "x-content-type-options", "referrer-policy"} <= set(expected)
    production = (ROOT / "deploy" / "nginx.conf").read_text().lower()
    for name in expected:  # the public site (HTTPS) sends them too, with HSTS and a content security policy
        assert f"add_header {name}" in production, name
    assert "add_header strict-transport-security" in production
    assert "add_header content-security-policy" in production
    for path in ("/", "/_stcore/health"):
        _, _, got = _get(f"{url}{path}", "browser-1")
        for name, value in expected.items():
            assert got.get(name) == value, (path, name, got.get(name))
        assert got.get("server", "nginx") == "nginx"  # server_tokens off
    assert b"<title>" in _get(f"{url}/", "browser-1")[1]


async def _page_bytes(port: int, page: str, query: str) -> bytes:
    """Every ForwardMsg of one run of ``page`` on the app process at ``port``, as a browser receives it."""
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    origin = f"http://127.0.0.1:{port}"
    async with websockets.connect(
        f"ws://127.0.0.1:{port}/_stcore/stream", subprotocols=["streamlit"], origin=origin, max_size=None
    ) as ws:  # type: ignore[arg-type]
        msg = BackMsg()
        msg.rerun_script.query_string, msg.rerun_script.page_name = query, page
        await ws.send(msg.SerializeToString())
        received = b""
        while True:
            raw = await asyncio.wait_for(ws.recv(), 120)
            received += raw
            fwd = ForwardMsg()
            fwd.ParseFromString(raw)
            # a run that ends early for a rerun (the shell's page switch, a query-parameter update) is followed by
            # the run that draws the page: wait for the one that finishes
            if (
                fwd.WhichOneof("type") == "script_finished"
                and fwd.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN
            ):
                return received


def test_a_write_is_seen_by_every_process(deployment):
    name = f"Bassin de contrôle {uuid.uuid4().hex[:6]}"
    ws = Workspace.open(deployment["target"] if "://" in deployment["target"] else Path(deployment["target"]))
    ref = connect_reference(deployment["data"] / "reference.sqlite")
    try:
        members = [r[0] for r in ref.execute("SELECT id FROM territories WHERE level = 'epci' ORDER BY id LIMIT 2")]
        territory_id = custom.save(ws, ADMIN, ref, name, members)
    finally:
        ref.close()
    for port in deployment["ports"]:
        # in a thread of its own: the browser tests' Playwright (sync API) keeps an event loop running in this one
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            shown = pool.submit(asyncio.run, _page_bytes(port, "portrait", f"territory={territory_id}")).result()
        assert name.encode() in shown, f"process {port} does not show the territory saved in the workspace"
