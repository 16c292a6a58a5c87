"""Which members of a custom territory lack a value, and what the members that have one add up to.

``custom.aggregate_values`` leaves an aggregate missing unless every member has the value (a partial sum is
never shown as a total). With 93 of 94 members known, the basin builder showed "no data" and did not say which
member was missing (screens review C2). :func:`partial_aggregates` names the missing members and computes the
aggregate over the members that do have a value, labelled as partial with its coverage, so a reader can judge
it; the total itself stays missing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from gtec.storage.reference import ReferenceConnection
from gtec.storage.sql import placeholders
from gtec.territories import custom


@dataclass(frozen=True)
class Partial:
    """One indicator whose aggregate is incomplete: the value over ``n_used`` of ``n_members`` members (NaN
    when none has it), the missing member ids (sorted) and the weakest status among the values used."""

    indicator_id: str
    year: int
    value: float
    n_used: int
    n_members: int
    missing: tuple[str, ...]
    status: str


def members_with_value(
    ref: ReferenceConnection, member_ids: Sequence[str], indicator_ids: Sequence[str], year: int
) -> set[str]:
    """The members that have a value (not NULL) for every one of ``indicator_ids`` in ``year``."""
    members = sorted(set(member_ids))
    if not members or not indicator_ids:
        return set()
    sql = (
        "SELECT territory_id, COUNT(DISTINCT indicator_id) AS n FROM indicator_values"
        f" WHERE territory_id IN ({placeholders(members)}) AND indicator_id IN ({placeholders(list(indicator_ids))})"
        " AND year = ? AND value IS NOT NULL GROUP BY territory_id"
    )
    df = pd.read_sql_query(sql, ref, params=[*members, *indicator_ids, int(year)])
    return set(df.loc[df["n"] >= len(set(indicator_ids)), "territory_id"])


def partial_aggregates(
    ref: ReferenceConnection, member_ids: Sequence[str], latest: pd.DataFrame, catalogue: Mapping[str, Mapping]
) -> list[Partial]:
    """For each row of ``latest`` (``table.latest_per_indicator`` output) covering fewer members than the
    territory has: the missing members and the aggregate over the others (same catalogue rule: a weighted mean
    needs the member's weight too)."""
    out = []
    members = sorted(set(member_ids))
    for row in latest.itertuples(index=False):
        if int(row.n_with_value) >= int(row.n_members):
            continue
        needed = [row.indicator_id]
        weight = catalogue[row.indicator_id].get("weight_indicator")
        if catalogue[row.indicator_id].get("aggregation") == "weighted_mean" and isinstance(weight, str):
            needed.append(weight)
        present = members_with_value(ref, members, needed, int(row.year))
        value, status = float("nan"), str(row.status)
        if present:
            agg = custom.aggregate_values(ref, sorted(present), [row.indicator_id], [int(row.year)])
            if not agg.empty:
                value, status = float(agg["value"].iloc[0]), str(agg["status"].iloc[0])
        missing = tuple(m for m in members if m not in present)
        out.append(Partial(row.indicator_id, int(row.year), value, len(present), len(members), missing, status))
    return out
