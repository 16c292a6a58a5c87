"""Values of an imported commune-level indicator at every level above it (EPCI, département, région, zone
d'emploi, BMO bassin, France), with the rules of :mod:`gtec.territories.aggregation` (sum, weighted mean by a
weight of the reference store, none). A parent gets a value only when every member commune has one.
"""

from __future__ import annotations

import pandas as pd

from gtec.imports.validate import Geography
from gtec.territories.aggregation import aggregate


def derive(
    values: pd.DataFrame,
    geo: Geography,
    rules: dict[str, dict[str, str]],
    weights: dict[str, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """Derived rows ``territory_id, indicator, period, value, secret`` for commune-level ``values``.

    ``weights``: weight indicator -> ``territory_id, value`` (commune level, one vintage, used for every period).
    """
    cols = ["territory_id", "indicator", "period", "value", "secret"]
    if values.empty or not values["territory_id"].str.startswith("FR-COM-").all():
        return pd.DataFrame(columns=cols)
    parts = []
    for indicator, sub in values.groupby("indicator", sort=True):
        rule = rules.get(str(indicator), {"aggregation": "none"})
        how = rule.get("aggregation", "none")
        if how == "none":
            continue
        periods = sorted(sub["period"].unique())
        index = {p: i for i, p in enumerate(periods)}
        frame = pd.DataFrame(
            {"territory_id": sub["territory_id"], "year": sub["period"].map(index), "value": sub["value"]}
        )
        w = None
        if how == "weighted_mean":
            base = (weights or {}).get(rule.get("weight", ""))
            if base is None or base.empty:
                continue
            w = pd.concat([base.assign(year=i) for i in index.values()], ignore_index=True)
        res = aggregate(frame, geo.parents, how, w)
        res = res.dropna(subset=["value"])
        back = {i: p for p, i in index.items()}
        parts.append(
            pd.DataFrame(
                {
                    "territory_id": res["territory_id"],
                    "indicator": indicator,
                    "period": res["year"].map(back),
                    "value": res["value"],
                    "secret": False,
                }
            )
        )
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)
