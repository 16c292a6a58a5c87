"""A bounded load run of a co-creation session: simulated participants against a real Streamlit server.

Used by ``tests/browser/test_workshop_load.py`` (nothing lost, nothing double-counted, the wall shows it) and by
``benchmarks/bench_workshops.py`` (``wall_latency_p95_s``). The projector is a real page in chromium, signed in
as a facilitator, refreshing itself (``st.fragment(run_every=2.5 s)``); the participants are threads of this
process writing through the real write path (``participants.join``, ``contributions.post`` / ``vote`` on the
same workspace file the server reads: permission, ``BEGIN IMMEDIATE``, SQL budget check, audit row), which is
what their phones' page runs do server-side. The posts come at a steady pace over ``spread_s`` seconds (100 in
45 s: one every 0.45 s, the three workshops in turn) so that each shows in its workshop's "newest five" before
newer ones push it out; the votes are then cast all at once (a barrier), budget, double dots and one too many.

Latency of one post = first time the projector's DOM shows its text (polled every 100 ms by Playwright) minus
the time its write transaction committed, on one monotonic clock.
"""

from __future__ import annotations

import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from gtec.access import accounts
from gtec.core import auth
from gtec.core.errors import UserError
from gtec.core.i18n import t
from gtec.storage.workspace import Workspace
from gtec.workshops import contributions, participants, sessions

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("GTEC_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]
USERNAME, PASSWORD = "load-facilitator", "a long enough passphrase"
GROUPS = ("institution", "company", "jobseeker_learner", "training_body", "elected_official", "other")
_IDEA = re.compile(r"Idée (\d{3}) ·")
# Everything the projector shows that the checks read, in one evaluation of the page.
_READ_WALL = """() => {
  const gw = [...document.querySelectorAll('.gw')].pop();
  if (!gw) return null;
  const cols = [...gw.querySelectorAll('.col[data-track]')].map(c => ({
    track: Number(c.dataset.track),
    count: Number((c.querySelector('.sub').textContent.match(/(\\d+)\\s*$/) || [0, -1])[1]),
    top: [...((c.querySelector('ol') || {querySelectorAll: () => []}).querySelectorAll('.n'))]
      .map(n => Number(n.textContent)),
  }));
  const total = gw.querySelector('.bar span:nth-child(2) b');
  return {text: gw.innerText, cols, participants: total ? Number(total.textContent) : -1};
}"""


@dataclass
class LoadResult:
    code: str
    posted: int
    latencies_s: list[float]
    unseen: list[int]
    votes_ok: int
    refused: dict[str, int]
    errors: list[str]
    wall: dict = field(default_factory=dict)
    wall_matches_db_after_s: float | None = None

    @property
    def p95_s(self) -> float:
        return (
            statistics.quantiles(self.latencies_s, n=20)[18] if len(self.latencies_s) >= 20 else max(self.latencies_s)
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(data_dir: Path, workspace: Path, log: Path, *, timing: Path | None = None) -> Iterator[str]:
    """The app as ``make run`` starts it (``python -m components.serve``: no legacy pages/ mode, so the phone's first
    direct link opens its page) on a free loopback port (output to ``log``); yields its URL once healthy. With
    ``timing``, the server times its script runs into that file (``components.workshop_timing``)."""
    port = _free_port()
    env = {**os.environ, "GTEC_DATA_DIR": str(data_dir), "GTEC_WORKSPACE": str(workspace)}
    if timing is not None:
        env["GTEC_RUN_TIMING"] = str(timing)
    cmd = [sys.executable, "-m", "components.serve", "--server.headless=true", f"--server.port={port}",
           "--server.address=127.0.0.1", "--browser.gatherUsageStats=false",
           "--server.fileWatcherType=none"]  # fmt: skip
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
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


def _idle(page, timeout: float = 60_000) -> None:
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout)


def _dismiss_dialog(page) -> None:
    """Close Streamlit's "page not found" dialog a deep link may raise on the first run (it makes the page inert)."""
    try:
        page.locator("[role=dialog]").first.wait_for(timeout=2_000)
    except Exception:
        return
    page.keyboard.press("Escape")
    page.locator("[role=dialog]").first.wait_for(state="detached", timeout=10_000)


def open_projector(browser, base_url: str, ws: Workspace, title: str):
    """Sign a facilitator in, open the console, follow its link to the newest session's wall: ``(context, page)``."""
    admin = auth.Actor("cli:load", "admin")
    if accounts.get_account(ws, admin, USERNAME) is None:
        accounts.create_account(ws, admin, USERNAME, PASSWORD, "facilitator", "Animation charge")
    ctx = browser.new_context(viewport={"width": 1280, "height": 720}, locale="fr-FR")
    ctx.route("**/*", lambda r: r.continue_() if r.request.url.startswith((base_url, "data:", "blob:")) else r.abort())
    page = ctx.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{base_url}/sign-in")
    _idle(page, 90_000)
    _dismiss_dialog(page)
    box = page.get_by_role("textbox", name=t("auth.staff.username", "fr"))
    try:
        box.wait_for(timeout=90_000)
    except Exception:
        page.screenshot(path=str(ROOT / "tests" / "browser" / "screenshots" / "load_sign_in_failed.png"))
        raise
    box.fill(USERNAME)
    page.get_by_role("textbox", name=t("auth.staff.password", "fr")).fill(PASSWORD)
    page.get_by_role("button", name=t("auth.staff.submit", "fr"), exact=True).first.click()
    _idle(page)
    page.locator("[data-testid='stSidebarNav'] a[href$='/workshops']").click()
    _idle(page)
    page.get_by_role("link", name=t("workshop.console.wall", "fr")).click()
    _idle(page)
    page.locator(".gw").get_by_text(title).first.wait_for()
    return ctx, page


def read_wall(page) -> dict | None:
    return page.evaluate(_READ_WALL)


def db_state(ws: Workspace, code: str) -> dict:
    """What the workspace holds for the session: per-workshop counts and top dots, vote rows and counters."""
    with ws.read() as conn:
        counts = {int(r["track_id"]): int(r["n"]) for r in conn.all(
            "SELECT track_id, COUNT(*) AS n FROM workshop_contributions WHERE code = ? AND status = 'visible'"
            " GROUP BY track_id", (code,))}  # fmt: skip
        dots = conn.all(
            "SELECT c.track_id, COUNT(v.participant_id) AS n FROM workshop_contributions c LEFT JOIN workshop_votes v"
            " ON v.contribution_id = c.id WHERE c.code = ? GROUP BY c.id, c.track_id",
            (code,),
        )
        rows = int(conn.scalar(
            "SELECT COUNT(*) FROM workshop_votes v JOIN workshop_participants p ON p.id = v.participant_id"
            " WHERE p.code = ?", (code,)))  # fmt: skip
        used = int(
            conn.scalar("SELECT COALESCE(SUM(votes_used), 0) FROM workshop_participants WHERE code = ?", (code,))
        )
        over = int(conn.scalar(
            "SELECT COUNT(*) FROM workshop_participants p WHERE p.code = ? AND p.votes_used <>"
            " (SELECT COUNT(*) FROM workshop_votes v WHERE v.participant_id = p.id)", (code,)))  # fmt: skip
        people = int(conn.scalar("SELECT COUNT(*) FROM workshop_participants WHERE code = ?", (code,)))
    top: dict[int, list[int]] = {}
    for r in dots:
        top.setdefault(int(r["track_id"]), []).append(int(r["n"]))
    return {
        "counts": counts,
        "top": {k: sorted(v, reverse=True)[:5] for k, v in top.items()},
        "vote_rows": rows,
        "votes_used": used,
        "mismatched_counters": over,
        "participants": people,
    }


def wall_matches(wall: dict | None, db: dict) -> bool:
    """True when the projector shows the stored counts, top dots and participant total."""
    if not wall or wall["participants"] != db["participants"]:
        return False
    shown = {c["track"]: c for c in wall["cols"]}
    return all(
        shown.get(track, {}).get("count") == n and shown[track]["top"] == db["top"].get(track, [])
        for track, n in db["counts"].items()
    )


def run_room(
    browser,
    base_url: str,
    workspace: Path,
    *,
    n: int = 100,
    budget: int = 3,
    spread_s: float = 45.0,
    seed: int = 14,
    settle_s: float = 30.0,
) -> LoadResult:
    """One session of ``n`` participants in 3 workshops: spread posts, then all vote at once; measured."""
    ws = Workspace.open(workspace, keep_open=True)
    fac = auth.Actor("Animation charge (load-facilitator)", "facilitator")
    title = f"Charge {n} participants {int(time.time())}"
    s = sessions.create_session(ws, fac, title, [sessions.TrackSpec(f"Atelier {i + 1}") for i in range(3)],
                                vote_budget=budget)  # fmt: skip
    people = [
        participants.join(ws, s.code, GROUPS[i % 6], f"p{i}", s.tracks[i % 3].id, browser=f"load-{s.code}-{i}")[1]
        for i in range(n)
    ]
    sessions.set_phase(ws, fac, s.code, "contribute")
    ctx, page = open_projector(browser, base_url, ws, title)
    rng = random.Random(seed)
    delays = [i * spread_s / n + rng.uniform(0, 0.1) for i in range(n)]  # a steady room, workshops in turn
    committed: dict[int, float] = {}
    errors: list[str] = []
    lock = threading.Lock()
    start = time.perf_counter()

    def post(i: int) -> None:
        time.sleep(max(0.0, start + delays[i] - time.perf_counter()))
        try:
            contributions.post(ws, people[i], f"Idée {i:03d} · former près de chez soi aux métiers de l'industrie")
        except Exception as exc:  # collected: any failed write fails the run
            with lock:
                errors.append(f"post {i}: {exc!r}")
            return
        with lock:
            committed[i] = time.perf_counter()

    threads = [threading.Thread(target=post, args=(i,), daemon=True) for i in range(n)]
    for th in threads:
        th.start()
    seen: dict[int, float] = {}
    deadline = start + spread_s + settle_s
    while time.perf_counter() < deadline and (len(seen) < n or any(th.is_alive() for th in threads)):
        wall = read_wall(page)
        now = time.perf_counter()
        for match in _IDEA.findall(wall["text"] if wall else ""):
            seen.setdefault(int(match), now)
        page.wait_for_timeout(100)
    for th in threads:
        th.join(30)
    latencies = [seen[i] - committed[i] for i in committed if i in seen]
    unseen = sorted(i for i in committed if i not in seen)

    sessions.set_phase(ws, fac, s.code, "vote")
    ids = [c.id for c in contributions.list_contributions(ws, s.code)]
    refused: dict[str, int] = {}
    ok = [0]
    barrier = threading.Barrier(n)

    def vote(i: int) -> None:
        picks = random.Random(seed + i).sample(ids, budget + 1)
        plan = [picks[0], picks[0], *picks[1:]]  # a double dot, the budget, one dot too many
        barrier.wait()
        for cid in plan:
            try:
                contributions.vote(ws, people[i], cid)
            except UserError as exc:
                with lock:
                    refused[exc.code] = refused.get(exc.code, 0) + 1
            except Exception as exc:
                with lock:
                    errors.append(f"vote {i}: {exc!r}")
            else:
                with lock:
                    ok[0] += 1

    threads = [threading.Thread(target=vote, args=(i,), daemon=True) for i in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(120)
    db = db_state(ws, s.code)
    began = time.perf_counter()
    wall = read_wall(page)
    while not wall_matches(wall, db) and time.perf_counter() - began < settle_s:
        page.wait_for_timeout(200)
        wall = read_wall(page)
    matched = time.perf_counter() - began if wall_matches(wall, db) else None
    ctx.close()
    return LoadResult(s.code, len(committed), latencies, unseen, ok[0], refused, errors, wall or {}, matched)


def read_runs(log: Path) -> list[dict]:
    """The script runs the server timed so far (``components.workshop_timing``: one JSON line per run)."""
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]


def _next_run(log: Path, seen: int, *, fragment: bool, timeout_s: float = 120.0) -> tuple[dict, int]:
    """The first run after the ``seen`` first ones that is (or is not) a fragment run, waited for in the log."""
    deadline = time.monotonic() + timeout_s
    while True:
        runs = read_runs(log)
        for k in range(seen, len(runs)):
            if runs[k]["fragment"] == fragment and runs[k]["page"] == "workshop":
                return runs[k], len(runs)
        if time.monotonic() > deadline:
            raise RuntimeError(f"no {'fragment' if fragment else 'page'} run of the participant page was timed")
        time.sleep(0.05)


# Click a button and resolve with the browser-side time until ``text`` shows outside the text boxes (the posted idea
# in the fragment's confirmation): a MutationObserver on the whole document, so a fragment's partial redraw counts.
_CLICK_UNTIL_TEXT = """([label, text]) => new Promise((resolve, reject) => {
  const texts = '[data-testid="stMarkdownContainer"], [data-testid="stCaptionContainer"]';
  const shown = () => [...document.querySelectorAll(texts)]
    .some(e => !e.closest('textarea') && e.textContent.includes(text));
  const button = [...document.querySelectorAll('button')].find(b => b.textContent.trim() === label);
  if (!button) return reject(new Error('no button ' + label));
  const started = performance.now();
  const watch = new MutationObserver(() => {
    if (shown()) { watch.disconnect(); clearTimeout(timer); resolve(performance.now() - started); }
  });
  const timer = setTimeout(() => { watch.disconnect(); reject(new Error('not shown: ' + text)); }, 120000);
  watch.observe(document.body, {childList: true, subtree: true, characterData: true});
  button.click();
})"""


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] if len(values) >= 20 else max(values)


