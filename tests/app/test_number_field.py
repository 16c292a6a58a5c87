"""The shared locale-aware number input (components/number_field.py, screens review G5): French pages show and read
"1,18" / "1 234,5", English pages "1.18" / "1,234.5"; nonsense and out-of-range text is refused with a FR/EN
message and the last correct value is kept."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from components.number_field import read
from gtec.core import fmt
from gtec.core.i18n import t

NNBSP = "\u202f"


@pytest.mark.parametrize(
    ("text", "lang", "value"),
    [
        ("1,18", "fr", 1.18),
        ("1 234,5", "fr", 1234.5),
        (f"1{NNBSP}234,5", "fr", 1234.5),
        ("1,234", "fr", 1.234),
        ("1234.5", "fr", 1234.5),
        ("1.18", "en", 1.18),
        ("1,234.5", "en", 1234.5),
        ("1,234", "en", 1234.0),
        ("12,345,678", "en", 12345678.0),
        ("\u22121,5", "fr", -1.5),
    ],
)
def test_parse_typed_reads_the_locale_format(text, lang, value):
    assert fmt.parse_typed(text, lang) == pytest.approx(value)


@pytest.mark.parametrize("bad", ["abc", "1,2,3x", "--1", "1e400", ""])
def test_parse_typed_refuses_nonsense(bad):
    with pytest.raises(ValueError):
        fmt.parse_typed(bad, "fr")


def test_read_checks_bounds_step_and_empty():
    assert read("2,5", "fr", min_value=0, max_value=10, step=0.5, decimals=1) == (2.5, None)
    assert read("12", "fr", max_value=10)[1][0] == "number.error.max"
    assert read("-1", "en", min_value=0)[1][0] == "number.error.min"
    assert read("2,3", "fr", step=0.5, decimals=1)[1][0] == "number.error.step"
    assert read("", "fr")[1][0] == "number.error.required"
    assert read("", "fr", optional=True) == (None, None)


def _app(lang: str) -> AppTest:
    def script():
        import streamlit as st

        from components.number_field import number_field

        lang = st.session_state.get("test_lang", "fr")
        value = number_field("Taux", 1.18, lang, key="rate", min_value=0.5, max_value=2.0, decimals=2)
        st.write(f"value={value!r}")

    at = AppTest.from_function(script, default_timeout=30)
    at.session_state["test_lang"] = lang
    return at.run()


def _value(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("value="))


def test_french_field_shows_and_accepts_a_comma_and_keeps_the_last_value_on_nonsense():
    at = _app("fr")
    assert at.text_input(key="rate").value == "1,18"  # not "1.18"
    assert _value(at) == "value=1.18"
    at.text_input(key="rate").input("1,25").run()
    assert _value(at) == "value=1.25" and not at.error
    at.text_input(key="rate").input("beaucoup").run()
    assert _value(at) == "value=1.25"  # kept
    assert "n'est pas un nombre" in at.error[0].value and "1,25" in at.error[0].value
    at.text_input(key="rate").input("3").run()
    assert _value(at) == "value=1.25"
    assert "ne peut pas dépasser 2." in at.error[0].value
    assert not at.exception


def test_english_field_shows_a_point_and_switching_language_rewrites_the_text():
    at = _app("en")
    assert at.text_input(key="rate").value == "1.18"
    at.text_input(key="rate").input("x").run()
    assert "is not a number" in at.error[0].value and _value(at) == "value=1.18"
    at.text_input(key="rate").input("1.5").run()
    at.session_state["test_lang"] = "fr"
    at.run()
    assert at.text_input(key="rate").value == "1,50" and _value(at) == "value=1.5"


def test_alternance_calculator_shows_french_decimals(open_page):
    at = open_page("pages/alternance.py")
    assert at.text_input(key="wbl_fx_eur_per_gbp").value == "1,18"
    assert "," in at.text_input(key="wbl_smic_monthly_eur").value  # "1 801,80", not "1801.80"
    at.text_input(key="wbl_fx_eur_per_gbp").input("n'importe quoi").run()
    assert not at.exception
    assert any(t("number.error.not_a_number", "fr", text="n'importe quoi", example="", last="")[:20] in e.value
               for e in at.error)  # fmt: skip


def test_admin_setting_out_of_range_is_refused_in_french_and_not_saved(open_page, workspace_path):
    from gtec.access import settings
    from gtec.core import auth
    from gtec.storage.workspace import Workspace

    at = open_page("pages/admin_settings.py", "fr", auth.Actor("Admin", "admin"))
    box = next(n for n in at.text_input if n.label == t("network.setting.inactive_months", "fr"))
    before = settings.get_value(Workspace.open(workspace_path), "network.inactive_months")
    box.input("500").run()
    assert not at.exception
    assert any("ne peut pas dépasser 120" in e.value for e in at.error)
    assert settings.get_value(Workspace.open(workspace_path), "network.inactive_months") == before
