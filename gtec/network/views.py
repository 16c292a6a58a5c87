"""Pure builders of the network views: the who-works-with-whom matrix (Altair) and the map of partners by
territory (folium, offline base map). Every name reaching the map is escaped with :func:`gtec.core.text.html`;
Altair renders text as text."""

from __future__ import annotations

from collections import Counter
from typing import Any

import altair as alt
import folium
import pandas as pd
from shapely.geometry import shape

from gtec.core.i18n import t
from gtec.core.text import html
from gtec.maps import layers
from gtec.network.reciprocity import Link, Reciprocity, by_territory
from gtec.storage.reference import ReferenceConnection
from gtec.territories.geometry import territory_geometry
from gtec.territories.indicators import get_territory

MATRIX_SIZE = 20
LABEL_CHARS = 32
OK_COLOUR, BELOW_COLOUR = "#2e7d32", "#c75b00"


def _short(name: str) -> str:
    return name if len(name) <= LABEL_CHARS else name[: LABEL_CHARS - 1] + "…"


def matrix_frame(links: list[Link], names: dict[int, str], size: int = MATRIX_SIZE) -> pd.DataFrame:
    """Long table (a, b, interactions, collaborations, weight) of the ``size`` most connected organisations, both
    directions so the matrix is symmetric; names shortened to :data:`LABEL_CHARS` (made unique by id)."""
    degree: Counter[int] = Counter()
    for link in links:
        degree[link.first_id] += link.weight
        degree[link.second_id] += link.weight
    top = {i for i, _ in degree.most_common(size)}
    labels: dict[int, str] = {}
    for i in sorted(top, key=lambda i: names.get(i, "").casefold()):
        label = _short(names.get(i, str(i)))
        labels[i] = label if label not in labels.values() else f"{label} ({i})"
    rows = []
    for link in links:
        if link.first_id in top and link.second_id in top:
            for a, b in ((link.first_id, link.second_id), (link.second_id, link.first_id)):
                rows.append(
                    {
                        "a": labels[a],
                        "b": labels[b],
                        "interactions": link.interactions,
                        "collaborations": link.collaborations,
                        "weight": link.weight,
                    }
                )
    return pd.DataFrame(rows, columns=["a", "b", "interactions", "collaborations", "weight"])


def matrix_chart(frame: pd.DataFrame, lang: str) -> alt.Chart:
    """Adjacency matrix: one square per pair that met or collaborates, darker when they do so more often."""
    order = sorted(set(frame["a"]), key=str.casefold)
    return (
        alt.Chart(frame)
        .mark_rect(stroke="white", strokeWidth=1)
        .encode(
            x=alt.X("a:N", sort=order, title=None, axis=alt.Axis(labelAngle=-45, labelLimit=220, orient="top")),
            y=alt.Y("b:N", sort=order, title=None, axis=alt.Axis(labelLimit=220)),
            color=alt.Color(
                "weight:Q",
                title=t("network.matrix.weight", lang),
                scale=alt.Scale(scheme="blues", domainMin=0),
                legend=alt.Legend(orient="bottom", format="d", tickMinStep=1),
            ),
            tooltip=[
                alt.Tooltip("a:N", title=t("network.matrix.partner", lang)),
                alt.Tooltip("b:N", title=t("network.matrix.with", lang)),
                alt.Tooltip("interactions:Q", title=t("network.matrix.interactions", lang), format="d"),
                alt.Tooltip("collaborations:Q", title=t("network.matrix.collaborations", lang), format="d"),
            ],
        )
        .properties(width=alt.Step(30), height=alt.Step(30))  # square cells whatever the container width
    )


def partner_map(conn: ReferenceConnection, result: Reciprocity, lang: str) -> tuple[folium.Map | None, list[str]]:
    """The partners by territory: each territory's outline and a circle sized by its number of partners, orange
    when one of them is under the threshold, green otherwise. Returns ``(map or None, territory ids without an
    outline)``; the map is None when no partner has a mapped territory."""
    m = layers.base_map()
    group = folium.FeatureGroup(name="partners")
    points: list[tuple[float, float]] = []
    unmapped: list[str] = []
    for territory_id, entry in sorted(by_territory(result).items()):
        geometry = territory_geometry(conn, territory_id, "national")
        if geometry is None:
            unmapped.append(territory_id)
            continue
        info = get_territory(conn, territory_id) or {}
        colour = BELOW_COLOUR if entry["below"] else OK_COLOUR
        names = ", ".join(sorted(entry["names"], key=str.casefold)[:8]) + ("…" if len(entry["names"]) > 8 else "")
        tip = (
            f"<b>{html(info.get('name', territory_id))}</b><br>"
            + html(t("network.map.tooltip", lang, partners=entry["partners"], below=entry["below"]))
            + f"<br>{html(names)}"
        )
        folium.GeoJson(
            {"type": "Feature", "geometry": geometry, "properties": {}},
            style_function=lambda _f, c=colour: {"color": c, "weight": 2, "fillOpacity": 0.15},
        ).add_to(group)
        point = shape(geometry).representative_point()
        folium.CircleMarker(
            location=(point.y, point.x),
            radius=6 + 3 * min(entry["partners"], 8),
            color=colour,
            fill=True,
            fill_opacity=0.75,
            tooltip=folium.Tooltip(tip, class_name="gtec-tooltip"),
        ).add_to(group)
        bounds = shape(geometry).bounds
        points += [(bounds[1], bounds[0]), (bounds[3], bounds[2])]
    if not points:
        return None, unmapped
    group.add_to(m)
    south, west = min(p[0] for p in points), min(p[1] for p in points)
    north, east = max(p[0] for p in points), max(p[1] for p in points)
    m.fit_bounds([[south, west], [north, east]], max_zoom=9)  # one small territory still shows its surroundings
    return m, unmapped


def partner_table(result: Reciprocity, territory_names: dict[str, str], lang: str) -> pd.DataFrame:
    """One row per partner for display: name, type, territory, meetings in the window, flag (text, translated)."""
    rows: list[dict[str, Any]] = [
        {
            t("network.col.name", lang): p.name,
            t("network.col.flag", lang): t("network.flag.below" if p.below else "network.flag.ok", lang),
            t("network.col.meetings", lang): p.meetings,
            t("network.col.type", lang): t(f"network.org_type.{p.org_type}", lang),
            t("network.col.territory", lang): territory_names.get(p.territory_id, p.territory_id) or "–",
        }
        for p in result.partners
    ]
    return pd.DataFrame(rows)
