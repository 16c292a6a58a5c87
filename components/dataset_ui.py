"""The dataset catalogue's blocks: one table of every dataset and layer, the details of one, its CSV download.

Reference datasets (the store's ``sources``: values, boundary layers, documents) are read once per build;
imported datasets are read from the workspace on every rerun (another session may have imported one).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import data, session
from components.provenance import status_markdown
from gtec.core import export, fmt
from gtec.core.i18n import pick, t
from gtec.core.provenance import public_text, vintage_text
from gtec.core.text import md
from gtec.imports import catalogue as imported


@data.per_build()
def reference_datasets() -> pd.DataFrame:
    """Every source of the reference store with its coverage (:func:`gtec.imports.catalogue.reference_datasets`)."""
    return imported.reference_datasets(data.reference())


def imported_datasets() -> list[dict]:
    """Imported datasets with their versions (read per rerun)."""
    return imported.imported_datasets(session.workspace())


def imported_layers() -> list[dict]:
    """Imported boundary layers with their versions (read per rerun)."""
    return imported.imported_layers(session.workspace())


def _levels(text: object, lang: str) -> str:
    if not isinstance(text, str) or not text:
        return ""
    return ", ".join(t(f"level.{lv}", lang) for lv in sorted(text.split(",")))


def entries(ref: pd.DataFrame, imp: list[dict], lays: list[dict], lang: str) -> list[dict]:
    """One dict per dataset (key ``ref:<source>``, ``imp:<id>`` or ``lay:<layer id>``) with what the table and the
    details show."""
    out = [
        {
            "key": f"imp:{d['id']}",
            "title": d["name"],
            "producer": d["producer"] or d["created_by"],
            "licence": d["licence"],
            "vintage": d["years"],
            "status": imported.IMPORTED_STATUS,
            "kind": "imported",
            "rows": int(d["n_values"] or 0),
            "levels": _levels(d["level"], lang),
            "years": d["years"],
            "territories": int(d["territories"] or 0),
            "versions": int(d["versions"] or 0),
        }
        for d in imp
    ]
    out += [
        {
            "key": f"lay:{d['id']}",
            "title": d["name"],
            "producer": d["imported_by"] or d["created_by"],
            "licence": "",
            "vintage": str(d["imported_at"] or "")[:10],
            "status": imported.IMPORTED_STATUS,
            "kind": "layer",
            "rows": int(d["features"] or 0),
            "levels": "",
            "years": "",
            "territories": int(d["features"] or 0),
            "versions": int(d["versions"] or 0),
        }
        for d in lays
    ]
    for r in ref.itertuples(index=False):
        out.append(
            {
                "key": f"ref:{r.id}",
                "title": public_text(pick(r._asdict(), "title", lang)),
                "producer": r.publisher,
                "licence": r.licence,
                "vintage": vintage_text(r.vintage, lang),
                "status": r.status,
                "kind": r.kind,
                "rows": int(r.rows or 0),
                "levels": _levels(r.levels, lang),
                "years": r.years,
                "territories": int(r.territories or 0),
                "versions": 1,
            }
        )
    return out


#: Order of the catalogue: people's own files first, then from the most to the least reliable.
STATUS_ORDER: tuple[str, ...] = (imported.IMPORTED_STATUS, "official", "estimate", "illustrative")
_KIND_ORDER = {"imported": 0, "values": 1, "layer": 2, "document": 3}


def ordered(items: list[dict]) -> list[dict]:
    """Imported datasets first, then by status, kind (values, layers, documents) and title."""
    rank = {s: i for i, s in enumerate(STATUS_ORDER)}
    return sorted(items, key=lambda i: (rank.get(i["status"], 9), _KIND_ORDER.get(i["kind"], 9), i["title"].casefold()))


def show_table(items: list[dict], lang: str) -> int | None:
    """The catalogue as a plain-text table (``st.dataframe`` cells are not Markdown), the title column wide.
    Returns the position of the row the reader ticked (None: none): the table is the picker, as a select box
    would cut the long titles (up to 120 characters) on a phone and on a projector."""
    col = lambda name: t(f"datasets.col.{name}", lang)  # noqa: E731
    frame = pd.DataFrame(
        {
            col("title"): [i["title"] for i in items],
            col("status"): [t(f"status.{i['status']}", lang) for i in items],
            col("producer"): [i["producer"] for i in items],
            col("vintage"): [i["vintage"] for i in items],
            col("years"): [i["years"] for i in items],
            col("rows"): [fmt.number(i["rows"], lang) if i["rows"] else "–" for i in items],
            col("territories"): [fmt.number(i["territories"], lang) if i["territories"] else "–" for i in items],
            col("levels"): [i["levels"] for i in items],
            col("kind"): [t(f"datasets.kind.{i['kind']}", lang) for i in items],
            col("licence"): [i["licence"] for i in items],
        }
    )
    config = {col("title"): st.column_config.TextColumn(width="large")}
    event = st.dataframe(
        frame, hide_index=True, width="stretch", height=420, column_config=config, key="ds_table",
        on_select="rerun", selection_mode="single-row",
    )  # fmt: skip
    rows = event.selection.rows if event is not None else []
    return rows[0] if rows and rows[0] < len(items) else None


def show_details(item: dict, lang: str) -> None:
    """Metadata, coverage, version history and the CSV download of one dataset."""
    with st.container(border=True):
        st.markdown(f"{status_markdown(item['status'], lang)} **{md(item['title'])}**")
        st.caption(
            t("datasets.detail.meta", lang, producer=md(item["producer"] or "–"), licence=md(item["licence"] or "–"),
              vintage=md(item["vintage"] or "–"))
        )  # fmt: skip
        if item["rows"]:
            st.caption(
                t("datasets.detail.coverage", lang, rows=fmt.number(item["rows"], lang), levels=md(item["levels"]),
                  years=md(item["years"] or "–"), territories=fmt.number(item["territories"], lang))
            )  # fmt: skip
        else:
            st.caption(t("datasets.detail.no_values", lang))
        kind, _, ident = item["key"].partition(":")
        if kind == "lay":
            found = next((d for d in imported_layers() if d["id"] == ident), None)
            if found:
                st.markdown(f"**{t('datasets.detail.history', lang)}**")
                st.dataframe(_history(found["history"], lang, "features"), hide_index=True, width="stretch")
            blob = lambda: export.to_safe_csv_bytes(imported.layer_table(session.workspace(), ident))  # noqa: E731
        elif kind == "imp":
            found = next((d for d in imported_datasets() if str(d["id"]) == ident), None)
            if found:
                st.markdown(f"**{t('datasets.detail.history', lang)}**")
                st.dataframe(_history(found["history"], lang), hide_index=True, width="stretch")
            blob = lambda: export.to_safe_csv_bytes(imported.imported_table(session.workspace(), int(ident)))  # noqa: E731
        else:
            st.caption(t("datasets.detail.reference_history", lang))
            blob = lambda: export.to_safe_csv_bytes(imported.dataset_table(data.reference(), ident))  # noqa: E731
        if item["rows"] or item["kind"] == "layer":
            st.download_button(
                t("datasets.detail.download", lang), blob, f"gtec-dataset-{kind}-{ident}.csv"[:120], "text/csv",
                on_click="ignore", icon=":material/download:",
            )  # fmt: skip


def _history(history: list[dict], lang: str, rows: str = "rows") -> pd.DataFrame:
    col = lambda name: t(f"datasets.versions.col_{name}", lang)  # noqa: E731
    return pd.DataFrame(
        {
            col("number"): [h["number"] for h in history],
            col("current"): ["✓" if h["current"] else "" for h in history],
            col("file"): [h["file_name"] for h in history],
            col("rows"): [fmt.number(h[rows], lang) for h in history],
            col("who"): [h["imported_by"] for h in history],
            col("when"): [str(h["imported_at"])[:16].replace("T", " ") for h in history],
        }
    )
