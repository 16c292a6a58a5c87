"""Partner network (issue 16) through the real workspace and its migrations: SIREN, duplicates and merge with
history, contacts (permission, export, erasure read back from every table and column of the file), the
reciprocity indicator and its 12-month window, the inactive-contact setting."""

from __future__ import annotations

import json
import sqlite3
from datetime import date

import pytest

from gtec.access import settings
from gtec.core import auth
from gtec.core.errors import EditConflict, UserError
from gtec.core.i18n import catalogue, t
from gtec.network import contacts, dates, interactions, organisations, reciprocity, views, vocab

FAC = auth.Actor("Claire Martin (claire)", "facilitator")
ADMIN = auth.Actor("admin", "admin")
READER = auth.ANONYMOUS
TODAY = date(2026, 12, 1)


def _org(ws, name: str, territory: str = "FR-COM-56260", siren: str = "", org_type: str = "company") -> int:
    return organisations.create(ws, FAC, organisations.OrganisationDraft(name, org_type, "FR", territory, siren=siren))


def _meet(ws, day: str, *orgs: int, kind: str = "meeting", people: tuple[int, ...] = (), notes: str = "") -> int:
    return interactions.log_interaction(ws, FAC, day, kind, list(orgs), people, notes, today=TODAY)


def test_siren_luhn_and_match_keys():
    assert organisations.siren_is_valid("732 829 320")  # a real SIREN with a valid key
    assert not organisations.siren_is_valid("732829321")
    assert not organisations.siren_is_valid("12345678")
    assert not organisations.siren_is_valid("abcdefghi")
    assert organisations.match_key("Chaudronnerie de l'Ouest SAS") == organisations.match_key(
        "CHAUDRONNERIE DE L’OUEST, S.A.S."
    )
    assert organisations.match_key("Société Générale SA") == "generale"
    assert organisations.match_key("Atelier Métal, SARL") == organisations.match_key("atelier metal")


def test_validation_refuses_bad_values_and_nothing_is_written(ws):
    for draft, key in [
        (organisations.OrganisationDraft("  ", "company"), "network.error.name"),
        (organisations.OrganisationDraft("X", "bank"), "network.error.org_type"),
        (organisations.OrganisationDraft("X", "company", siren="732829321"), "network.error.siren"),
        (organisations.OrganisationDraft("X", "company", naf="ABC"), "network.error.naf"),
        (organisations.OrganisationDraft("X", "company", territory_id="<script>"), "network.error.territory"),
    ]:
        with pytest.raises(UserError) as error:
            organisations.create(ws, FAC, draft)
        assert error.value.key == key
    with pytest.raises(auth.PermissionDenied):
        organisations.create(ws, READER, organisations.OrganisationDraft("X", "company"))
    assert organisations.list_organisations(ws) == []


def test_duplicates_by_siren_and_by_close_names_in_the_same_territory(ws):
    a = _org(ws, "Chaudronnerie de l'Ouest SAS", "FR-COM-56260")
    b = _org(ws, "CHAUDRONNERIE DE L’OUEST", "FR-COM-56260")
    c = _org(ws, "Chaudronnerie de l'Ouest", "FR-COM-29019")  # same name, other territory: not a duplicate
    d = _org(ws, "Mairie de Vannes", "FR-COM-56260", siren="732829320")
    e = _org(ws, "Ville de Vannes (services)", "FR-COM-56999", siren="732 829 320")
    _org(ws, "Boulangerie Le Goff", "FR-COM-56260")
    found = {(x.first_id, x.second_id): x.reason for x in organisations.find_duplicates(ws)}
    assert found == {(a, b): "name", (d, e): "siren"}
    assert c not in {i for pair in found for i in pair}


