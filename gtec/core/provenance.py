"""Sources, vintages and statuses of figures (pure helpers; rendering lives in components.provenance).

This module holds the one status ranking of the code base (:data:`STATUS_RANK`, :func:`weakest_status`):
maps, profiles and custom territories all ask it which of several statuses is the least reliable.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from gtec.core.i18n import pick, t

#: Statuses from the most to the least reliable.
STATUSES: tuple[str, ...] = ("official", "estimate", "illustrative")
#: Rank of each status (0 = most reliable); an unknown status ranks below every known one.
STATUS_RANK: dict[str, int] = {status: rank for rank, status in enumerate(STATUSES)}
STATUS_COLOURS: dict[str, str] = {"official": "green", "estimate": "orange", "illustrative": "violet"}


def weakest_status(statuses: Iterable[object]) -> str:
    """The least reliable of several statuses (official < estimate < illustrative < unknown).

    Empty values (None, NaN, "") are ignored; with nothing left the answer is ``illustrative``: a figure whose
    status is unknown is never presented as official.
    """
    found = [s for s in statuses if isinstance(s, str) and s]
    return max(found, key=lambda s: STATUS_RANK.get(s, len(STATUSES))) if found else "illustrative"


@dataclass(frozen=True)
class Source:
    id: str
    title_fr: str
    title_en: str
    publisher: str
    url: str
    licence: str
    vintage: str
    status: str
    note_fr: str = ""
    note_en: str = ""

    def title(self, lang: str) -> str:
        return pick(dataclasses.asdict(self), "title", lang)

    def note(self, lang: str) -> str:
        return pick(dataclasses.asdict(self), "note", lang)

    def status_label(self, lang: str) -> str:
        return t(f"status.{self.status}", lang)

    def short(self, lang: str) -> str:
        """One line: ``Title (publisher), vintage 2024, official``."""
        vintage = f"{t('provenance.vintage', lang)} {self.vintage}"
        return f"{self.title(lang)} ({self.publisher}), {vintage}, {self.status_label(lang)}"


def load_sources(conn: Any) -> dict[str, Source]:
    """Every source of the reference store by id."""
    cols = "id, title_fr, title_en, publisher, url, licence, vintage, status, note_fr, note_en"
    return {r[0]: Source(*r) for r in conn.execute(f"SELECT {cols} FROM sources ORDER BY id")}


def split_source_ids(ids: object) -> list[str]:
    """Source ids of a figure computed from several sources (``"a + b"`` or ``"a,b"``), in order, no blanks."""
    if not isinstance(ids, str):
        return []
    return [s.strip() for s in ids.replace(" + ", ",").split(",") if s.strip()]
