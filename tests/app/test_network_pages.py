"""AppTest of the partner-network pages (issue 16) through app.py: create two organisations in the form, log two
interactions and watch the reciprocity flag change, merge a duplicate, and keep people away from readers."""

from __future__ import annotations

import pytest

from gtec.access import settings
from gtec.core import auth, fmt
from gtec.core.errors import UserError
from gtec.core.i18n import t
from gtec.core.text import md
from gtec.network import contacts, interactions, organisations, reciprocity

FAC = auth.Actor("Claire Martin (claire)", "facilitator")


def _ok(at):
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def _by_label(widgets, key: str, lang: str = "fr"):
    return next(w for w in widgets if w.label == t(key, lang))


def _click(at, key: str, lang: str = "fr"):
    next(b for b in at.button if b.label == t(key, lang)).click()
    return _ok(at.run())


def _flags(at, lang: str = "fr") -> dict[str, str]:
    table = next(d.value for d in at.dataframe if t("network.col.flag", lang) in getattr(d.value, "columns", []))
    return dict(zip(table[t("network.col.name", lang)], table[t("network.col.flag", lang)], strict=True))


def _new_org(at, name: str, type_code: str = "company") -> None:
    _by_label(at.text_input, "network.field.name").input(name)
    _by_label(at.selectbox, "network.field.type").set_value(type_code)
    _click(at, "network.org.save")


def test_two_organisations_two_interactions_and_the_flag_changes(open_page, ws):
    at = open_page("pages/partners.py", "fr", FAC)
    _new_org(at, "Chantiers Piriou")
    assert any(t("network.org.saved", "fr", name="Chantiers Piriou") in s.value for s in at.success)
    _new_org(at, "IUT de Vannes", "university")
    names = sorted(o["name"] for o in organisations.list_organisations(ws))
    assert names == ["Chantiers Piriou", "IUT de Vannes"]
    table = at.dataframe[0].value
    assert sorted(table[t("network.col.name", "fr")]) == names
    assert set(table[t("network.col.territory", "fr")]) == {"Pays de Vannes"}  # the picker's default territory

    at.switch_page("pages/network.py").run()
    _ok(at)
    below, ok = t("network.flag.below", "fr"), t("network.flag.ok", "fr")
    assert _flags(at) == {"Chantiers Piriou": below, "IUT de Vannes": below}
    ids = {o["name"]: o["id"] for o in organisations.list_organisations(ws)}
    box = _by_label(at.multiselect, "network.field.organisations")
    box.set_value([ids["Chantiers Piriou"], ids["IUT de Vannes"]])
    _click(at, "network.log.save")
    assert any(t("network.log.saved", "fr") in s.value for s in at.success)
    assert _flags(at) == {"Chantiers Piriou": below, "IUT de Vannes": below}  # one meeting: still under two
    box = _by_label(at.multiselect, "network.field.organisations")
    box.set_value([ids["Chantiers Piriou"]])
    _click(at, "network.log.save")
    assert _flags(at) == {"Chantiers Piriou": ok, "IUT de Vannes": below}  # the flag changed
    result = reciprocity.compute(ws)
    assert result.share == 0.5
    cards = " ".join(h.proto.body for h in at.get("html"))
    assert fmt.percent("50", "fr") in cards and t("status.estimate", "fr") in cards


def test_a_duplicate_is_detected_and_merged_from_the_page(open_page, ws):
    keep = organisations.create(
        ws, FAC, organisations.OrganisationDraft("Atelier Métal SARL", "company", "FR", "FR-COM-56260")
    )
    gone = organisations.create(
        ws, FAC, organisations.OrganisationDraft("ATELIER METAL", "company", "FR", "FR-COM-56260", siren="732829320")
    )
    contacts.create(ws, FAC, contacts.ContactDraft(gone, "Jo Le Gall", "jo@example.org"))
    interactions.log_interaction(ws, FAC, "2026-01-10", "visit", [gone])
    at = open_page("pages/partners.py", "fr", FAC)
    assert any(t("network.dup.reason.name", "fr", score="").split("(")[0] in m.value for m in at.markdown)
    _click_label = t("network.dup.keep", "fr", name=md("Atelier Métal SARL"))
    next(b for b in at.button if b.label == _click_label).click()
    _ok(at.run())
    assert any(
        t("network.dup.merged", "fr", contacts=1, interactions=1, collaborations=0) in s.value for s in at.success
    )
    assert [o["id"] for o in organisations.list_organisations(ws)] == [keep]
    assert organisations.get(ws, gone)["merged_into"] == keep
    assert any(t("network.dup.none", "fr") in i.value for i in at.info)
    history = next(d.value for d in at.dataframe if t("network.col.kept", "fr") in d.value.columns)
    assert list(history[t("network.col.merged", "fr")]) == ["ATELIER METAL"]
    assert organisations.get(ws, keep)["siren"] == "732829320"


