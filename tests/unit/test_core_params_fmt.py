"""The shared parameter-table type (gtec.core.params), the number parser and formatter (gtec.core.fmt), and the
lazy import of vl-convert."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gtec.core import fmt
from gtec.core.errors import UserError
from gtec.core.params import InvalidParams, Option, Param, ParamTable, messages_under

MESSAGES = messages_under("test.error", below_min="test.error.range", above_max="test.error.range")
TABLE = ParamTable(
    (
        Param("rate", "main", "Taux", "Rate", unit_fr="%", unit_en="%", default=25.0, min=0, max=60, step=5,
              band=10, snap=True, sources=("src-a",)),
        Param("months", "main", "Mois", "Months", kind="int", default=24, min=6, max=36, step=1, low=12, high=30,
              sources=("src-b", "src-c")),
        Param("size", "more", "Taille", "Size", kind="choice", default="sme",
              options=(Option("sme", "PME", "SME"), Option("large", "Grande", "Large")), advanced=True),
        Param("fec", "more", "Coûts complets", "Full costs", kind="bool", default=True),
    ),
    MESSAGES,
)  # fmt: skip


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1,15", 1.15), ("9\u202f500", 9500), ("9\xa0500,5", 9500.5), ("12 345", 12345), ("12,345.6", 12345.6),
        ("12.345,6", 12345.6), ("1,234,567", 1234567), (" -0,25 ", -0.25), ("\u22123", -3), ("1e3", 1000), (7, 7.0),
    ],
)  # fmt: skip
def test_parse_number_reads_french_and_english_text(text, value):
    assert fmt.parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize("bad", ["", "abc", "nan", "inf", "1e400", None, True, "1" * 40, "12 €", "0x10", float("nan")])
def test_parse_number_refuses_what_is_not_a_finite_number(bad):
    with pytest.raises(ValueError):
        fmt.parse_number(bad)


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e14, max_value=1e14))
def test_plain_round_trips_through_the_parser(x):
    assert fmt.parse_number(fmt.plain(x)) == x


def test_number_and_percent_in_both_languages():
    assert fmt.number(12345.678, "fr", 1) == "12\u202f345,7"
    assert fmt.number(12345.678, "en", 1) == "12,345.7"
    assert fmt.number(None, "fr") == "–" and fmt.number(float("nan"), "en", missing="n/a") == "n/a"
    assert fmt.figure(12.5, "rate", "%", "fr") == "12,5\u202f%" and fmt.figure(12.5, "rate", "%", "en") == "12.5%"
    assert fmt.plain(12.0) == "12" and fmt.plain(1.18) == "1.18"


def test_table_lookup_defaults_groups_and_labels():
    assert TABLE["months"].kind == "int" and "size" in TABLE and "nope" not in TABLE and TABLE.get("nope") is None
    assert TABLE.defaults() == {"rate": 25.0, "months": 24, "size": "sme", "fec": True}
    assert TABLE.groups() == ["main", "more"] and [p.name for p in TABLE.group("more", advanced=True)] == ["size"]
    assert TABLE.source_ids() == {"src-a", "src-b", "src-c"} and TABLE["months"].source == "src-b"
    assert TABLE["size"].label("en") == "Size" and TABLE["size"].option_label("large", "fr") == "Grande"
    assert TABLE["rate"].sensitivity_range(55) == (45.0, 60)  # the band is kept within the bounds
    assert TABLE["months"].sensitivity_range() == (12.0, 30.0) and TABLE["fec"].sensitivity_range() is None


def test_coerce_snaps_casts_and_reads_text():
    assert TABLE.coerce("rate", "26,5") == 25.0  # snapped to the 5-point step
    assert TABLE.coerce("months", "30") == 30 and isinstance(TABLE.coerce("months", 30.0), int)
    assert TABLE.coerce("fec", "non") is False and TABLE.coerce("fec", "oui") is True
    with pytest.raises(UserError) as err:
        TABLE.coerce("rate", 61)
    assert err.value.key == "test.error.range" and err.value.values == {
        "name": "rate", "value": "61", "min": "0", "max": "60",
    }  # fmt: skip


def test_validate_collects_every_problem():
    with pytest.raises(InvalidParams) as err:
        TABLE.validate({"rate": "x", "months": 12.5, "size": "huge", "fec": "maybe", "other": 1})
    found = {(e.values["name"], e.key) for e in err.value.errors}
    assert found == {
        ("other", "test.error.unknown_param"),
        ("rate", "test.error.not_number"),
        ("months", "test.error.not_integer"),
        ("size", "test.error.not_option"),
        ("fec", "test.error.not_bool"),
    }
    assert isinstance(err.value, UserError) and err.value.key == err.value.errors[0].key
    values, errors = TABLE.check({"months": 3, "lang": "en"}, ignore_unknown=True)
    assert values["months"] == 24 and [e.key for e in errors] == ["test.error.range"]  # default kept


def test_declaration_errors_are_refused():
    with pytest.raises(ValueError, match="default"):
        ParamTable((Param("x", "g", "X", "X", default=5.0, min=0, max=1),), MESSAGES)
    with pytest.raises(ValueError, match="kind"):
        Param("x", "g", "X", "X", kind="text")
    with pytest.raises(ValueError, match="options"):
        Param("x", "g", "X", "X", kind="choice", default="a")
    with pytest.raises(ValueError, match="inverted"):
        Param("x", "g", "X", "X", low=2, high=1)
    with pytest.raises(ValueError, match="duplicate"):
        ParamTable((TABLE["rate"], TABLE["rate"]), MESSAGES)
    with pytest.raises(ValueError, match="unknown message"):
        messages_under("p", typo="p.typo")


def test_importing_the_app_modules_does_not_load_vl_convert():
    code = (
        "import sys; import components.charts_alternance, gtec.scenarios.charts, gtec.alternance.printable; "
        "sys.exit(1 if 'vl_convert' in sys.modules else 0)"
    )
    root = Path(__file__).resolve().parents[2]
    assert subprocess.run([sys.executable, "-c", code], check=False, cwd=root).returncode == 0
