"""Load figures over the real server: 30 concurrent sessions speaking Streamlit's websocket protocol.

Each session opens one page (portrait, map or scenarios, in turn) with its own parameters and then reruns it
eight times, each time changing a widget the way a browser does (a BackMsg ``rerun_script`` carrying the
widget states; the client's message cache is honoured like the browser's: hashes of cacheable messages it has
received are sent back, so the server replaces those by references). A rerun's time is from the BackMsg to
the ``script_finished`` ForwardMsg. Bounded: 30 sessions x 9 runs, 120 s per run at most, and only the local
servers this module starts itself (127.0.0.1).

Figures, each beside a baseline measured in the same run:
- ``load_rerun_p95_ms_30``: 95th percentile of the reruns, one app process; baseline: the same load on the
  map page as it was before light maps (folium through streamlit-folium with the whole geometry per rerun,
  the full option lists and table), i.e. the page at git revision ``BASELINE_REV`` run from a temporary
  worktree against the same store;
- ``load_rerun_p95_ms_30_procs2``: the same load through two app processes (``components.serve --procs 2``;
  each session connects to one process, as the sticky proxy would put it); baseline: one process;
- ``load_reruns_per_s``: reruns per second over the whole load (higher is better, so ``ratio`` < 1 is good
  there); baseline: the old map page's run;
- ``map_rerun_bytes``: bytes of the ForwardMsgs (uncompressed protobuf) of one rerun of the national EPCI
  map after the first view (indicator change); baseline: the same rerun on the old page.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from benchmarks.run import entry

ROOT = Path(__file__).resolve().parents[1]
SESSIONS = 30
RERUNS = 8
RUN_TIMEOUT = 120.0
#: The last revision with the folium map page (the baseline of the light-map figures).
BASELINE_REV = "7cee3ef"
MAP_INDICATORS = ["Emplois", "Population", "Population active", "Emplois salariés"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
            return resp.read().strip() == b"ok"
    except OSError:
        return False


@contextmanager
def servers(procs: int = 1, cwd: Path = ROOT, log_dir: Path | None = None):
    """Start ``procs`` app processes (``components.serve``) on free local ports; yield their base URLs."""
    log_dir = log_dir or Path(tempfile.mkdtemp(prefix="gtec-load-"))
    # a workspace of the group's own: the baseline's code must not meet migrations newer than itself
    env = {**os.environ, "PYTHONPATH": str(cwd), "GTEC_WORKSPACE": str(log_dir / "workspace.sqlite")}
    env.setdefault("STREAMLIT_SERVER_COOKIE_SECRET", "bench-" + "0" * 26)
    started = []
    urls = []
    try:
        for i in range(procs):
            port = _free_port()
            cmd = [sys.executable, "-m", "components.serve", f"--server.port={port}", "--server.address=127.0.0.1",
                   "--server.headless=true", "--server.fileWatcherType=none"]  # fmt: skip
            out = open(log_dir / f"server-{i}.log", "wb")  # noqa: SIM115  # closed with the process below
            started.append((subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT), out))
            urls.append(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 120
        for url, (proc, _) in zip(urls, started, strict=True):
            while not _healthy(url):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"app server did not start (logs in {log_dir})")
                time.sleep(0.3)
        yield urls
    finally:
        for proc, _out in started:
            proc.terminate()
        for proc, out in started:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
            out.close()


class Session:
    """One browser-like session over the websocket (``websockets`` client, compression like the browser)."""

    def __init__(self, url: str, page: str, query: str) -> None:
        self.url, self.page, self.query = url, page, query
        self.widgets: dict[str, object] = {}  # id -> element proto (selectbox, slider...)
        self.states: dict[str, object] = {}  # id -> WidgetState sent with every rerun
        self.cached: set[str] = set()
        self.times: list[float] = []
        self.bytes: list[int] = []

    async def __aenter__(self) -> Session:
        import websockets

        ws_url = self.url.replace("http://", "ws://") + "/_stcore/stream"
        protocols = ["streamlit"]
        self.ws = await websockets.connect(
            ws_url,
            subprotocols=protocols,
            max_size=None,
            origin=self.url,
            open_timeout=60,  # type: ignore[arg-type]
        )
        return self

    async def __aexit__(self, *exc) -> None:
        await self.ws.close()

    async def run(self) -> tuple[float, int]:
        """Send one rerun with the current widget states; wait for its end. Returns (ms, bytes received)."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = self.query
        cs.page_name = self.page
        for state in self.states.values():
            cs.widget_states.widgets.add().CopyFrom(state)
        cs.cached_message_hashes.extend(sorted(self.cached))
        started = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        received = 0
        while True:
            raw = await asyncio.wait_for(self.ws.recv(), RUN_TIMEOUT)
            received += len(raw)
            fwd = ForwardMsg()
            fwd.ParseFromString(raw)
            if fwd.metadata.cacheable and fwd.hash:
                self.cached.add(fwd.hash)
            kind = fwd.WhichOneof("type")
            if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                element = fwd.delta.new_element
                widget = getattr(element, element.WhichOneof("type") or "", None)
                wid = getattr(widget, "id", "")
                if wid:
                    self.widgets[wid] = widget
            if kind == "script_finished" and fwd.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
                break
            if kind == "script_finished" and fwd.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                raise RuntimeError("the app did not compile")
        elapsed = (time.perf_counter() - started) * 1000
        return elapsed, received

    def widget(self, key: str):
        """The widget whose user key is ``key`` (Streamlit puts the key at the end of the widget id)."""
        for wid, proto in self.widgets.items():
            if wid.endswith(f"-{key}"):
                return wid, proto
        raise KeyError(key)

    def set_string(self, key: str, value: str) -> None:
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        wid, _ = self.widget(key)
        self.states[wid] = WidgetState(id=wid, string_value=value)

    def set_slider(self, key: str, rng: random.Random) -> None:
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        wid, proto = self.widget(key)
        if list(proto.options):  # st.select_slider: the browser sends the chosen option's label
            state = WidgetState(id=wid)
            state.string_array_value.data.append(rng.choice(list(proto.options)))
            self.states[wid] = state
            return
        steps = max(1, round((proto.max - proto.min) / (proto.step or 1)))
        value = proto.min + rng.randrange(steps + 1) * (proto.step or 1)
        state = WidgetState(id=wid)
        state.double_array_value.data.append(float(value))
        self.states[wid] = state