def participant_run_ms(
    browser, base_url: str, workspace: Path, timing_log: Path, *, ideas: int = 300, posts: int = 13, taps: int = 9
) -> dict:
    """Server time of the participant page (phone, 390x844) after posting, in a room of 100 participants and
    ``ideas`` ideas (a third in this phone's workshop). The server must run with ``GTEC_RUN_TIMING=timing_log``
    (:func:`serve` ``timing=``): each run's time is read from there, as the server's script runner measured it.

    Returns ``post_ms`` / ``post_p95_ms`` (the posting fragment's server run after each tap, the first one left
    out as warm-up), ``page_ms`` (the whole page re-running with its 100 cards, the refresh button: what every post
    cost before the form became a fragment), and ``post_client_ms`` (tap -> the posted idea shown, in the
    browser: network and drawing included, informative)."""
    ws = Workspace.open(workspace, keep_open=True)
    fac = auth.Actor("Animation charge (load-facilitator)", "facilitator")
    s = sessions.create_session(ws, fac, "Mesure téléphone", [sessions.TrackSpec(f"Atelier {i + 1}") for i in range(3)])
    people = [
        participants.join(ws, s.code, GROUPS[i % 6], f"p{i}", s.tracks[i % 3].id, browser=f"run-{s.code}-{i}")[1]
        for i in range(100)
    ]
    sessions.set_phase(ws, fac, s.code, "contribute")
    for i in range(ideas):
        contributions.post(ws, people[i % 100], f"Idée {i} : des visites d'entreprises pour les collégiens")
    token, _ = participants.join(ws, s.code, "company", "mesure", s.tracks[0].id, browser=f"run-{s.code}-me")
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="fr-FR")
    page = ctx.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{base_url}/workshop?p={token}")
    _idle(page, 90_000)
    _dismiss_dialog(page)
    page.locator("[class*='st-key-card_']").first.wait_for()
    box = page.get_by_role("textbox", name=t("workshop.post.label", "fr"))
    submit, refresh = t("workshop.post.submit", "fr"), t("workshop.me.refresh", "fr")
    post_ms, page_ms, client_ms = [], [], []
    for k in range(posts):
        text = f"Une idée de plus n° {k:02d}"
        box.fill(text)
        seen = len(read_runs(timing_log))
        client_ms.append(page.evaluate(_CLICK_UNTIL_TEXT, [submit, text]))
        run, seen = _next_run(timing_log, seen, fragment=True)
        post_ms.append(run["ms"])
        page.get_by_role("button", name=refresh).click()
        run, _ = _next_run(timing_log, seen, fragment=False)
        page_ms.append(run["ms"])
        _idle(page)
        page.locator(f"[class*='st-key-card_'] >> text={text}").first.wait_for()
    sessions.set_phase(ws, fac, s.code, "vote")
    vote, unvote, agree = (t(f"workshop.{k}", "fr") for k in ("card.vote", "card.unvote", "reaction.agree"))
    seen = len(read_runs(timing_log))
    page.get_by_role("button", name=refresh).click()
    vote_page, seen = _next_run(timing_log, seen, fragment=False)
    cards = page.locator("[class*='st-key-card_']")
    cards.first.get_by_role("button", name=vote).wait_for()
    budget, vote_ms = 5, []
    for k in range(taps):
        card = cards.nth(k)
        label, done = (vote, unvote) if k < budget else (agree, "✓ " + agree)
        seen = len(read_runs(timing_log))
        card.get_by_role("button", name=label, exact=True).click()
        run, seen = _next_run(timing_log, seen, fragment=True)
        vote_ms.append(run["ms"])
        card.get_by_role("button", name=done, exact=True).wait_for()
    left = t("workshop.me.tokens", "fr", left=0, total=budget)
    page.locator("[data-testid='stAlert']", has_text=left).wait_for()  # the dots-left line followed the taps
    ctx.close()
    with ws.read() as conn:
        stored = int(conn.scalar("SELECT COUNT(*) FROM workshop_contributions WHERE code = ?", (s.code,)))
    if stored != ideas + posts:
        raise RuntimeError(f"the phone's posts were not all stored ({stored} of {ideas + posts})")
    post, client = post_ms[1:], client_ms[1:]
    return {
        "post_ms": statistics.median(post),
        "post_p95_ms": _p95(post),
        "page_ms": statistics.median(page_ms[1:]),
        "post_client_ms": statistics.median(client),
        "post_client_p95_ms": _p95(client),
        "runs": post_ms,
        "vote_ms": statistics.median(vote_ms[1:]),
        "vote_p95_ms": _p95(vote_ms[1:]),
        "vote_page_ms": vote_page["ms"],
        "vote_runs": vote_ms,
    }
