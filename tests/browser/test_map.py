"""The map in a real browser with no network beyond localhost: EPCI layer and basins draw, recolouring keeps the
zoom, clicking a basin opens its profile, and a copied URL reopens the same view. Screenshots show each step."""

from __future__ import annotations

from pathlib import Path

import pytest

from gtec.core.i18n import t

pytestmark = pytest.mark.browser

MAP = "div.gtec-map"


def _map_frame(page):
    """The live map (a components-v2 element in the page itself, kept across reruns) and its element.

    ``window.map`` is aliased to the component's Leaflet map so that the checks below read like Leaflet."""
    page.locator(MAP).last.wait_for(timeout=60_000)
    page.wait_for_function(
        "() => window.gtecMap && document.querySelectorAll('div.gtec-map path.leaflet-interactive').length > 0"
    )
    page.evaluate("() => { window.map = window.gtecMap; }")
    return page, page.locator(MAP).last.element_handle()


def _fills(frame, ids):
    return frame.evaluate(
        """(ids) => { const out = {};
        for (const l of Object.values(window.map._layers)) {
          if (l.feature && ids.includes(l.feature.id)) out[l.feature.id] = l.options.fillColor; }
        return out; }""",
        ids,
    )


def _choose(page, label: str, option: str, wait_idle) -> None:
    page.get_by_label(label).first.click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_idle(page)


def _warm_up(page, app_server, wait_idle) -> None:
    # On a server that has never run app.py, Streamlit resolves a deep link such as /map against the pages/
    # folder and runs the page without the app shell (no language switch): load the root once first.
    page.goto(app_server)
    wait_idle(page, timeout=90_000)


