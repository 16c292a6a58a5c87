"""Pure Altair builders and table shapers for the scenario page (tested through ``to_dict()``; no streamlit).

Every builder takes plain DataFrames (labels already in the reader's language) and ``lang`` for titles.
Numbers in tooltips are pre-formatted text in the reader's language (French: 12 345 ; English: 12,345).
"""

from __future__ import annotations

from typing import Any, TypeVar

import altair as alt
import numpy as np
import pandas as pd

from gtec.core import chartstyle, fmt
from gtec.core.i18n import pick, t
from gtec.scenarios.engine import Result
from gtec.scenarios.params import PARAM_BY_NAME

SHORTAGE = "#c0392b"
SURPLUS = "#2e6fae"
DEPARTURES = "#4c78a8"
CREATION = "#f28e2b"
REFERENCE = "#7f7f7f"
FONT: dict[str, Any] = {"labelFontSize": 14, "titleFontSize": 15}
LABEL_LIMIT = 330


def _axis_format(lang: str) -> dict:
    """Axis label formatting: thousands grouped; the separators come from the locale of :mod:`chartstyle`."""
    return {"format": ",~r"}


C = TypeVar("C", bound=alt.TopLevelMixin)


def _finish(chart: C, lang: str) -> C:
    return chartstyle.finish(chart, lang)


def family_frame(result: Result, families: pd.DataFrame, lang: str, territory: int = 0) -> pd.DataFrame:
    """One row per family of territory ``territory`` of ``result``: label and annual averages (jobs a year),
    cumulative imbalance and its rate (% of base-year employment; NaN when the family has no employment)."""
    base = result.base_employment[territory]
    total = result.imbalance[territory].sum(axis=1)
    labels = {fid: pick(row, "label", lang) for fid, row in families.iterrows()}
    df = pd.DataFrame(
        {
            "family_id": list(result.family_ids),
            "family": [labels.get(f, f) for f in result.family_ids],
            "employment_base": base,
            "employment_horizon": result.employment[territory, :, -1],
            "creation": result.creation[territory].mean(axis=1),
            "departures": result.departures[territory].mean(axis=1),
            "openings": result.openings[territory].mean(axis=1),
            "entrants": result.entrants[territory].mean(axis=1),
            "mobility": result.mobility[territory].mean(axis=1),
            "imbalance": result.imbalance[territory].mean(axis=1),
            "imbalance_total": total,
        }
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        df["imbalance_rate"] = np.where(base > 0, 100 * total / base, np.nan)
    return df


def openings_chart(df: pd.DataFrame, lang: str, height: int | None = None) -> alt.Chart:
    """Openings a year by family, split into end-of-career departures and net creation (stacked bars; a net job
    loss shows left of zero). ``df`` from :func:`family_frame`."""
    order = list(df.sort_values("openings", ascending=False)["family"])
    parts = {"departures": t("scenario.flow.departures", lang), "creation": t("scenario.flow.creation", lang)}
    long = df.melt(id_vars=["family", "openings"], value_vars=list(parts), var_name="part", value_name="jobs")
    long["part_label"] = long["part"].map(parts)
    long["jobs_text"] = [fmt.number(v, lang) for v in long["jobs"]]
    long["openings_text"] = [fmt.number(v, lang) for v in long["openings"]]
    chart = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("family:N", sort=order, title=None),
            x=alt.X("jobs:Q", title=t("scenario.axis.jobs_per_year", lang), axis=alt.Axis(**_axis_format(lang))),
            color=alt.Color(
                "part_label:N",
                title=None,
                sort=list(parts.values()),
                scale=alt.Scale(domain=list(parts.values()), range=[DEPARTURES, CREATION]),
            ),
            order=alt.Order("part:N", sort="ascending"),
            tooltip=[
                alt.Tooltip("family:N", title=t("scenario.col.family", lang)),
                alt.Tooltip("part_label:N", title=" "),
                alt.Tooltip("jobs_text:N", title=t("scenario.axis.jobs_per_year", lang)),
                alt.Tooltip("openings_text:N", title=t("scenario.flow.openings", lang)),
            ],
        )
        .properties(height=height or 36 * len(order))
    )
    return _finish(chart, lang)


