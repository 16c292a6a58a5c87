"""The end-of-session report: ranked recommendations, participation, consensus, moderation summary; HTML escaped,
a real PDF whose first page renders to a non-blank PNG, formula-safe CSV; join URL and QR code."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from gtec.core import auth
from gtec.core.i18n import t
from gtec.core.text import html
from gtec.workshops import contributions, joinurl, moderation, participants, render, report, sessions, wall

FAC = auth.Actor("Anne (anne)", "facilitator")
HOSTILE = '<script>alert("x")</script> =HYPERLINK("http://evil") Éducation à l’industrie'
PNG_OUT = Path(__file__).resolve().parents[1] / "browser" / "screenshots" / "workshop_report_page1.png"


@pytest.fixture
def room(ws):
    tracks = [sessions.TrackSpec("Attractivité des métiers"), sessions.TrackSpec("Parcours de formation")]
    s = sessions.create_session(
        ws, FAC, "Rencontre Vannes", tracks, question="Comment les filières industrielles redeviennent attractives ?",
        place="Vannes", held_on="2025-03-14", vote_budget=3,
    )  # fmt: skip
    groups = ["institution", "company", "jobseeker_learner", "training_body"] * 3
    people = [
        participants.join(ws, s.code, g, f"p{i}", s.tracks[i % 2].id, browser=f"b{i}")[1] for i, g in enumerate(groups)
    ]
    sessions.set_phase(ws, FAC, s.code, "contribute")
    ideas = [
        contributions.post(ws, people[0], HOSTILE, family_id="F05", territory_id="FR-DEP-56"),
        contributions.post(ws, people[1], "Des visites d'usines pour les collégiens"),
        contributions.post(ws, people[2], "Des stages courts rémunérés"),
    ]
    dup = contributions.post(ws, people[3], "Visites d'usines pour collégiens")
    for p in people[1:]:
        contributions.react(ws, p, ideas[0].id, "agree")
        if p.id != people[2].id:
            contributions.react(ws, p, ideas[2].id, "agree" if p.stakeholder != "company" else "disagree")
    sessions.set_phase(ws, FAC, s.code, "vote")
    for p in people[4:]:
        contributions.vote(ws, p, ideas[1].id)
    contributions.vote(ws, people[5], dup.id)
    moderation.merge(ws, FAC, s.code, dup.id, ideas[1].id)
    moderation.tag(ws, FAC, s.code, ideas[0].id, "mobilité")
    sessions.set_phase(ws, FAC, s.code, "closed")
    return s, ideas


def test_report_ranks_by_votes_and_consensus(ws, room):
    s, ideas = room
    r = report.build(ws, FAC, s.code)
    top = r.ranked_by_votes(ideas[1].track_id)[0]
    assert (top.id, top.votes) == (ideas[1].id, 8)  # 8 dots, the duplicate's extra dot refunded
    ranked = r.ranked_by_consensus(ideas[0].track_id)
    assert ranked[0][0].id == ideas[0].id and ranked[0][1].kind == "consensus"
    assert r.wall.consensus[ideas[2].id].kind == "divergent"
    assert r.moderation["status_merged"] == 1 and r.moderation["tag"] == 1
    with pytest.raises(auth.PermissionDenied):
        report.build(ws, auth.Actor("participant-1", "participant", scope=s.code), s.code)


def test_report_html_is_escaped_and_in_the_sessions_language(ws, room):
    s, _ = room
    page = report.to_html(report.build(ws, FAC, s.code))
    assert "<script>alert" not in page and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert t("workshop.report.by_consensus", "fr") in page and "Éducation à l’industrie" in page
    assert html(t("workshop.group.jobseeker_learner", "fr")) in page and "(n=" in page


def test_report_csv_is_formula_safe_and_complete(ws, room):
    s, ideas = room
    text = report.to_csv(report.build(ws, FAC, s.code)).decode("utf-8-sig")
    assert "'=HYPERLINK" not in text  # the cell starts with "<script>", not with "="
    assert ideas[0].uid in text and "merged" in text and "agree_company" in text
    import pandas as pd

    df = pd.read_csv(io.StringIO(text))
    assert len(df) == 4 and set(df["status"]) == {"visible", "merged"}
    row = df[df["id"] == ideas[0].uid].iloc[0]
    assert row["agree_company"] == 3 and row["family_id"] == "F05"


def test_csv_neutralises_a_leading_formula(ws):
    s = sessions.create_session(ws, FAC, "S", [sessions.TrackSpec("A")])
    _, p = participants.join(ws, s.code, "other", "", s.tracks[0].id, browser="z")
    sessions.set_phase(ws, FAC, s.code, "contribute")
    contributions.post(ws, p, '=HYPERLINK("http://evil","clic")')
    text = report.to_csv(report.build(ws, FAC, s.code)).decode("utf-8-sig")
    assert "'=HYPERLINK" in text


def test_pdf_first_page_renders_and_is_not_blank(ws, room):
    import pypdfium2 as pdfium

    s, _ = room
    data = report.to_pdf(report.build(ws, FAC, s.code))
    assert data.startswith(b"%PDF-")
    pdf = pdfium.PdfDocument(data)
    text = pdf[0].get_textpage().get_text_range()
    assert "Rencontre Vannes" in text and "Éducation à l’industrie" in text and "<script>" in text  # text, as text
    image = pdf[0].render(scale=1.5).to_pil().convert("L")
    dark = sum(image.histogram()[:128])
    assert dark > 0.005 * image.width * image.height  # ink on the page
    PNG_OUT.parent.mkdir(parents=True, exist_ok=True)
    image.save(PNG_OUT)


def test_wall_html_escapes_and_shows_every_view(ws, room):
    s, _ = room
    snap = wall.snapshot(ws, s.code)
    for view in render.VIEWS:
        page = render.wall_html(snap, "en", view)
        assert "<script>alert" not in page and f'data-view="{view}"' in page
    assert "éducation" in render.wall_html(snap, "fr", "words")  # accents kept in the word view
    assert "n=" in render.wall_html(snap, "fr", "consensus") and "⚠" in render.wall_html(snap, "fr", "consensus")


def test_join_url_and_qr_code():
    assert joinurl.base_url("https://atelier.example.org/gtec/", 8501) == "https://atelier.example.org/gtec"
    assert joinurl.base_url("javascript:alert(1)", 8501, "10.0.0.5") == "http://10.0.0.5:8501"
    assert joinurl.join_url("http://10.0.0.5:8501", "K7M4QP") == "http://10.0.0.5:8501/workshop?code=K7M4QP"
    assert joinurl.join_url("http://h", "K7M4QP", "en").endswith("code=K7M4QP&lang=en")
    from PIL import Image

    img = Image.open(io.BytesIO(joinurl.qr_png("http://10.0.0.5:8501/workshop?code=K7M4QP")))
    assert img.width == img.height >= 250
