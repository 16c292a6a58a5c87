"""Pure Altair chart builders for the portrait (tested through ``to_dict()``)."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

OUTLINE_COLOUR = "#1f4e79"
MEMBER_FILL = "#cfe0f1"


def outline_spec(features: dict, height: int = 320) -> dict[str, Any]:
    """Vega-Lite spec of the territory outline over its members, Mercator projection; works offline (no tiles).

    Written as the dict Altair would produce: a portrait opens a new territory on most reruns, and Altair's
    copies and schema validation of the inline GeoJSON were most of that rerun's time (issue 17)."""
    feats = features.get("features", [])
    members = [f for f in feats if f["properties"].get("role") == "member"]
    outline = [f for f in feats if f["properties"].get("role") == "outline"]
    layers: list[dict[str, Any]] = []
    if members:
        layers.append(
            {
                "data": {"values": members},
                "mark": {"type": "geoshape", "fill": MEMBER_FILL, "stroke": "#ffffff", "strokeWidth": 0.6},
                "encoding": {"tooltip": [{"field": "properties.name", "title": "", "type": "nominal"}]},
            }
        )
    if outline:
        layers.append(
            {
                "data": {"values": outline},
                "mark": {"type": "geoshape", "filled": False, "stroke": OUTLINE_COLOUR, "strokeWidth": 2.5},
            }
        )
    return {"layer": layers, "height": height, "projection": {"type": "mercator"}}


def outline_chart(features: dict, height: int = 320) -> alt.LayerChart:
    """:func:`outline_spec` as an Altair chart (for pages that compose it further)."""
    return alt.LayerChart.from_dict(outline_spec(features, height), validate=False)


def _legend_order(data: pd.DataFrame, names: dict[str, str]) -> list[str]:
    """Series in the order of ``names`` (the territory first, then what it is compared with), then the rest."""
    present = set(data["name"])
    return [n for n in names.values() if n in present] + [
        n for n in dict.fromkeys(data["name"]) if n not in names.values()
    ]


def trend_chart(df: pd.DataFrame, names: dict[str, str], y_title: str, height: int = 380) -> alt.Chart:
    """Index lines (first common year = 100) for a territory, its parent and its country."""
    data = df.assign(name=df["territory_id"].map(names).fillna(df["territory_id"]))
    order = _legend_order(data, names)
    return (
        alt.Chart(data)
        .mark_line(point=True, strokeWidth=3)
        .encode(
            x=alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("index:Q", title=y_title, scale=alt.Scale(zero=False)),
            color=alt.Color(
                "name:N", title=None, sort=order, scale=alt.Scale(scheme="dark2"), legend=alt.Legend(columns=1)
            ),
            tooltip=[alt.Tooltip("name:N"), alt.Tooltip("year:O"), alt.Tooltip("index:Q", format=".1f")],
        )
        .properties(height=height)
    )


def quarterly_chart(df: pd.DataFrame, names: dict[str, str], y_title: str, lang: str, height: int = 380) -> alt.Chart:
    """Quarterly values (e.g. the ILO unemployment rate, %) of a territory and the levels it is compared with.

    Expects columns territory_id, period, date (first day of the quarter), value; the tooltip shows the
    quarter as published (``2025 T3``)."""
    from gtec.territories.display import period_text

    data = df.assign(
        name=df["territory_id"].map(names).fillna(df["territory_id"]),
        quarter=[period_text(None, p, None, lang) for p in df["period"]],
    )
    order = _legend_order(data, names)
    return (
        alt.Chart(data)
        .mark_line(strokeWidth=2.5)
        .encode(
            x=alt.X("date:T", title=None, axis=alt.Axis(format="%Y")),
            y=alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False)),
            color=alt.Color(
                "name:N", title=None, sort=order, scale=alt.Scale(scheme="dark2"), legend=alt.Legend(columns=1)
            ),
            tooltip=[alt.Tooltip("name:N"), alt.Tooltip("quarter:N"), alt.Tooltip("value:Q", format=".1f")],
        )
        .properties(height=height)
    )
