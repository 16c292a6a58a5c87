"""A projector and three phones (390x844) in separate browser contexts: join by code, post, vote, disagree; the
wall and its consensus view update by themselves; the session closes and the report's PDF comes out."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from gtec.access import accounts
from gtec.core import auth
from gtec.core.i18n import t
from gtec.storage.workspace import Workspace
from gtec.workshops import contributions, sessions

pytestmark = pytest.mark.browser

USERNAME, PASSWORD = "wall-facilitator", "a long enough passphrase"
DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img" / "workshop_wall.png"
PHONES = [("Zoé", "company", "Des visites d'usines pour les collégiens"),
          ("Léa", "jobseeker_learner", "Des stages courts rémunérés près de chez soi"),
          ("Marc", "institution", "Un forum des métiers industriels à Vannes")]  # fmt: skip
FACILITATOR_IDEA = "Une journée portes ouvertes commune aux entreprises du bassin"


def _context(browser, app_server, **kw):
    ctx = browser.new_context(locale="fr-FR", **kw)

    def route(r):
        ok = r.request.url.startswith(app_server) or r.request.url.startswith(("data:", "blob:", "about:"))
        return r.continue_() if ok else r.abort()

    ctx.route("**/*", route)
    page = ctx.new_page()
    page.set_default_timeout(30_000)
    return ctx, page


def _dismiss_dialog(page) -> None:
    # Streamlit may show a "page not found" dialog on a deep link; it makes the page inert until closed.
    if page.locator("[role=dialog]").count():
        page.keyboard.press("Escape")
        page.wait_for_timeout(300)


_CONTRAST = """(sel) => {
  const el = document.querySelector(sel), txt = el.querySelector('p') || el;
  const rgb = c => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lin = v => (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  const lum = ([r, g, b]) => [r, g, b].map(lin)
    .reduce((a, v, i) => a + v * [0.2126, 0.7152, 0.0722][i], 0);
  const a = lum(rgb(getComputedStyle(txt).color)), b = lum(rgb(getComputedStyle(el).backgroundColor));
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


def _contrast(page, selector: str) -> float:
    """WCAG contrast ratio between a button's text and its background, as the browser computed them."""
    return float(page.evaluate(_CONTRAST, selector))


def _click(page, wait_idle, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).first.click()
    wait_idle(page)


def test_projector_and_three_phones(browser, app_server, browser_workspace, wait_idle, screenshot, tmp_path):
    ws = Workspace.open(browser_workspace)
    cli = auth.Actor("cli:test", "admin")
    if accounts.get_account(ws, cli, USERNAME) is None:
        accounts.create_account(ws, cli, USERNAME, PASSWORD, "facilitator", "Anne Facilitatrice")
    fac = auth.Actor("Anne Facilitatrice (wall-facilitator)", "facilitator")
    s = sessions.create_session(
        ws, fac, "Rencontre filières industrielles", [sessions.TrackSpec("Rendre les métiers attractifs")],
        question="Comment les filières industrielles redeviennent attractives ?", place="Vannes", vote_budget=2,
    )  # fmt: skip
    sessions.set_phase(ws, fac, s.code, "contribute")

    contexts = []
    try:
        ctx, wall = _context(browser, app_server, viewport={"width": 1600, "height": 900})
        contexts.append(ctx)
        wall.goto(f"{app_server}/sign-in")
        wait_idle(wall, timeout=60_000)
        _dismiss_dialog(wall)
        wall.get_by_role("textbox", name=t("auth.staff.username", "fr")).fill(USERNAME)
        wall.get_by_role("textbox", name=t("auth.staff.password", "fr")).fill(PASSWORD)
        _click(wall, wait_idle, t("auth.staff.submit", "fr"))
        wall.locator("[data-testid='stSidebarNav'] a[href$='/workshops']").click()
        wait_idle(wall)
        # The facilitator posts an idea too, from the console; it is marked as the facilitator's.
        wall.get_by_text(t("workshop.console.post_title", "fr")).click()
        wall.get_by_role("textbox", name=t("workshop.post.label", "fr")).fill(FACILITATOR_IDEA)
        _click(wall, wait_idle, t("workshop.console.post_submit", "fr"))
        wall.get_by_text(t("workshop.console.post_done", "fr")).wait_for()
        wall.get_by_role("link", name=t("workshop.console.wall", "fr")).click()
        wait_idle(wall)
        wall.locator(".gw").wait_for()
        assert wall.locator("[data-testid='stImage'] img").count() == 1  # the QR code
        marked = wall.locator(".gw li", has_text=FACILITATOR_IDEA).first
        assert t("workshop.wall.by_facilitator", "fr") in marked.inner_text()
        assert _contrast(wall, "[data-variant='segmented_control'][data-selected]") >= 4.5  # the selected view reads
        assert _contrast(wall, "[data-variant='segmented_control']:not([data-selected])") >= 4.5

        phones = []
        for nickname, group, idea in PHONES:
            ctx, phone = _context(browser, app_server, viewport={"width": 390, "height": 844}, is_mobile=True)
            contexts.append(ctx)
            phone.goto(f"{app_server}/workshop?code={s.code}")
            wait_idle(phone, timeout=60_000)
            _dismiss_dialog(phone)
            phone.get_by_role("textbox", name=t("workshop.join.nickname", "fr")).fill(nickname)
            phone.get_by_text(t(f"workshop.group.{group}", "fr"), exact=True).click()
            _click(phone, wait_idle, t("workshop.join.submit", "fr"))
            screenshot(phone, "workshop_phone_joined")
            phone.get_by_role("textbox", name=t("workshop.post.label", "fr")).fill(idea)
            assert "p=" in phone.url  # the identity lives in the URL
            _click(phone, wait_idle, t("workshop.post.submit", "fr"))
            phone.get_by_text(t("workshop.post.done_visible", "fr")).wait_for()
            phones.append(phone)
        for _, _, idea in PHONES:  # the wall refreshed itself (fragment every 2.5 s)
            wall.locator(".gw").get_by_text(idea).first.wait_for(timeout=15_000)
        assert wall.locator(".gw .bar").get_by_text("3").count() >= 1

        # Reactions: everyone agrees with Zoé's idea, Léa's idea splits the company from the others.
        for i, phone in enumerate(phones):
            phone.reload()  # a reload keeps the participant (token in the URL)
            wait_idle(phone, timeout=60_000)
            _dismiss_dialog(phone)
            assert phone.get_by_role("button", name=t("workshop.join.submit", "fr")).count() == 0
            for idea in [*(p[2] for p in PHONES), FACILITATOR_IDEA]:
                if idea == PHONES[i][2]:
                    continue  # no reaction on one's own idea
                card = phone.locator("[class*='st-key-card_']", has_text=idea)
                disagree = idea == PHONES[1][2] and PHONES[i][1] == "company"
                label = t("workshop.reaction.disagree" if disagree else "workshop.reaction.agree", "fr")
                card.get_by_role("button", name=label, exact=True).click()
                card.get_by_role("button", name=f"✓ {label}", exact=True).wait_for()  # stored and shown as mine
                wait_idle(phone)

        with ws.read() as conn:  # each phone reacted to the two other phones' ideas and the facilitator's
            reacted = conn.scalar(
                "SELECT COUNT(*) FROM workshop_reactions r JOIN workshop_contributions c ON c.id = r.contribution_id"
                " WHERE c.code = ?",
                (s.code,),
            )
        assert reacted == 9
        sessions.set_phase(ws, fac, s.code, "vote")
        for phone in phones:
            _click(phone, wait_idle, t("workshop.me.refresh", "fr"))
            phone.get_by_role("button", name=t("workshop.card.vote", "fr")).first.click()
            wait_idle(phone)
            phone.get_by_text(t("workshop.me.tokens", "fr", left=1, total=2)).wait_for()
        screenshot(phones[0], "workshop_phone_fr")

        wall.locator(".gw").get_by_text("3").first.wait_for()
        wall.get_by_text(t("workshop.wall.view_consensus", "fr"), exact=True).click()
        wait_idle(wall)
        wall.locator(".gw[data-view='consensus']").get_by_text(PHONES[0][2]).first.wait_for(timeout=30_000)
        wall.locator(".gw[data-view='consensus']").get_by_text("(n=1)").first.wait_for()
        screenshot(wall, "workshop_wall_consensus_fr")
        wall.get_by_text(t("workshop.wall.view_wall", "fr"), exact=True).click()
        wait_idle(wall)
        wall.wait_for_timeout(3000)  # one more refresh cycle drawn
        shot = screenshot(wall, "workshop_wall_fr")
        if os.environ.get("GTEC_UPDATE_DOCS_IMG"):  # the README's picture, refreshed on request only
            shutil.copy(shot, DOCS_IMG)
        assert wall.locator("[data-testid='stException']").count() == 0

        # Close from the console and produce the report.
        wall.get_by_role("link", name=t("workshop.console.title", "fr")).click()
        wait_idle(wall)
        wall.get_by_text(t("workshop.console.phase", "fr", phase=t("workshop.phase.vote", "fr"))).wait_for()
        _click(wall, wait_idle, t("workshop.console.open_closed", "fr"))
        wall.get_by_text(t("workshop.console.phase", "fr", phase=t("workshop.phase.closed", "fr"))).wait_for()
        assert sessions.get_session(ws, s.code).phase == "closed"
        phones[1].reload()
        wait_idle(phones[1], timeout=60_000)
        _dismiss_dialog(phones[1])
        phones[1].get_by_text(t("workshop.error.closed", "fr")).first.wait_for()
        _click(wall, wait_idle, t("workshop.console.report", "fr"))
        with wall.expect_download() as info:
            wall.get_by_role("button", name="PDF").click()
        pdf_path = tmp_path / "report.pdf"
        info.value.save_as(pdf_path)
    finally:
        for ctx in contexts:
            ctx.close()

    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(pdf_path.read_bytes())
    text = " ".join(pdf[0].get_textpage().get_text_range().split())
    assert "Rencontre filières industrielles" in text and PHONES[0][2] in text
    image = pdf[0].render(scale=1.2).to_pil().convert("L")
    assert sum(image.histogram()[:128]) > 0.003 * image.width * image.height
    image.save(Path(__file__).resolve().parent / "screenshots" / "workshop_report_browser.png")
    ideas = contributions.list_contributions(ws, s.code)
    assert len(ideas) == 4 and [c.text for c in ideas if c.by_facilitator] == [FACILITATOR_IDEA]
