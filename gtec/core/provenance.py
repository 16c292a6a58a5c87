"""Sources, vintages and statuses of figures (pure helpers; rendering lives in components.provenance).

This module holds the one status ranking of the code base (:data:`STATUS_RANK`, :func:`weakest_status`):
maps, profiles and custom territories all ask it which of several statuses is the least reliable.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from gtec.core.fmt import MONTHS_EN as _MONTHS_EN
from gtec.core.fmt import MONTHS_FR as _MONTHS_FR
from gtec.core.i18n import choose, pick, t

#: The project's confidence marks ([H]/[M]/[L], "[M/L]") and editorial reminders ("(chiffre à vérifier)", "to
#: verify") are for the people who curate data/manifest.toml, never for the screen.
_EDITORIAL = re.compile(
    r"\s*\[(?:H|M|L)(?:/(?:H|M|L))?\]"
    r"|\s*\((?:chiffre |figure )?(?:à vérifier|to (?:be )?verif(?:y|ied))\)"
    r"|[,;:]?\s*(?:à vérifier|to verify)(?=\s*[:;.,)]|\s*$)"
    r"|\s*[:;]\s*(?:vérifier le millésime|check the vintage)",
    re.IGNORECASE,
)
#: Internal version labels of generated values ("generator v1", "calibration v1 (...)"): not a vintage.
_INTERNAL_VINTAGE = re.compile(r"^(?:generator|scenario|calibration)\s+v\d+\b", re.IGNORECASE)
_YEARS = re.compile(r"\d{4}(?:\s*[-–/]\s*\d{2,4})?")
#: English words of the curated vintages and their French form (whole phrases first).
_VINTAGE_WORDS_FR = (
    (re.compile(r"^(\d{4}) cohort$"), r"cohorte \1"),
    (re.compile(r"^(\d{4}) leavers$"), r"sortants \1"),
    (re.compile(r"^(.+) release$"), r"publication de \1"),
    (re.compile(r"^updated (.+)$"), r"mis à jour le \1"),
    (re.compile(r"press release of "), "communiqué du "),
    (re.compile(r" to "), " à "),
    (re.compile(r"\bFAP (\d{4}) domains\b"), r"domaines FAP \1"),
    (re.compile(r"\bdomains\b"), "domaines"),
    (re.compile(r"\bproject documents\b"), "documents du projet"),
    (re.compile(r"^(\d{4}-\d{4}) averages$"), r"moyennes \1"),
    (re.compile(r"^Jul-Sep (\d{4})$"), r"juillet-septembre \1"),
)
#: French words of the curated vintages (official French files) and their English form.
_VINTAGE_WORDS_EN = (
    (re.compile(r"^recensement (\d{4})"), r"\1 census"),
    (re.compile(r"^zonage (\d{4})$"), r"\1 zoning"),
    (re.compile(r"^PL (\d{4})$"), r"\1 legal population (PL \1)"),
    (re.compile(r"^(\d{4}) T([1-4])$"), r"\1 Q\2"),
    (re.compile(r" ; (\d{4}) au (\d{1,2}) octobre$"), r"; \1 to \2 October"),
    (re.compile(r"^projection (\d{4}-\d{4})$"), r"\1 projection"),
)


def public_text(text: object) -> str:
    """``text`` without the curators' confidence marks and editorial reminders (see :data:`_EDITORIAL`)."""
    if not isinstance(text, str):
        return ""
    cleaned = _EDITORIAL.sub("", _EDITORIAL.sub("", text))  # twice: a mark can hide a reminder before it
    return re.sub(r"\s{2,}", " ", cleaned).replace(" .", ".").replace(" ,", ",").strip()


def vintage_text(vintage: object, lang: str) -> str:
    """A vintage as readers see it: internal version labels dropped (only their years kept), English month
    names and words in French on French pages ("February 2025 release" -> "publication de février 2025")."""
    if not isinstance(vintage, str):
        return ""
    text = vintage.strip()
    if _INTERNAL_VINTAGE.match(text):
        years = _YEARS.search(text)
        return years.group(0) if years else ""
    if choose(lang, fr=True, en=False):
        for en, fr in zip(_MONTHS_EN, _MONTHS_FR, strict=True):
            text = re.sub(rf"\b{en}\b", fr, text)
        for pattern, repl in _VINTAGE_WORDS_FR:
            text = pattern.sub(repl, text)
    else:
        for pattern, repl in _VINTAGE_WORDS_EN:
            text = pattern.sub(repl, text)
    return text


#: Statuses from the most to the least reliable.
STATUSES: tuple[str, ...] = ("official", "estimate", "imported", "illustrative")  # imported: a user's file
#: Rank of each status (0 = most reliable); an unknown status ranks below every known one.
STATUS_RANK: dict[str, int] = {status: rank for rank, status in enumerate(STATUSES)}
STATUS_COLOURS: dict[str, str] = {
    "official": "green",
    "estimate": "orange",
    "imported": "blue",
    "illustrative": "violet",
}


def weakest_status(statuses: Iterable[object]) -> str:
    """The least reliable of several statuses (official < estimate < imported < illustrative < unknown).

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
        # the instance's own fields, not dataclasses.asdict (a deep copy on every call: pages ask often)
        return pick(vars(self), "title", lang)

    def note(self, lang: str) -> str:
        """The note in ``lang``, without the curators' marks (:func:`public_text`)."""
        return public_text(pick(vars(self), "note", lang))

    def vintage_text(self, lang: str) -> str:
        """The vintage as readers see it (:func:`vintage_text`)."""
        return vintage_text(self.vintage, lang)

    def status_label(self, lang: str) -> str:
        return t(f"status.{self.status}", lang)

    def cited(self, lang: str) -> str:
        """``Title (vintage)``, the vintage left out when the title already names it: "INSEE, base comparateur
        de territoires 2022 (recensement 2018)" with vintage "recensement 2018 (RP 2018)" is not followed by
        "(recensement 2018 (RP 2018))" again."""
        title = self.title(lang)
        vintage = self.vintage_text(lang)
        head = vintage.split(" (")[0].strip()
        if not head or head.casefold() in title.casefold():
            return title
        return f"{title} ({vintage})"

    def short(self, lang: str) -> str:
        """One line: ``Title (publisher), vintage 2024, official``."""
        vintage = f"{t('provenance.vintage', lang)} {self.vintage_text(lang)}"
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
