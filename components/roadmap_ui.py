"""Streamlit blocks of the roadmap page: filters, the action form, the three-click creation from an origin, editing
with its version, the CSV import with its report, and the downloads (CSV, printable HTML)."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from components import workshop_ui
from components.needs_ui import show_error
from gtec.core import auth, fmt
from gtec.core.errors import EditConflict, UserError
from gtec.core.i18n import t
from gtec.core.text import md
from gtec.imports.limits import limits_from_env
from gtec.roadmap import actions, csvio, origins, printable
from gtec.storage.workspace import Workspace

P = "roadmap_"


def places() -> dict[str, str]:
    return dict(workshop_ui.territory_choices())


def filters(rows_all: list[dict], lang: str) -> actions.Filters:
    """Group, territory and status filters (kept for the session)."""
    names = places()
    used = sorted({r["territory_id"] for r in rows_all if r["territory_id"]})
    a, b, c = st.columns(3)
    groups = a.multiselect(
        t("roadmap.col.group", lang),
        list(actions.GROUPS),
        key=P + "f_group",
        persist_state="session",
        format_func=lambda g: t(f"needs.group.{g}", lang),
        placeholder=t("roadmap.filter.all", lang),
    )
    terrs = b.multiselect(
        t("roadmap.col.territory", lang),
        used,
        key=P + "f_territory",
        persist_state="session",
        format_func=lambda x: names.get(x, x),
        placeholder=t("roadmap.filter.all", lang),
    )
    statuses = c.multiselect(
        t("roadmap.col.status", lang),
        list(actions.STATUSES),
        key=P + "f_status",
        persist_state="session",
        format_func=lambda s: t(f"roadmap.status.{s}", lang),
        placeholder=t("roadmap.filter.all", lang),
    )
    return actions.Filters(groups=groups, territories=terrs, statuses=statuses)


def table(rows: list[dict], lang: str) -> None:
    names = places()
    df = pd.DataFrame(
        {
            t("roadmap.col.id", lang): [r["id"] for r in rows],
            t("roadmap.col.title", lang): [r["title"] for r in rows],
            t("roadmap.col.group", lang): [t(f"needs.group.{r['group_code']}", lang) for r in rows],
            t("roadmap.col.owner", lang): [r["owner"] or "–" for r in rows],
            t("roadmap.col.territory", lang): [names.get(r["territory_id"], r["territory_id"]) or "–" for r in rows],
            t("roadmap.col.start", lang): [r["start_on"] for r in rows],
            t("roadmap.col.end", lang): [r["end_on"] for r in rows],
            t("roadmap.col.status", lang): [t(f"roadmap.status.{r['status']}", lang) for r in rows],
            t("roadmap.col.progress", lang): [fmt.percent(str(r["progress"]), lang) for r in rows],
            t("roadmap.col.indicator", lang): [_indicator(r, lang) for r in rows],
            t("roadmap.col.origin", lang): [
                t(f"roadmap.origin.{r['origin_kind']}", lang) + (f" · {r['origin_label']}" if r["origin_label"] else "")
                for r in rows
            ],
        }
    )
    st.dataframe(df, hide_index=True, width="stretch")


def _indicator(r: dict, lang: str) -> str:
    if not r["indicator"]:
        return "–"
    return t(
        "roadmap.indicator_text",
        lang,
        name=r["indicator"],
        baseline=fmt.number(r["baseline"], lang, 1),
        target=fmt.number(r["target"], lang, 1),
    )


def downloads(rows: list[dict], lang: str) -> None:
    names = places()
    for r in rows:
        r["territory_name"] = names.get(r["territory_id"], r["territory_id"])
    a, b = st.columns(2)
    a.download_button(
        t("roadmap.export_csv", lang),
        csvio.export_csv(rows),
        file_name="roadmap.csv",
        mime="text/csv",
        icon=":material/download:",
        key=P + "dl_csv",
        on_click="ignore",
    )
    html = printable.to_html(rows, lang, dt.date.today().isoformat())
    b.download_button(
        t("roadmap.print_download", lang),
        html.encode("utf-8"),
        file_name=f"roadmap-{lang}.html",
        mime="text/html",
        icon=":material/print:",
        key=P + "dl_html",
        on_click="ignore",
    )


def action_form(ws: Workspace, actor: auth.Actor, lang: str, row: dict | None = None) -> None:
    """A new action (``row`` None) or the edit of ``row`` (saved against its version)."""
    d = actions.draft_of(row) if row else None
    form_key = P + (f"edit_{row['id']}" if row else "new")
    orgs = actions.active_organisations(ws)
    names = places()
    # The version the editor was shown, kept across the rerun that submits: a save made by someone else meanwhile
    # then conflicts instead of being overwritten.
    loaded = st.session_state.setdefault(P + f"version_{row['id']}", int(row["version"])) if row else None

    def k(name: str) -> str:  # stable widget keys for one loaded version: a submit keeps what the editor typed
        return f"{form_key}_{loaded or 'new'}_{name}"

    with st.form(form_key, clear_on_submit=row is None):
        title = st.text_input(
            t("roadmap.col.title", lang),
            value=d.title if d else "",
            max_chars=actions.MAX_TITLE,
            key=k("title"),
            persist_state="session",
        )
        a, b = st.columns(2)
        group = a.selectbox(
            t("roadmap.col.group", lang),
            actions.GROUPS,
            format_func=lambda g: t(f"needs.group.{g}", lang),
            index=actions.GROUPS.index(d.group_code) if d else 0,
            key=k("group"),
            persist_state="session",
            placeholder=t("widget.choose", lang),
        )
        status = b.selectbox(
            t("roadmap.col.status", lang),
            actions.STATUSES,
            format_func=lambda s: t(f"roadmap.status.{s}", lang),
            index=actions.STATUSES.index(d.status) if d else 0,
            key=k("status"),
            persist_state="session",
            placeholder=t("widget.choose", lang),
        )
        org_ids = [None, *orgs]
        org = a.selectbox(
            t("roadmap.col.owner_org", lang),
            org_ids,
            format_func=lambda o: "–" if o is None else orgs[o],
            index=org_ids.index(d.owner_org_id) if d and d.owner_org_id in org_ids else 0,
            key=k("org"),
            persist_state="session",
            placeholder=t("widget.choose", lang),
        )
        owner = b.text_input(
            t("roadmap.col.owner_name", lang),
            value=d.owner_name if d else "",
            max_chars=actions.MAX_TEXT,
            key=k("owner"),
            persist_state="session",
        )
        terr_ids = ["", *names]
        terr = st.selectbox(
            t("roadmap.col.territory", lang),
            terr_ids,
            format_func=lambda x: names.get(x, "–"),
            index=terr_ids.index(d.territory_id) if d and d.territory_id in terr_ids else 0,
            key=k("territory"),
            persist_state="session",
            placeholder=t("widget.choose", lang),
        )
        today = dt.date.today()
        start = a.date_input(
            t("roadmap.col.start", lang),
            value=dt.date.fromisoformat(d.start_on) if d else today,
            format="DD/MM/YYYY",
            key=k("start"),
            persist_state="session",
        )
        end = b.date_input(
            t("roadmap.col.end", lang),
            format="DD/MM/YYYY",
            value=dt.date.fromisoformat(d.end_on) if d else today + dt.timedelta(days=183),
            key=k("end"),
            persist_state="session",
        )
        progress = st.slider(
            t("roadmap.col.progress", lang),
            0,
            100,
            int(d.progress) if d else 0,
            step=5,
            key=k("progress"),
            persist_state="session",
        )
        indicator = st.text_input(
            t("roadmap.col.indicator", lang),
            value=d.indicator if d else "",
            max_chars=actions.MAX_TEXT,
            key=k("indicator"),
            persist_state="session",
        )
        a2, b2 = st.columns(2)
        baseline = a2.text_input(
            t("roadmap.col.baseline", lang),
            value=fmt.plain(d.baseline) if d else "",
            key=k("baseline"),
            persist_state="session",
        )
        target = b2.text_input(
            t("roadmap.col.target", lang),
            value=fmt.plain(d.target) if d else "",
            key=k("target"),
            persist_state="session",
        )
        if not st.form_submit_button(t("roadmap.save" if row else "roadmap.create", lang), type="primary"):
            return
    draft = actions.ActionDraft(
        title=title,
        group_code=group,
        status=status,
        owner_org_id=org,
        owner_name=owner,
        territory_id=terr,
        start_on=str(start),
        end_on=str(end),
        progress=progress,
        indicator=indicator,
        baseline=baseline or None,
        target=target or None,
        origin_kind=d.origin_kind if d else "direct",
        origin_ref=d.origin_ref if d else "",
        origin_label=d.origin_label if d else "",
    )  # type: ignore[arg-type]
    try:
        if row:
            st.session_state.pop(P + f"version_{row['id']}", None)  # the next form shows what is stored now
            actions.update_action(ws, actor, int(row["id"]), draft, int(loaded or row["version"]))
        else:
            actions.create_action(ws, actor, draft)
    except EditConflict as error:
        show_error(error, lang)
        for c in error.conflicts:
            st.caption(
                t("roadmap.conflict_field", lang, field=md(c["field"]), yours=md(c["yours"]), theirs=md(c["theirs"]))
            )
    except (UserError, auth.PermissionDenied) as error:
        show_error(error, lang)
    else:
        st.session_state[P + "flash"] = t("roadmap.saved" if row else "roadmap.created", lang)
        st.rerun()


def from_origin(ws: Workspace, actor: auth.Actor, lang: str) -> None:
    """Three clicks: the kind of origin, the item, create."""
    kind = st.segmented_control(
        t("roadmap.origin.pick_kind", lang),
        origins.KINDS,
        key=P + "origin_kind",
        persist_state="session",
        format_func=lambda k: t(f"roadmap.origin.{k}", lang),
    )
    if not kind:
        return
    found = origins.candidates(ws, actor, kind, lang)
    if not found:
        st.info(t("roadmap.origin.none", lang))
        return
    by_ref = {o.ref: o for o in found}
    ref = st.selectbox(
        t("roadmap.origin.pick_item", lang),
        list(by_ref),
        format_func=lambda r: by_ref[r].label,
        key=P + "origin_item",
        persist_state="session",
        placeholder=t("widget.choose", lang),
    )
    if ref and st.button(t("roadmap.origin.create", lang), type="primary", key=P + "origin_create"):
        try:
            new_id = origins.create_from(ws, actor, by_ref[ref])
        except (UserError, auth.PermissionDenied) as error:
            show_error(error, lang)
        else:
            st.session_state[P + "flash"] = t("roadmap.created_id", lang, id=new_id)
            st.rerun()


def edit_existing(ws: Workspace, actor: auth.Actor, rows: list[dict], lang: str) -> None:
    if not rows:
        return
    by_id = {r["id"]: r for r in rows}
    chosen = st.selectbox(
        t("roadmap.edit_pick", lang),
        list(by_id),
        key=P + "edit_pick",
        persist_state="session",
        format_func=lambda i: f"{i} · {by_id[i]['title']}",
        placeholder=t("widget.choose", lang),
    )
    if chosen in by_id:
        action_form(ws, actor, lang, by_id[chosen])


def import_block(ws: Workspace, actor: auth.Actor, lang: str) -> None:
    st.caption(t("roadmap.import.help", lang, columns=", ".join(csvio.COLUMNS)))
    upload = st.file_uploader(t("roadmap.import.upload", lang), type=["csv", "txt", "xlsx"], key=P + "upload")
    if upload is None:
        return
    with tempfile.NamedTemporaryFile(prefix="gtec-roadmap-", suffix=".csv", delete=False) as handle:
        handle.write(upload.getvalue())
    path = Path(handle.name)
    try:
        report = csvio.validate_grid(csvio.read_file(path, limits_from_env()))
    except UserError as error:
        show_error(error, lang)
        return
    finally:
        path.unlink(missing_ok=True)
    if report.problems:
        st.error(t("roadmap.import.problems", lang, count=len(report.problems)))
        st.dataframe(
            pd.DataFrame(
                {
                    t("needs.import.col_line", lang): [p[0] or "–" for p in report.problems],
                    t("needs.import.col_column", lang): [p[1] or "–" for p in report.problems],
                    t("needs.import.col_problem", lang): [t(p[2].key, lang, **p[2].values) for p in report.problems],
                }
            ),
            hide_index=True,
            width="stretch",
        )
        st.caption(t("needs.import.nothing_written", lang))
        return
    label = t("roadmap.import.confirm", lang, create=len(report.creates), update=len(report.updates))
    if st.button(label, type="primary", key=P + "import_go"):
        try:
            created, updated = csvio.commit(ws, actor, report)
        except (UserError, auth.PermissionDenied) as error:
            show_error(error, lang)
        else:
            st.session_state[P + "flash"] = t("roadmap.import.done", lang, create=created, update=updated)
            st.rerun()


def flash() -> None:
    message = st.session_state.pop(P + "flash", None)
    if message:
        st.success(message)
