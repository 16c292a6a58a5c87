"""Issue 13 "done when": in a real browser an admin imports a French-style CSV (cp1252, ';', decimal commas,
non-breaking thousands spaces, a title block) of an indicator for every commune of the reference store, sees it
summed on the EPCI map, imports a second version, sees the differences, and rolls back (the map follows each
step). Every wait is on a condition."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gtec.access import accounts
from gtec.core import auth
from gtec.core.i18n import t
from gtec.imports import store
from gtec.storage.reference import connect_reference
from gtec.storage.workspace import Workspace

pytestmark = pytest.mark.browser

USERNAME, PASSWORD = "import-admin", "a long enough import passphrase"
NAME = "Emplois salariés"
EPCI = "FR-EPCI-200067932"  # Golfe du Morbihan - Vannes agglomération
MAP = "div.gtec-map"


def _values(codes: list[str], bump_every: int = 0) -> dict[str, float]:
    out = {c: float(1000 + i % 90) for i, c in enumerate(codes)}
    if bump_every:
        out = {c: v + (2.0 if i % bump_every == 0 else 0.0) for i, (c, v) in enumerate(out.items())}
    return out


def _french_csv(path: Path, values: dict[str, float]) -> Path:
    lines = ["Observatoire régional de l'emploi;;", "Emplois salariés au lieu de travail, 2024;;", ";;"]
    lines.append("Code commune;Libellé;Emplois 2024")
    for code, value in values.items():
        text = f"{value:,.1f}".replace(",", "\u00a0").replace(".", ",")  # 1 000,0 with a non-breaking space
        lines.append(f"{code};Commune é;{text}")
    path.write_bytes("\r\n".join(lines).encode("cp1252"))
    return path


def _plain(text: str) -> str:
    return re.sub(r"[\s\u00a0\u202f]", "", text)


def _sign_in(page, app_server, wait_idle) -> None:
    page.goto(app_server)
    wait_idle(page, timeout=90_000)
    page.goto(f"{app_server}/sign-in")
    wait_idle(page, timeout=60_000)
    if page.locator("[role=dialog]").count():
        page.keyboard.press("Escape")
    page.get_by_role("textbox", name=t("auth.staff.username", "fr")).fill(USERNAME)
    page.get_by_role("textbox", name=t("auth.staff.password", "fr")).fill(PASSWORD)
    page.get_by_role("button", name=t("auth.staff.submit", "fr"), exact=True).click()
    wait_idle(page)
    page.locator("[data-testid='stSidebarNav'] a[href$='/imports']").click()
    wait_idle(page)
    page.get_by_role("heading", name=t("datasets.imports.title", "fr")).wait_for()


def _import(page, path: Path, wait_idle, version: int) -> None:
    page.locator("[data-testid='stFileUploader'] input[type=file]").first.set_input_files(str(path))
    page.get_by_text(t("datasets.report.ok", "fr")).wait_for(timeout=120_000)
    wait_idle(page)
    name = page.get_by_role("textbox", name=t("datasets.imports.name", "fr"))
    name.fill(NAME)
    name.press("Enter")
    wait_idle(page)
    page.get_by_role("button", name=t("datasets.imports.import", "fr"), exact=True).click()
    page.get_by_text(re.compile(rf"{t('datasets.imports.done', 'fr').split(':')[0]}.*version {version}\b")).wait_for(
        timeout=120_000
    )
    wait_idle(page)


def _epci_tooltip(map_page, app_server, indicator: str, wait_idle) -> str:
    """The map of the imported indicator at EPCI level, and the value its tooltip shows for :data:`EPCI`."""
    map_page.goto(f"{app_server}/map?level=epci&ind={indicator}&year=2024")
    wait_idle(map_page, timeout=90_000)
    map_page.locator(MAP).last.wait_for(timeout=60_000)
    map_page.wait_for_function(
        "() => window.gtecMap && document.querySelectorAll('div.gtec-map path.leaflet-interactive').length > 1000"
    )
    return map_page.evaluate(
        """(id) => { for (const l of Object.values(window.gtecMap._layers)) {
            if (l.feature && l.feature.id === id && l.getTooltip()) {
              l.openTooltip(l.getBounds().getCenter());
              return l.getTooltip().getElement().textContent; } }
          return null; }""",
        EPCI,
    )


def test_import_french_csv_map_second_version_diff_rollback(
    page, app_server, browser_workspace, built_data_dir, tmp_path, wait_idle, screenshot
):
    ws, cli = Workspace.open(browser_workspace), auth.Actor("cli:test", "admin")
    if accounts.get_account(ws, cli, USERNAME) is None:
        accounts.create_account(ws, cli, USERNAME, PASSWORD, "admin", "Import Admin")
    conn = connect_reference(built_data_dir / "reference.sqlite")
    codes = [r[0] for r in conn.execute("SELECT code FROM territories WHERE level = 'commune' ORDER BY code")]
    sql = "SELECT code FROM territories WHERE level = 'commune' AND parent_id = ?"
    members = [r[0] for r in conn.execute(sql, (EPCI,))]
    assert len(codes) > 30000 and members
    v1, v2 = _values(codes), _values(codes, bump_every=3)
    first, second = sum(v1[c] for c in members), sum(v2[c] for c in members)
    assert first != second

    _sign_in(page, app_server, wait_idle)
    _import(page, _french_csv(tmp_path / "emplois_communes_2024.csv", v1), wait_idle, 1)
    screenshot(page, "imports_done_fr")
    indicator = f"imp{store.dataset_id(ws, NAME)}_emplois"

    # the EPCI map: the sum of the EPCI's communes, marked as an imported figure
    map_page = page.context.new_page()
    tip = _epci_tooltip(map_page, app_server, indicator, wait_idle)
    assert tip and _plain(tip).endswith(f"{first:.0f}"), tip
    map_page.get_by_text(t("status.imported", "fr")).first.wait_for()
    screenshot(map_page, "imports_epci_map_fr")

    # a second version: the differences are listed (a third of the communes changed, by 2)
    _import(page, _french_csv(tmp_path / "emplois_communes_2024_v2.csv", v2), wait_idle, 2)
    page.get_by_role("tab", name=t("datasets.imports.tab_versions", "fr")).click()
    changed = sum(1 for i in range(len(codes)) if i % 3 == 0)
    summary = t("datasets.versions.diff_summary", "fr", changed=f"{changed:,}".replace(",", "\u202f"), added="0",
                removed="0")  # fmt: skip
    page.get_by_text(summary).wait_for()
    screenshot(page, "imports_diff_fr")
    tip = _epci_tooltip(map_page, app_server, indicator, wait_idle)
    assert _plain(tip).endswith(f"{second:.0f}"), tip

    # rollback: version 1 is shown again, on the map too
    page.get_by_role("button", name=t("datasets.versions.rollback", "fr"), exact=True).click()
    page.get_by_text(t("datasets.versions.rolled_back", "fr", number=1)).wait_for()
    tip = _epci_tooltip(map_page, app_server, indicator, wait_idle)
    assert _plain(tip).endswith(f"{first:.0f}"), tip
    assert [v["number"] for v in store.versions(ws, store.dataset_id(ws, NAME))] == [2, 1]
    for p in (page, map_page):
        assert p.locator("[data-testid='stException']").count() == 0
    assert not page.blocked_requests  # type: ignore[attr-defined]
