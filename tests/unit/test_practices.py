"""Practices library, peer exchanges and secure spaces (issue 15), through the real workspace and migrations."""

from __future__ import annotations

import io
import zipfile

import pytest
from cryptography.fernet import Fernet

from gtec.core import auth
from gtec.core.errors import UserError
from gtec.practices import exchanges, files, library, report, search, seed, space

FAC = auth.Actor("Claire Martin (claire)", "facilitator")
PEER = auth.Actor("tom", "facilitator")
OUTSIDER = auth.Actor("eve", "facilitator")


def _french_practice(ws) -> int:
    draft = library.PracticeDraft(
        title_fr="Forum des métiers de l'industrie",
        summary_fr="Des entreprises présentent leurs métiers aux élèves.",
        description_fr="Chaque printemps, les chaudronniers et soudeurs du bassin accueillent des collégiens.",
        description_en="Each spring, boilermakers and welders of the basin host pupils.",
        country="FR",
        territory_id="FR-BASIN-VANNES",
        theme="co_creation",
        families=("F03",),
    )
    return library.create_practice(ws, FAC, draft)


def test_french_practice_found_from_english_and_without_accents(ws):
    new_id = _french_practice(ws)
    assert [p["id"] for p in library.find_practices(ws, "welders")] == [new_id]
    assert [p["id"] for p in library.find_practices(ws, "metiers")] == [new_id]
    assert [p["id"] for p in library.find_practices(ws, "ELEVES")] == [new_id]
    assert library.find_practices(ws, "collégien")  # prefix match
    assert library.missing_languages(library.get_practice(ws, new_id)) == ["en"]
    assert ws.audit_entries(1)[0]["action"] == "practice.create"


def test_search_text_is_never_fts_syntax(ws):
    _french_practice(ws)
    for hostile in ['"', "métiers*", "NEAR(", "a OR", "-x", "^"]:
        library.find_practices(ws, hostile)  # no exception
    assert search.fts_query('bad" OR x') == '"bad"* "OR"* "x"*'


def test_filters_and_validation(ws):
    _french_practice(ws)
    assert library.find_practices(ws, "", library.Filters(countries=("UK",))) == []
    assert len(library.find_practices(ws, "", library.Filters(families=("F03",)))) == 1
    with pytest.raises(UserError) as error:
        library.create_practice(ws, FAC, library.PracticeDraft(summary_fr="x"))
    assert error.value.key == "practices.error.title"
    with pytest.raises(UserError):
        library.create_practice(ws, FAC, library.PracticeDraft(title_en="x", summary_en="y", status="peer_reviewed"))
    with pytest.raises(auth.PermissionDenied):
        library.create_practice(ws, auth.ANONYMOUS, library.PracticeDraft(title_en="x", summary_en="y"))


def test_comments_and_seed(ws):
    assert seed.ensure_seeded(ws) == 5
    assert seed.ensure_seeded(ws) == 0
    seeded = library.find_practices(ws)
    assert {p["status"] for p in seeded} == {"project_document"}
    assert all("project document" in p["sources"] for p in seeded)
    assert library.find_practices(ws, "stay local")  # the programme's own figure, kept as such
    assert library.find_practices(ws, "peronne")
    library.add_comment(ws, PEER, seeded[0]["id"], "Intéressant <b>!</b>")
    assert library.comments(ws, seeded[0]["id"])[0]["body"] == "Intéressant <b>!</b>"
    with pytest.raises(UserError):
        library.add_comment(ws, PEER, seeded[0]["id"], "  ")


