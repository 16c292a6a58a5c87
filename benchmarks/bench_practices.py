"""Practices library search: ``practice_search_ms``, the median time of one search (both languages, accents and
case folded, through :func:`gtec.practices.library.find_practices` and its FTS5 index) over 1,000 practices of
about 2,000 characters each. Baseline: a LIKE scan of the same text columns in the same run (which, besides being
slower, folds neither accents nor non-ASCII case)."""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.run import entry, median_ms
from gtec.core import auth
from gtec.practices import library, search
from gtec.storage.workspace import Workspace

ADMIN = auth.Actor("bench", "admin")
WORDS_FR = [
    "alternance",
    "apprentissage",
    "ingénieurs",
    "entreprise",
    "territoire",
    "bassin",
    "emploi",
    "compétences",
    "métiers",
    "formation",
    "université",
    "partenariat",
    "atelier",
    "co-création",
    "recrutement",
    "tension",
    "soudeurs",
    "chaudronnerie",
    "logistique",
    "santé",
    "numérique",
    "transition",
    "écologique",
    "jeunes",
    "diplômés",
    "insertion",
    "mobilité",
    "élus",
    "branche",
    "filière",
    "industrie",
]
WORDS_EN = [
    "apprenticeship",
    "engineers",
    "business",
    "territory",
    "basin",
    "employment",
    "skills",
    "occupations",
    "training",
    "university",
    "partnership",
    "workshop",
    "co-creation",
    "hiring",
    "shortage",
    "welders",
    "logistics",
    "health",
    "digital",
    "transition",
    "graduates",
    "retention",
    "mobility",
    "officials",
    "sector",
    "industry",
    "knowledge",
    "transfer",
    "associate",
]
QUERIES = ("soudeurs", "metiers", "knowledge transfer", "ECOLOGIQUE", "université partenariat", "welders basin")


def _text(rng: random.Random, words: list[str], n: int) -> str:
    return " ".join(rng.choice(words) for _ in range(n))


def _entries(n: int) -> list[dict]:
    rng = random.Random(15)
    return [
        {
            "key": f"bench-{i}",
            "title_fr": _text(rng, WORDS_FR, 6),
            "title_en": _text(rng, WORDS_EN, 6),
            "summary_fr": _text(rng, WORDS_FR, 30),
            "summary_en": _text(rng, WORDS_EN, 30),
            "description_fr": _text(rng, WORDS_FR, 120),
            "description_en": _text(rng, WORDS_EN, 120),
            "country": rng.choice(library.COUNTRIES),
            "theme": rng.choice(library.THEMES),
            "results": _text(rng, WORDS_EN, 20),
            "status": "partner",
        }
        for i in range(n)
    ]


def _like(ws: Workspace, query: str) -> list[int]:
    sql, params = search.like_sql(query)
    with ws.read() as conn:
        return [r["id"] for r in conn.all(sql, params)]


def run(context: dict) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="gtec-bench-practices-"))
    ws = Workspace.open(tmp / "practices.sqlite")
    started = time.perf_counter()
    library.load_seed(ws, ADMIN, _entries(1000))
    load_s = time.perf_counter() - started
    fts = statistics.median(median_ms(lambda q=q: library.find_practices(ws, q), repeat=9) for q in QUERIES)
    like = statistics.median(median_ms(lambda q=q: _like(ws, q), repeat=5) for q in QUERIES)
    return {
        "practice_search_ms": entry(
            fts, "ms", like, 30,
            note=f"median over {len(QUERIES)} queries (FR/EN, with and without accents) of library.find_practices "
            f"on 1,000 practices (FTS5, unicode61 remove_diacritics 2, loaded in {load_s:.1f} s through "
            "Workspace.write); baseline = LIKE scan of the same columns",
        ),
    }  # fmt: skip
