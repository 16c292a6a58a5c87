"""Peer learning in a real browser (issue 15, "Done when"): a practice created in French is found from the English
interface by a word of its description and by an accented word typed without accents; a peer exchange runs from
questions to recommendations and is closed; a document uploaded into a secure space is stored encrypted, a
non-member cannot get it even with its link, and a revoked member loses access at once, even with the download
button already on their screen.

One server of its own, started with a space key (the deployment's secret) and a fresh workspace.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from gtec.access import accounts
from gtec.core import auth
from gtec.core.i18n import t
from gtec.storage.workspace import Workspace

pytestmark = pytest.mark.browser

PASSWORD = "a long enough passphrase"
PEOPLE = {"claire": "Claire Martin", "tom": "Tom Baker", "eve": "Eve Dupont"}
TITLE = "Forum des métiers de l'industrie"
DESCRIPTION = "Chaque printemps, les soudeurs et chaudronniers du bassin accueillent des élèves de collège."
SECRET = "Compte rendu confidentiel : budget 4242 euros pour le pilote.\n"


def _actor(username: str) -> auth.Actor:
    return auth.Actor(f"{PEOPLE[username]} ({username})", "facilitator")


def _idle(page) -> None:
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=90_000)
    page.wait_for_timeout(300)


def _signed_in(browser, url: str, username: str):
    ctx = browser.new_context(viewport={"width": 1280, "height": 720}, locale="fr-FR", accept_downloads=True)
    ctx.route("**/*", lambda r: r.continue_() if r.request.url.startswith((url, "data:", "blob:")) else r.abort())
    page = ctx.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{url}/sign-in")
    _idle(page)
    try:  # "page not found" on a deep link makes the page inert until closed
        page.locator("[role=dialog]").first.wait_for(timeout=2_000)
        page.keyboard.press("Escape")
    except Exception:
        pass
    page.get_by_role("textbox", name=t("auth.staff.username", "fr")).fill(username)
    page.get_by_role("textbox", name=t("auth.staff.password", "fr")).fill(PASSWORD)
    _click(page, t("auth.staff.submit", "fr"))
    page.locator("[data-testid='stSidebarNav'] a[href$='/space']").wait_for()  # signed in: the space is listed
    return ctx, page


def _go(page, slug: str) -> None:
    _run(page, lambda: page.locator(f"[data-testid='stSidebarNav'] a[href$='/{slug}']").click())


def _open_link(page, path: str) -> None:
    """Open an app link inside the signed-in session (as clicking a link in the app does: no new session)."""
    page.evaluate("(p) => { history.pushState({}, '', p); dispatchEvent(new PopStateEvent('popstate')); }", path)
    _idle(page)


_WATCH = """() => { window.__runs = []; const app = document.querySelector("[data-testid='stApp']");
  new MutationObserver(() => window.__runs.push(app.dataset.testScriptState))
    .observe(app, {attributes: true, attributeFilter: ['data-test-script-state']}); }"""


def _run(page, action) -> None:
    """Do ``action`` (a click) and wait for the run it starts to finish, not merely for the state before it."""
    page.evaluate(_WATCH)
    action()
    # a run that starts and ends within one frame never changes the attribute (React draws the final state only):
    # go on when the app is idle; the caller then waits for what the run must show
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function("() => window.__runs.includes('notRunning')", timeout=20_000)
    _idle(page)


def _click(page, name: str) -> None:
    _run(page, lambda: page.get_by_role("button", name=name, exact=True).first.click())


def test_practice_exchange_and_secure_space(browser, server_factory, built_data_dir, tmp_path, monkeypatch, screenshot):
    monkeypatch.setenv("GTEC_SPACE_KEY", Fernet.generate_key().decode())
    workspace = tmp_path / "workspace.sqlite"
    ws = Workspace.open(workspace)
    admin = auth.Actor("cli:test", "admin")
    for username, name in PEOPLE.items():
        accounts.create_account(ws, admin, username, PASSWORD, "facilitator", name)
    from gtec.practices import exchanges, library, space

    contexts = []
    with server_factory(built_data_dir, workspace, tmp_path / "server.log") as url:
        try:
            # 1. Claire contributes a practice in French only.
            ctx, claire = _signed_in(browser, url, "claire")
            contexts.append(ctx)
            _go(claire, "practices")
            claire.get_by_role("textbox", name=t("practices.field.title_fr", "fr"), exact=True).wait_for(
                timeout=120_000
            )
            claire.get_by_role("textbox", name=t("practices.field.title_fr", "fr"), exact=True).fill(TITLE)
            claire.get_by_role("textbox", name=t("practices.field.summary_fr", "fr"), exact=True).fill(
                "Des entreprises présentent leurs métiers aux jeunes du territoire."
            )
            claire.get_by_role("textbox", name=t("practices.field.description_fr", "fr"), exact=True).fill(DESCRIPTION)
            _click(claire, t("practices.save", "fr"))
            claire.get_by_text(t("practices.saved", "fr", id=6)).wait_for()
            (created,) = library.find_practices(ws, "soudeurs")
            assert created["title_fr"] == TITLE and library.missing_languages(created) == ["en"]

            # 2. From the English interface: a word of the description, then an accented word typed without accents.
            claire.locator("[data-testid='stSidebar']").get_by_text("English", exact=True).click()
            _idle(claire)
            claire.get_by_text(t("practices.title", "en")).first.wait_for()
            search = claire.get_by_role("textbox", name=t("practices.search", "en"))
            for query in ("soudeurs", "eleves"):
                search.fill(query)
                search.press("Enter")
                _idle(claire)
                claire.get_by_text(t("practices.count", "en", count=1)).wait_for()
                claire.locator("[data-testid='stExpander']").get_by_text(TITLE).first.wait_for()
            screenshot(claire, "practices_found_from_english")
            claire.locator("[data-testid='stSidebar']").get_by_text("Français", exact=True).click()
            _idle(claire)

            # 3. A peer exchange from questions to recommendations, then closed.
            ex_id = exchanges.create_exchange(
                ws, _actor("claire"), title="Échange forum des métiers", kind="practice", host_org="Pays de Vannes",
                host_country="FR", peers=[("Leeds College", "UK"), ("Forem", "BE")], practice_id=created["id"],
            )  # fmt: skip
            _go(claire, "exchanges")
            claire.get_by_role("textbox", name=t("exchange.question", "fr")).fill(
                "Comment les élèves sont-ils choisis ?"
            )
            _click(claire, t("exchange.post", "fr"))
            claire.get_by_text("Comment les élèves sont-ils choisis").first.wait_for()
            claire.get_by_text(t("exchange.reply", "fr"), exact=True).first.click()
            claire.get_by_role("textbox", name=t("exchange.reply_label", "fr")).fill("Par les collèges du bassin.")
            _click(claire, t("exchange.reply_send", "fr"))
            claire.get_by_text("Par les collèges du bassin").first.wait_for()
            claire.get_by_role("textbox", name=t("exchange.field.attendees", "fr")).fill("Claire Martin\nTom Baker")
            claire.get_by_role("textbox", name=t("exchange.report.findings", "fr")).fill("Les PME participent.")
            _click(claire, t("exchange.save_meeting", "fr"))
            claire.get_by_role("textbox", name=t("exchange.col.recommendation", "fr")).fill("Essai à Leeds en 2027")
            claire.get_by_role("textbox", name=t("exchange.col.owner", "fr")).fill("Tom Baker")
            _click(claire, t("exchange.add_reco", "fr"))
            claire.locator("[data-testid='stDataFrame'] td", has_text="EXF-").first.wait_for(state="attached")
            _click(claire, t("exchange.close", "fr"))
            claire.get_by_text(t("exchange.closed_note", "fr", at="", by="")[:12]).first.wait_for()
            screenshot(claire, "exchange_closed")
            ex = exchanges.load_exchange(ws, ex_id)
            assert ex["phase"] == "closed" and ex["attendees"] == ["Claire Martin", "Tom Baker"]
            assert [(p["body"], p["parent_id"] is not None) for p in ex["posts"]] == [
                ("Comment les élèves sont-ils choisis ?", False),
                ("Par les collèges du bassin.", True),
            ]
            assert [(f["recommendation"], f["owner"], f["uid"]) for f in ex["followups"]] == [
                ("Essai à Leeds en 2027", "Tom Baker", f"EXF-{ex['followups'][0]['id']}")
            ]

            # 4. A secure space: Claire adds Tom, uploads a document; it is stored encrypted.
            sid = space.create_space(ws, _actor("claire"), "Vannes-Leeds-Liège")
            _go(claire, "space")
            claire.get_by_role("tab", name=t("space.tab.members", "fr")).click()
            claire.get_by_role("textbox", name=t("space.field.username", "fr")).fill("tom")
            _click(claire, t("space.add", "fr"))
            assert space.member_role(ws, sid, "tom") == "member"
            claire.get_by_role("tab", name=t("space.tab.documents", "fr")).click()
            claire.locator("input[type=file]").set_input_files(
                {"name": "compte-rendu.txt", "mimeType": "text/plain", "buffer": SECRET.encode()}
            )
            _idle(claire)
            _click(claire, t("space.upload_send", "fr"))
            claire.get_by_text("compte-rendu.txt").first.wait_for()
            (doc,) = space.open_space(ws, _actor("claire"), sid)["documents"]
            (stored,) = list((tmp_path / "space-documents").rglob("*.bin"))
            raw = stored.read_bytes()
            assert b"confidentiel" not in raw and b"4242" not in raw and SECRET.encode() not in raw

            # 5. Tom, a member, downloads it.
            ctx, tom = _signed_in(browser, url, "tom")
            contexts.append(ctx)
            _go(tom, "space")
            tom.get_by_role("tab", name=t("space.tab.documents", "fr")).click()
            _click(tom, t("space.prepare", "fr"))
            with tom.expect_download() as got:
                tom.get_by_role("button", name=t("space.download", "fr")).click()
            assert got.value.suggested_filename == "compte-rendu.txt"
            assert Path(got.value.path()).read_bytes() == SECRET.encode()

            # 6. Eve, signed in but not a member, opens the document's link: refused, nothing to download.
            ctx, eve = _signed_in(browser, url, "eve")
            contexts.append(ctx)
            _open_link(eve, f"/space?doc={doc['id']}")
            eve.get_by_text(t("space.error.denied", "fr")).first.wait_for()
            assert eve.get_by_role("button", name=t("space.download", "fr")).count() == 0
            screenshot(eve, "space_link_refused")

            # 7. Tom prepares the download again; Claire revokes him; the button on his screen gives nothing.
            _click(tom, t("space.prepare", "fr"))
            tom.get_by_role("button", name=t("space.download", "fr")).wait_for()
            claire.get_by_role("tab", name=t("space.tab.members", "fr")).click()
            claire.get_by_role("textbox", name=t("space.field.username", "fr")).fill("tom")
            _click(claire, t("space.revoke", "fr"))
            assert space.member_role(ws, sid, "tom") is None
            from playwright.sync_api import TimeoutError as NoDownload

            with pytest.raises(NoDownload), tom.expect_download(timeout=8_000):
                tom.get_by_role("button", name=t("space.download", "fr")).click()
            _open_link(tom, f"/space?doc={doc['id']}")
            tom.get_by_text(t("space.error.denied", "fr")).first.wait_for()
            assert tom.get_by_role("button", name=t("space.download", "fr")).count() == 0
        finally:
            for ctx in contexts:
                ctx.close()
    log = [(r["username"], r["action"]) for r in space.access_log(ws, _actor("claire"), sid)]
    assert ("tom", "download") in log and ("eve", "denied") in log
    assert log.count(("tom", "denied")) >= 2  # the click on the old button and the link, both refused and logged
