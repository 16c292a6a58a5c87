"""Territory profile: yearly series (store or custom territories), rates, location quotient, profile rows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from gtec.core.i18n import pick, t
from gtec.core.provenance import split_source_ids, weakest_status
from gtec.core.text import md
from gtec.maps.legend import format_value, shared_decimals, with_unit
from gtec.maps.queries import join_values, rate_available, series_sql
from gtec.storage.reference import ReferenceConnection
from gtec.territories.indicators import catalogue, comparison_chain, index_series

#: Members named in a custom territory's profile before "…".
MEMBERS_SHOWN = 12


def _store_series(conn: ReferenceConnection, territory_ids: Sequence[str], indicator_ids: Sequence[str]):
    import pandas as pd

    if not territory_ids or not indicator_ids:
        return pd.DataFrame(columns=["territory_id", "indicator_id", "year", "value", "source_id", "status"])
    sql, params = series_sql(territory_ids, indicator_ids)
    return pd.read_sql_query(sql, conn, params=params)


def series(
    conn: ReferenceConnection,
    territory_ids: Sequence[str],
    indicator_id: str,
    measure: str = "total",
    custom_members: Mapping[str, Sequence[str]] | None = None,
    show_demo: bool = True,
):
    """Yearly values of one indicator (or its rate) for several territories, missing years left out;
    demonstration values only when ``show_demo`` (:func:`gtec.territories.display.visible_mask`).

    ``custom_members`` maps custom territory ids (``WS-n``) to their member ids: their values are aggregated
    with the catalogue rule (:func:`gtec.territories.custom.aggregate_values`). Columns: territory_id, year,
    value, source_id, status.
    """
    import pandas as pd

    from gtec.territories import custom

    cat = catalogue(conn)
    ind = cat[indicator_id]
    wanted = [indicator_id]
    if measure == "rate":
        if not rate_available(ind):
            raise ValueError(f"{indicator_id} has no rate")
        wanted.append(ind["denominator_indicator"])
    custom_members = custom_members or {}
    plain = [t for t in territory_ids if t not in custom_members]
    frames = [_store_series(conn, plain, wanted)]
    for cid, mem in custom_members.items():
        if cid not in territory_ids:
            continue
        agg = custom.aggregate_values(conn, mem, wanted).dropna(subset=["value"])
        frames.append(
            pd.DataFrame(
                {
                    "territory_id": cid,
                    "indicator_id": agg["indicator_id"],
                    "year": agg["year"],
                    "value": agg["value"],
                    "source_id": agg["source_ids"],
                    "status": agg["status"],
                }
            )
        )
    df = (
        pd.concat([f for f in frames if not f.empty], ignore_index=True)
        if any(not f.empty for f in frames)
        else frames[0]
    )
    from gtec.territories.display import visible_mask

    if not df.empty:
        df = df[visible_mask(df, show_demo).to_numpy()]
    num = df[df["indicator_id"] == indicator_id].drop(columns="indicator_id")
    if measure == "rate":
        den = df[df["indicator_id"] == ind["denominator_indicator"]].drop(columns="indicator_id")
        num = num.merge(den, on=["territory_id", "year"], suffixes=("", "_d"))
        num = num[num["value_d"] > 0]
        num = num.assign(
            value=num["value"] / num["value_d"] * float(ind["rate_per"]),
            source_id=[join_values(a, b, False) for a, b in zip(num["source_id"], num["source_id_d"], strict=True)],
            status=[weakest_status([a, b]) for a, b in zip(num["status"], num["status_d"], strict=True)],
        )[["territory_id", "year", "value", "source_id", "status"]]
    num = num.assign(year=num["year"].astype(int), value=num["value"].astype(float))
    return num.sort_values(["territory_id", "year"]).reset_index(drop=True)


def profile_chain(conn: ReferenceConnection, territory_id: str, is_custom: bool = False) -> list[str]:
    """The territory, its parent (if any) and its national root: the rows of a profile."""
    if is_custom:
        return [territory_id, "FR"]
    return comparison_chain(conn, territory_id)


def location_quotient(
    conn: ReferenceConnection,
    chain: Sequence[str],
    indicator_id: str,
    year: int,
    custom_members: Mapping[str, Sequence[str]] | None = None,
) -> tuple[float | None, str | None]:
    """Location quotient of a count: its share of the denominator here over the same share in a reference.

    The reference is the highest level of ``chain`` (nation first, then parent) that has both figures for
    ``year``. Returns ``(lq, reference_id)``; ``(None, None)`` when it is not relevant or not computable.
    """
    ind = catalogue(conn).get(indicator_id, {})
    if not rate_available(ind):
        return None, None
    df = series(conn, chain, indicator_id, "rate", custom_members)
    at = df[df["year"] == int(year)].set_index("territory_id")["value"]
    own = at.get(chain[0])
    if own is None:
        return None, None
    for ref in reversed(chain[1:]):
        base = at.get(ref)
        if base:
            return float(own) / float(base), ref
    return None, None


def trend_frame(df, indicator: Mapping, measure: str, chain: Sequence[str]):
    """What the profile's trend chart plots: ``(frame, indexed)``.

    Counts of a territory against its parent and nation differ by orders of magnitude, so they are shown as an
    index (first common year = 100, :func:`gtec.territories.indicators.index_series`); rates are shown as they are.
    The frame has a ``value`` column in both cases.
    """
    indexed = indicator.get("kind") == "count" and measure == "total" and len(chain) > 1
    if not indexed:
        return df, False
    out = index_series(df)
    return out.assign(value=out["index"]).drop(columns="index"), True


def profile_rows(df, chain: Sequence[str], names: Mapping[str, str], year: int, unit: str, lang: str) -> list[dict]:
    """One row per territory of ``chain`` with its value at ``year`` (with unit) and status, localised headers.

    A territory without a value at that year shows the "no data" text and no status (missing, never 0).
    """
    at_year = df[df["year"] == year].set_index("territory_id")
    decimals = shared_decimals(float(at_year["value"][tid]) for tid in chain if tid in at_year.index)
    rows = []
    for tid in chain:
        found = tid in at_year.index
        value = float(at_year["value"][tid]) if found else None
        rows.append(
            {
                t("map.profile.col.level", lang): names.get(tid, tid),
                t("map.profile.col.value", lang): with_unit(format_value(value, lang, decimals), unit, lang)
                if found
                else format_value(None, lang),
                t("map.col.status", lang): t(f"status.{at_year['status'][tid]}", lang) if found else "",
            }
        )
    return rows


def members_text(member_names: Sequence[str]) -> str:
    """The first :data:`MEMBERS_SHOWN` member names of a custom territory, joined, "…" when there are more."""
    return ", ".join(member_names[:MEMBERS_SHOWN]) + ("…" if len(member_names) > MEMBERS_SHOWN else "")


def location_quotient_text(
    conn: ReferenceConnection,
    chain: Sequence[str],
    indicator_id: str,
    year: int,
    measure: str,
    names: Mapping[str, str],
    lang: str,
    custom_members: Mapping[str, Sequence[str]] | None = None,
    *,
    markdown: bool = False,
) -> tuple[str, str] | None:
    """``(line, help)`` describing the location quotient of a count, or None when it is not shown (rates, or
    not computable). ``markdown=True`` escapes the reference territory's name for Markdown."""
    if measure != "total":
        return None
    lq, ref = location_quotient(conn, chain, indicator_id, year, custom_members)
    if lq is None:
        return None
    cat = catalogue(conn)
    den = cat.get(cat[indicator_id].get("denominator_indicator") or "", {})
    reference = names.get(ref, ref) if ref else ""
    if markdown:
        reference = md(reference)
    return (
        t("map.profile.lq", lang, value=format_value(lq, lang, 2)),
        t("map.profile.lq_help", lang, denominator=pick(den, "label", lang).lower(), reference=reference),
    )


def source_ids(df) -> set[str]:
    """Every source id a ``series`` frame used (figures computed from several sources list them all)."""
    return {s for ids in df["source_id"] for s in split_source_ids(ids)}