def test_map_draws_recolours_keeps_zoom_and_opens_profile(page, app_server, wait_idle, screenshot):
    _warm_up(page, app_server, wait_idle)
    # the EPCI map of census jobs (official at every level; the default view is the zones d'emploi)
    page.goto(f"{app_server}/map?level=epci&ind=employment")
    wait_idle(page, timeout=90_000)
    frame, _ = _map_frame(page)
    counts = frame.evaluate(
        """() => { let epci = 0, outlines = 0;
        for (const l of Object.values(window.map._layers)) {
          if (l.feature && String(l.feature.id).startsWith('FR-EPCI-')) epci++;
          if (l.feature && String(l.feature.id).startsWith('FR-BASIN-')) outlines++; }
        return {epci, outlines}; }"""
    )
    assert counts["epci"] > 1200 and counts["outlines"] == 3, counts
    assert frame.evaluate("() => typeof L !== 'undefined' && L.version") == "1.9.3"
    screenshot(page, "map_epci_fr")

    # the overseas EPCIs are drawn in their boxes beside the mainland, inside the first view (M2)
    inset = frame.evaluate(
        """() => { let n = 0, inside = 0; const v = window.gtecMap.getBounds();
        for (const l of Object.values(window.map._layers)) {
          if (l.feature && l.getBounds && String(l.feature.id).startsWith('FR-EPCI-2497')) {
            n++; if (v.contains(l.getBounds())) inside++; } }
        return {n, inside}; }"""
    )
    assert inset["n"] >= 1 and inset["inside"] == inset["n"], inset

    # zoom in twice, then change the indicator: the layer is recoloured and the zoom is kept
    start = frame.evaluate("() => window.map.getZoom()")
    for step in (1, 2):
        frame.locator("div.gtec-map a.leaflet-control-zoom-in").click()
        frame.wait_for_function("(z) => window.map.getZoom() >= z && !window.map._animatingZoom", arg=start + step)
        page.wait_for_timeout(400)  # Leaflet ignores a zoom click while it is still animating
    zoom = frame.evaluate("() => window.map.getZoom()")
    sample = ["FR-EPCI-200067932", "FR-EPCI-243500782", "FR-EPCI-200037059"]
    before = _fills(frame, sample)
    geometry_requests: list[str] = []
    page.on("request", lambda r: geometry_requests.append(r.url) if "/vendor/geo/" in r.url else None)
    _choose(page, t("map.indicator", "fr"), "Taux de chômage", wait_idle)
    frame, _ = _map_frame(page)
    frame.wait_for_function(
        "(b) => { for (const l of Object.values(window.map._layers)) {"
        " if (l.feature && l.feature.id === 'FR-EPCI-200067932') return l.options.fillColor !== b; } return false; }",
        arg=before["FR-EPCI-200067932"],
    )
    after = _fills(frame, sample)
    assert after != before
    assert frame.evaluate("() => window.map.getZoom()") == zoom, "recolouring must not reset the zoom"
    assert "ind=census_unemployment_rate" in page.url
    assert geometry_requests == [], "a recolouring rerun fetches no geometry"
    assert "INSEE" in page.locator("div.gtec-map .gtec-map-provenance").inner_text()  # provenance on the map
    screenshot(page, "map_recoloured_zoomed")

    # basins: click the Pays de Vannes polygon on the map -> its profile opens
    _choose(page, t("map.level_label", "fr"), t("map.level.basin", "fr"), wait_idle)
    frame, handle = _map_frame(page)
    frame.wait_for_function(
        "() => Object.values(window.map._layers).some(l => l.feature && l.feature.id === 'FR-BASIN-VANNES')"
    )
    frame.wait_for_function(  # the basins' view: the level's own bounds, fitted
        "() => !window.map._animatingZoom && Object.values(window.map._layers).some(l => l.feature"
        " && l.feature.id === 'FR-BASIN-VANNES' && window.map.getBounds().contains(l.getBounds()))"
    )
    page.wait_for_timeout(800)  # the pan to the basins' view has finished
    point = frame.evaluate(
        """() => { const l = Object.values(window.map._layers)
          .find(l => l.feature && l.feature.id === 'FR-BASIN-VANNES');
        const p = window.map.latLngToContainerPoint(l.getCenter()); return [p.x, p.y]; }"""
    )
    box = handle.bounding_box()
    page.mouse.move(box["x"] + point[0], box["y"] + point[1])
    page.mouse.click(box["x"] + point[0], box["y"] + point[1])
    wait_idle(page)
    page.get_by_role("heading", name=t("map.profile.title", "fr", name="Pays de Vannes")).wait_for()
    page.wait_for_url("**sel=FR-BASIN-VANNES**", timeout=10_000)
    assert "level=basin" in page.url
    screenshot(page, "map_basin_profile")
    assert page.locator("[data-testid='stException']").count() == 0
    assert not page.blocked_requests or all("fonts.gstatic.com" in u for u in page.blocked_requests)

    # the copied URL reopens the same view in a fresh page
    url = page.url
    fresh = page.context.new_page()
    fresh.goto(url)
    wait_idle(fresh, timeout=90_000)
    fresh.get_by_role("heading", name=t("map.profile.title", "fr", name="Pays de Vannes")).wait_for()
    frame, _ = _map_frame(fresh)
    basins = frame.evaluate(
        "() => Object.values(window.map._layers)"
        ".filter(l => l.feature && String(l.feature.id).startsWith('FR-BASIN-')).length"
    )
    assert basins == 3
    assert "Population, 2023" in fresh.locator(".gtec-legend").inner_text()  # a new level opens on its own default
    screenshot(fresh, "map_reopened_from_url")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_projector_first_screen_shows_all_of_france_and_the_profile_beside_it(
    browser, app_server, wait_idle, screenshot, lang
):
    """Screens review M1: at 1280x720 every corner of mainland France and the overseas boxes are inside the map
    and the map inside the screen; a click opens the profile to the right of the map, its title on screen."""
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale=f"{lang}-FR")
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(app_server) else r.abort())
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(f"{app_server}/map?level=departement" + ("&lang=en" if lang == "en" else ""))
        wait_idle(page, timeout=90_000)
        frame, handle = _map_frame(page)
        outside = frame.evaluate(
            """() => { const v = window.map.getBounds(); const r = document.querySelector('div.gtec-map')
              .getBoundingClientRect(); const out = [];
            if (r.bottom > window.innerHeight || r.top < 0) out.push('map ' + r.top + '-' + r.bottom);
            for (const l of Object.values(window.map._layers)) {
              if (l.feature && l.getBounds && !v.contains(l.getBounds())) out.push(l.feature.id); }
            return out; }"""
        )
        assert outside == [], outside
        screenshot(page, f"map_projector_{lang}")
        point = frame.evaluate(
            """() => { const l = Object.values(window.map._layers).find(l => l.feature && l.feature.id === 'FR-DEP-56');
            const p = window.map.latLngToContainerPoint(l.getCenter()); return [p.x, p.y]; }"""
        )
        box = handle.bounding_box()
        page.mouse.click(box["x"] + point[0], box["y"] + point[1])
        wait_idle(page)
        heading = page.get_by_role("heading", name=t("map.profile.title", lang, name="Morbihan"))
        heading.wait_for()
        where = heading.bounding_box()
        assert where["x"] >= box["x"] + box["width"] and where["y"] + where["height"] <= 720, (where, box)
        screenshot(page, f"map_projector_profile_{lang}")
    finally:
        context.close()


