"""What the training page shows, in words and formatted figures (pure: plain text, the page escapes it).

Missing figures are shown as missing (``–``), never as zero; a BMO sum over secret cells is "at least".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from gtec.core import fmt
from gtec.core.i18n import pick, t
from gtec.core.provenance import Source, weakest_status
from gtec.training.needs import LEVELS_SHOWN, ROUTES_SHOWN
from gtec.training.offer import Report


def _n(value: object, lang: str, decimals: int = 0) -> str:
    return fmt.number(None if value is None or pd.isna(value) else float(value), lang, decimals)  # type: ignore[arg-type]


def _pct(value: object, lang: str) -> str:
    if value is None or pd.isna(value):
        return "–"
    return fmt.percent(fmt.number(float(value), lang, 0), lang)  # type: ignore[arg-type]


def gap_rows(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The ranked gap table with translated headers and formatted cells."""
    out = []
    for r in table.to_dict("records"):
        projects = _n(r.get("projects"), lang)
        if r.get("projects_secret") and projects != "–":
            projects = t("training.at_least", lang, value=projects)
        out.append(
            {
                t("training.col.family", lang): pick(r, "label", lang),
                t("training.col.assessment", lang): t(f"training.class.{r['gap_class']}", lang),
                t("training.col.gap", lang): _n(r["gap"], lang),
                t("training.col.coverage", lang): _pct(r["coverage"], lang),
                t("training.col.openings", lang): _n(r["openings"], lang),
                t("training.col.entrants_offer", lang): _n(r["entrants_offer"], lang),
                t("training.col.output", lang): _n(r["output"], lang),
                t("training.col.apprenticeship", lang): _n(r["route_apprenticeship"], lang),
                t("training.col.entrants_default", lang): _n(r["entrants_default"], lang),
                t("training.col.projects", lang): projects,
                t("training.col.difficult", lang): _pct(r.get("difficult_share"), lang),
                t("training.col.declared", lang): _n(r.get("declared"), lang),
            }
        )
    return pd.DataFrame(out)


def breakdown_rows(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Output per family by route and by level."""
    out = []
    for r in table.to_dict("records"):
        row = {
            t("training.col.family", lang): pick(r, "label", lang),
            t("training.col.output", lang): _n(r["output"], lang),
        }
        for route in ROUTES_SHOWN:
            row[t(f"training.route.{route}", lang)] = _n(r[f"route_{route}"], lang)
        for lv in LEVELS_SHOWN:
            label = t("training.level_unknown", lang) if lv == "unknown" else t("training.level_n", lang, n=lv)
            row[label] = _n(r[f"level_{lv}"], lang)
        out.append(row)
    return pd.DataFrame(out)


def caveat_text(key: str, values: dict[str, object], lang: str) -> str:
    """One caveat in plain words (numbers in the reader's format)."""
    shown = {k: (_n(v, lang) if isinstance(v, int | float) else v) for k, v in values.items()}
    return t(key, lang, **shown)


def report_counts(report: Report | dict[str, Any], lang: str) -> list[str]:
    """The report's headline lines: rows read, counted once, placed, mapped, against the current version."""
    r = report.as_dict() if isinstance(report, Report) else report
    lines = [
        t("training.report.rows", lang, rows=_n(r["rows"], lang), counted=_n(r["counted"], lang)),
        t("training.report.placed", lang, placed=_n(r["placed"], lang), mapped=_n(r["mapped"], lang)),
    ]
    if r.get("carried") or r.get("gone"):
        lines.append(
            t("training.report.versions", lang, carried=_n(r["carried"], lang), new=_n(r["new"], lang),
              gone=_n(r["gone"], lang))
        )  # fmt: skip
    for code, count in sorted(r.get("counts", {}).items()):
        lines.append(t("training.report.count_line", lang, what=t(f"training.problem.{code}", lang), n=_n(count, lang)))
    return lines


def problem_rows(report: Report | dict[str, Any], lang: str) -> pd.DataFrame:
    """Every problem of the report: line, what, value as read."""
    r = report.as_dict() if isinstance(report, Report) else report
    return pd.DataFrame(
        [
            {
                t("training.col.line", lang): int(p["line"]),
                t("training.col.problem", lang): t(f"training.problem.{p['code']}", lang),
                t("training.col.value", lang): p["value"],
            }
            for p in r["problems"]
        ],
        columns=[t("training.col.line", lang), t("training.col.problem", lang), t("training.col.value", lang)],
    )


def unmapped_rows(rows: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Unmapped trainings with their codes (plain cells for st.dataframe)."""
    cols = {
        "line": t("training.col.line", lang), "title": t("training.col.title", lang),
        "provider": t("training.col.provider", lang), "commune_code": t("training.col.commune", lang),
        "formacode": "FORMACODE", "nsf": "NSF", "rome": "ROME", "rncp": "RNCP",
    }  # fmt: skip
    if rows.empty:
        return pd.DataFrame(columns=list(cols.values()))
    return rows.loc[:, list(cols)].rename(columns=cols)


def column_sources(
    openings: Sequence[Source], offer: Sequence[Source], bmo: Sequence[Source], declared: str | None, lang: str
) -> str:
    """One line under the table: where each group of columns comes from, with its (weakest) status."""

    def part(sources: Sequence[Source]) -> str:
        if not sources:
            return t("training.no_offer_short", lang)
        status = t(f"status.{weakest_status(s.status for s in sources)}", lang)
        return f"{sources[0].title(lang)} ({status})"

    return t(
        "training.table_sources", lang, openings=part(openings), offer=part(offer), bmo=part(bmo),
        declared=declared or t("training.no_declared_short", lang),
    )  # fmt: skip
