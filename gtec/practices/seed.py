"""The curated practices of the project documents (``data/practices_seed.toml``), loaded once into the workspace."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from gtec.core import auth
from gtec.practices import library
from gtec.storage.workspace import Workspace

SEED_PATH = Path(__file__).resolve().parents[2] / "data" / "practices_seed.toml"
#: The actor that loads the seed (audited as such); the seed is data of the project, not of a person.
SEED_ACTOR = auth.Actor("gtec-seed", "admin")


def read_seed(path: Path = SEED_PATH) -> list[dict[str, Any]]:
    """The entries of the seed file (``[[practice]]`` tables)."""
    return list(tomllib.loads(path.read_text(encoding="utf-8")).get("practice", []))


def ensure_seeded(ws: Workspace, path: Path = SEED_PATH) -> int:
    """Load the seed entries missing from the workspace; a cheap read when all are there. Returns how many added."""
    entries = read_seed(path)
    with ws.read() as conn:
        present = {r["seed_key"] for r in conn.all("SELECT seed_key FROM practices WHERE seed_key IS NOT NULL")}
    missing = [e for e in entries if e["key"] not in present]
    return library.load_seed(ws, SEED_ACTOR, missing) if missing else 0
