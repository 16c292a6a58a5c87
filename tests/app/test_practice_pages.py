"""AppTest of the peer-learning pages (issue 15): library search in both languages, contribution, exchanges,
secure space with encrypted documents."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from gtec.core import auth
from gtec.core.i18n import t
from gtec.core.text import md
from gtec.practices import exchanges, library, space

FAC = auth.Actor("Claire Martin (claire)", "facilitator")


def _ok(at):
    assert not at.exception, [e.value for e in at.exception]
    return at


def _by_label(widgets, key: str):
    return next(w for w in widgets if w.label == t(key, "fr"))


def _expander_labels(at) -> list[str]:
    return [e.label for e in at.expander]


def test_library_is_public_and_seeded(open_page):
    at = open_page("pages/practices.py", "fr")
    labels = " ".join(_expander_labels(at))
    assert "KTP" in labels and "Vannes" in labels
    assert any(t("practices.contribute_account", "fr") in i.value for i in at.info)


def test_create_in_french_then_find_from_english_and_without_accents(open_page, ws):
    at = open_page("pages/practices.py", "fr", FAC)
    _by_label(at.text_input, "practices.field.title_fr").input("Forum des métiers de l'industrie")
    _by_label(at.text_area, "practices.field.summary_fr").input("Des entreprises présentent leurs métiers aux élèves.")
    _by_label(at.text_area, "practices.field.description_fr").input(
        "Chaque printemps, les soudeurs du bassin accueillent des collégiens."
    )
    next(b for b in at.button if b.label == t("practices.save", "fr")).click()
    _ok(at.run())
    assert [s.value for s in at.success] == [t("practices.saved", "fr", id=6)]
    assert _by_label(at.text_input, "practices.field.title_fr").value == ""  # emptied: no double save
    en = open_page("pages/practices.py", "en", FAC)
    en.text_input(key="practice_q").input("soudeurs")
    _ok(en.run())
    assert _expander_labels(en) == [md("Forum des métiers de l'industrie")]
    en.text_input(key="practice_q").input("eleves")
    _ok(en.run())
    assert _expander_labels(en) == [md("Forum des métiers de l'industrie")]
    assert library.find_practices(ws, "metiers")


def test_exchange_page_runs_from_questions_to_recommendations(open_page, ws):
    pid = library.find_practices(ws) or None
    new = library.create_practice(ws, FAC, library.PracticeDraft(title_fr="Forum", summary_fr="Résumé"))
    ex_id = exchanges.create_exchange(
        ws, FAC, title="Échange Vannes", kind="practice", host_org="Pays de Vannes", host_country="FR",
        peers=[("Leeds", "UK"), ("Forem", "BE")], practice_id=new,
    )  # fmt: skip
    assert pid is None or pid
    exchanges.post_question(ws, FAC, ex_id, "How are pupils chosen?", lang="en")
    at = open_page("pages/exchanges.py", "en", FAC)
    assert any("How are pupils chosen" in m.value for m in at.markdown)
    exchanges.record_meeting(ws, FAC, ex_id, date="2026-12-01", mode="on_site", attendees=["A", "B"], findings="F")
    exchanges.add_recommendation(ws, FAC, ex_id, recommendation="Pilot", owner="Tom", due_on="2027-01-31")
    at = _ok(at.run())
    assert "Pilot" in at.dataframe[0].value.to_string()
    assert at.get("download_button")


def test_exchanges_and_space_need_an_account(open_page):
    at = open_page(None, "fr")
    with pytest.raises(Exception):  # not registered for the anonymous reader
        at.switch_page("pages/space.py").run()


def test_space_page_lists_only_members_documents(open_page, ws, tmp_path, monkeypatch):
    key = Fernet.generate_key()
    monkeypatch.setenv("GTEC_SPACE_KEY", key.decode())
    sid = space.create_space(ws, FAC, "Vannes-Leeds")
    store = tmp_path / "space-store"
    space.upload_document(ws, FAC, sid, "minutes.txt", b"secret minutes", store_dir=store, key=key)
    at = open_page("pages/space.py", "fr", FAC)
    assert any(md("minutes.txt") in m.value for m in at.markdown)
    assert any(t("space.encryption_note", "fr")[:40] in i.value for i in at.info)
    other = open_page("pages/space.py", "fr", auth.Actor("eve", "facilitator"))
    assert not any(md("minutes.txt") in m.value for m in other.markdown)
    assert any(t("space.none", "fr") in i.value for i in other.info)


def test_exchange_through_the_page_forms(open_page, ws):
    new = library.create_practice(ws, FAC, library.PracticeDraft(title_fr="Forum", summary_fr="Résumé"))
    exchanges.create_exchange(
        ws, FAC, title="Échange", kind="practice", host_org="Vannes", host_country="FR",
        peers=[("Leeds", "UK"), ("Forem", "BE")], practice_id=new,
    )  # fmt: skip
    at = open_page("pages/exchanges.py", "fr", FAC)
    _by_label(at.text_area, "exchange.question").input("Comment les élèves sont-ils choisis ?")
    next(b for b in at.button if b.label == t("exchange.post", "fr")).click()
    _ok(at.run())
    _by_label(at.text_area, "exchange.field.attendees").input("Claire\nTom")
    _by_label(at.text_area, "exchange.report.findings").input("Les petites entreprises participent.")
    next(b for b in at.button if b.label == t("exchange.save_meeting", "fr")).click()
    _ok(at.run())
    _by_label(at.text_area, "exchange.col.recommendation").input("Essai à Leeds")
    _by_label(at.text_input, "exchange.col.owner").input("Tom")
    next(b for b in at.button if b.label == t("exchange.add_reco", "fr")).click()
    _ok(at.run())
    ex = exchanges.load_exchange(ws, exchanges.list_exchanges(ws)[0]["id"])
    assert [p["body"] for p in ex["posts"]] == ["Comment les élèves sont-ils choisis ?"]
    assert ex["phase"] == "met" and ex["attendees"] == ["Claire", "Tom"]
    assert [(f["recommendation"], f["owner"]) for f in ex["followups"]] == [("Essai à Leeds", "Tom")]


def test_exchange_replies_and_closing_through_the_page(open_page, ws):
    new = library.create_practice(ws, FAC, library.PracticeDraft(title_fr="Forum", summary_fr="Résumé"))
    ex_id = exchanges.create_exchange(
        ws, FAC, title="Échange", kind="practice", host_org="Vannes", host_country="FR",
        peers=[("Leeds", "UK"), ("Forem", "BE")], practice_id=new,
    )  # fmt: skip
    q = exchanges.post_question(ws, FAC, ex_id, "How are pupils chosen?", lang="en")
    at = open_page("pages/exchanges.py", "fr", FAC)
    _by_label(at.text_area, "exchange.reply_label").input("Par les collèges du bassin.")
    next(b for b in at.button if b.label == t("exchange.reply_send", "fr")).click()
    _ok(at.run())
    posts = exchanges.load_exchange(ws, ex_id)["posts"]
    assert [(p["body"], p["parent_id"]) for p in posts] == [
        ("How are pupils chosen?", None),
        ("Par les collèges du bassin.", q),
    ]
    assert any(md("Par les collèges du bassin.") in m.value for m in at.markdown)
    assert not [b for b in at.button if b.label == t("exchange.close", "fr")]  # not before the meeting
    exchanges.record_meeting(ws, FAC, ex_id, date="2026-12-01", mode="online", attendees=["A"], findings="F")
    exchanges.add_recommendation(ws, FAC, ex_id, recommendation="Pilot", owner="Tom", due_on="2027-01-31")
    _ok(at.run())
    assert "EXF-" in at.dataframe[0].value.to_string()
    next(b for b in at.button if b.label == t("exchange.close", "fr")).click()
    _ok(at.run())
    assert exchanges.load_exchange(ws, ex_id)["phase"] == "closed"
    assert any(t("exchange.closed_note", "fr", at="", by="")[:10] in i.value for i in at.info)
    assert not [f for f in at.text_area if f.label == t("exchange.question", "fr")]  # read-only now
    assert not [f for f in at.text_area if f.label == t("exchange.reply_label", "fr")]


def test_practice_edit_through_the_page_and_conflict_shows_both(open_page, ws):
    from dataclasses import replace

    pid = library.create_practice(
        ws, FAC, library.PracticeDraft(title_fr="Forum des métiers", summary_fr="Résumé initial")
    )
    at = open_page("pages/practices.py", "fr", FAC)
    at.text_input(key="practice_q").input("Forum des métiers")
    _ok(at.run())
    at.toggle(key=f"practice_edit_on_{pid}").set_value(True)
    _ok(at.run())
    at.text_area(key=f"practice_edit_{pid}_v1_summary_fr").input("Résumé corrigé par Claire")
    # Meanwhile Tom saves from the same version:
    tom = auth.Actor("tom", "facilitator")
    library.edit_practice(ws, tom, pid, replace(library.draft_of(library.get_practice(ws, pid)),
                                                 summary_fr="Résumé de Tom"), 1)  # fmt: skip
    next(b for b in at.button if b.label == t("practices.edit_save", "fr")).click()
    _ok(at.run())
    assert at.error and t("practices.error.edit_conflict", "fr")[:30] in at.error[0].value
    both = " ".join(m.value for m in at.markdown)
    assert "Résumé corrigé par Claire" in both and "Résumé de Tom" in both
    assert library.get_practice(ws, pid)["summary_fr"] == "Résumé de Tom"  # nothing overwritten
    next(b for b in at.button if b.label == t("practices.conflict_reload", "fr")).click()
    _ok(at.run())
    at.text_area(key=f"practice_edit_{pid}_v2_summary_fr").input("Résumé fusionné")
    next(b for b in at.button if b.label == t("practices.edit_save", "fr")).click()
    _ok(at.run())
    assert [s.value for s in at.success] == [t("practices.edited", "fr", version=3)]
    assert library.get_practice(ws, pid)["summary_fr"] == "Résumé fusionné"


def test_library_closed_to_readers_when_public_reading_is_off(open_page, ws):
    from gtec.access import settings

    settings.set_value(ws, auth.Actor("root", "admin"), "practices.public_reading", False)
    at = open_page("pages/practices.py", "fr")
    assert any(t("practices.error.sign_in", "fr") in i.value for i in at.info)
    assert not at.expander and not at.text_input  # nothing of the library shows
    signed = open_page("pages/practices.py", "fr", FAC)
    assert "KTP" in " ".join(_expander_labels(signed))


def test_space_page_upload_then_download_and_outsider_sees_nothing(open_page, ws, tmp_path, monkeypatch):
    key = Fernet.generate_key()
    monkeypatch.setenv("GTEC_SPACE_KEY", key.decode())
    sid = space.create_space(ws, FAC, "Vannes-Leeds-Liège")
    at = open_page("pages/space.py", "fr", FAC)
    secret = "Compte rendu confidentiel : budget 4242 €.\n".encode()
    at.file_uploader[0].upload("compte-rendu.txt", secret, "text/plain")
    _ok(at.run())
    next(b for b in at.button if b.label == t("space.upload_send", "fr")).click()
    _ok(at.run())
    docs = space.open_space(ws, FAC, sid)["documents"]
    assert [d["name"] for d in docs] == ["compte-rendu.txt"]
    (stored,) = list((tmp_path / "space-documents").rglob("*.bin"))  # beside the workspace file
    assert b"confidentiel" not in stored.read_bytes() and b"4242" not in stored.read_bytes()
    assert any(md("compte-rendu.txt") in m.value for m in at.markdown)
    next(b for b in at.button if b.label == t("space.prepare", "fr")).click()
    _ok(at.run())
    (button,) = [d for d in at.get("download_button") if d.proto.label == t("space.download", "fr")]
    assert button.proto.label
    log = space.access_log(ws, FAC, sid)
    assert ("claire", "download") in [(r["username"], r["action"]) for r in log]
    headers = [list(d.value.columns) for d in at.dataframe]
    assert [t(f"space.col.{c}", "fr") for c in ("username", "role", "added_by", "added_at")] in headers
    assert [t(f"space.col.{c}", "fr") for c in ("at", "username", "action", "document")] in headers
    outsider = open_page("pages/space.py", "fr", auth.Actor("eve", "facilitator"))
    assert not any(md("compte-rendu.txt") in m.value for m in outsider.markdown)


def test_document_link_refused_to_outsider_and_revoked_member(open_page, ws, tmp_path, monkeypatch):
    key = Fernet.generate_key()
    monkeypatch.setenv("GTEC_SPACE_KEY", key.decode())
    sid = space.create_space(ws, FAC, "Vannes-Leeds")
    space.add_member(ws, FAC, sid, "tom")
    doc = space.upload_document(ws, FAC, sid, "notes.txt", b"ordre du jour", store_dir=tmp_path / "space-documents",
                                key=key)  # fmt: skip

    def by_link(actor):
        at = open_page(None, "fr", actor)
        at.query_params["doc"] = str(doc)
        at.switch_page("pages/space.py").run()
        return _ok(at)

    member = by_link(auth.Actor("tom", "facilitator"))
    assert [d.proto.label for d in member.get("download_button")] == [t("space.download", "fr")]
    outsider = by_link(auth.Actor("eve", "facilitator"))
    assert [e.value for e in outsider.error] == [t("space.error.denied", "fr")]
    assert not outsider.get("download_button")
    space.revoke_member(ws, FAC, sid, "tom")
    revoked = by_link(auth.Actor("tom", "facilitator"))
    assert [e.value for e in revoked.error] == [t("space.error.denied", "fr")] and not revoked.get("download_button")
    actions = [(r["username"], r["action"]) for r in space.access_log(ws, FAC, sid)]
    assert actions.count(("tom", "denied")) == 1 and ("eve", "denied") in actions
