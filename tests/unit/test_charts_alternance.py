"""Alternance chart builders and page helpers, checked through ``to_dict()`` and plain values (no browser)."""

from __future__ import annotations

import json

import pytest

from components import charts_alternance as ca
from gtec.alternance import comparison, costsplit, outcomes
from gtec.core.i18n import t
from gtec.core.params import InvalidParams


@pytest.fixture(scope="module")
def table():
    return comparison.load_from_curated().table


def _rows(spec: dict) -> list[dict]:
    return spec["datasets"][spec["data"]["name"]]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_split_chart_stacks_parties_per_system(table, lang):
    splits = costsplit.splits(table, table.defaults(), "year")
    spec = ca.split_chart(splits, lang).to_dict()
    enc = spec["encoding"]
    assert "title" not in spec and spec["mark"]["type"] == "bar"  # the section heading says it (no cut title)
    exported = json.loads(ca.export_spec(ca.split_chart(splits, lang), ["Source", "Status"], "Title"))
    assert exported["title"] == {"text": "Title", "subtitle": ["Source", "Status"], "subtitleFontSize": 13,
                                 "subtitleColor": "#31333f"} and exported["width"] == 760  # fmt: skip
    assert enc["x"]["field"] == "eur" and enc["x"]["aggregate"] == "sum" and enc["x"]["axis"]["format"] == ",.0f"
    paying = ("company", "public")  # the learner and the training centre pay nothing by default: no legend entry
    assert enc["color"]["scale"]["domain"] == [t(f"alternance.party.{p}", lang) for p in paying]
    assert enc["color"]["scale"]["range"] == [ca.PARTY_COLOURS[p] for p in paying]
    assert [tip["field"] for tip in enc["tooltip"]] == ["system", "party", "item", "eur"]
    rows = _rows(spec)
    assert all(r["eur"] != 0 for r in rows)  # nothing drawn for a party that pays nothing
    for split in splits:
        name = t(f"alternance.system.{split.system}", lang)
        assert sum(r["eur"] for r in rows if r["system"] == name) == pytest.approx(split.total_eur, abs=0.05)


def test_sensitivity_chart_puts_both_systems_on_one_scale_with_ranges_in_labels(table):
    d = table.defaults().replace(territory_retention_pct=80.0)
    rows = outcomes.sensitivity(table, d, "cost_per_retained")
    spec = ca.sensitivity_chart(rows, table, "cost_per_retained", "en").to_dict()
    bars, tick = spec["layer"]  # one chart, one x scale (screens review A8: 0-120k beside 0-800k misled)
    assert bars["encoding"]["x"]["field"] == "result_low" and bars["encoding"]["x2"]["field"] == "result_high"
    assert bars["encoding"]["x"]["title"] == "EUR"  # the metric is named by the control above (no cut title)
    systems = [t(f"alternance.system.{s}", "en") for s in costsplit.SYSTEMS]
    assert bars["encoding"]["color"]["scale"]["domain"] == systems
    assert tick["mark"]["type"] == "tick" and tick["encoding"]["x"]["field"] == "base"
    frame = ca.sensitivity_frame(rows, table, "en")
    p = table["retention_pct"]
    lo, hi = p.sensitivity_range()
    label = "KTP: share of graduates staying|in the region (UK)"  # wrapped at 32 characters, then the range
    assert f"{label}|({lo:g}–{hi:g} {p.unit('en')})" in set(frame["param"])
    empty = ca.sensitivity_chart([], table, "cost_per_retained", "fr").to_dict()
    assert empty["mark"]["type"] == "point"


def test_split_table_headers_are_translated(table):
    df = ca.split_table(costsplit.splits(table, table.defaults(), "year"), "fr")
    assert list(df.columns) == [
        t(f"alternance.table.{c}", "fr") for c in ("system", "party", "item", "eur", "native", "currency", "share")
    ]
    assert df[t("alternance.table.share", "fr")].max() <= 100


def test_issue_messages_name_each_input_by_its_label(table):
    with pytest.raises(InvalidParams) as err:
        table.validate({"ktp_months": 48, "npec_eur": "abc", "nope": 1})
    messages = ca.issue_messages(err.value, table, "fr")
    assert len(messages) == 3
    assert any(table["ktp_months"].label("fr") in m and "dépasser" in m for m in messages)
    assert any("nope" in m for m in messages)
    with pytest.raises(InvalidParams) as err:
        table.validate({"appr_months": 12, "appr_year": 2})
    [message] = ca.issue_messages(err.value, table, "fr")
    assert "dépasse la durée du contrat (12 mois)" in message
