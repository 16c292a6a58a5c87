"""Altair builders of the map area: trend of a profile, UK tile grid (tested through ``to_dict()``)."""

from __future__ import annotations

from collections.abc import Mapping

from gtec.core.i18n import t
from gtec.maps.legend import format_value
from gtec.maps.palettes import MISSING_COLOUR, ink_colour


def trend_chart(
    df,
    names: Mapping[str, str],
    lang: str,
    height: int = 240,
    indexed: bool = False,
    y_domain: tuple[float, float] | None = None,
):
    """Lines of the yearly values (``series`` output) of a territory, its parent and its nation.

    Missing years are simply absent (no line is drawn through a gap as if it were zero). ``y_domain`` fixes
    the value axis (two profiles compared side by side share it: :func:`shared_domain`).
    """
    import altair as alt

    data = df.assign(name=df["territory_id"].map(lambda i: names.get(i, i)))
    order = list(dict.fromkeys(data["name"]))
    return (
        alt.Chart(data)
        .mark_line(point=True, strokeWidth=3)
        .encode(
            x=alt.X("year:O", title=t("map.chart.year", lang)),
            y=alt.Y(
                "value:Q",
                title=t("map.chart.index" if indexed else "map.chart.value", lang),
                scale=alt.Scale(zero=False, domain=list(y_domain)) if y_domain else alt.Scale(zero=False),
            ),
            color=alt.Color(
                "name:N", title=t("map.chart.territory", lang), sort=order, scale=alt.Scale(scheme="dark2")
            ),
            tooltip=[alt.Tooltip("name:N"), alt.Tooltip("year:O"), alt.Tooltip("value:Q", format=",.1f")],
        )
        .properties(height=height)
    )


def shared_domain(frames) -> tuple[float, float] | None:
    """``(low, high)`` covering the ``value`` column of every frame, with a 5 % margin; None without values."""
    values = [float(v) for f in frames for v in f["value"] if v == v and v is not None]
    if not values:
        return None
    lo, hi = min(values), max(values)
    pad = (hi - lo) * 0.05 or abs(hi) * 0.05 or 1.0
    return lo - pad, hi + pad


#: ITL1 codes with a short name for their tile (i18n ``map.uk_short.<code>``).
UK_SHORT = ("TLC", "TLD", "TLE", "TLF", "TLG", "TLH", "TLI", "TLJ", "TLK", "TLL", "TLM", "TLN")


def tile_grid_chart(tiles, lang: str, height: int = 420):
    """The UK ITL1 tile grid: one square per region at (grid_row, grid_col), filled with its class colour.

    ``tiles`` columns: territory_id, code, name, grid_row, grid_col, fill (colour), ink (text colour),
    value_text. Missing values carry :data:`MISSING_COLOUR` and the "no data" text, like on the maps.
    """
    import altair as alt

    base = alt.Chart(tiles).encode(
        x=alt.X("grid_col:O", axis=None),
        y=alt.Y("grid_row:O", axis=None),
    )
    pick = alt.selection_point(name="pick", fields=["territory_id"], on="click", empty=False)
    rect = (
        base.mark_rect(stroke="#ffffff", strokeWidth=3, cornerRadius=4, cursor="pointer")
        .add_params(pick)
        .encode(
            color=alt.Color("fill:N", scale=None),
            tooltip=[
                alt.Tooltip("name:N", title=t("map.tooltip.territory", lang)),
                alt.Tooltip("value_text:N", title=t("map.col.value", lang)),
            ],
        )
    )
    ink = alt.Color("ink:N", scale=None)
    # the region's short name on its tile (its code alone, TLC or TLM, told readers nothing)
    code = base.mark_text(fontSize=13, fontWeight="bold", dy=-9).encode(text="short:N", color=ink)
    value = base.mark_text(fontSize=13, dy=10).encode(text="value_text:N", color=ink)
    return (rect + code + value).properties(height=height, width=5 * 90)


def tile_grid_frame(positions, table, lang: str, decimals: int | None = None):
    """The rows of :func:`tile_grid_chart`: tile positions (id, code, name, grid_row, grid_col) joined with a
    coloured level table (territory_id, value, fill), or all "no data" when ``table`` is None.

    Adds territory_id, value_text (formatted, "no data" when missing, never 0) and ink (readable text colour).
    """
    if table is None:
        grid = positions.assign(value=float("nan"), fill=MISSING_COLOUR)
    else:
        grid = positions.merge(
            table[["territory_id", "value", "fill"]], left_on="id", right_on="territory_id", how="left"
        ).drop(columns="territory_id")
        grid["fill"] = grid["fill"].fillna(MISSING_COLOUR)
    return grid.assign(
        territory_id=grid["id"],
        short=[t(f"map.uk_short.{str(c).lower()}", lang) if c in UK_SHORT else str(c) for c in grid["code"]],
        value_text=[format_value(v, lang, decimals) for v in grid["value"]],
        ink=grid["fill"].map(ink_colour),
    )
