"""The reference build is atomic: a failed or killed build leaves the previous store usable."""

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gtec.build import pipeline
from gtec.storage import reference

ROOT = Path(__file__).resolve().parents[2]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def small_store(tmp_path_factory) -> Path:
    """A real build restricted to the Morbihan (56): same code path, a fraction of the time."""
    path = tmp_path_factory.mktemp("small") / "reference.sqlite"
    report = pipeline.build_reference(path, departements=["56"])
    assert report.counts["departements"] == 1
    return path


def test_small_build_is_usable(small_store):
    status = reference.check_reference(small_store)
    assert status.ok, status
    conn = reference.connect_reference(small_store)
    assert conn.execute("SELECT COUNT(*) FROM territories WHERE level = 'epci'").fetchone()[0] > 5
    with pytest.raises(sqlite3.OperationalError):
        conn.execute("DELETE FROM territories")  # opened read-only


def test_failed_build_keeps_previous_store(small_store, tmp_path):
    path = tmp_path / "reference.sqlite"
    path.write_bytes(small_store.read_bytes())
    before = _digest(path)

    def boom(_conn):
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        pipeline.build_reference(path, departements=["56"], _fail_after=boom)
    assert _digest(path) == before
    assert reference.check_reference(path).ok
    assert not list(tmp_path.glob("*.tmp-*")), "temporary file left behind"


def test_killed_build_keeps_previous_store(small_store, tmp_path):
    path = tmp_path / "reference.sqlite"
    path.write_bytes(small_store.read_bytes())
    before = _digest(path)
    env = {**os.environ, "GTEC_DATA_DIR": str(tmp_path)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "gtec", "build"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 30

    def written() -> int:
        return sum(f.stat().st_size for f in tmp_path.glob("reference.sqlite.tmp-*") if f.exists())

    while written() < 1_000_000 and time.monotonic() < deadline:  # killed only once it really writes the store
        time.sleep(0.05)
    assert written() >= 1_000_000, "the build never started writing its temporary store"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert _digest(path) == before
    assert reference.check_reference(path).ok
    # the next build cleans the orphaned temporary file up and succeeds
    pipeline.build_reference(path, departements=["56"])
    assert reference.check_reference(path).ok
    assert not list(tmp_path.glob("*.tmp-*"))


def test_missing_and_corrupt_stores_are_reported_not_raised(tmp_path):
    missing = reference.check_reference(tmp_path / "nope.sqlite")
    assert (missing.ok, missing.code) == (False, "missing")
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"this is not a database" * 100)
    status = reference.check_reference(bad)
    assert (status.ok, status.code) == (False, "corrupt")
    with pytest.raises(reference.StoreError) as err:
        reference.connect_reference(bad)
    assert err.value.code == "corrupt"


def test_cli_check_and_if_missing(small_store, tmp_path):
    env = {**os.environ, "GTEC_DATA_DIR": str(small_store.parent)}
    out = subprocess.run([sys.executable, "-m", "gtec", "check"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert out.returncode == 0 and "ok" in out.stdout
    out = subprocess.run(
        [sys.executable, "-m", "gtec", "build", "--if-missing"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0 and "ready" in out.stdout


def test_a_second_build_waits_or_refuses_and_never_breaks_the_first(small_store, tmp_path):
    """Two overlapping builds of one store: the second refuses (or waits), the first finishes intact."""
    import threading

    path = tmp_path / "reference.sqlite"
    path.write_bytes(small_store.read_bytes())
    writing, release = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def hold(conn):  # runs inside the first build, its temporary file written, just before the rename
        writing.set()
        release.wait(60)

    def first():
        try:
            outcome["first"] = pipeline.build_reference(path, departements=["56"], _fail_after=hold)
        except BaseException as exc:
            outcome["first"] = exc

    thread = threading.Thread(target=first)
    thread.start()
    assert writing.wait(120), "the first build never started writing"
    tmp_files = list(tmp_path.glob("reference.sqlite.tmp-*"))
    assert tmp_files and tmp_files[0].stat().st_size > 0
    with pytest.raises(pipeline.BuildBusy) as busy:
        pipeline.build_reference(path, departements=["56"], wait_s=0.3)
    assert busy.value.key == "build.error.busy" and str(os.getpid()) in str(busy.value.values["pid"])
    assert list(tmp_path.glob("reference.sqlite.tmp-*")) == tmp_files  # the running build's file is untouched
    release.set()
    thread.join(120)
    assert isinstance(outcome["first"], pipeline.BuildReport), outcome["first"]
    assert reference.check_reference(path).ok
    # once the first is done, a waiting build goes through
    pipeline.build_reference(path, departements=["56"], wait_s=5)
    assert reference.check_reference(path).ok
