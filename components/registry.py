"""Declarative list of the app's pages. ``app.py`` registers, for the current role, only the pages it may use.

Each page is one file in ``pages/``; a test checks that every file there is listed here.
"""

from __future__ import annotations

from dataclasses import dataclass

from gtec.core import auth


@dataclass(frozen=True)
class PageSpec:
    path: str  # file under pages/
    url_path: str  # stable URL whatever the language
    title_key: str  # i18n key of the title
    section_key: str  # i18n key of the navigation section
    icon: str
    permission: str | None = None  # action (gtec.core.auth.PERMISSIONS) needed to see the page; None = everyone
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
    PageSpec("pages/map.py", "map", "nav.map", "nav.section.territories", ":material/map:"),
    PageSpec("pages/custom_basin.py", "custom-basin", "nav.custom_basin", "nav.section.territories", ":material/draw:"),
    PageSpec("pages/occupations.py", "occupations", "nav.occupations", "nav.section.territories", ":material/work:"),
    PageSpec("pages/datasets.py", "datasets", "nav.datasets", "nav.section.territories", ":material/dataset:"),
    PageSpec("pages/alternance.py", "alternance-ktp", "nav.alternance", "nav.section.tools", ":material/handshake:"),
    PageSpec(
        "pages/transferability.py",
        "transferability",
        "nav.transferability",
        "nav.section.tools",
        ":material/swap_horiz:",
    ),
    PageSpec("pages/scenarios.py", "scenarios", "nav.scenarios", "nav.section.tools", ":material/insights:"),
    PageSpec("pages/training.py", "training", "nav.training", "nav.section.tools", ":material/school:"),
    PageSpec("pages/practices.py", "practices", "nav.practices", "nav.section.network", ":material/menu_book:"),
    PageSpec(
        "pages/exchanges.py",
        "exchanges",
        "nav.exchanges",
        "nav.section.network",
        ":material/forum:",
        permission="exchange.post",
    ),
    PageSpec("pages/space.py", "space", "nav.space", "nav.section.network", ":material/lock:", permission="space.read"),
    PageSpec("pages/needs.py", "needs", "nav.needs", "nav.section.network", ":material/fact_check:"),
    PageSpec("pages/survey.py", "survey", "nav.survey", "nav.section.network", ":material/smartphone:"),
    PageSpec("pages/roadmap.py", "roadmap", "nav.roadmap", "nav.section.network", ":material/timeline:"),
    PageSpec("pages/partners.py", "partners", "nav.partners", "nav.section.network", ":material/apartment:"),
    PageSpec("pages/network.py", "network", "nav.network", "nav.section.network", ":material/hub:"),
    PageSpec("pages/sign_in.py", "sign-in", "nav.sign_in", "nav.section.admin", ":material/login:"),
    PageSpec("pages/workshop_join.py", "workshop", "nav.workshop_join", "nav.section.admin", ":material/smartphone:"),
    PageSpec(
        "pages/workshop_wall.py",
        "workshop-wall",
        "nav.workshop_wall",
        "nav.section.admin",
        ":material/cast:",
        permission="workshop.manage",
    ),
    PageSpec(
        "pages/admin_workshops.py",
        "workshops",
        "nav.admin_workshops",
        "nav.section.admin",
        ":material/groups:",
        permission="workshop.create",
    ),
    PageSpec(
        "pages/imports.py",
        "imports",
        "nav.imports",
        "nav.section.admin",
        ":material/upload_file:",
        permission="import.write",
    ),
    PageSpec(
        "pages/admin_users.py",
        "accounts",
        "nav.admin_users",
        "nav.section.admin",
        ":material/manage_accounts:",
        permission="user.manage",
    ),
    PageSpec(
        "pages/admin_settings.py",
        "settings",
        "nav.admin_settings",
        "nav.section.admin",
        ":material/settings:",
        permission="setting.change",
    ),
    PageSpec(
        "pages/admin_audit.py",
        "audit",
        "nav.admin_audit",
        "nav.section.admin",
        ":material/history:",
        permission="audit.read",
    ),
)


def pages_for(actor: auth.Actor) -> list[PageSpec]:
    """The pages ``actor`` may reach, in navigation order."""
    return [p for p in PAGES if p.permission is None or auth.can(actor, p.permission)]
