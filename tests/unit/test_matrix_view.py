"""The transferability matrix as people read it (screens review T1-T4): overview grid, details, CSV, print."""

from __future__ import annotations

import re
from datetime import date

import pytest

from gtec.alternance import comparison, matrix_view, printable
from gtec.core.i18n import t


@pytest.fixture(scope="module")
def bundle() -> comparison.Bundle:
    return comparison.load_from_curated()


def _rows(bundle, lang="fr", edits=()):
    return comparison.current_matrix(bundle.seeds, list(edits), lang)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_overview_is_a_grid_of_systems_by_difficulty_with_every_feature(bundle, lang):
    rows = _rows(bundle, lang)
    out = matrix_view.overview_html(rows, lang)
    assert out.count("<tr>") == 1 + len({r["system"] for r in rows})  # header + one row per system
    for d in comparison.DIFFICULTIES:  # each difficulty is a coloured column, labelled in words
        label = t("alternance.matrix.grid_head", lang, level=t(f"alternance.difficulty.{d}", lang))
        assert f'<th class="{d}" scope="col">{label}</th>' in out
    assert all(f"<li>{r['feature'].replace(chr(39), '&#x27;')}</li>" in out for r in rows)


def test_difficulty_cells_and_chips_are_at_least_16_px():
    sizes = [int(s) for s in re.findall(r"font-size:(\d+)px", matrix_view.MATRIX_CSS)]
    grid = re.search(r"\.tm-grid\{[^}]*font-size:(\d+)px", matrix_view.MATRIX_CSS)
    chip = re.search(r"\.tm-chip\{[^}]*font-size:(\d+)px", matrix_view.MATRIX_CSS)
    assert grid and chip and int(grid.group(1)) >= 16 and int(chip.group(1)) >= 16
    assert min(sizes) >= 14  # nothing smaller than the edit note


def test_details_put_barriers_and_actions_side_by_side_and_no_seed_placeholder(bundle):
    rows = _rows(bundle)
    out = matrix_view.details_html(rows, "fr")
    assert out.count('class="tm-row') == len(rows)
    assert "grid-template-columns:1fr 1fr" in matrix_view.MATRIX_CSS  # two wide columns, one on phones
    assert t("alternance.matrix.seed", "fr") not in out  # T2: no "évaluation du projet" on every row
    assert "tm-edit" not in out


def test_an_edited_row_says_who_and_the_date_in_words(bundle):
    seeds = _rows(bundle)
    edit = {
        "id": 7, "row_id": seeds[0]["row_id"], "system": seeds[0]["system"], "feature": "<b>x</b>",
        "difficulty": "high", "barriers": "", "actions": "", "edited_by": "Anne <i>", "lang": "fr",
        "edited_at": "2026-12-02T09:15:00+00:00", "deleted": 0,
    }  # fmt: skip
    rows = _rows(bundle, "fr", [edit])
    out = matrix_view.details_html(rows, "fr")
    assert "Modifié par Anne &lt;i&gt; le 2 décembre 2026" in out and "&lt;b&gt;x&lt;/b&gt;" in out
    frame = matrix_view.matrix_frame(rows, "fr", seed_vintage="2025")
    edited = frame[t("alternance.matrix.col.edited", "fr")]
    assert edited.iloc[0] == "Modifié par Anne <i> le 2 décembre 2026"
    assert edited.iloc[1] == "évaluation du projet, 2025"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_printable_matrix_states_status_in_the_page_language_and_a_date_near_the_title(bundle, lang):
    src = bundle.sources["gtec-wbl-assessment"]
    rows = _rows(bundle, lang)
    page = printable.printable_html(
        "Matrix", [("", matrix_view.overview_html(rows, lang))], [src], lang,
        lead=src, dated=date(2026, 12, 2), css=matrix_view.MATRIX_CSS,
    )  # fmt: skip
    head = page[page.index("<h1>") : page.index("</h1>") + 400]
    assert t(f"status.{src.status}", lang) in head
    assert {"fr": "Document du 2 décembre 2026", "en": "Document dated 2 December 2026"}[lang] in head
    assert "tm-grid" in page
