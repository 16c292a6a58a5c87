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
