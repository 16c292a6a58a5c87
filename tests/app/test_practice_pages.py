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