def imbalance_chart(df: pd.DataFrame, lang: str, height: int | None = None) -> alt.LayerChart:
    """Potential imbalance by family as diverging bars: shortage (more openings than newcomers) to the right,
    surplus to the left. Uses the annual average ``imbalance`` of :func:`family_frame`."""
    data = df.assign(
        side=np.where(df["imbalance"] >= 0, t("scenario.legend.shortage", lang), t("scenario.legend.surplus", lang)),
        value_text=[fmt.number(v, lang) for v in df["imbalance"]],
        rate_text=[fmt.number(v, lang, 1) + " %" for v in df["imbalance_rate"]],
    )
    order = list(data.sort_values("imbalance", ascending=False)["family"])
    domain = [t("scenario.legend.shortage", lang), t("scenario.legend.surplus", lang)]
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("family:N", sort=order, title=None),
            x=alt.X(
                "imbalance:Q", title=t("scenario.axis.imbalance_per_year", lang), axis=alt.Axis(**_axis_format(lang))
            ),
            color=alt.Color("side:N", title=None, scale=alt.Scale(domain=domain, range=[SHORTAGE, SURPLUS])),
            tooltip=[
                alt.Tooltip("family:N", title=t("scenario.col.family", lang)),
                alt.Tooltip("value_text:N", title=t("scenario.axis.imbalance_per_year", lang)),
                alt.Tooltip("rate_text:N", title=t("scenario.col.imbalance_rate", lang)),
            ],
        )
    )
    zero = alt.Chart(pd.DataFrame({"x": [0]})).mark_rule(color="#333", strokeWidth=1.5).encode(x="x:Q")
    return _finish(alt.layer(bars, zero).properties(height=height or 36 * len(order)), lang)  # type: ignore[return-value]


def heatmap_chart(df: pd.DataFrame, lang: str, height: int | None = None) -> alt.Chart:
    """Territory x family heatmap of the imbalance rate (cumulative imbalance, % of base-year employment).

    ``df`` columns: territory (name), family (label), imbalance_rate. Diverging colours centred on zero.
    """
    data = df.assign(rate_text=[fmt.number(v, lang, 1) + " %" for v in df["imbalance_rate"]])
    bound = float(np.nanmax(np.abs(data["imbalance_rate"]))) if data["imbalance_rate"].notna().any() else 1.0
    bound = max(bound, 1.0)
    territories = list(dict.fromkeys(data["territory"]))
    chart = (
        alt.Chart(data)
        .mark_rect(stroke="white", strokeWidth=0.5)
        .encode(
            y=alt.Y("family:N", title=None),
            x=alt.X("territory:N", title=None, sort=territories, axis=alt.Axis(labelAngle=-35, labelLimit=200)),
            color=alt.Color(
                "imbalance_rate:Q",
                title=t("scenario.col.imbalance_rate", lang),
                scale=alt.Scale(scheme="redblue", reverse=True, domain=[-bound, bound], domainMid=0),
            ),
            tooltip=[
                alt.Tooltip("territory:N", title=t("scenario.col.territory", lang)),
                alt.Tooltip("family:N", title=t("scenario.col.family", lang)),
                alt.Tooltip("rate_text:N", title=t("scenario.col.imbalance_rate", lang)),
            ],
        )
        .properties(height=height or 36 * data["family"].nunique())
    )
    return _finish(chart, lang)


