"""A direct link opened first on a freshly started server still goes through app.py.

Streamlit's legacy pages/ mode would otherwise run pages/admin_audit.py on its own, with no role check.
Each case starts its own server, because only the very first runs of a process are concerned.
"""

import pytest

from gtec.core.i18n import t

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("path", "expected_key"),
    [("admin_audit", "portrait.title"), ("scenarios?territory=FR-DEP-56&lang=fr", "nav.scenarios")],
)
def test_first_request_direct_link_goes_through_the_shell(
    browser, server_factory, built_data_dir, tmp_path, path, expected_key
):
    with server_factory(built_data_dir, tmp_path / "ws.sqlite", tmp_path / "server.log") as url:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(f"{url}/{path}")
        page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=60_000)
        page.wait_for_timeout(1500)
        page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=60_000)
        body = page.inner_text("body")
        # the shell ran: navigation sections and the language switch are there
        assert t("nav.section.territories", "fr") in body
        assert "English" in body
        # a reader never sees the audit log, whatever the URL
        assert "admin audit" not in body.lower()
        assert t("nav.admin_audit", "fr") not in body
        if expected_key == "portrait.title":
            assert t("portrait.title", "fr") in body
        else:
            assert t("nav.scenarios", "fr") in body
            assert "Morbihan" in body  # the linked view (query parameters) survived the detour through app.py
        context.close()


def test_a_scanned_join_link_opens_the_join_page_first_time_on_a_fresh_server(
    browser, server_factory, built_data_dir, tmp_path
):
    """The QR code's URL (/workshop, not the file name workshop_join) is often the very first request of the day."""
    with server_factory(built_data_dir, tmp_path / "ws.sqlite", tmp_path / "server.log") as url:
        context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
        page = context.new_page()
        page.goto(f"{url}/workshop?code=NOPE42")
        page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=60_000)
        page.get_by_text(t("workshop.join.heading", "fr")).first.wait_for(timeout=60_000)
        body = page.inner_text("body")
        assert "Page not found" not in body
        assert page.locator("[role='dialog']").count() == 0
        assert t("auth.error.code_unknown", "fr") in body  # the code from the link was read and checked
        context.close()


def _open(page, url: str) -> str:
    page.goto(url)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=60_000)
    page.locator("[data-testid='stMain'] h1").first.wait_for(timeout=60_000)
    page.wait_for_timeout(1000)  # Streamlit's own dialog, when sent, comes with the navigation message
    return page.inner_text("[data-testid='stMain']")


def test_unknown_forbidden_and_home_page_names_are_said_in_the_readers_language(page, app_server):
    """No Streamlit 'Page not found … Running the app's main page' dialog (English only): the home page's own name
    opens it with the link's parameters; a page the role may not use says so, with the way to sign in; an unknown
    name is quoted as text (screens review G4)."""
    main = _open(page, f"{app_server}/portrait?territory=FR-DEP-56")
    assert page.locator("[role='dialog']").count() == 0
    assert "Morbihan" in main and t("portrait.title", "fr") in main
    assert "n'existe pas" not in main

    main = _open(page, f"{app_server}/workshops")
    assert page.locator("[role='dialog']").count() == 0
    title = t("nav.admin_workshops", "fr")
    assert t("nav.needs_sign_in", "fr", title=title) in main
    assert (
        page.locator("[data-testid='stMain'] [data-testid='stPageLink']")
        .filter(has_text=t("nav.sign_in", "fr"))
        .count()
        == 1
    )

    main = _open(page, f"{app_server}/workshops?lang=en")
    assert t("nav.needs_sign_in", "en", title=t("nav.admin_workshops", "en")) in main
    assert "Page not found" not in page.inner_text("body")

    main = _open(page, f"{app_server}/nope%3Cb%3E*x*")
    assert page.locator("[role='dialog']").count() == 0
    assert "nope<b>*x*" in main  # the asked name as text: no bold, no markup
    assert page.locator("[data-testid='stMain'] [data-testid='stAlert'] b, [data-testid='stAlert'] em").count() == 0
    assert t("portrait.title", "fr") in main
