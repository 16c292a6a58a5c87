"""Full-text search over the practices library, in both languages, with case and accent folding.

The index is an FTS5 table (``practices_fts``, migration 0009) whose ``unicode61 remove_diacritics 2``
tokenizer folds case and accents on both sides: "metier", "MÉTIER" and "métier" find the same rows. The query a
person types is never passed as FTS syntax: it is cut into words and each word is quoted, so ``"``, ``*``,
``NEAR`` or ``-`` are plain text. Every word must match (prefix match, so "apprenti" finds "apprentissage").
FTS5 is SQLite's: on a PostgreSQL workspace :func:`match_sql` uses the ``tsvector`` table the migration translator
makes of it (same columns, same folding), behind the same function.
"""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"\w+", re.UNICODE)
MAX_WORDS = 12


def words(query: str) -> list[str]:
    """The words of ``query`` (letters and digits), at most :data:`MAX_WORDS`; punctuation is dropped."""
    return _WORD.findall(query or "")[:MAX_WORDS]


def fts_query(query: str) -> str:
    """An FTS5 MATCH expression for ``query``: each word quoted and prefix-matched, all words required.

    Returns ``""`` when the query has no word (the caller then lists everything).
    """
    return " ".join(f'"{w}"*' for w in words(query))


def fold(text: str) -> str:
    """Case- and accent-folded text (for the LIKE baseline and for tests): "Métier" -> "metier"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def pg_tsquery(query: str) -> str:
    """The PostgreSQL ``tsquery`` text for ``query``: each word prefix-matched, all words required (``""`` if none).

    Words are letters and digits only (:func:`words`), so no tsquery operator can come from the person's text.
    """
    return " & ".join(f"{w}:*" for w in words(query))


def match_sql(query: str, dialect: str = "sqlite") -> tuple[str, list[str]]:
    """``(sql, params)`` of the ids of practices matching ``query``, best first. Empty query: no filter.

    SQLite: the FTS5 index, ranked by BM25. PostgreSQL (``dialect="postgresql"``, the translated index of
    :mod:`gtec.storage.pgsql`: a ``tsvector`` of the same columns, accents and case folded by ``gtec_fold``, GIN
    index): prefix ``tsquery`` folded the same way, ranked by ``ts_rank``.
    """
    expr = fts_query(query)
    if not expr:
        return "SELECT id FROM practices ORDER BY id", []
    if dialect == "postgresql":
        tsq = "to_tsquery('simple', gtec_fold(?))"
        return (
            f"SELECT rowid AS id FROM practices_fts WHERE search_document @@ {tsq}"
            f" ORDER BY ts_rank(search_document, {tsq}) DESC, rowid",
            [pg_tsquery(query), pg_tsquery(query)],
        )
    return "SELECT rowid AS id FROM practices_fts WHERE practices_fts MATCH ? ORDER BY bm25(practices_fts)", [expr]


#: Text columns the LIKE baseline scans (the same as the index).
TEXT_COLUMNS = (
    "title_fr",
    "title_en",
    "summary_fr",
    "summary_en",
    "description_fr",
    "description_en",
    "results",
    "conditions",
    "barriers",
    "contact_org",
)


def like_sql(query: str) -> tuple[str, list[str]]:
    """The naive baseline: a LIKE scan of every text column for every word (case-folded by SQLite for ASCII only,
    accents not folded). Kept for the benchmark, not used by the app."""
    ws = words(query)
    if not ws:
        return "SELECT id FROM practices ORDER BY id", []
    blob = " || ' ' || ".join(TEXT_COLUMNS)
    clauses = " AND ".join(f"({blob}) LIKE ?" for _ in ws)
    return f"SELECT id FROM practices WHERE {clauses} ORDER BY id", [f"%{w}%" for w in ws]