def test_a_reader_sees_organisations_and_the_indicator_but_no_person(open_page, ws):
    org = organisations.create(ws, FAC, organisations.OrganisationDraft("Lycée Lesage", "university"))
    person = contacts.create(ws, FAC, contacts.ContactDraft(org, "Nolwenn Secret", "nolwenn@example.org"))
    interactions.log_interaction(ws, FAC, "2026-02-01", "meeting", [org], [person], "Point annuel")
    for page in ("pages/partners.py", "pages/network.py"):
        at = open_page(page, "en")
        _ok(at)
        shown = " ".join(
            [str(d.value.to_dict()) for d in at.dataframe]
            + [m.value for m in at.markdown]
            + [c.value for c in at.caption]
        )
        assert "Nolwenn" not in shown and "nolwenn@" not in shown and "Point annuel" not in shown
        assert not at.get("form") or all(b.label != t("network.org.save", "en") for b in at.button)
    at = open_page("pages/partners.py", "en")
    assert "Lycée Lesage" in str(at.dataframe[0].value.to_dict())
    assert t("network.tab.contacts", "en") not in [tab.label for tab in at.tabs]


def test_a_facilitator_erases_a_contact_from_the_page_and_a_second_erasure_is_explained(open_page, ws):
    org = organisations.create(ws, FAC, organisations.OrganisationDraft("Kerhervé Logistique", "company"))
    person = contacts.create(ws, FAC, contacts.ContactDraft(org, "Erwan Kerhervé", "erwan@example.org"))
    at = open_page("pages/partners.py", "fr", FAC)
    assert "Erwan Kerhervé" in str(at.dataframe[-1].value.to_dict())
    at.checkbox(key=f"net_erase_sure_{person}").check().run()
    _click(at, "network.contact.erase")
    assert any(t("network.contact.erased", "fr") in s.value for s in at.success)
    assert contacts.list_contacts(ws, FAC) == []
    with pytest.raises(UserError) as error:  # a second request (another tab, a stale page) is answered in words
        contacts.erase(ws, FAC, person)
    assert error.value.key == "network.error.already_erased"


ATTACKS = [
    "![q](http://evil.example/x.png)",
    ":red[**Session expirée**] http://evil.example",
    "[cliquez](http://evil.example)",
    "<img src=http://evil.example/x.png>",
]


def test_hostile_names_are_never_live_markup(open_page, ws):
    from markdown_it import MarkdownIt

    renderer = MarkdownIt("commonmark", {"linkify": True, "html": True}).enable(["linkify"])
    ids = [
        organisations.create(ws, FAC, organisations.OrganisationDraft(name, "company", "FR", "FR-COM-56260"))
        for name in ATTACKS
    ]
    organisations.create(ws, FAC, organisations.OrganisationDraft(ATTACKS[0] + " SAS", "company", "FR", "FR-COM-56260"))
    interactions.log_interaction(ws, FAC, "2026-03-01", "meeting", ids[:2], notes=ATTACKS[1])
    for page in ("pages/partners.py", "pages/network.py"):
        at = _ok(open_page(page, "fr", FAC))
        kinds = ("markdown", "caption", "error", "warning", "info", "success", "title", "subheader")
        texts = [str(e.value) for kind in kinds for e in getattr(at, kind)] + [b.label for b in at.button]
        for text in texts:
            html = renderer.render(text)
            assert not ("evil.example" in html and ("<a " in html or "<img" in html)), text
            assert ":red[**" not in text, text


def test_an_edit_is_saved_from_the_page(open_page, ws):
    org = organisations.create(ws, FAC, organisations.OrganisationDraft("Pole emploi Vannes", "public_authority"))
    at = open_page("pages/partners.py", "fr", FAC)
    field = [w for w in at.text_input if w.label == t("network.field.name", "fr")][-1]  # the edit form's
    field.input("France Travail Vannes")
    next(b for b in at.button if b.label == t("network.org.update", "fr")).click()
    _ok(at.run())
    assert organisations.get(ws, org)["name"] == "France Travail Vannes"
    assert organisations.get(ws, org)["version"] == 2


def test_the_admin_sets_the_inactive_period_with_a_number(open_page, ws):
    at = open_page("pages/admin_settings.py", "fr", auth.Actor("Admin", "admin"))
    box = next(n for n in at.text_input if n.label == t("network.setting.inactive_months", "fr"))
    assert box.value == "24"  # the shared number field (components/number_field.py)
    box.input("6").run()
    _ok(at)
    assert settings.get_value(ws, "network.inactive_months") == 6


def test_an_organisation_placed_in_its_commune_and_a_bad_code_refused(open_page, ws):
    at = open_page("pages/partners.py", "fr", FAC)
    _by_label(at.text_input, "network.field.name").input("Boulangerie Le Goff")
    _by_label(at.text_input, "network.field.commune").input("99999")
    next(b for b in at.button if b.label == t("network.org.save", "fr")).click()
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [t("network.error.commune", "fr", code="99999")]
    assert organisations.list_organisations(ws) == []  # nothing stored
    _by_label(at.text_input, "network.field.name").input("Boulangerie Le Goff")
    _by_label(at.text_input, "network.field.commune").input("56260")
    _click(at, "network.org.save")
    assert [o["territory_id"] for o in organisations.list_organisations(ws)] == ["FR-COM-56260"]
