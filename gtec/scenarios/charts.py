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
from gtec.core.chartstyle import short_name
from gtec.core.i18n import pick, t
from gtec.scenarios.engine import Result
from gtec.scenarios.params import PARAM_BY_NAME, PARAMETERS, Settings

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

#: Pixels per row of the family charts: labels of up to three lines at 14-17 px.
ROW = 44
#: Room for the x axis (labels and a two-line title) and a two-entry legend under the plot. Streamlit fits the
#: whole chart, axes and legend included, into the given height: without this the rows were squeezed to 28 px
#: and two-line labels ran into each other.
FRAME = 150
#: Pixels per parameter of the tornado chart: a name on two lines and its range on a third, at 17 px in
#: presentation mode.
TORNADO_ROW = 64
#: Characters per line of a wrapped family or parameter label.
WRAP = 26


#: Vega expression: a legend entry longer than 20 characters on two lines, broken at its last space within the
#: first 20 (the legend starts under the plot, right of the axis labels: on a phone a long entry ran off the edge).
_CUT = "lastindexof(substring(datum.label, 0, 20), ' ')"
LEGEND_WRAP = (
    f"length(datum.label) > 20 && {_CUT} > 0 ? "
    f"[substring(datum.label, 0, {_CUT}), substring(datum.label, {_CUT} + 1)] : datum.label"
)


def _legend(**extra: Any) -> alt.Legend:
    """A legend under the plot, one entry a line (two long entries side by side overlapped or were cut), long
    entries on two lines."""
    return alt.Legend(
        orient="bottom", direction="vertical", columns=1, title=None, labelLimit=0, labelExpr=LEGEND_WRAP, **extra
    )


def _y_labels() -> alt.Axis:
    """Category axis whose labels are wrapped on lines (:func:`chartstyle.wrap_label`), every one drawn."""
    return alt.Axis(labelExpr=chartstyle.SPLIT_LABEL, labelOverlap=False, labelLimit=0, labelPadding=6)


def _title(text: str) -> str | list[str]:
    """An axis title on two lines when it is long (a title wider than the plot was cut)."""
    wrapped = chartstyle.wrap_label(text, 28)
    return wrapped.split("|") if "|" in wrapped else text


def zero_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering ``[low, high]`` that always include zero (the diverging charts' axis)."""
    low, high = min(low, 0.0), max(high, 0.0)
    span = high - low or 1.0
    raw = span / count
    magnitude = 10 ** np.floor(np.log10(raw))
    step = float(next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw))
    start, stop = np.floor(low / step) * step, np.ceil(high / step) * step
    return [round(float(v), 10) for v in np.arange(start, stop + step / 2, step)]


def rate_bound(*rates: pd.Series | np.ndarray) -> float:
    """One symmetric colour bound for the map and the heatmap (so that one colour means one value on both):
    the largest absolute rate, rounded up to a whole number, at least 1."""
    values = np.concatenate([np.asarray(r, dtype=float).ravel() for r in rates]) if rates else np.array([])
    finite = values[np.isfinite(values)]
    return float(max(1.0, np.ceil(np.abs(finite).max()))) if finite.size else 1.0


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
    long["family_label"] = [chartstyle.wrap_label(f, WRAP, 2) for f in long["family"]]
    order = [chartstyle.wrap_label(f, WRAP, 2) for f in order]
    long["jobs_text"] = [fmt.number(v, lang) for v in long["jobs"]]
    long["openings_text"] = [fmt.number(v, lang) for v in long["openings"]]
    chart = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("family_label:N", sort=order, title=None, axis=_y_labels()),
            x=alt.X(
                "jobs:Q",
                title=_title(t("scenario.axis.jobs_per_year", lang)),
                axis=alt.Axis(**_axis_format(lang)),
                scale=alt.Scale(nice=True, padding=8),
            ),
            color=alt.Color(
                "part_label:N",
                sort=list(parts.values()),
                scale=alt.Scale(domain=list(parts.values()), range=[DEPARTURES, CREATION]),
                legend=_legend(),
            ),
            order=alt.Order("part:N", sort="ascending"),
            tooltip=[
                alt.Tooltip("family:N", title=t("scenario.col.family", lang)),
                alt.Tooltip("part_label:N", title=" "),
                alt.Tooltip("jobs_text:N", title=t("scenario.axis.jobs_per_year", lang)),
                alt.Tooltip("openings_text:N", title=t("scenario.flow.openings", lang)),
            ],
        )
        .properties(height=height or ROW * len(order) + FRAME)
    )
    return _finish(chart, lang)


