"""AppTest of access control: hidden pages, sign-in form, expiry, audit page, workshop page, OIDC off/on."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from gtec.access import accounts, workshops
from gtec.core import auth
from gtec.core.i18n import t
from gtec.core.text import md

TIMEOUT = 90
APP = Path(__file__).resolve().parents[2] / "app.py"
ADMIN_PAGES = ("pages/admin_audit.py", "pages/admin_users.py", "pages/admin_workshops.py")
CLI = auth.Actor("cli:test", "admin")
PASSWORD = "correct horse battery"


@pytest.fixture
def app(built_data_dir, workspace_path) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.run()  # the home page is someone else's: these tests look only at access control
    return at


def sign_in_through_form(at: AppTest, username: str, password: str) -> AppTest:
    at.switch_page("pages/sign_in.py").run()
    form_inputs = [ti for ti in at.text_input if ti.label in (t("auth.staff.username"), t("auth.staff.password"))]
    form_inputs[0].input(username)
    form_inputs[1].input(password)
    next(b for b in at.button if b.label == t("auth.staff.submit")).click()
    return at.run()


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_a_reader_cannot_reach_admin_pages_by_url(app, path):
    with pytest.raises(ValueError):
        app.switch_page(path)


def test_the_sign_in_page_is_open_to_everyone_and_needs_no_secrets(app):
    app.switch_page("pages/sign_in.py").run()
    assert not app.exception
    assert app.title[0].value == t("auth.sign_in.title", "fr")
    labels = [b.label for b in app.button]
    assert t("auth.oidc.button", "fr") not in labels  # no [auth] in secrets: no organisation sign-in
    assert any(m.value.startswith(t("auth.sidebar.reader", "fr")) for m in app.sidebar.caption)


def test_admin_pages_work_for_an_admin_set_in_session_state(built_data_dir, workspace_path):
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.session_state["actor"] = auth.Actor("Test Admin", "admin")
    at.run()
    for path in ADMIN_PAGES:
        at.switch_page(path).run()
        assert not at.exception, (path, at.exception)


def test_sign_in_form_refuses_a_wrong_password_then_signs_in_and_out(app, ws):
    accounts.create_account(ws, CLI, "alice", PASSWORD, "admin", "Alice Martin")
    sign_in_through_form(app, "alice", "not the password")
    assert not app.exception
    assert [e.value for e in app.error] == [t("auth.sign_in.invalid", "fr")]
    assert "actor" not in app.session_state
    with pytest.raises(ValueError):
        app.switch_page("pages/admin_audit.py")

    sign_in_through_form(app, "alice", PASSWORD)
    assert not app.exception
    assert app.session_state["actor"] == auth.Actor("Alice Martin (alice)", "admin")
    assert app.success[0].value == t("auth.sign_in.done", "fr", name=md("Alice Martin (alice)"), role="administrateur")
    app.switch_page("pages/admin_audit.py").run()
    assert not app.exception
    table = app.dataframe[0].value
    assert "Alice Martin (alice)" in table.iloc[:, 1].tolist()

    app.sidebar.button(key="auth_sign_out").click().run()
    assert not app.exception
    assert "actor" not in app.session_state
    assert app.sidebar.info[0].value == t("auth.signed_out", "fr")
    with pytest.raises(ValueError):
        app.switch_page("pages/admin_audit.py")


def test_a_facilitator_sees_workshops_but_not_accounts_nor_audit(built_data_dir, ws):
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.session_state["actor"] = auth.Actor("Bob Le Gall (bob)", "facilitator")
    at.run()
    for path in ("pages/admin_users.py", "pages/admin_audit.py"):
        with pytest.raises(ValueError):
            at.switch_page(path)
    at.switch_page("pages/admin_workshops.py").run()
    at.text_input[0].input("Atelier compétences Péronne")
    next(b for b in at.button if b.label == t("auth.workshops.create")).click()
    at.run()
    assert not at.exception
    sessions = workshops.list_workshops(ws, CLI)
    assert [s.title for s in sessions] == ["Atelier compétences Péronne"]
    entry = ws.audit_entries()[0]
    assert (entry["actor"], entry["action"]) == ("Bob Le Gall (bob)", "workshop.create")
    assert any(workshops.format_code(sessions[0].code) in m.value for m in at.markdown)


def test_an_expired_session_falls_back_to_reader_with_a_message(built_data_dir, workspace_path):
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.session_state["actor"] = auth.Actor("Test Admin", "admin")
    at.session_state["auth_clock"] = accounts.SessionClock(time.time() - 9 * 3600, time.time() - 60)
    at.run()
    assert not at.exception
    assert "actor" not in at.session_state
    assert at.sidebar.warning[0].value == t("auth.expired.expired_absolute", "fr")
    with pytest.raises(ValueError):
        at.switch_page("pages/admin_users.py")


def test_a_participant_joins_with_the_workshop_code(app, ws):
    session = workshops.create_workshop(ws, auth.Actor("f", "facilitator"), "Atelier Saint-Malo")
    app.switch_page("pages/sign_in.py").run()
    next(ti for ti in app.text_input if ti.label == t("auth.workshop.code")).input(session.code.lower())
    next(b for b in app.button if b.label == t("auth.workshop.join")).click()
    app.run()
    assert not app.exception
    actor = app.session_state["actor"]
    assert (actor.role, actor.scope) == ("participant", session.code)
    assert app.success[0].value == t("auth.workshop.joined", "fr", title=md("Atelier Saint-Malo"))
    with pytest.raises(ValueError):
        app.switch_page("pages/admin_workshops.py")


def test_oidc_configured_maps_the_allow_list_without_breaking(built_data_dir, workspace_path):
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32}
    at.secrets["gtec"] = {"oidc_roles": {"Anne@Vannes.fr": "facilitator"}}
    at.query_params["lang"] = "en"
    at.run()
    at.switch_page("pages/sign_in.py").run()
    assert not at.exception
    assert t("auth.oidc.heading", "en") in [h.value for h in at.subheader]


def test_closing_an_unknown_workshop_says_unknown_not_denied(built_data_dir, ws):
    """A facilitator closing a session that no longer exists gets the real reason (was: 'denied')."""
    from gtec.core.errors import UserError

    with pytest.raises(UserError) as info:
        workshops.close_workshop(ws, CLI, "ZZZZZZ")
    assert info.value.key == "auth.error.code_unknown"


def test_the_sign_in_page_shows_no_server_command_nor_whether_an_admin_exists(app):
    """Review L1: visitors are told to ask the administrator; no shell command, no "no admin account exists"."""
    app.switch_page("pages/sign_in.py").run()
    shown = " ".join(x.value for x in [*app.info, *app.markdown, *app.caption, *app.error])
    assert t("auth.staff.ask_admin", "fr") in shown
    assert "python -m" not in shown and "--role" not in shown
    assert "administrateur n'existe" not in shown and not app.info


def test_sign_in_page_participant_first_placeholder_not_a_code_and_empty_code_asks_for_it(app):
    """Review L2, L3: the placeholder cannot be mistaken for a code; an empty submit asks for the code (it used
    to say "unknown code"); the participant block comes before the staff block, which is the smaller heading."""
    app.switch_page("pages/sign_in.py").run()
    box = next(ti for ti in app.text_input if ti.label == t("auth.workshop.code"))
    placeholder = box.proto.placeholder
    looks_like_a_code = workshops.normalise_code(placeholder)
    assert placeholder and not (
        len(looks_like_a_code) == workshops.CODE_LENGTH and set(looks_like_a_code) <= set(workshops.CODE_ALPHABET)
    )
    assert app.subheader[0].value == t("auth.workshop.heading", "fr")
    assert t("auth.staff.heading", "fr") not in [h.value for h in app.subheader]
    assert any(m.value.startswith("#####") and t("auth.staff.heading", "fr") in m.value for m in app.markdown)
    next(b for b in app.button if b.label == t("auth.workshop.join")).click()
    app.run()
    assert [e.value for e in app.error] == [t("auth.error.code_empty", "fr")]
