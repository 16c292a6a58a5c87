"""Declarative list of the app's pages. ``app.py`` registers, for the current role, only the pages it may use.

Each page is one file in ``pages/``; a test checks that every file there is listed here.
"""

from __future__ import annotations

from dataclasses import dataclass

from gtec import auth


@dataclass(frozen=True)
class PageSpec:
    path: str  # file under pages/
    url_path: str  # stable URL whatever the language
    title_key: str  # i18n key of the title
    section_key: str  # i18n key of the navigation section
    icon: str
    permission: str | None = None  # action (gtec.auth.PERMISSIONS) needed to see the page; None = everyone
    default: bool = False


PAGES: tuple[PageSpec, ...] = (
    PageSpec(
        "pages/portrait.py",
        "portrait",
        "nav.portrait",
        "nav.section.territories",
        ":material/location_city:",
        default=True,
    ),
)


def pages_for(actor: auth.Actor) -> list[PageSpec]:
    """The pages ``actor`` may reach, in navigation order."""
    return [p for p in PAGES if p.permission is None or auth.can(actor, p.permission)]