def _change(session: Session, step: int, rng: random.Random) -> None:
    """The widget change of rerun ``step`` on the session's page."""
    if session.page == "map":
        session.set_string("map_ind", MAP_INDICATORS[step % len(MAP_INDICATORS)])
    elif session.page == "scenarios":
        sliders = [w for w, p in session.widgets.items() if "-sc_" in w and hasattr(p, "max") and hasattr(p, "step")]
        key = sorted(sliders)[step % len(sliders)].rsplit("-", 1)[1]
        session.set_slider(key, rng)
    else:
        wid, proto = next((w, p) for w, p in session.widgets.items() if "-territory_select_" in w)
        options = list(proto.options)
        session.states[wid] = type(session.states.get(wid) or _state())(id=wid, string_value=rng.choice(options))


def _state():
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    return WidgetState()


PAGES = [
    ("", "territory=FR-EPCI-200067932"),  # the portrait is the default page: its page name is empty
    ("map", "level=epci&ind=employment"),
    ("scenarios", "territory=FR-BASIN-VANNES"),
]


async def _one(url: str, index: int, reruns: int) -> list[float]:
    page, query = PAGES[index % len(PAGES)]
    rng = random.Random(index)
    async with Session(url, page, query) as s:
        await s.run()  # the first view (not counted: a new session)
        times = []
        for step in range(reruns):
            with contextlib.suppress(KeyError, StopIteration, IndexError):
                _change(s, step, rng)  # (a widget this page does not draw for these parameters: a plain rerun)
            ms, _ = await s.run()
            times.append(ms)
        return times


