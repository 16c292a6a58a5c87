"""Roadmap: actions (validation, versioned edits, owner organisations), creation from an origin, the CSV format
(round trip, all-or-nothing import), the timeline chart and the printable roadmap."""

from __future__ import annotations

import datetime as dt

import pytest

from gtec.core import auth, i18n
from gtec.core.errors import EditConflict, UserError
from gtec.imports.limits import ImportLimits
from gtec.needs import bank, surveys
from gtec.roadmap import actions, csvio, origins, printable, timeline

FAC = auth.Actor("Fanny", "facilitator")


def _draft(**kw):
    base = dict(title="Forum alternance", group_code="public_authorities", start_on="2026-01-15", end_on="2026-06-30",
                status="in_progress", progress=40, owner_name="Vannes Agglo", territory_id="FR-BASIN-VANNES",
                indicator="Contrats signés", baseline="12", target="30,5")  # fmt: skip
    base.update(kw)
    return actions.ActionDraft(**base)


def test_every_status_origin_and_group_has_its_labels():
    keys = i18n.catalogue()
    assert all(f"roadmap.status.{s}" in keys for s in actions.STATUSES)
    assert all(f"roadmap.origin.{o}" in keys for o in actions.ORIGINS)
    assert all(f"needs.group.{g}" in keys for g in actions.GROUPS)
    assert actions.GROUPS[0] == "public_authorities"  # local authorities first


def test_create_validate_and_edit_with_versions(ws):
    aid = actions.create_action(ws, FAC, _draft())
    row = actions.get_action(ws, aid)
    assert row["target"] == 30.5 and row["baseline"] == 12 and row["version"] == 1  # French decimal parsed
    for bad, key in ((dict(title=" "), "roadmap.error.title"), (dict(end_on="2025-01-01"), "roadmap.error.dates"),
                     (dict(progress=140), "roadmap.error.progress"), (dict(group_code="x"), "roadmap.error.group"),
                     (dict(start_on="15/01/2026"), "roadmap.error.date"), (dict(target="beaucoup"),
                     "roadmap.error.number"), (dict(owner_org_id=99), "roadmap.error.owner")):  # fmt: skip
        with pytest.raises(UserError) as err:
            actions.create_action(ws, FAC, _draft(**bad))
        assert err.value.key == key
    actions.update_action(ws, FAC, aid, _draft(progress=60), 1)
    with pytest.raises(EditConflict) as err:
        actions.update_action(ws, FAC, aid, _draft(progress=80), 1)  # based on the old version
    assert any(c["field"] == "progress" and c["theirs"] == 60 for c in err.value.conflicts)
    assert actions.get_action(ws, aid)["progress"] == 60
    with pytest.raises(auth.PermissionDenied):
        actions.create_action(ws, auth.ANONYMOUS, _draft())
    assert [e["action"] for e in ws.audit_entries()] == ["roadmap.edit", "roadmap.edit"]


def test_owner_organisation_of_the_partner_network(ws):
    from gtec.network import organisations, vocab

    assert actions.organisations(ws) == {}
    kind = vocab.ORG_TYPES[0]
    cci = organisations.create(ws, FAC, organisations.OrganisationDraft(name="CCI Morbihan", org_type=kind))
    alias = organisations.create(ws, FAC, organisations.OrganisationDraft(name="C.C.I. du Morbihan", org_type=kind))
    aid = actions.create_action(ws, FAC, _draft(owner_org_id=alias, owner_name=""))
    assert set(actions.active_organisations(ws)) == {cci, alias}
    organisations.merge(ws, FAC, cci, alias)
    assert set(actions.active_organisations(ws)) == {cci}  # a merged organisation is no longer offered
    assert next(r for r in actions.list_actions(ws) if r["id"] == aid)["owner"] == "CCI Morbihan"  # its survivor


def test_filters_and_the_timeline(ws):
    a = actions.create_action(ws, FAC, _draft())
    actions.create_action(ws, FAC, _draft(title="Logement des alternants", group_code="students", status="planned",
                                          territory_id="FR-EPCI-200067932"))  # fmt: skip
    assert [r["id"] for r in actions.list_actions(ws, actions.Filters(groups=["public_authorities"]))] == [a]
    assert len(actions.list_actions(ws, actions.Filters(statuses=["planned", "done"]))) == 1
    assert len(actions.list_actions(ws, actions.Filters(territories=["FR-BASIN-VANNES", "FR-EPCI-200067932"]))) == 2
    rows = actions.list_actions(ws)
    spec = timeline.gantt(rows, "fr", today=dt.date(2026, 3, 1)).to_dict()
    data = next(iter(spec["datasets"].values()))
    assert {d["status_label"] for d in data} == {"en cours", "prévue"}
    assert any(d["label"].startswith(f"{a} · Forum") for d in data)
    done = next(d for d in data if d["id"] == a)
    assert done["done_end"] > done["start"] and done["done_end"] < done["end"]  # 40 % of the bar


