"""Aggregating indicator values of member territories into a parent, following each indicator's catalogue rule.

``sum`` for counts, ``weighted_mean`` by the catalogue's ``weight_indicator`` for rates, ``none`` left out. Shared by
the build (basins, départements and régions built from their members) and by custom territories at run time, so a
saved territory is aggregated exactly like a built basin.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from gtec.storage.reference import ReferenceConnection


def members_frame(members: pd.DataFrame | Mapping[str, Iterable[str]]) -> pd.DataFrame:
    """Normalise ``members`` to a DataFrame ``parent_id, child_id, share`` (share defaults to 1).

    Accepts a DataFrame with ``parent_id``, ``child_id`` and optional ``share`` (the fraction of the
    child's counts that belongs to the parent, e.g. an EPCI split across départements), or a mapping
    ``{parent_id: [child_id, ...]}``.
    """
    if isinstance(members, pd.DataFrame):
        frame = members.loc[:, [c for c in ("parent_id", "child_id", "share") if c in members.columns]].copy()
    else:
        frame = pd.DataFrame(
            [(p, c) for p, children in members.items() for c in children], columns=["parent_id", "child_id"]
        )
    if "share" not in frame.columns:
        frame["share"] = 1.0
    frame["share"] = frame["share"].astype(float)
    return frame.drop_duplicates(["parent_id", "child_id"])


def rule_of(rule: str | Mapping[str, Any]) -> str:
    name = rule if isinstance(rule, str) else rule.get("aggregation")
    if name not in ("sum", "weighted_mean", "none"):
        raise ValueError(f"unknown aggregation rule {name!r}; expected sum, weighted_mean or none")
    return str(name)


def aggregate(
    values: pd.DataFrame,
    members: pd.DataFrame | Mapping[str, Iterable[str]],
    rule: str | Mapping[str, Any],
    weights: pd.DataFrame | None = None,
    *,
    require_complete: bool = True,
) -> pd.DataFrame:
    """Aggregate one indicator's values from member territories to their parents.

    ``values``: columns ``territory_id``, ``year``, ``value`` (one indicator; NaN = missing).
    ``members``: see :func:`members_frame` (``parent_id``, ``child_id``, optional ``share``).
    ``rule``: ``"sum"`` (counts: sum of value x share), ``"weighted_mean"`` (rates: mean weighted by
    ``weights`` x share), ``"none"`` (not aggregable: NaN), or a catalogue row (mapping with ``aggregation``).
    ``weights``: for weighted means, the weighting count (``territory_id``, ``year``, ``value``), e.g.
    ``hiring_projects`` for ``hiring_difficult_share``.
    Returns ``territory_id`` (the parent), ``year``, ``value``, ``n_members``, ``n_values``: one row per
    parent and year in which at least one member has a value. With ``require_complete`` (default) the value
    is NaN unless every member has a value (and a weight): a partial sum is never shown as a total.
    """
    how = rule_of(rule)
    mem = members_frame(members)
    out_cols = ["territory_id", "year", "value", "n_members", "n_values"]
    if mem.empty or values.empty:
        return pd.DataFrame(columns=out_cols)
    n_members = mem.groupby("parent_id")["child_id"].nunique()
    vals = values.loc[:, ["territory_id", "year", "value"]]
    if how == "weighted_mean":
        if weights is None:
            raise ValueError("a weighted mean needs weights")
        w = weights.loc[:, ["territory_id", "year", "value"]].rename(columns={"value": "weight"})
        vals = vals.merge(w, on=["territory_id", "year"], how="left")
    df = mem.merge(vals, left_on="child_id", right_on="territory_id", how="inner")
    ok = df["value"].notna()
    if how == "weighted_mean":
        ok &= df["weight"].notna()
        df["w"] = np.where(ok, df["weight"] * df["share"], 0.0)
        df["wv"] = np.where(ok, df["w"] * df["value"], 0.0)
    else:
        df["wv"] = np.where(ok, df["value"] * df["share"], 0.0)
        df["w"] = 0.0
    df["ok"] = ok
    g = df.groupby(["parent_id", "year"], sort=True)
    res = g.agg(wv=("wv", "sum"), w=("w", "sum"), n_values=("ok", "sum")).reset_index()
    res["n_members"] = res["parent_id"].map(n_members).astype(int)
    res["n_values"] = res["n_values"].astype(int)
    if how == "sum":
        res["value"] = res["wv"].astype(float)
    elif how == "weighted_mean":
        res["value"] = np.where(res["w"] > 0, res["wv"] / res["w"].where(res["w"] > 0, 1.0), np.nan)
    else:
        res["value"] = np.nan
    res.loc[res["n_values"] == 0, "value"] = np.nan
    if require_complete:
        res.loc[res["n_values"] < res["n_members"], "value"] = np.nan
    res = res.rename(columns={"parent_id": "territory_id"})
    res["year"] = res["year"].astype(int)
    return res.loc[:, out_cols].reset_index(drop=True)


def aggregate_indicators(
    values: pd.DataFrame,
    members: pd.DataFrame | Mapping[str, Iterable[str]],
    catalogue: pd.DataFrame | Mapping[str, Mapping[str, Any]],
    *,
    require_complete: bool = True,
) -> pd.DataFrame:
    """Aggregate several indicators at once following the catalogue (the ``indicators`` table).

    ``values``: ``territory_id``, ``indicator_id``, ``year``, ``value`` (long format). Weighted means take
    their weights from the same frame (the catalogue's ``weight_indicator``); an indicator whose weight is
    absent, or whose rule is ``none``, is left out. Returns ``territory_id``, ``indicator_id``, ``year``,
    ``value``, ``n_members``, ``n_values``.
    """
    cat = catalogue_dict(catalogue)
    mem = members_frame(members)
    present = set(values["indicator_id"].unique())
    parts = []
    for ind, sub in values.groupby("indicator_id", sort=True):
        row = cat.get(str(ind))
        if row is None or row["aggregation"] == "none":
            continue
        weights = None
        if row["aggregation"] == "weighted_mean":
            wid = row.get("weight_indicator")
            if wid not in present:
                continue
            weights = values.loc[values["indicator_id"] == wid]
        res = aggregate(sub, mem, row, weights, require_complete=require_complete)
        res.insert(1, "indicator_id", ind)
        parts.append(res)
    cols = ["territory_id", "indicator_id", "year", "value", "n_members", "n_values"]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)


def catalogue_dict(catalogue: pd.DataFrame | Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    if isinstance(catalogue, pd.DataFrame):
        return {str(r["id"]): dict(r) for r in catalogue.to_dict("records")}
    return {str(k): dict(v) for k, v in catalogue.items()}


def read_catalogue(conn: ReferenceConnection) -> dict[str, dict[str, Any]]:
    """The ``indicators`` table as ``{id: row dict}``."""
    cur = conn.execute("SELECT * FROM indicators")
    names = [d[0] for d in cur.description]
    return {r[0]: dict(zip(names, r, strict=True)) for r in cur.fetchall()}
