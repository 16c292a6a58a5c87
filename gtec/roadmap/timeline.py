"""The roadmap timeline: an Altair Gantt chart (one bar per action from start to end, coloured by status, the done
part darker by the progress %, a rule at today)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import altair as alt
import pandas as pd

from gtec.core import chartstyle
from gtec.core.i18n import t
from gtec.roadmap.actions import STATUSES

COLOURS = {"planned": "#9ecae1", "in_progress": "#3182bd", "done": "#31a354", "cancelled": "#bdbdbd"}
MAX_LABEL = 70


def frame(rows: Sequence[dict[str, Any]], lang: str) -> pd.DataFrame:
    """The chart's data: one row per action with labels in ``lang`` and the end of the done part."""
    df = pd.DataFrame(rows)
    if df.empty:
        return pd.DataFrame(columns=["label", "start", "end", "done_end", "status_label", "group_label", "progress"])
    df["start"] = pd.to_datetime(df["start_on"])
    df["end"] = pd.to_datetime(df["end_on"]) + pd.Timedelta(days=1)
    df["done_end"] = df["start"] + (df["end"] - df["start"]) * (df["progress"].astype(float) / 100.0)
    df["label"] = [
        f"{i} · {s if len(s) <= MAX_LABEL else s[: MAX_LABEL - 1] + '…'}"
        for i, s in zip(df["id"], df["title"], strict=True)
    ]
    df["status_label"] = [t(f"roadmap.status.{s}", lang) for s in df["status"]]
    df["group_label"] = [t(f"needs.group.{g}", lang) for g in df["group_code"]]
    df["progress_text"] = [f"{p} %" for p in df["progress"]]
    return df


def gantt(rows: Sequence[dict[str, Any]], lang: str, today: dt.date | None = None) -> alt.TopLevelMixin:
    """The Gantt chart of ``rows`` (already filtered), in start order. Each action's name is written above its bar,
    from the left edge, so that long titles read on a phone instead of being cut in an axis."""
    df = frame(rows, lang)
    order = list(df["label"]) if len(df) else []
    labels = [t(f"roadmap.status.{s}", lang) for s in STATUSES]
    colours = alt.Scale(domain=labels, range=[COLOURS[s] for s in STATUSES])
    if len(df):
        df["left"] = min(df["start"].min(), pd.Timestamp(today or dt.date.today()))
    base = alt.Chart(df).encode(
        y=alt.Y("label:N", sort=order, title=None, axis=None),
        tooltip=[
            alt.Tooltip("title:N", title=t("roadmap.col.title", lang)),
            alt.Tooltip("group_label:N", title=t("roadmap.col.group", lang)),
            alt.Tooltip("owner:N", title=t("roadmap.col.owner", lang)),
            alt.Tooltip("start_on:N", title=t("roadmap.col.start", lang)),
            alt.Tooltip("end_on:N", title=t("roadmap.col.end", lang)),
            alt.Tooltip("status_label:N", title=t("roadmap.col.status", lang)),
            alt.Tooltip("progress_text:N", title=t("roadmap.col.progress", lang)),
        ],
    )
    months = 1
    if len(df):
        span = (max(df["end"].max(), df["left"].max()) - df["left"].min()).days / 30.4
        months = max(1, -(-int(span) // 6))  # about six ticks, whatever the span
    axis = alt.Axis(
        format="%b %Y",
        labelAngle=0,
        tickCount={"interval": "month", "step": months},
        labelOverlap=True,
        labelFlush=True,
    )
    bars = base.mark_bar(opacity=0.45, cornerRadius=3, height=14, yOffset=8).encode(
        x=alt.X("start:T", title=None, axis=axis),
        x2="end:T",
        color=alt.Color("status_label:N", scale=colours, legend=alt.Legend(title=t("roadmap.col.status", lang))),
    )
    done = base.mark_bar(cornerRadius=3, height=14, yOffset=8).encode(
        x="start:T", x2="done_end:T", color=alt.Color("status_label:N", scale=colours, legend=None)
    )
    names = base.mark_text(align="left", baseline="middle", dy=-9, fontSize=12, color="#31333f").encode(
        x="left:T", text="label:N"
    )
    now = pd.DataFrame({"today": [pd.Timestamp(today or dt.date.today())]})
    rule = alt.Chart(now).mark_rule(color="#d62728", strokeDash=[4, 3]).encode(x="today:T")
    chart = alt.layer(bars, done, names, rule).properties(
        height=alt.Step(44),
        width="container",
        autosize=alt.AutoSizeParams(type="fit-x", contains="padding"),
        padding={"left": 8, "right": 24, "top": 4, "bottom": 4},
    )
    return chartstyle.finish(chart, lang)
