"""Alternance / KTP page in a real browser: FR and EN screenshots, the calculator reacts, exports download."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect

from gtec.core.i18n import t

pytestmark = pytest.mark.browser


def _dismiss_dialog(page) -> None:
    dialog = page.get_by_role("dialog")
    if dialog.count() and dialog.first.is_visible():
        page.keyboard.press("Escape")


def _open_tab(page, wait_idle, name: str) -> None:
    page.get_by_role("tab", name=name).click()
    wait_idle(page)
    page.wait_for_timeout(800)


def test_alternance_page_fr_en_calculator_and_exports(page, app_server, wait_idle, screenshot):
    page.set_viewport_size({"width": 1440, "height": 2300})
    page.goto(f"{app_server}/alternance-ktp")
    wait_idle(page, timeout=60_000)
    _dismiss_dialog(page)
    page.get_by_role("heading", name=t("alternance.title", "fr")).wait_for()
    table = page.locator("table.wbl-compare")
    table.first.wait_for()
    assert "878\u202f900–889\u202f400 contrats" in table.first.inner_text()
    screenshot(page, "alternance_compare_fr")

    _open_tab(page, wait_idle, t("alternance.tab.calc", "fr"))
    page.locator("[data-testid='stVegaLiteChart']").first.wait_for()
    company = page.locator(".gtec-card").filter(  # the cards labelled exactly "Entreprise" (calculator tab)
        has=page.locator(".lbl", has_text=re.compile(f"^{t('alternance.party.company', 'fr')}$"))
    )  # figure cards
    assert "39\u202f719\u00a0EUR" in company.nth(1).inner_text()
    screenshot(page, "alternance_calc_fr")
    page.get_by_test_id("stSelectbox").filter(has_text="Taille de l'entreprise").click()
    page.get_by_role("option", name="Grande entreprise (250 salariés et plus)").click()
    expect(company.nth(1)).to_contain_text("60\u202f180\u00a0EUR", timeout=30_000)

    page.goto(f"{app_server}/alternance-ktp?lang=en")
    wait_idle(page, timeout=60_000)
    _dismiss_dialog(page)
    _open_tab(page, wait_idle, t("alternance.tab.calc", "en"))
    page.get_by_role("heading", name=t("alternance.calc.result_title", "en")).wait_for()
    screenshot(page, "alternance_calc_en")
    _open_tab(page, wait_idle, t("alternance.tab.territory", "en"))
    page.locator("[data-testid='stVegaLiteChart']").last.wait_for()
    screenshot(page, "alternance_territory_en")

    _open_tab(page, wait_idle, t("alternance.tab.export", "en"))
    summary = page.get_by_role("button", name=t("alternance.export.summary", "en"))
    with page.expect_download(timeout=120_000) as info:  # no "prepare" click first (screens review A11)
        summary.click()
    html = Path(info.value.path()).read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and "data:image/png;base64," in html
    with page.expect_download(timeout=120_000) as info:
        page.get_by_role("button", name=t("alternance.export.split_png", "en")).click()
    assert Path(info.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with page.expect_download(timeout=120_000) as info:
        page.get_by_role("button", name=t("alternance.export.split_svg", "en")).click()
    svg = Path(info.value.path()).read_text(encoding="utf-8")
    assert "Sources: " in svg and "Status: illustrative" in svg  # the exported chart says source, status, date
    with page.expect_download(timeout=120_000) as info:
        page.get_by_role("button", name=t("alternance.export.compare_csv", "en")).click()
    assert Path(info.value.path()).read_bytes()[:3] == b"\xef\xbb\xbf"  # UTF-8 BOM for Excel
    assert page.locator("[data-testid='stException']").count() == 0
    # nothing of this page left the machine (app.py's material favicon is fetched from fonts.gstatic.com: not ours)
    assert not [u for u in page.blocked_requests if not u.startswith("https://fonts.gstatic.com/")]


_CUT = """() => [...document.querySelectorAll(
  '.gtec-card .lbl, .gtec-card .val, [data-testid="stWidgetLabel"] p, [data-baseweb="select"] [title],'
  + ' [data-testid="stBaseButton-secondary"] p, [data-testid="stBaseButton-primary"] p, table.wbl-compare th')]
  .filter(e => e.offsetParent && (e.scrollWidth > e.clientWidth + 1 || getComputedStyle(e).textOverflow === 'ellipsis'
    && e.scrollWidth > e.clientWidth)).map(e => e.innerText)"""


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_alternance_first_screen_no_cut_text_no_editorial_or_english_hints(page, app_server, wait_idle, lang):
    """Screens review A1, A3, A4, A9, A10, A11: headline cards in the first 1280x720 screen, nothing cut, no
    curators' marks, no Streamlit 'Press Enter to apply' on any tab."""
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(f"{app_server}/alternance-ktp?lang={lang}")
    wait_idle(page, timeout=60_000)
    _dismiss_dialog(page)
    cards = page.locator(".st-key-alt_head .gtec-card")
    cards.first.wait_for()
    assert cards.count() == 6
    assert max(b["y"] + b["height"] for b in (cards.nth(i).bounding_box() for i in range(6))) <= 720
    text = ""
    for tab in ("compare", "calc", "territory", "export"):
        _open_tab(page, wait_idle, t(f"alternance.tab.{tab}", lang))
        if tab == "calc":  # the contract year shown: 1 to 3
            page.locator("[data-testid='stNumberInput'] input").first.fill("7")
            page.keyboard.press("Tab")
            wait_idle(page)
        assert page.evaluate(_CUT) == [], tab
        text += page.locator("[data-testid='stMain']").inner_text()
    for bad in ("Press Enter", "[M]", "[M/L]", "à vérifier", "to verify", "vérifier le millésime"):
        assert bad not in text, bad
    assert t("alternance_page.input.not_updated", lang)[:30] in text