def imbalance_chart(df: pd.DataFrame, lang: str, height: int | None = None) -> alt.LayerChart:
    """Potential imbalance by family as diverging bars: shortage (more openings than newcomers) to the right,
    surplus to the left. Uses the annual average ``imbalance`` of :func:`family_frame`."""
    data = df.assign(
        side=np.where(df["imbalance"] >= 0, t("scenario.legend.shortage", lang), t("scenario.legend.surplus", lang)),
        value_text=[fmt.number(v, lang) for v in df["imbalance"]],
        rate_text=[fmt.percent(fmt.number(v, lang, 1), lang) for v in df["imbalance_rate"]],
        family_label=[chartstyle.wrap_label(f, WRAP, 2) for f in df["family"]],
    )
    order = list(data.sort_values("imbalance", ascending=False)["family_label"])
    ticks = zero_ticks(float(data["imbalance"].min()), float(data["imbalance"].max()), 3)
    domain = [t("scenario.legend.shortage", lang), t("scenario.legend.surplus", lang)]
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("family_label:N", sort=order, title=None, axis=_y_labels()),
            x=alt.X(
                "imbalance:Q",
                title=_title(t("scenario.axis.imbalance_per_year", lang)),
                axis=alt.Axis(values=ticks, **_axis_format(lang)),
                scale=alt.Scale(domain=[ticks[0], ticks[-1]], nice=False),
            ),
            color=alt.Color("side:N", scale=alt.Scale(domain=domain, range=[SHORTAGE, SURPLUS]), legend=_legend()),
            tooltip=[
                alt.Tooltip("family:N", title=t("scenario.col.family", lang)),
                alt.Tooltip("value_text:N", title=t("scenario.axis.imbalance_per_year", lang)),
                alt.Tooltip("rate_text:N", title=t("scenario.col.imbalance_rate", lang)),
            ],
        )
    )
    zero = alt.Chart(pd.DataFrame({"x": [0]})).mark_rule(color="#333", strokeWidth=1.5).encode(x="x:Q")
    chart = alt.layer(bars, zero).properties(height=height or ROW * len(order) + FRAME)
    return _finish(chart, lang)  # type: ignore[return-value]


def heatmap_chart(df: pd.DataFrame, lang: str, height: int | None = None, bound: float | None = None) -> alt.Chart:
    """Territory x family heatmap of the imbalance rate (cumulative imbalance, % of base-year employment).

    ``df`` columns: territory (name), family (label), imbalance_rate. Diverging colours centred on zero, from
    ``-bound`` to ``bound`` (give the map's bound, :func:`rate_bound`, so both share one scale). Every family
    and every territory is labelled: the chart is as tall as its rows, labels wrap instead of being dropped.
    """
    territories = list(dict.fromkeys(df["territory"]))
    few = len(territories) <= 4
    data = df.assign(
        rate_text=[fmt.percent(fmt.number(v, lang, 1), lang) for v in df["imbalance_rate"]],
        family_label=[chartstyle.wrap_label(f, WRAP, 2) for f in df["family"]],
        territory_label=[chartstyle.wrap_label(short_name(n), 18) if few else short_name(n) for n in df["territory"]],
    )
    bound = bound if bound is not None else rate_bound(data["imbalance_rate"])
    columns = list(dict.fromkeys(data["territory_label"]))
    x_axis = alt.Axis(
        orient="bottom",
        labelAngle=0 if few else -45,
        labelAlign="center" if few else "right",
        labelExpr=chartstyle.SPLIT_LABEL,
        labelOverlap=False,
        labelLimit=0,
    )
    chart = (
        alt.Chart(data)
        .mark_rect(stroke="white", strokeWidth=0.5)
        .encode(
            y=alt.Y("family_label:N", title=None, axis=_y_labels()),
            x=alt.X("territory_label:N", title=None, sort=columns, axis=x_axis),
            color=alt.Color(
                "imbalance_rate:Q",
                scale=alt.Scale(scheme="redblue", reverse=True, domain=[-bound, bound], domainMid=0),
                legend=alt.Legend(title=t("scenario.legend.rate_short", lang), orient="bottom", direction="horizontal"),
            ),
            tooltip=[
                alt.Tooltip("territory:N", title=t("scenario.col.territory", lang)),
                alt.Tooltip("family:N", title=t("scenario.col.family", lang)),
                alt.Tooltip("rate_text:N", title=t("scenario.col.imbalance_rate", lang)),
            ],
        )
        .properties(height=height or ROW * data["family"].nunique() + (70 if few else 150) + 70)
    )
    return _finish(chart, lang)