def test_merge_moves_everything_keeps_an_alias_and_is_audited_with_ids_only(ws):
    keep = _org(ws, "Lycée Dupuy de Lôme", "FR-COM-56260")
    gone = _org(ws, "LYCEE DUPUY DE LOME", "FR-COM-56260", siren="732829320")
    other = _org(ws, "Naval Group", "FR-COM-56260", org_type="company")
    person = contacts.create(ws, FAC, contacts.ContactDraft(gone, "Anne Le Bihan", "anne@example.org"), today=TODAY)
    both = _meet(ws, "2026-10-01", keep, gone)  # already linked to the survivor: the duplicate link is dropped
    _meet(ws, "2026-11-01", gone, other, people=(person,))
    interactions.create_collaboration(ws, FAC, "apprenticeship", [gone, other], "2026-09-01")
    moved = organisations.merge(ws, FAC, keep, gone)
    assert moved == {"contacts": 1, "interactions": 2, "collaborations": 1}
    assert [o["id"] for o in organisations.list_organisations(ws)] == sorted([keep, other], key=lambda i: i)
    alias = organisations.get(ws, gone)
    assert alias["merged_into"] == keep and alias["merged_by"] == FAC.name and alias["merged_at"]
    assert organisations.get(ws, keep)["siren"] == "732829320"  # empty field filled from the merged record
    assert organisations.resolve(ws, gone) == keep
    assert [a["id"] for a in organisations.aliases(ws, keep)] == [gone]
    assert contacts.list_contacts(ws, FAC)[0]["organisation_id"] == keep
    counts = {p.id: p.meetings for p in reciprocity.compute(ws, TODAY).partners}
    assert counts == {keep: 2, other: 1}  # interaction `both` counted once for the survivor
    assert both
    entry = ws.audit_entries(1)[0]
    assert entry["action"] == "network.merge"
    assert json.loads(entry["detail"]) == {"kept": keep, "merged": gone, **moved}
    with pytest.raises(UserError) as error:
        organisations.merge(ws, FAC, keep, gone)
    assert error.value.key == "network.error.already_merged"
    with pytest.raises(UserError):
        organisations.merge(ws, FAC, keep, keep)
    assert organisations.find_duplicates(ws) == []


def test_a_stale_edit_is_refused_not_lost(ws):
    org_id = _org(ws, "Pôle emploi Vannes")
    row = organisations.get(ws, org_id)
    organisations.update(
        ws, FAC, org_id, organisations.OrganisationDraft("France Travail Vannes", "public_authority"), 1
    )
    with pytest.raises(EditConflict) as error:
        organisations.update(ws, ADMIN, org_id, organisations.draft_of(row), row["version"])
    assert any(c["theirs"] == "France Travail Vannes" for c in error.value.conflicts)
    assert organisations.get(ws, org_id)["name"] == "France Travail Vannes"


def test_contacts_are_for_signed_in_roles_and_validated(ws):
    org = _org(ws, "Kerhervé Logistique")
    with pytest.raises(UserError) as error:
        contacts.create(ws, FAC, contacts.ContactDraft(org, "Jo", "not-an-email"))
    assert error.value.key == "network.error.email"
    with pytest.raises(UserError) as error:
        contacts.create(ws, FAC, contacts.ContactDraft(org, "Jo", legal_basis="consent"))
    assert error.value.key == "network.error.consent_date"
    with pytest.raises(auth.PermissionDenied):
        contacts.create(ws, READER, contacts.ContactDraft(org, "Jo"))
    contacts.create(
        ws, FAC, contacts.ContactDraft(org, "Jo Kerhervé", "JO@Example.org", "DRH", "consent", "2026-01-05")
    )
    with pytest.raises(auth.PermissionDenied):
        contacts.list_contacts(ws, READER)
    people = contacts.list_contacts(ws, FAC)
    assert [(p["full_name"], p["email"], p["consent_date"]) for p in people] == [
        ("Jo Kerhervé", "jo@example.org", "2026-01-05")
    ]
    _meet(ws, "2026-11-02", org, people=(people[0]["id"],))
    log = interactions.list_interactions(ws, READER)
    assert log[0]["people"] is None and log[0]["notes"] is None  # a reader sees the organisation, never the person
    assert interactions.list_interactions(ws, FAC)[0]["people"] == ["Jo Kerhervé"]


def _every_text_in_the_file(path) -> str:
    raw = sqlite3.connect(path)
    try:
        chunks = []
        tables = [r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            columns = [r[1] for r in raw.execute(f'PRAGMA table_info("{table}")')]
            for column in columns:
                for (value,) in raw.execute(f'SELECT "{column}" FROM "{table}"'):
                    if value is not None:
                        chunks.append(value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value))
        assert "audit_log" in tables and "contacts" in tables and "interactions" in tables
        return "\n".join(chunks).casefold()
    finally:
        raw.close()