def test_exchange_from_questions_to_recommendations(ws):
    pid = _french_practice(ws)
    with pytest.raises(UserError) as error:
        exchanges.create_exchange(
            ws,
            FAC,
            title="x",
            kind="practice",
            host_org="Vannes",
            host_country="FR",
            peers=[("Leeds", "UK")],
            practice_id=pid,
        )
    assert error.value.key == "exchange.error.peers"
    ex_id = exchanges.create_exchange(
        ws,
        FAC,
        title="Forum des métiers",
        kind="practice",
        host_org="Pays de Vannes",
        host_country="FR",
        peers=[("Leeds College", "UK"), ("Forem", "BE")],
        practice_id=pid,
    )
    exchanges.post_question(ws, PEER, ex_id, "How are pupils selected?", org="Leeds College", lang="en")
    with pytest.raises(UserError):
        exchanges.add_recommendation(ws, FAC, ex_id, recommendation="r", owner="o", due_on="2027-01-01")
    exchanges.record_meeting(
        ws,
        FAC,
        ex_id,
        date="2026-12-01",
        mode="online",
        attendees=["Claire", "Tom"],
        findings="Works with <script>x</script> small firms.",
    )
    exchanges.add_recommendation(ws, FAC, ex_id, recommendation="Pilot in Leeds", owner="Tom", due_on="2027-03-01")
    ex = exchanges.load_exchange(ws, ex_id)
    assert ex["phase"] == "met" and ex["followups"][0]["owner"] == "Tom"
    page = report.exchange_report_html(ex, "en")
    assert "Pilot in Leeds" in page and "<script>x" not in page and "&lt;script&gt;" in page


@pytest.fixture
def key() -> bytes:
    return Fernet.generate_key()


def test_space_upload_membership_revocation_and_no_plaintext(ws, tmp_path, key):
    store = tmp_path / "space"
    sid = space.create_space(ws, FAC, "Vannes-Leeds")
    space.add_member(ws, FAC, sid, PEER.name)
    secret = b"Confidential minutes: budget 12345 for the pilot.\n"
    doc = space.upload_document(ws, PEER, sid, "minutes.txt", secret, store_dir=store, key=key)
    meta, data = space.download_document(ws, FAC, doc, store_dir=store, key=key)
    assert data == secret and meta["name"] == "minutes.txt"
    stored = list(store.rglob("*.bin"))
    assert len(stored) == 1 and b"Confidential" not in stored[0].read_bytes() and b"12345" not in stored[0].read_bytes()
    with pytest.raises(UserError) as error:  # a non-member with the document id
        space.download_document(ws, OUTSIDER, doc, store_dir=store, key=key)
    assert error.value.key == "space.error.denied"
    with pytest.raises(auth.PermissionDenied):
        space.download_document(ws, auth.ANONYMOUS, doc, store_dir=store, key=key)
    space.revoke_member(ws, FAC, sid, PEER.name)
    with pytest.raises(UserError):
        space.download_document(ws, PEER, doc, store_dir=store, key=key)
    with pytest.raises(UserError):
        space.open_space(ws, PEER, sid)
    log = space.access_log(ws, FAC, sid)
    assert [(r["username"], r["action"]) for r in log][:3] == [("tom", "denied"), ("tom", "denied"), ("eve", "denied")]
    assert ("claire", "download") in [(r["username"], r["action"]) for r in log]


def test_upload_refused_without_key_and_nothing_half_written(ws, tmp_path):
    store = tmp_path / "space"
    sid = space.create_space(ws, FAC, "S")
    with pytest.raises(UserError) as error:
        space.upload_document(ws, FAC, sid, "a.txt", b"hello", store_dir=store, key=None)
    assert error.value.key == "space.error.no_key"
    with pytest.raises(UserError):
        space.upload_document(ws, OUTSIDER, sid, "a.txt", b"hello", store_dir=store, key=Fernet.generate_key())
    assert not list(store.rglob("*")) or not list(store.rglob("*.bin"))
    with ws.read() as conn:
        assert conn.scalar("SELECT COUNT(*) FROM space_documents") == 0


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in entries.items():
            z.writestr(name, body)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("a.txt", b"", "empty"),
        ("a.txt", b"x" * (files.MAX_BYTES + 1), "too_big"),
        ("../etc/passwd.txt", b"x", "name"),
        ("a\\b.txt", b"x", "name"),
        ("a\x00b.txt", b"x", "name"),
        ("a\nb.txt", b"x", "name"),
        (".hidden.txt", b"x", "name"),
        ("page.html", b"<html><script>alert(1)</script>", "type"),
        ("image.svg", b"<svg onload=alert(1)>", "type"),
        ("notes.txt", b"<script>alert(1)</script>", "active"),
        ("report.pdf", b"MZ\x90\x00 not a pdf", "mismatch"),
        ("photo.png", b"%PDF-1.4", "mismatch"),
        ("bomb.zip", _zip({"big.txt": b"0" * (60 * 1024 * 1024)}), "bomb"),
        ("nest.zip", _zip({"x.svg": b"<svg/>"}), "active"),
        ("doc.docx", _zip({"word/document.xml": b"<w/>"}), "mismatch"),
        ("run.exe", b"MZ", "type"),
    ],
)
def test_bad_uploads_are_refused(name, data, code):
    with pytest.raises(UserError) as error:
        files.check_upload(name, data)
    assert error.value.code == code


