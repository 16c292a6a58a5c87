"""The four headline figures of a scenario against the reference run, as display-ready values (pure).

The scenario page used to do this arithmetic inline (delta, rounding threshold, departures share, the page's
source ids); it lives here so that it is tested and the page only renders.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from gtec.core import fmt
from gtec.core.i18n import t
from gtec.scenarios.params import Settings

#: (key, column of ``territory_totals()``, decimals); keys name the i18n strings ``scenario.kpi.<key>``.
KPIS: tuple[tuple[str, str, int], ...] = (
    ("openings", "openings_per_year", 0),
    ("entrants", "entrants_per_year", 0),
    ("imbalance", "imbalance_per_year", 0),
    ("rate", "imbalance_rate", 1),
)
#: Figures where a rise is bad news (the delta is coloured accordingly).
INVERSE: frozenset[str] = frozenset({"imbalance", "rate"})
#: Sources every scenario page shows besides those of its inputs and parameters.
PAGE_SOURCES: tuple[str, ...] = ("gtec-scenario-presets", "gtec-scenario-assumptions")


@dataclass(frozen=True)
class Kpi:
    key: str
    value: str
    delta: str | None  # None when the change would print as 0
    delta_color: str  # "normal" or "inverse" (st.metric)
    sign: int = 0  # +1 when the change is good news, -1 when bad, 0 without change
    period: str | None = None  # the year a single-year figure is about


def worst_year(yearly: pd.DataFrame) -> tuple[int, float]:
    """The projection year with the smallest net job creation (all families) and that creation (jobs; negative
    means jobs lost). ``yearly`` from :meth:`gtec.scenarios.engine.Result.yearly`.

    A crisis moves this figure, not the averages: the jobs lost in the crisis year are created again during the
    recovery, so when the recovery ends before the horizon the yearly averages and the cumulated imbalance barely
    change (screens review S3)."""
    row = yearly.loc[yearly["creation"].idxmin()]
    return int(row["year"]), float(row["creation"])


def worst_year_kpi(yearly: pd.DataFrame, reference: pd.DataFrame, lang: str) -> Kpi:
    """The "worst year" headline: net job creation in the scenario's worst year, against the reference's worst
    year (fewer jobs is bad news)."""
    year, value = worst_year(yearly)
    delta = value - worst_year(reference)[1]
    shown, sign = None, 0
    if abs(delta) >= 0.5:
        shown = f"{'+' if delta > 0 else ''}{fmt.number(delta, lang, 0)} {t('scenario.kpi.vs_ref', lang)}"
        sign = 1 if delta > 0 else -1
    text = f"{'+' if value > 0.5 else ''}{fmt.number(value, lang, 0)}"
    return Kpi("worst_year", text, shown, "normal", sign, t("scenario.kpi.worst_year_period", lang, year=year))


def crisis_note(settings: Settings, base_year: int) -> str | None:
    """The catalogue key of the sentence that says why the crisis leaves the averages (nearly) unchanged, or
    None without a crisis. ``...recovered`` when the recovery ends by the horizon, ``...lasting`` otherwise."""
    if settings["crisis_depth"] <= 0:
        return None
    recovered = settings["crisis_recovery"] < settings.horizon - base_year
    return "scenario.crisis_note.recovered" if recovered else "scenario.crisis_note.lasting"


def kpis(totals: Mapping[str, float], reference: Mapping[str, float], lang: str) -> list[Kpi]:
    """The headline figures of ``totals`` (a row of ``territory_totals()``) against ``reference``."""
    out = []
    for key, col, dec in KPIS:
        value, delta = float(totals[col]), float(totals[col]) - float(reference[col])
        text = fmt.percent(fmt.number(value, lang, dec), lang) if key == "rate" else fmt.number(value, lang, dec)
        shown, sign = None, 0
        if abs(delta) >= 0.5 * 10**-dec:
            unit = f" {t('scenario.kpi.points', lang)}" if key == "rate" else ""  # a change of a rate is in points
            shown = f"{'+' if delta > 0 else ''}{fmt.number(delta, lang, dec)}{unit} {t('scenario.kpi.vs_ref', lang)}"
            sign = (1 if delta > 0 else -1) * (-1 if key in INVERSE else 1)
        out.append(Kpi(key, text, shown, "inverse" if key in INVERSE else "normal", sign))
    return out


def departures_share(totals: Mapping[str, float]) -> float | None:
    """Share (%) of the yearly openings that replace departures; None when there are no openings."""
    openings = float(totals["openings_per_year"])
    return 100 * float(totals["departures_per_year"]) / openings if openings > 0 else None


def page_source_ids(base_sources: Iterable[str], parameter_sources: Iterable[str]) -> list[str]:
    """Every source the scenario page lists, sorted: its inputs', its parameters' and :data:`PAGE_SOURCES`."""
    return sorted({*base_sources, *parameter_sources, *PAGE_SOURCES})