def band_chart(band: pd.DataFrame, reference: pd.DataFrame, lang: str, height: int = 340) -> alt.LayerChart:
    """Cumulative imbalance by year: the scenario (line) within its low/high band (area) and the reference
    scenario (dashed). ``band``: year, central, low, high; ``reference``: year, imbalance_cumulative."""
    scen, ref = t("scenario.legend.scenario", lang), t("scenario.legend.reference", lang)
    lines = pd.concat(
        [
            pd.DataFrame({"year": band["year"], "value": band["central"], "series": scen}),
            pd.DataFrame({"year": reference["year"], "value": reference["imbalance_cumulative"], "series": ref}),
        ],
        ignore_index=True,
    )
    lines["value_text"] = [fmt.number(v, lang) for v in lines["value"]]
    area_data = band.assign(
        low_text=[fmt.number(v, lang) for v in band["low"]], high_text=[fmt.number(v, lang) for v in band["high"]]
    )
    y_title = t("scenario.axis.cumulative_imbalance", lang)
    area = (
        alt.Chart(area_data)
        .mark_area(opacity=0.25, color=SHORTAGE)
        .encode(
            x=alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("low:Q", title=y_title, axis=alt.Axis(**_axis_format(lang))),
            y2="high:Q",
            tooltip=[
                alt.Tooltip("year:O", title=t("scenario.col.year", lang)),
                alt.Tooltip("low_text:N", title=t("scenario.legend.low", lang)),
                alt.Tooltip("high_text:N", title=t("scenario.legend.high", lang)),
            ],
        )
    )
    line = (
        alt.Chart(lines)
        .mark_line(point=True, strokeWidth=3)
        .encode(
            x=alt.X("year:O", title=None),
            y=alt.Y("value:Q", title=y_title),
            color=alt.Color("series:N", title=None, scale=alt.Scale(domain=[scen, ref], range=[SHORTAGE, REFERENCE])),
            strokeDash=alt.StrokeDash(
                "series:N", scale=alt.Scale(domain=[scen, ref], range=[[1, 0], [6, 4]]), legend=None
            ),
            tooltip=[
                alt.Tooltip("series:N", title=" "),
                alt.Tooltip("year:O", title=t("scenario.col.year", lang)),
                alt.Tooltip("value_text:N", title=y_title),
            ],
        )
    )
    return _finish(alt.layer(area, line).properties(height=height), lang)  # type: ignore[return-value]


def tornado_chart(table: pd.DataFrame, lang: str, top: int = 10) -> alt.LayerChart:
    """Sensitivity (tornado): change in cumulative imbalance when each parameter moves by -/+ its band.

    ``table`` from :func:`gtec.scenarios.engine.tornado`; parameters without effect are dropped, the ``top``
    largest kept.
    """
    data = table.loc[table["swing"] > 0].head(top).copy()
    data["label"] = [
        f"{PARAM_BY_NAME[p].label(lang)} ({fmt.number(lo, lang, PARAM_BY_NAME[p].decimals)} → "
        f"{fmt.number(hi, lang, PARAM_BY_NAME[p].decimals)})"
        for p, lo, hi in zip(data["parameter"], data["low_value"], data["high_value"], strict=True)
    ]
    long = pd.concat(
        [
            pd.DataFrame({"label": data["label"], "delta": data["delta_low"], "end": t("scenario.legend.low", lang)}),
            pd.DataFrame({"label": data["label"], "delta": data["delta_high"], "end": t("scenario.legend.high", lang)}),
        ],
        ignore_index=True,
    )
    long["delta_text"] = [fmt.number(v, lang) for v in long["delta"]]
    order = list(data["label"])
    domain = [t("scenario.legend.low", lang), t("scenario.legend.high", lang)]
    bars = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", sort=order, title=None),
            x=alt.X("delta:Q", title=t("scenario.axis.tornado", lang), axis=alt.Axis(**_axis_format(lang))),
            color=alt.Color("end:N", title=None, scale=alt.Scale(domain=domain, range=["#9ecae1", "#08519c"])),
            tooltip=[
                alt.Tooltip("label:N", title=t("scenario.col.parameter", lang)),
                alt.Tooltip("end:N", title=" "),
                alt.Tooltip("delta_text:N", title=t("scenario.axis.tornado", lang)),
            ],
        )
    )
    zero = alt.Chart(pd.DataFrame({"x": [0]})).mark_rule(color="#333").encode(x="x:Q")
    return _finish(alt.layer(bars, zero).properties(height=max(120, 34 * len(order))), lang)  # type: ignore[return-value]


