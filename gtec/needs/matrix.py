"""The needs matrix: stakeholder groups x need themes, from the answers of one survey.

Per respondent and theme, the *theme score* is the mean of the respondent's answers to the theme's questions (on
the 1-4 priority scale). Per cell (group x theme):

- ``n``: respondents of the group with a score for the theme;
- ``mean``: mean theme score, with a 95 % Student t interval (``mean_low``, ``mean_high``: mean +/- t(0.975, n-1)
  x s / sqrt(n));
- ``share_high``: share of those respondents whose score is high priority (>= 3), with a 95 % Wilson score
  interval (``share_low``, ``share_high_ci``);
- cells with fewer than :data:`MIN_N` respondents are *suppressed*: their figures are missing (None), the reason
  is ``small`` (too few respondents to publish without identifying people or over-reading noise); cells nobody
  answered have the reason ``none``.

Agreement and divergence between groups, per theme (:func:`divergence`): the spread (max - min) of the published
group means; under :data:`AGREE_SPREAD` points the groups agree, from :data:`DIVERGE_SPREAD` they diverge.
The per-respondent theme scores are computed by the database (:func:`theme_scores`, one row per respondent x theme)
and the cells with pandas; :func:`compute` does the same from raw answers in pandas, and :func:`compute_naive` is
the per-cell Python loop kept as the benchmark's baseline and as a cross-check in the tests.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import altair as alt
import numpy as np
import pandas as pd

from gtec.core import chartstyle, fmt
from gtec.core.export import to_safe_csv_bytes
from gtec.core.i18n import t
from gtec.needs import bank
from gtec.needs.surveys import Survey
from gtec.storage.workspace import Workspace

MIN_N = 5
Z95 = 1.959963984540054
AGREE_SPREAD = 0.5
DIVERGE_SPREAD = 1.0
#: Student t quantiles t(0.975, df) for df = 1..30 (beyond: Cornish-Fisher expansion, error < 1e-3).
_T975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
    2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip
COLUMNS = ["group", "theme", "n", "mean", "mean_low", "mean_high", "share_high", "share_low", "share_high_ci",
           "suppressed", "reason"]  # fmt: skip


def t975(df: int) -> float:
    """Two-sided 95 % Student t quantile for ``df`` degrees of freedom (``df`` >= 1)."""
    if df <= len(_T975):
        return _T975[df - 1]
    z = Z95
    return z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)


def wilson(successes: float, n: float) -> tuple[float, float]:
    """95 % Wilson score interval of a proportion (``n`` > 0)."""
    p = successes / n
    denom = 1 + Z95**2 / n
    centre = (p + Z95**2 / (2 * n)) / denom
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def answers_frame(ws: Workspace, survey_id: int) -> pd.DataFrame:
    """Every answer of a survey: columns response_id, group, question_id, value."""
    with ws.read() as conn:
        rows = conn.all(
            "SELECT r.id AS response_id, r.group_code AS grp, a.question_id, a.value FROM needs_answers a"
            " JOIN needs_responses r ON r.id = a.response_id WHERE r.survey_id = ?",
            (survey_id,),
        )
    df = pd.DataFrame([tuple(r) for r in rows], columns=["response_id", "group", "question_id", "value"])
    df["value"] = df["value"].astype(float)
    return df


def question_themes(survey: Survey) -> dict[str, str]:
    """question id -> theme for the bank questions a survey asks."""
    return {q: bank.BY_ID[q].theme for q in survey.question_ids if q in bank.BY_ID}


def _grid(groups: Sequence[str], themes: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame([(g, th) for g in groups for th in themes], columns=["group", "theme"])


def _finish(cells: pd.DataFrame, min_n: int) -> pd.DataFrame:
    """Intervals, suppression and reasons from n, mean, sd, high counts per cell (numpy on a few dozen cells)."""
    n = cells["n"].fillna(0).to_numpy(dtype=float)
    mean = cells["mean"].to_numpy(dtype=float)
    sd = cells["sd"].fillna(0.0).to_numpy(dtype=float)
    high = cells["high"].fillna(0).to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        nn = np.where(n > 0, n, np.nan)
        tq = np.array([t975(int(k) - 1) if k >= 2 else np.nan for k in n])
        half = tq * sd / np.sqrt(nn)
        share = high / nn
        z2 = Z95**2
        denom = 1 + z2 / nn
        centre = (share + z2 / (2 * nn)) / denom
        halfw = Z95 * np.sqrt(share * (1 - share) / nn + z2 / (4 * nn * nn)) / denom
    hidden = n < min_n
    out = pd.DataFrame({"group": cells["group"].to_numpy(), "theme": cells["theme"].to_numpy(), "n": n.astype(int)})
    figures = {
        "mean": mean,
        "mean_low": np.maximum(mean - half, bank.SCALE_MIN),
        "mean_high": np.minimum(mean + half, bank.SCALE_MAX),
        "share_high": share,
        "share_low": np.maximum(centre - halfw, 0.0),
        "share_high_ci": np.minimum(centre + halfw, 1.0),
    }
    for col, values in figures.items():
        out[col] = np.where(hidden, np.nan, values)
    out["suppressed"] = hidden
    out["reason"] = np.where(n == 0, "none", np.where(hidden, "small", ""))
    return out[COLUMNS]


def cells_of(scores: pd.DataFrame, groups: Sequence[str], themes: Sequence[str], min_n: int = MIN_N) -> pd.DataFrame:
    """Cells from per-respondent theme scores (columns response_id, group, theme, value)."""
    scores = scores.assign(is_high=scores["value"] >= bank.HIGH_FROM)
    agg = scores.groupby(["group", "theme"], sort=False).agg(
        n=("value", "size"), mean=("value", "mean"), sd=("value", "std"), high=("is_high", "sum")
    )
    cells = _grid(groups, themes).merge(agg.reset_index(), on=["group", "theme"], how="left")
    return _finish(cells, min_n)


def theme_scores(ws: Workspace, survey_id: int, themes_of: Mapping[str, str]) -> pd.DataFrame:
    """Per respondent and theme, the mean of the respondent's answers (computed by the database: one row per
    respondent x theme instead of one per answer). Columns response_id, group, theme, value."""
    if not themes_of:
        return pd.DataFrame(columns=["response_id", "group", "theme", "value"])
    pairs = ", ".join("(?, ?)" for _ in themes_of)
    params: list[object] = [x for item in themes_of.items() for x in item]
    with ws.read() as conn:
        rows = conn.all(
            f"WITH qt(question_id, theme) AS (VALUES {pairs})"
            " SELECT r.id, r.group_code, qt.theme, AVG(a.value) FROM needs_answers a"
            " JOIN needs_responses r ON r.id = a.response_id JOIN qt ON qt.question_id = a.question_id"
            " WHERE r.survey_id = ? GROUP BY r.id, r.group_code, qt.theme",
            [*params, survey_id],
        )
    df = pd.DataFrame([tuple(r) for r in rows], columns=["response_id", "group", "theme", "value"])
    df["value"] = df["value"].astype(float)
    return df


def compute(
    answers: pd.DataFrame,
    themes_of: Mapping[str, str],
    groups: Sequence[str] = bank.GROUPS,
    themes: Sequence[str] = bank.THEMES,
    min_n: int = MIN_N,
) -> pd.DataFrame:
    """The matrix (one row per group x theme, in the given orders), vectorised. See the module docstring.

    ``answers``: response_id, group, question_id, value; ``themes_of``: question id -> theme (other questions
    are ignored). Columns: :data:`COLUMNS`; suppressed figures are NaN."""
    df = answers.assign(theme=answers["question_id"].map(themes_of)).dropna(subset=["theme", "value"])
    scores = df.groupby(["response_id", "group", "theme"], sort=False)["value"].mean().reset_index()
    return cells_of(scores, groups, themes, min_n)


def compute_naive(
    answers: pd.DataFrame,
    themes_of: Mapping[str, str],
    groups: Sequence[str] = bank.GROUPS,
    themes: Sequence[str] = bank.THEMES,
    min_n: int = MIN_N,
) -> pd.DataFrame:
    """The same matrix with a plain Python loop per cell over every answer (benchmark baseline, cross-check)."""
    records = list(answers.itertuples(index=False))
    rows = []
    for g in groups:
        for th in themes:
            per: dict[int, list[float]] = {}
            for r in records:
                if r.group == g and themes_of.get(r.question_id) == th and not math.isnan(r.value):
                    per.setdefault(r.response_id, []).append(float(r.value))
            scores = [sum(v) / len(v) for v in per.values()]
            n = len(scores)
            mean = sum(scores) / n if n else math.nan
            sd = math.sqrt(sum((s - mean) ** 2 for s in scores) / (n - 1)) if n >= 2 else math.nan
            high = sum(1 for s in scores if s >= bank.HIGH_FROM)
            rows.append({"group": g, "theme": th, "n": n, "mean": mean, "sd": sd, "high": high})
    return _finish(pd.DataFrame(rows), min_n)


def divergence(matrix: pd.DataFrame, themes: Sequence[str] = bank.THEMES) -> pd.DataFrame:
    """Per theme: groups published, overall mean of their means, min and max group (and means), spread, and
    ``verdict``: ``agree`` (spread < 0.5), ``mixed``, ``diverge`` (spread >= 1.0) or ``insufficient`` (< 2
    published groups)."""
    rows = []
    for th in themes:
        part = matrix.loc[(matrix["theme"] == th) & ~matrix["suppressed"]].dropna(subset=["mean"])
        if len(part) < 2:
            rows.append({"theme": th, "groups": len(part), "mean": part["mean"].mean() if len(part) else np.nan,
                         "low_group": None, "low": np.nan, "high_group": None, "high": np.nan, "spread": np.nan,
                         "verdict": "insufficient"})  # fmt: skip
            continue
        lo, hi = part.loc[part["mean"].idxmin()], part.loc[part["mean"].idxmax()]
        spread = float(hi["mean"] - lo["mean"])
        verdict = "agree" if spread < AGREE_SPREAD else "diverge" if spread >= DIVERGE_SPREAD else "mixed"
        rows.append({"theme": th, "groups": len(part), "mean": float(part["mean"].mean()), "low_group": lo["group"],
                     "low": float(lo["mean"]), "high_group": hi["group"], "high": float(hi["mean"]),
                     "spread": spread, "verdict": verdict})  # fmt: skip
    return pd.DataFrame(rows)


def survey_matrix(ws: Workspace, survey: Survey, min_n: int = MIN_N) -> pd.DataFrame:
    """The matrix of a needs survey (its groups x the themes its questions cover, bank order)."""
    themes_of = question_themes(survey)
    themes = [th for th in bank.THEMES if th in set(themes_of.values())]
    return cells_of(theme_scores(ws, survey.id, themes_of), survey.groups, themes, min_n)


def period_text(survey: Survey, lang: str) -> str:
    """``2026-11-02 – 2026-12-01`` (closed) or ``2026-11-02 – en cours`` (still open)."""
    end = survey.closed_at[:10] if survey.closed_at else t("needs.matrix.ongoing", lang)
    return f"{survey.created_at[:10]} – {end}"


def cell_label(row: Mapping, lang: str) -> str:
    """What a cell shows: the mean (1 decimal) and n, or why it is suppressed."""
    if row["suppressed"]:
        reason = "none" if row["reason"] == "none" else "small"
        return t(f"needs.matrix.suppressed_{reason}", lang, n=row["n"])
    return f"{fmt.number(row['mean'], lang, 1)} (n={row['n']})"


def to_csv(matrix: pd.DataFrame, survey: Survey, lang: str) -> bytes:
    """The matrix as CSV with its provenance on every row: status ``survey``, source (the survey's title and
    dates), n; suppressed figures stay empty cells with the reason."""
    out = pd.DataFrame(
        {
            "group": matrix["group"],
            "group_label": [t(f"needs.group.{g}", lang) for g in matrix["group"]],
            "theme": matrix["theme"],
            "theme_label": [t(f"needs.theme.{th}", lang) for th in matrix["theme"]],
            "n": matrix["n"],
            "mean_priority": matrix["mean"].round(3),
            "mean_ci95_low": matrix["mean_low"].round(3),
            "mean_ci95_high": matrix["mean_high"].round(3),
            "share_high_priority": matrix["share_high"].round(4),
            "share_ci95_low": matrix["share_low"].round(4),
            "share_ci95_high": matrix["share_high_ci"].round(4),
            "suppressed_reason": [t(f"needs.reason.{r}", lang) if r else "" for r in matrix["reason"]],
            "status": "survey",
            "source": survey.title,
            "period": period_text(survey, lang),
            "method": t("needs.matrix.method", lang, min_n=MIN_N),
        }
    )
    return to_safe_csv_bytes(out)


def wrap_label(text: str, width: int = 13) -> str:
    """A label on two lines (``|`` marks the break, split by the chart) when longer than ``width``: at the space
    nearest the middle."""
    if len(text) <= width or " " not in text:
        return text
    spaces = [i for i, c in enumerate(text) if c == " "]
    cut = min(spaces, key=lambda i: abs(i - len(text) / 2))
    return text[:cut] + "|" + text[cut + 1 :]


def heatmap(matrix: pd.DataFrame, lang: str) -> alt.Chart:
    """Themes (rows) x groups (columns, short names at an angle): colour = mean priority (1-4), text = mean and n,
    suppressed cells grey with their n. Reads at 1280 px and on a 390 px phone (6 narrow columns)."""
    df = matrix.copy()
    df["group_label"] = [t(f"needs.group_short.{g}", lang) for g in df["group"]]
    df["group_name"] = [t(f"needs.group.{g}", lang) for g in df["group"]]
    df["theme_name"] = [t(f"needs.theme.{th}", lang) for th in df["theme"]]
    df["theme_label"] = [wrap_label(x) for x in df["theme_name"]]
    df["label"] = [cell_label(r, lang) for r in df.to_dict("records")]
    df["value_text"] = [
        fmt.number(v, lang, 1) if not s else "–" for v, s in zip(df["mean"], df["suppressed"], strict=True)
    ]
    df["n_text"] = [
        f"n={n}" if not s else t("needs.matrix.small_mark", lang, n=n)
        for n, s in zip(df["n"], df["suppressed"], strict=True)
    ]
    df["ci_text"] = [
        "–" if s else f"{fmt.number(lo, lang, 1)} – {fmt.number(hi, lang, 1)}"
        for s, lo, hi in zip(df["suppressed"], df["mean_low"], df["mean_high"], strict=True)
    ]
    df["share_text"] = [fmt.percent(fmt.number(100 * v, lang, 0), lang) if not math.isnan(v) else "–"
                        for v in df["share_high"]]  # fmt: skip
    groups = list(dict.fromkeys(df["group_label"]))
    themes = list(dict.fromkeys(df["theme_label"]))
    base = alt.Chart(df).encode(
        x=alt.X(
            "group_label:N",
            sort=groups,
            title=None,
            axis=alt.Axis(labelAngle=-40, labelLimit=120, orient="top", labelOverlap=False, labelAlign="left"),
        ),
        y=alt.Y(
            "theme_label:N",
            sort=themes,
            title=None,
            axis=alt.Axis(labelExpr="split(datum.label, '|')", labelOverlap=False, minExtent=100, maxExtent=120),
        ),
        tooltip=[
            alt.Tooltip("group_name:N", title=t("needs.matrix.col.group", lang)),
            alt.Tooltip("theme_name:N", title=t("needs.matrix.col.theme", lang)),
            alt.Tooltip("label:N", title=t("needs.matrix.col.mean", lang)),
            alt.Tooltip("ci_text:N", title=t("needs.matrix.col.ci", lang)),
            alt.Tooltip("share_text:N", title=t("needs.matrix.col.share", lang)),
        ],
    )
    rect = (
        base.transform_filter("!datum.suppressed")
        .mark_rect(stroke="white", strokeWidth=2)
        .encode(
            color=alt.Color(
                "mean:Q",
                scale=alt.Scale(domain=[1, 4], scheme="oranges"),
                legend=alt.Legend(title=t("needs.matrix.legend", lang), orient="bottom", direction="horizontal"),
            )
        )
    )
    hidden = base.transform_filter("datum.suppressed").mark_rect(stroke="white", strokeWidth=2, color="#d4d4d4")
    dark = "datum.mean >= 3 && !datum.suppressed"
    text_value = base.mark_text(fontSize=13, fontWeight="bold", dy=-7).encode(
        text="value_text:N", color=alt.condition(dark, alt.value("white"), alt.value("#111"))
    )
    text_n = base.mark_text(fontSize=10, dy=9).encode(
        text="n_text:N", color=alt.condition(dark, alt.value("white"), alt.value("#333"))
    )
    chart = (rect + hidden + text_value + text_n).properties(
        height=alt.Step(44),
        width="container",
        autosize=alt.AutoSizeParams(type="fit-x", contains="padding"),
        padding={"left": 14, "right": 56, "top": 14, "bottom": 4},
    )
    return chartstyle.finish(chart, lang)
