"""AppTest of the transferability page as a reader sees it (screens review T1-T3)."""

from __future__ import annotations

import pytest

from gtec.core.i18n import t


def _html(at) -> str:
    return " ".join(str(h.proto.body) for h in at.get("html"))


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_reader_sees_the_grid_first_then_details_without_a_placeholder_edit_column(open_page, lang):
    at = open_page("pages/transferability.py", lang)
    assert not at.exception and not at.error
    shown = _html(at)
    assert shown.index("tm-grid") < shown.index("tm-row")  # the visual matrix comes before the details
    assert t("alternance.matrix.col.edited", lang) not in shown  # T2: no "Dernière modification" column
    assert t("alternance.matrix.seed", lang) not in shown
    assert any("2025" in c.value for c in at.caption)  # seed rows are dated by the assessment's vintage