def band_chart(band: pd.DataFrame, reference: pd.DataFrame, lang: str, height: int = 460) -> alt.LayerChart:
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
    values = pd.concat([band["low"], band["high"], lines["value"]])
    ticks = zero_ticks(float(values.min()), float(values.max()))
    line_legend = _legend(symbolType="stroke", symbolStrokeWidth=3, symbolSize=600)
    area = (
        alt.Chart(area_data)
        .mark_area(opacity=0.25, color=SHORTAGE)
        .encode(
            x=alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y(
                "low:Q",
                title=_title(y_title),
                axis=alt.Axis(values=ticks, **_axis_format(lang)),
                scale=alt.Scale(domain=[ticks[0], ticks[-1]], nice=False),
            ),
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
            y=alt.Y("value:Q", title=_title(y_title)),
            # colour and dash share one legend (same field, same title): it tells the solid red line (this
            # scenario) from the grey dashed one (the reference)
            color=alt.Color(
                "series:N", scale=alt.Scale(domain=[scen, ref], range=[SHORTAGE, REFERENCE]), legend=line_legend
            ),
            strokeDash=alt.StrokeDash(
                "series:N", scale=alt.Scale(domain=[scen, ref], range=[[1, 0], [6, 4]]), legend=line_legend
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
    data["name"] = [
        f"{PARAM_BY_NAME[p].label(lang)} ({fmt.number(lo, lang, PARAM_BY_NAME[p].decimals)} → "
        f"{fmt.number(hi, lang, PARAM_BY_NAME[p].decimals)})"
        for p, lo, hi in zip(data["parameter"], data["low_value"], data["high_value"], strict=True)
    ]
    data["label"] = [  # the name on up to two lines, its range on a line of its own
        chartstyle.wrap_label(PARAM_BY_NAME[p].label(lang), WRAP, 2)
        + "|"
        + name[len(PARAM_BY_NAME[p].label(lang)) + 1 :]
        for p, name in zip(data["parameter"], data["name"], strict=True)
    ]
    long = pd.concat(
        [
            pd.DataFrame(
                {
                    "label": data["label"],
                    "name": data["name"],
                    "delta": data["delta_low"],
                    "end": t("scenario.legend.low", lang),
                }
            ),
            pd.DataFrame(
                {
                    "label": data["label"],
                    "name": data["name"],
                    "delta": data["delta_high"],
                    "end": t("scenario.legend.high", lang),
                }
            ),
        ],
        ignore_index=True,
    )
    long["delta_text"] = [fmt.number(v, lang) for v in long["delta"]]
    order = list(data["label"])
    domain = [t("scenario.legend.low", lang), t("scenario.legend.high", lang)]
    ticks = zero_ticks(float(long["delta"].min()), float(long["delta"].max()), 3) if len(long) else [0.0]
    bars = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", sort=order, title=None, axis=_y_labels()),
            x=alt.X(
                "delta:Q",
                title=_title(t("scenario.axis.tornado", lang)),
                axis=alt.Axis(values=ticks, **_axis_format(lang)),
                scale=alt.Scale(domain=[ticks[0], ticks[-1]], nice=False),
            ),
            color=alt.Color("end:N", scale=alt.Scale(domain=domain, range=["#9ecae1", "#08519c"]), legend=_legend()),
            tooltip=[
                alt.Tooltip("name:N", title=t("scenario.col.parameter", lang)),
                alt.Tooltip("end:N", title=" "),
                alt.Tooltip("delta_text:N", title=t("scenario.axis.tornado", lang)),
            ],
        )
    )
    zero = alt.Chart(pd.DataFrame({"x": [0]})).mark_rule(color="#333").encode(x="x:Q")
    chart = alt.layer(bars, zero).properties(height=max(160, TORNADO_ROW * len(order)) + FRAME)
    return _finish(chart, lang)  # type: ignore[return-value]


def map_chart(
    features: dict, rates: pd.Series, names: pd.Series, lang: str, height: int = 520, bound: float | None = None
) -> alt.Chart:
    """Choropleth of the imbalance rate (%, by territory id) with Altair geoshapes; works offline.

    ``features``: a GeoJSON FeatureCollection whose features carry ``properties.id``. Territories without a value
    are drawn in light grey (missing, not zero). Colours run from ``-bound`` to ``bound`` (the heatmap's, see
    :func:`rate_bound`); the tooltip names the territory.
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
            "rate_text": t("common.missing", lang) if missing else fmt.percent(fmt.number(value, lang, 1), lang),
        }
        feats.append({"type": "Feature", "geometry": feat["geometry"], "properties": props})
    bound = bound if bound is not None else rate_bound(rates)
    base = alt.Chart(alt.Data(values=feats)).mark_geoshape(stroke="white", strokeWidth=0.8)
    chart = base.encode(
        color=alt.condition(
            "datum.properties.rate === null",
            alt.value("#dddddd"),
            alt.Color(
                "properties.rate:Q",
                scale=alt.Scale(scheme="redblue", reverse=True, domain=[-bound, bound], domainMid=0),
                legend=alt.Legend(title=t("scenario.legend.rate_short", lang), orient="bottom", direction="horizontal"),
            ),
        ),
        tooltip=[
            alt.Tooltip("properties.name:N", title=t("scenario.col.territory", lang)),
            alt.Tooltip("properties.rate_text:N", title=t("scenario.col.imbalance_rate", lang)),
        ],
    )
    return _finish(chart.project(type="mercator").properties(height=height), lang)


#: Above this many territories the map uses the national layer (simplified for France); below, the detailed one.
DETAIL_MAX = 40


def map_resolution(n_territories: int) -> str:
    """``"detail"`` for a close-up of a few territories, ``"national"`` for many (the geometry budget)."""
    return "detail" if n_territories <= DETAIL_MAX else "national"


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


#: The columns of the on-screen table (the CSV keeps every flow): family, openings, entrants, imbalance, rate.
DISPLAY_COLUMNS: tuple[str, ...] = ("family", "openings", "entrants", "imbalance", "imbalance_rate")


def display_table(fam: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The results table on screen: five columns of text in the reader's format ("2 526", "6,5 %"), missing
    values said as missing, so the table fits the page without a sideways scroll (screens review S7)."""
    out = pd.DataFrame()
    for col, key, dec in RESULT_COLUMNS:
        if col not in DISPLAY_COLUMNS:
            continue
        values = fam[col]
        if dec < 0:
            out[t(key, lang)] = values
            continue
        rate = col == "imbalance_rate"
        out[t(key, lang)] = [
            t("common.missing", lang)
            if pd.isna(v)
            else (fmt.percent(fmt.number(float(v), lang, dec), lang) if rate else fmt.number(float(v), lang, dec))
            for v in values
        ]
    return out


def settings_text(settings: Settings, lang: str) -> str:
    """Every parameter with its value and unit, in the reader's language ("Transition bas-carbone : 40 (% de la
    planification) ; …"), for the exported files."""
    return t("provenance.list_sep", lang).join(
        t("scenario.export.param_sep", lang, label=p.label(lang), value=fmt.number(settings[p.name], lang, p.decimals),
          unit=p.unit(lang))
        for p in PARAMETERS
    )  # fmt: skip


def export_table(
    fam: pd.DataFrame,
    lang: str,
    *,
    territory: str,
    base_year: int,
    settings: Settings,
    status: str,
    sources: str,
) -> pd.DataFrame:
    """The CSV of the results: :func:`results_table` (whole headcounts) followed by what a reader of the file
    alone needs: territory, base year, horizon, every parameter's value, status and sources (one value per
    column, repeated on each row so that any row copied elsewhere keeps them)."""
    out = results_table(fam, lang)
    meta = {
        "scenario.col.territory": territory,
        "scenario.export.base_year": str(base_year),
        "scenario.horizon": str(settings.horizon),
        "scenario.export.parameters": settings_text(settings, lang),
        "scenario.export.status": status,
        "scenario.export.sources": sources,
    }
    for key, value in meta.items():
        out[t(key, lang)] = value
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
