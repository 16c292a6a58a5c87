"""Shared fixtures. Tests never touch the user's data: every store lives in a temporary directory.

``built_data_dir`` runs the real build once per test session (the same code as ``python -m gtec build``);
``GTEC_TEST_DATA_DIR`` may point at an already built directory to skip that step while iterating locally.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from gtec.build import pipeline
from gtec.storage import reference
from gtec.storage.workspace import Workspace


@pytest.fixture(scope="session")
def built_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A full reference build in a temporary directory; sets GTEC_DATA_DIR for the session."""
    reuse = os.environ.get("GTEC_TEST_DATA_DIR")
    if reuse and reference.check_reference(Path(reuse) / "reference.sqlite").ok:
        path = Path(reuse)
    else:
        path = tmp_path_factory.mktemp("gtec-data")
        pipeline.build_reference(path / "reference.sqlite")
    os.environ["GTEC_DATA_DIR"] = str(path)
    return path


@pytest.fixture
def workspace_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh, migrated workspace file for one test (GTEC_WORKSPACE points at it, for pages and the CLI)."""
    path = tmp_path / "workspace.sqlite"
    monkeypatch.setenv("GTEC_WORKSPACE", str(path))
    Workspace.open(path)
    return path


#: Suites whose ``ws`` tests run against both workspace backends. The PostgreSQL run needs a server:
#: ``GTEC_TEST_PG_URL=postgresql://user:password@host/db`` (``.ci/run`` starts one); without it, it is skipped.
BOTH_BACKENDS = frozenset(
    {
        "test_workshops.py",
        "test_workshop_concurrency.py",
        "test_workshop_report.py",
        "test_throttle.py",
        "test_auth_accounts.py",
        "test_settings.py",
        "test_practices.py",
        "test_custom_territories.py",
        "test_scenario_charts_store.py",
        "test_imports.py",
        "test_workspace_pg.py",
    }
)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # GTEC_TEST_PG_ALL=1: every suite taking ``ws`` runs on both backends (to try a new capability on PostgreSQL).
    every = os.environ.get("GTEC_TEST_PG_ALL") == "1"
    if "ws" in metafunc.fixturenames and (every or Path(str(metafunc.definition.path)).name in BOTH_BACKENDS):
        metafunc.parametrize("workspace_backend", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def workspace_backend(request: pytest.FixtureRequest) -> str:
    """``sqlite`` (default) or ``postgresql`` (suites of :data:`BOTH_BACKENDS`)."""
    return getattr(request, "param", "sqlite")


@pytest.fixture
def ws(workspace_path: Path, workspace_backend: str, monkeypatch: pytest.MonkeyPatch):
    """The workspace object of :func:`workspace_path`, as the app's edge would create it.

    For ``postgresql``: a fresh schema of the ``GTEC_TEST_PG_URL`` database (``GTEC_WORKSPACE_URL`` points at it,
    for pages and the CLI), dropped after the test.
    """
    if workspace_backend == "sqlite":
        yield Workspace(workspace_path)
        return
    url = os.environ.get("GTEC_TEST_PG_URL")
    if not url:
        pytest.skip("PostgreSQL tier: set GTEC_TEST_PG_URL=postgresql://user:password@host/db to run it")
    target = f"{url}{'&' if '?' in url else '?'}schema=gtec_test_{uuid.uuid4().hex[:12]}"
    monkeypatch.setenv("GTEC_WORKSPACE_URL", target)
    workspace = Workspace.open(target)
    try:
        yield workspace
    finally:
        workspace.drop()  # type: ignore[attr-defined]


@pytest.fixture
def open_page(built_data_dir: Path, workspace_path: Path):
    """Open a page through app.py as a given role: ``open_page("pages/map.py", "en", actor)`` -> AppTest.

    The one helper app tests use to sign a role in (the session keys that components.auth_ui reads) and to go
    through the shell (language, store and workspace checks, role-filtered navigation), like a browser does.
    """
    import time

    from streamlit.testing.v1 import AppTest

    from gtec.access import accounts
    from gtec.core import auth

    app = str(Path(__file__).resolve().parents[1] / "app.py")

    def _open(page: str | None = None, lang: str = "fr", actor: auth.Actor | None = None, timeout: float = 120):
        at = AppTest.from_file(app, default_timeout=timeout)
        at.session_state["lang"] = lang
        if actor is not None:
            at.session_state["actor"] = actor
            at.session_state["auth_clock"] = accounts.SessionClock.start(time.time())
        at.run()
        if page is not None:
            at.switch_page(page).run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return _open