def map_chart(features: dict, rates: pd.Series, names: pd.Series, lang: str, height: int = 460) -> alt.Chart:
    """Choropleth of the imbalance rate (%, by territory id) with Altair geoshapes; works offline.

    ``features``: a GeoJSON FeatureCollection whose features carry ``properties.id``. Territories without a value
    are drawn in light grey (missing, not zero).
    """
    feats = []
    for feat in features.get("features", []):
        tid = feat.get("properties", {}).get("id")
        value = rates.get(tid)
        missing = value is None or (isinstance(value, float) and np.isnan(value))
        props = {
            "id": tid,
            "name": str(names.get(tid, tid)),
            "rate": None if missing else round(float(value), 2),
            "rate_text": t("common.missing", lang) if missing else fmt.number(value, lang, 1) + " %",
        }
        feats.append({"type": "Feature", "geometry": feat["geometry"], "properties": props})
    finite = rates.dropna()
    bound = max(float(finite.abs().max()) if len(finite) else 1.0, 1.0)
    base = alt.Chart(alt.Data(values=feats)).mark_geoshape(stroke="white", strokeWidth=0.4)
    chart = base.encode(
        color=alt.condition(
            "datum.properties.rate === null",
            alt.value("#dddddd"),
            alt.Color(
                "properties.rate:Q",
                title=t("scenario.col.imbalance_rate", lang),
                scale=alt.Scale(scheme="redblue", reverse=True, domain=[-bound, bound], domainMid=0),
            ),
        ),
        tooltip=[
            alt.Tooltip("properties.name:N", title=t("scenario.col.territory", lang)),
            alt.Tooltip("properties.rate_text:N", title=t("scenario.col.imbalance_rate", lang)),
        ],
    )
    return _finish(chart.project(type="mercator").properties(height=height), lang)


RESULT_COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("family", "scenario.col.family", -1),
    ("employment_base", "scenario.col.employment_base", 0),
    ("employment_horizon", "scenario.col.employment_horizon", 0),
    ("creation", "scenario.flow.creation", 0),
    ("departures", "scenario.flow.departures", 0),
    ("openings", "scenario.flow.openings", 0),
    ("entrants", "scenario.flow.entrants", 0),
    ("mobility", "scenario.flow.mobility", 0),
    ("imbalance", "scenario.flow.imbalance", 0),
    ("imbalance_rate", "scenario.col.imbalance_rate", 1),
)


def results_table(fam: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The results table shown and exported: one row per family, translated headings, flows in jobs a year
    (rounded), imbalance rate in % of base-year employment (missing stays empty)."""
    out = pd.DataFrame()
    for col, key, dec in RESULT_COLUMNS:
        values = fam[col]
        out[t(key, lang)] = values if dec < 0 else values.round(dec)
    return out


def parameter_frame(lang: str) -> pd.DataFrame:
    """The declared parameter table with translated headings (the page's method tab)."""
    from gtec.scenarios.params import parameter_table

    table = parameter_table(lang)
    heads = {
        "name": "scenario.param.name",
        "label": "scenario.col.parameter",
        "unit": "scenario.param.unit",
        "default": "scenario.param.default",
        "min": "scenario.param.min",
        "max": "scenario.param.max",
        "step": "scenario.param.step",
        "band": "scenario.param.band",
        "help": "scenario.param.help",
        "source": "scenario.param.source",
    }
    return table.rename(columns={k: t(v, lang) for k, v in heads.items()})
