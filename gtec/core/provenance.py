"""Sources, vintages and statuses of figures (pure helpers; rendering lives in components.provenance)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from gtec.core.i18n import t

STATUSES: tuple[str, ...] = ("official", "estimate", "illustrative")
STATUS_COLOURS: dict[str, str] = {"official": "green", "estimate": "orange", "illustrative": "violet"}


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
        return self.title_en if lang == "en" and self.title_en else self.title_fr

    def note(self, lang: str) -> str:
        return self.note_en if lang == "en" and self.note_en else self.note_fr

    def status_label(self, lang: str) -> str:
        return t(f"status.{self.status}", lang)

    def short(self, lang: str) -> str:
        """One line: ``Title (publisher), vintage 2024, official``."""
        vintage = f"{t('provenance.vintage', lang)} {self.vintage}"
        return f"{self.title(lang)} ({self.publisher}), {vintage}, {self.status_label(lang)}"


def load_sources(conn: sqlite3.Connection) -> dict[str, Source]:
    """Every source of the reference store by id."""
    cols = "id, title_fr, title_en, publisher, url, licence, vintage, status, note_fr, note_en"
    return {r[0]: Source(*r) for r in conn.execute(f"SELECT {cols} FROM sources ORDER BY id")}