def test_printable_summary_fits_one_landscape_a4_page(browser):
    """Screens review A6: the summary, printed by chromium, is ONE A4 landscape page (FR and EN)."""
    import pypdfium2

    from components import charts_alternance as ca
    from gtec.alternance import compare_view, comparison, costsplit, outcomes, summary

    bundle = comparison.load_from_curated()
    texts = compare_view.load_source_text_curated()
    inputs = bundle.table.defaults()
    splits = costsplit.splits(bundle.table, inputs, "year")
    png = ca.to_png(ca.export_spec(ca.split_chart(splits, "fr"), []))
    statuses = {"fr_appr": "illustrative", "uk_ktp": "estimate"}
    context = browser.new_context()
    try:
        for lang in ("fr", "en"):
            found = compare_view.localised_sources(bundle, texts, lang)
            html = summary.summary_html(
                table=bundle.table, inputs=inputs, illustrative=["npec_eur"], splits=splits,
                results=outcomes.territory_results(bundle.table, inputs), statuses=statuses,
                items=compare_view.headline(bundle, splits, statuses, lang), sources=found,
                source_ids=ca.page_source_ids(bundle),
                notes=[t(f"alternance.note.{n}", lang) for s in splits for n in s.notes], chart_png=png, lang=lang,
                dated=date(2026, 12, 2),
            )  # fmt: skip
            pg = context.new_page()
            pg.set_content(html)
            pdf = pypdfium2.PdfDocument(pg.pdf(prefer_css_page_size=True, print_background=True))
            width, height = pdf[0].get_size()
            assert len(pdf) == 1, (lang, len(pdf))
            assert width > height  # landscape
            pg.close()
    finally:
        context.close()


def test_transferability_page_read_only_for_readers(page, app_server, wait_idle, screenshot):
    page.set_viewport_size({"width": 1440, "height": 1800})
    page.goto(f"{app_server}/transferability")
    wait_idle(page, timeout=60_000)
    _dismiss_dialog(page)
    page.get_by_text(t("alternance.matrix.read_only", "fr")).wait_for()
    assert page.locator("table.tm-grid tbody tr").count() >= 4  # one row per system, coloured by difficulty
    assert page.locator("section.tm-row").count() >= 10  # then each feature's barriers and actions
    screenshot(page, "transferability_fr")
    assert page.locator("[data-testid='stException']").count() == 0