def test_erasure_leaves_no_personal_data_anywhere_in_the_workspace_file(ws):
    org = _org(ws, "Atelier Métal SARL")
    other = _org(ws, "IUT de Vannes", org_type="university")
    name, email = "Gwenaëlle Tanguy-Riou", "g.tanguy-riou@atelier-metal.example"
    person = contacts.create(
        ws, FAC, contacts.ContactDraft(org, name, email, "Responsable RH", "consent", "2026-03-01"), today=TODAY
    )
    keeper = contacts.create(ws, FAC, contacts.ContactDraft(other, "Yann Morvan", "yann@iut.example"), today=TODAY)
    met = _meet(
        ws,
        "2026-10-10",
        org,
        other,
        people=(person, keeper),
        notes=f"Bilan avec GWENAËLLE TANGUY-RIOU ({email}) : deux apprentis en 2027.",
    )
    interactions.create_collaboration(ws, FAC, "internship", [org, other], "2026-09-01", notes=f"Tutrice : {name}")
    export = contacts.export_person(ws, FAC, person)
    assert export["contact"]["email"] == email and [i["id"] for i in export["interactions"]] == [met]
    assert email.encode() in contacts.export_csv(export) and name in contacts.export_json(export).decode()
    settings.set_value(ws, ADMIN, "network.inactive_months", 6)
    assert name.casefold() in _every_text_in_the_file(ws.path)  # the check below can fail: the data was there

    result = contacts.erase(ws, FAC, person)
    assert result == {"interactions": 1, "texts": 2}
    text = _every_text_in_the_file(ws.path)
    for needle in (name, email, "tanguy", "gwenaëlle", "responsable rh"):
        assert needle.casefold() not in text, needle
    assert "yann morvan" in text  # the other person is untouched
    # not even in the file's bytes, write-ahead log included: freed space is zeroed and the log emptied
    on_disk = b"".join(p.read_bytes() for p in ws.path.parent.glob(ws.path.name + "*") if p.is_file())
    for needle in (email, "Tanguy-Riou"):
        assert needle.encode() not in on_disk, needle
    log = interactions.list_interactions(ws, FAC)
    assert log[0]["anonymous"] == 1 and log[0]["people"] == ["Yann Morvan"]  # an anonymous trace remains
    assert "deux apprentis" in log[0]["notes"] and contacts.REDACTED in log[0]["notes"]
    assert reciprocity.compute(ws, TODAY).partners[0].meetings == 1  # the meeting still counts
    assert ws.audit_entries(1)[0]["action"] == "network.contact_erase"
    with pytest.raises(UserError) as error:
        contacts.erase(ws, FAC, person)
    assert error.value.key == "network.error.already_erased" and error.value.values["date"]
    with pytest.raises(UserError):
        contacts.export_person(ws, FAC, person)
    assert [c["id"] for c in contacts.list_contacts(ws, FAC)] == [keeper]


def test_inactive_contacts_follow_the_admin_setting(ws):
    org = _org(ws, "Port de Vannes")
    old = contacts.create(ws, FAC, contacts.ContactDraft(org, "Ancien Contact"))
    fresh = contacts.create(ws, FAC, contacts.ContactDraft(org, "Contact Récent"))
    _meet(ws, "2025-01-15", org, people=(old,))
    _meet(ws, "2026-11-20", org, people=(fresh,))
    assert settings.get_value(ws, "network.inactive_months") == 24
    assert contacts.inactive(ws, FAC, 24, TODAY) == []
    settings.set_value(ws, ADMIN, "network.inactive_months", 12)
    months = settings.get_value(ws, "network.inactive_months")
    assert [c["id"] for c in contacts.inactive(ws, FAC, months, TODAY)] == [old]
    for bad in (0, 121, True, "12"):
        with pytest.raises(UserError):
            settings.set_value(ws, ADMIN, "network.inactive_months", bad)
    with pytest.raises(auth.PermissionDenied):
        settings.set_value(ws, FAC, "network.inactive_months", 6)