def load(urls: list[str], sessions: int = SESSIONS, reruns: int = RERUNS) -> dict:
    """Run the load (session i on ``urls[i % len(urls)]``); p95 and median in ms, reruns per second."""

    async def main() -> tuple[list[list[float]], float]:
        started = time.perf_counter()
        results = await asyncio.wait_for(
            asyncio.gather(*(_one(urls[i % len(urls)], i, reruns) for i in range(sessions))), 900
        )
        return list(results), time.perf_counter() - started

    load_before = os.getloadavg()[0]
    results, seconds = asyncio.run(main())
    times = sorted(t for r in results for t in r)
    p95 = times[min(len(times) - 1, round(0.95 * len(times)) - 1)]
    load = (load_before, os.getloadavg()[0])  # the machine's 1-minute load average before and after the run
    n = len(times)
    return {"p95": p95, "median": statistics.median(times), "per_s": n / seconds, "n": n, "load": load}


def _load_note(*runs: dict) -> str:
    """`` Load average (1 min) before/after each run: 0.4/1.9; ...`` (other work on the machine slows every run)."""
    shown = "; ".join(f"{r['load'][0]:.1f}/{r['load'][1]:.1f}" for r in runs)
    return f" Load average (1 min) before/after each run: {shown} on {os.cpu_count()} cores."


def map_rerun_bytes(url: str) -> int:
    """Bytes received for one indicator change on the national EPCI map, after the first view."""

    async def main() -> int:
        async with Session(url, "map", "level=epci&ind=employment") as s:
            await s.run()
            s.set_string("map_ind", "Population")
            await s.run()  # warm: the second view of the page
            s.set_string("map_ind", "Population active")  # a view this session has not seen yet
            _, received = await s.run()
            return received

    return asyncio.run(main())


@contextmanager
def baseline_tree():
    """The files of ``BASELINE_REV`` (the folium map page) in a temporary directory (``git archive``)."""
    tmp = Path(tempfile.mkdtemp(prefix="gtec-baseline-"))
    try:
        archive = subprocess.run(["git", "archive", BASELINE_REV], cwd=ROOT, check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(tmp)], input=archive, check=True)
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(context: dict) -> dict:
    with servers(1) as urls:
        map_bytes = map_rerun_bytes(urls[0])
        one = load(urls)
    with servers(2) as urls:
        two = load(urls)
    with baseline_tree() as tree, servers(1, cwd=tree) as urls:
        old_bytes = map_rerun_bytes(urls[0])
        old = load(urls)
    n = f"{SESSIONS} sessions x {RERUNS} reruns, portrait/map/scenarios in turn"
    return {
        "load_rerun_p95_ms_30": entry(
            one["p95"], "ms", old["p95"], 2000,
            f"{n}, one process (median {one['median']:.0f} ms); baseline: the same load with the folium map page "
            f"of {BASELINE_REV} (median {old['median']:.0f} ms)." + _load_note(one, old),
        ),
        "load_rerun_p95_ms_30_procs2": entry(
            two["p95"], "ms", one["p95"], 2000,
            f"{n}, two app processes, each session on one (as behind the sticky proxy; median "
            f"{two['median']:.0f} ms) on {os.cpu_count()} cores; baseline: one process." + _load_note(two, one),
        ),
        "load_reruns_per_s": entry(
            one["per_s"], "reruns/s", old["per_s"], None,
            f"throughput of the same load, one process ({two['per_s']:.1f}/s with two); baseline: the folium map "
            f"page of {BASELINE_REV} (higher is better)." + _load_note(one, two, old),
        ),
        "map_rerun_bytes": entry(
            map_bytes / 1000, "KB", old_bytes / 1000, 100,
            "ForwardMsgs of one indicator change on the national EPCI map after the first view (uncompressed "
            f"protobuf; the websocket compresses it further); baseline: the folium map page of {BASELINE_REV}",
        ),
    }  # fmt: skip