def test_csv_round_trip_updates_and_creates_all_or_nothing(ws, tmp_path):
    aid = actions.create_action(ws, FAC, _draft(title="=cmd|' /C calc'!A0"))
    path = tmp_path / "roadmap.csv"
    path.write_bytes(csvio.export_csv(actions.list_actions(ws)))
    text = path.read_text(encoding="utf-8-sig")
    assert "'=cmd" in text  # formula neutralised on export
    lines = text.splitlines()
    lines.append(",Nouvelle action,students,,Université,,2026-02-01,2026-09-30,planned,0,,,,,,,")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report, created, updated = csvio.import_file(ws, FAC, path, ImportLimits())
    assert (created, updated) == (1, 1) and not report.problems
    assert actions.get_action(ws, aid)["title"] == "=cmd|' /C calc'!A0"  # the apostrophe was undone on import
    assert actions.get_action(ws, aid)["version"] == 2
    # a stale version (the file above says version 1) and a bad row: nothing is written
    lines.append(",Mauvaise,students,,,,2026-13-01,2026-09-30,planned,0,,,,,,,")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report, created, updated = csvio.import_file(ws, FAC, path, ImportLimits())
    assert report.problems and (created, updated) == (0, 0)
    lines.pop()
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = len(actions.list_actions(ws))
    with pytest.raises(EditConflict):
        csvio.import_file(ws, FAC, path, ImportLimits())
    assert len(actions.list_actions(ws)) == before  # the new row of the failed file was rolled back too
    bad = tmp_path / "bad.csv"
    bad.write_text("titre;début\nx;2026-01-01\n", encoding="utf-8")
    report, _, _ = csvio.import_file(ws, FAC, bad, ImportLimits())
    assert report.problems[0][2].key == "roadmap.import.columns"


def test_a_needs_cell_becomes_an_action_linked_to_it(ws):
    qids = [q.id for q in bank.questions_for(["students"])]
    s = surveys.create_survey(ws, FAC, title="Enquête étudiants", kind="needs", groups=["students"],
                              question_ids=qids, mode="open")  # fmt: skip
    for _ in range(5):
        surveys.submit(ws, s.link_code, surveys.new_token(), "students", {"ATT1": 4, "REC1": 2})
    cells = origins.candidates(ws, FAC, "needs_cell", "fr")
    assert [c.ref for c in cells][:1] == [f"survey:{s.id}:students:attractiveness"]  # highest priority first
    aid = origins.create_from(ws, FAC, cells[0], today=dt.date(2026, 1, 1))
    row = actions.get_action(ws, aid)
    assert row["origin_kind"] == "needs_cell" and row["origin_ref"] == cells[0].ref
    assert row["group_code"] == "students" and row["status"] == "planned" and row["start_on"] == "2026-01-01"
    assert "Attractivité" in row["title"]
    with pytest.raises(auth.PermissionDenied):
        origins.candidates(ws, auth.ANONYMOUS, "needs_cell", "fr")


def test_a_practice_and_a_workshop_recommendation_become_actions(ws):
    from gtec.practices import library
    from gtec.workshops import contributions, participants, sessions
    from gtec.workshops.sessions import TrackSpec

    library.create_practice(ws, FAC, library.PracticeDraft(title_fr="Job dating alternance",
                            summary_fr="Rencontres entreprises-apprentis", territory_id="FR-BASIN-VANNES"))  # fmt: skip
    practice = origins.candidates(ws, FAC, "practice", "fr")
    assert practice and practice[0].label == "Job dating alternance"
    assert practice[0].territory_id == "FR-BASIN-VANNES"
    created = sessions.create_session(ws, FAC, "Atelier besoins", [TrackSpec("Alternance")])
    code = created.code if hasattr(created, "code") else created
    session = sessions.get_session(ws, code)
    sessions.set_phase(ws, FAC, session.code, "contribute")
    _token, me = participants.join(ws, session.code, "company", "Ana", session.tracks[0].id, client="", browser="b1")
    contributions.post(ws, me, "Un guichet unique pour les entreprises")
    recs = origins.candidates(ws, FAC, "workshop", "fr")
    assert [r.label for r in recs] == ["Un guichet unique pour les entreprises"]
    aid = origins.create_from(ws, FAC, recs[0])
    assert actions.get_action(ws, aid)["origin_ref"] == recs[0].ref and len(recs[0].ref) >= 6


def test_the_printable_roadmap_escapes_text_and_speaks_both_languages(ws):
    actions.create_action(ws, FAC, _draft(title="<script>alert(1)</script>"))
    rows = actions.list_actions(ws)
    fr, en = printable.to_html(rows, "fr", "2026-03-01"), printable.to_html(rows, "en", "2026-03-01")
    assert "<script>alert" not in fr and "&lt;script&gt;" in fr
    assert "Feuille de route des acteurs" in fr and "Stakeholders&#x27; roadmap" in en
    assert "Collectivités et pouvoirs publics" in fr and "40 %" in fr and "30,5" in fr


def test_a_peer_exchange_finding_and_follow_up_become_actions(ws):
    from gtec.practices import exchanges

    ex = exchanges.create_exchange(
        ws, FAC, title="Alternance dans l'industrie", kind="challenge", host_org="Vannes Agglo", host_country="FR",
        peers=[("Ghent University", "BE"), ("Kent council", "UK")], challenge="Trop peu de tuteurs",
    )  # fmt: skip
    exchanges.record_meeting(ws, FAC, ex, date="2026-02-10", mode="online", attendees=["A", "B"],
                             findings="Former les tuteurs ensemble")  # fmt: skip
    exchanges.add_recommendation(ws, FAC, ex, recommendation="Un réseau de tuteurs partagé", owner="CCI",
                                 due_on="2026-06-30")  # fmt: skip
    found = origins.candidates(ws, FAC, "exchange", "fr")
    assert {o.label for o in found} == {"Un réseau de tuteurs partagé", "Former les tuteurs ensemble"}
    aid = origins.create_from(ws, FAC, next(o for o in found if o.label.startswith("Un réseau")))
    row = actions.get_action(ws, aid)
    assert row["origin_kind"] == "exchange" and row["origin_label"] == "Un réseau de tuteurs partagé"