def test_reciprocity_counts_meetings_of_the_last_twelve_months_only(ws):
    a, b, c = _org(ws, "A Conseil"), _org(ws, "B Industrie"), _org(ws, "C Formation", org_type="training_body")
    assert reciprocity.window(TODAY) == (date(2025, 12, 1), TODAY)
    _meet(ws, "2025-12-01", a)  # exactly 12 months ago: outside the window
    _meet(ws, "2025-12-02", a)  # inside
    _meet(ws, "2026-06-01", a, b)
    _meet(ws, "2026-07-01", b, kind="call")  # a call is not a meeting
    _meet(ws, "2026-11-30", b, kind="visit")
    result = reciprocity.compute(ws, TODAY)
    counts = {p.id: (p.meetings, p.below) for p in result.partners}
    assert counts == {a: (2, False), b: (2, False), c: (0, True)}
    assert result.share == pytest.approx(2 / 3)
    assert reciprocity.compute_naive(ws, TODAY) == result
    later = reciprocity.compute(ws, date(2026, 12, 3))  # the meeting of 2025-12-02 leaves the window
    assert {p.id: p.meetings for p in later.partners}[a] == 1
    with pytest.raises(UserError) as error:
        _meet(ws, "2026-12-02", a)
    assert error.value.key == "network.error.future_date"


def test_reciprocity_of_an_empty_network_is_missing_not_zero(ws):
    assert reciprocity.compute(ws, TODAY).share is None


def test_who_works_with_whom_and_the_views(ws):
    a, b, c = _org(ws, "A"), _org(ws, "B", "FR-COM-56121"), _org(ws, "C", "")
    _meet(ws, "2026-11-01", a, b)
    _meet(ws, "2026-11-02", a, b, c)
    interactions.create_collaboration(ws, FAC, "ktp", [b, c], "2026-01-01", "2027-01-01")
    links = {(x.first_id, x.second_id): (x.interactions, x.collaborations) for x in reciprocity.links(ws, TODAY)}
    assert links == {(a, b): (2, 0), (a, c): (1, 0), (b, c): (1, 1)}
    frame = views.matrix_frame(reciprocity.links(ws, TODAY), {a: "A", b: "B", c: "C"})
    assert len(frame) == 6 and set(frame["a"]) == {"A", "B", "C"}
    spec = views.matrix_chart(frame, "fr").to_dict()
    assert spec["mark"]["type"] == "rect"
    with pytest.raises(UserError):
        interactions.create_collaboration(ws, FAC, "ktp", [a], "2026-01-01")
    with pytest.raises(UserError):
        interactions.create_collaboration(ws, FAC, "ktp", [a, b], "2026-02-01", "2026-01-01")


def test_partner_map_escapes_names_and_places_partners(ws, built_data_dir):
    from gtec.storage.reference import connect_reference

    _org(ws, "<img src=x onerror=alert(1)>", "FR-COM-56260")
    _org(ws, "Sans contour", "FR-NOPE-1")
    result = reciprocity.compute(ws, TODAY)
    conn = connect_reference()
    m, unmapped = views.partner_map(conn, result, "fr")
    html = m.get_root().render()
    assert "<img src=x" not in html and "&lt;img src=x" in html
    assert unmapped == ["FR-NOPE-1"]
    table = views.partner_table(result, {"FR-COM-56260": "Vannes"}, "en")
    # a territory unknown to the store shows its id
    assert list(table[t("network.col.territory", "en")]) == ["Vannes", "FR-NOPE-1"]


def test_every_declared_code_has_both_labels():
    keys = catalogue()
    lists = {
        "org_type": vocab.ORG_TYPES,
        "country": tuple(c.lower() for c in vocab.COUNTRIES),
        "size": vocab.SIZES,
        "collab_type": vocab.COLLAB_TYPES,
        "interaction_type": vocab.INTERACTION_TYPES,
        "legal_basis": vocab.LEGAL_BASES,
        "dup.reason": ("siren", "name"),
    }
    missing = [f"network.{n}.{c}" for n, codes in lists.items() for c in codes if f"network.{n}.{c}" not in keys]
    assert not missing
    assert set(vocab.INTERACTION_TYPES) >= vocab.MEETING_TYPES


def test_months_before_handles_month_ends():
    assert dates.months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert dates.months_before(date(2024, 2, 29), 12) == date(2023, 2, 28)
    assert dates.months_before(date(2026, 1, 15), 12) == date(2025, 1, 15)


def test_a_commune_code_is_checked_against_the_store(built_data_dir):
    from gtec.storage.reference import connect_reference

    conn = connect_reference()
    assert organisations.commune_territory(conn, " 56260 ") == "FR-COM-56260"
    assert organisations.commune_territory(conn, "2a004") == "FR-COM-2A004"
    for bad in ("99999", "5626", "ABCDE", "<b>"):
        with pytest.raises(UserError) as error:
            organisations.commune_territory(conn, bad)
        assert error.value.key == "network.error.commune"