def test_good_uploads_pass():
    assert files.check_upload("Compte rendu é.pdf", b"%PDF-1.7 ...").mime == "application/pdf"
    assert files.check_upload("t.csv", "a;b\n1;é\n".encode()).kind == "text"
    assert files.check_upload("d.docx", _zip({"[Content_Types].xml": b"<x/>"})).kind == "ooxml"


def test_results_read_from_the_store_before_and_after_missing_stays_missing(built_data_dir):
    from gtec.practices import outcomes
    from gtec.storage.reference import connect_reference

    conn = connect_reference(built_data_dir / "reference.sqlite")
    years = outcomes.indicator_years(conn, "FR-BASIN-VANNES", "jobseekers")
    assert len(years) >= 2
    practice = {"indicator_id": "jobseekers", "territory_id": "FR-BASIN-VANNES"}
    change = outcomes.indicator_change(
        conn, {**practice, "indicator_before": str(years[0]), "indicator_after": str(years[-1])}
    )
    assert change is not None and change.before is not None and change.after is not None and change.source_id
    gap = outcomes.indicator_change(conn, {**practice, "indicator_before": "1990", "indicator_after": str(years[-1])})
    assert gap is not None and gap.before is None  # missing, never zero
    assert outcomes.indicator_change(conn, {**practice, "indicator_before": "", "indicator_after": ""}) is None


def test_peer_review_by_someone_else_and_followup_state(ws):
    pid = _french_practice(ws)
    with pytest.raises(UserError) as error:
        library.set_status(ws, FAC, pid, "peer_reviewed", 1)
    assert error.value.code == "self_review"
    library.set_status(ws, PEER, pid, "peer_reviewed", 1)
    assert library.get_practice(ws, pid)["status"] == "peer_reviewed"
    with pytest.raises(UserError):  # based on an old version: refused, not silently applied
        library.set_status(ws, PEER, pid, "partner", 1)


def test_edit_practice_with_version_conflict_shows_both_values(ws):
    from gtec.core.errors import EditConflict

    pid = _french_practice(ws)
    original = library.get_practice(ws, pid)
    mine = library.replace_status(library.draft_of(original), original["status"])
    from dataclasses import replace

    version = library.edit_practice(ws, PEER, pid, replace(mine, summary_en="Firms show their trades to pupils."), 1)
    assert version == 2
    stored = library.get_practice(ws, pid)
    assert stored["summary_en"] == "Firms show their trades to pupils." and stored["updated_by"] == PEER.name
    assert library.find_practices(ws, "trades")  # the index follows the edit
    assert stored["status"] == "partner" and stored["created_by"] == FAC.name
    with pytest.raises(EditConflict) as error:  # Claire saves from version 1: refused, both values shown
        library.edit_practice(ws, FAC, pid, replace(mine, summary_en="Open days for pupils."), 1)
    assert error.value.key == "practices.error.edit_conflict"
    (diff,) = [c for c in error.value.conflicts if c["field"] == "summary_en"]
    assert diff["yours"] == "Open days for pupils." and diff["theirs"] == "Firms show their trades to pupils."
    assert diff["by"] == PEER.name and diff["at"]
    assert library.get_practice(ws, pid)["summary_en"] == "Firms show their trades to pupils."  # nothing lost
    with pytest.raises(auth.PermissionDenied):
        library.edit_practice(ws, auth.ANONYMOUS, pid, mine, 2)
    with pytest.raises(UserError):
        library.edit_practice(ws, FAC, pid, replace(mine, title_fr="", title_en=""), 2)
    assert [e["action"] for e in ws.audit_entries(5)].count("practice.edit") == 1