def test_map_in_english_and_uk_grid(page, app_server, wait_idle, screenshot):
    _warm_up(page, app_server, wait_idle)
    page.goto(f"{app_server}/map?lang=en&level=uk_itl1")
    wait_idle(page, timeout=90_000)
    page.get_by_role("heading", name=t("map.title", "en")).wait_for()
    page.locator("[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg").first.wait_for()
    page.wait_for_timeout(500)
    screenshot(page, "map_uk_en")
    assert page.locator("[data-testid='stException']").count() == 0
    page.goto(f"{app_server}/map?lang=en&level=epci&ind=jobseekers&measure=rate")
    wait_idle(page, timeout=90_000)
    _map_frame(page)
    screenshot(page, "map_epci_en")


def test_basin_builder_previews_outline_and_aggregates(page, app_server, wait_idle, screenshot):
    _warm_up(page, app_server, wait_idle)
    page.goto(f"{app_server}/custom-basin")
    wait_idle(page, timeout=90_000)
    page.get_by_role("heading", name=t("custom.title", "fr")).wait_for()
    page.keyboard.press("Escape")  # a "page not found" notice may cover a deep link
    box = page.locator("[data-testid=stMultiSelect]").last  # the members box (substring search)
    for typed, name in (("Malo Agglo", "Saint Malo Agglomération"), ("Côte d'Ém", "Côte d'Émeraude")):
        box.click()
        page.keyboard.type(typed)
        page.get_by_role("option").filter(has_text=name).first.click()
        wait_idle(page)
    page.keyboard.press("Escape")
    page.get_by_role("heading", name=t("custom.outline", "fr")).wait_for()
    page.locator("[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg").first.wait_for()
    page.get_by_text(t("custom.coverage", "fr", n=2, total=2)).first.wait_for()
    page.wait_for_timeout(500)
    screenshot(page, "custom_basin_preview_fr")
    assert page.locator("[data-testid='stException']").count() == 0


def test_exported_html_map_opens_offline(browser, built_data_dir, tmp_path):
    from gtec.maps import classify, layers, levels, queries
    from gtec.maps import export as map_export
    from gtec.maps.legend import Legend
    from gtec.storage import reference
    from gtec.territories import geometry as territory_geometry

    conn = reference.connect_reference()
    table = queries.level_table(conn, "unemployment_rate", 2023, "departement")
    table, cls = classify.colour_table(table, "jenks", 5, "viridis", "en")
    layer = layers.prepare_layer(territory_geometry.layer_feature_collection(conn, "departement", "national"))
    data_json = layers.layer_json(
        layer,
        dict(zip(table["territory_id"], table["value"], strict=True)),
        dict(zip(table["territory_id"], table["fill"], strict=True)),
        "en",
        "%",
    )
    legend = Legend("Unemployment rate, 2023", "%", "2023", "illustrative", "illustrative", cls.entries, cls.missing)
    path = tmp_path / "map.html"
    path.write_bytes(
        map_export.map_to_html(
            layers.standalone_map(
                layer, data_json, "Unemployment rate", legend, "en", bounds=levels.view_bounds("departement")
            )
        )
    )
    conn.close()
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    requests: list[str] = []
    context.route(
        "**/*",
        lambda r: (requests.append(r.request.url), r.continue_() if r.request.url.startswith("file:") else r.abort()),
    )
    page = context.new_page()
    page.goto(path.as_uri())
    page.wait_for_function("() => document.querySelectorAll('path.leaflet-interactive').length >= 96")
    assert page.locator(".gtec-legend").inner_text().startswith("Unemployment rate, 2023")
    assert all(u.startswith("file:") for u in requests), requests
    page.screenshot(path=str(Path(__file__).resolve().parent / "screenshots" / "map_exported_html.png"))
    context.close()