def test_public_reading_setting_is_enforced(ws):
    from gtec.access import settings

    _french_practice(ws)
    assert library.find_practices(ws, "metiers", actor=auth.ANONYMOUS)
    settings.set_value(ws, auth.Actor("root", "admin"), "practices.public_reading", False)
    with pytest.raises(UserError) as error:
        library.find_practices(ws, "metiers", actor=auth.ANONYMOUS)
    assert error.value.key == "practices.error.sign_in"
    with pytest.raises(UserError):
        library.comments(ws, 1, actor=auth.ANONYMOUS)
    with pytest.raises(UserError):
        library.get_practice(ws, 1, actor=auth.ANONYMOUS)
    assert library.find_practices(ws, "metiers", actor=PEER)  # accounts still read


def test_replies_close_and_followups_with_stable_uids(ws):
    pid = _french_practice(ws)
    ex_id = exchanges.create_exchange(
        ws, FAC, title="Forum", kind="practice", host_org="Vannes", host_country="FR",
        peers=[("Leeds", "UK"), ("Forem", "BE")], practice_id=pid,
    )  # fmt: skip
    q = exchanges.post_question(ws, PEER, ex_id, "How are pupils selected?", lang="en")
    r = exchanges.post_question(ws, FAC, ex_id, "Par les collèges.", parent_id=q)
    other = exchanges.create_exchange(
        ws, FAC, title="Autre", kind="challenge", host_org="Vannes", host_country="FR",
        peers=[("Leeds", "UK"), ("Forem", "BE")], challenge="Attirer des jeunes",
    )  # fmt: skip
    with pytest.raises(UserError) as error:  # a reply must point into the same exchange
        exchanges.post_question(ws, FAC, other, "x", parent_id=q)
    assert error.value.code == "parent"
    ex = exchanges.load_exchange(ws, ex_id)
    assert [(p["id"], p["parent_id"]) for p in ex["posts"]] == [(q, None), (r, q)]
    with pytest.raises(UserError) as error:
        exchanges.close_exchange(ws, FAC, ex_id, ex["version"])
    assert error.value.code == "not_met"
    exchanges.record_meeting(ws, FAC, ex_id, date="2026-12-01", mode="online", attendees=["Claire"], findings="F")
    fu = exchanges.add_recommendation(ws, FAC, ex_id, recommendation="Pilot", owner="Tom", due_on="2027-03-01")
    ex = exchanges.load_exchange(ws, ex_id)
    assert ex["followups"][0]["uid"] == exchanges.followup_uid(fu) == f"EXF-{fu}"
    with pytest.raises(UserError) as error:  # from a stale version
        exchanges.close_exchange(ws, FAC, ex_id, ex["version"] - 1)
    assert error.value.code == "conflict"
    exchanges.close_exchange(ws, FAC, ex_id, ex["version"])
    closed = exchanges.load_exchange(ws, ex_id)
    assert closed["phase"] == "closed" and closed["closed_by"] == FAC.name and closed["closed_at"]
    for call in (
        lambda: exchanges.post_question(ws, PEER, ex_id, "Late question"),
        lambda: exchanges.add_recommendation(ws, FAC, ex_id, recommendation="r", owner="o", due_on="2027-01-01"),
        lambda: exchanges.record_meeting(ws, FAC, ex_id, date="2026-12-02", mode="online", attendees=["A"],
                                         findings="x"),
        lambda: exchanges.close_exchange(ws, FAC, ex_id, closed["version"]),
    ):  # fmt: skip
        with pytest.raises(UserError):
            call()
    exchanges.set_followup_state(ws, FAC, fu, "done")  # follow-ups go on after closing
    assert [(f["uid"], f["state"]) for f in exchanges.list_followups(ws)] == [(f"EXF-{fu}", "done")]
    assert exchanges.list_followups(ws, "open") == []
    with pytest.raises(UserError):
        exchanges.set_followup_state(ws, FAC, 99_999, "done")
