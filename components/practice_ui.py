"""Streamlit blocks of the peer-learning pages: the practices map, one practice card, the space key read at the
edge, and the one way these pages show a refused action."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit_folium import st_folium

from components import data
from components.provenance import status_markdown
from gtec.core import auth, config, fmt
from gtec.core.errors import EditConflict, UserError
from gtec.core.i18n import pick, t
from gtec.core.text import md, md_values
from gtec.practices import library, mapping, outcomes, space

STATUS_COLOURS = {"project_document": "blue", "partner": "orange", "peer_reviewed": "green"}


def show_error(error: Exception, lang: str) -> None:
    """A refused action, in words: a UserError's message, or the permission message."""
    if isinstance(error, UserError):
        st.error(t(error.key, lang, **md_values(error.values)))
    elif isinstance(error, auth.PermissionDenied):
        st.error(t("practices.denied", lang))
    else:  # pragma: no cover - programming error: log, never show the text
        raise error


def space_key() -> bytes | None:
    """The secure spaces' key: ``GTEC_SPACE_KEY`` or the ``[gtec] space_key`` secret (None when neither is set)."""
    try:
        gtec_secrets = dict(st.secrets.get("gtec", {}))
    except Exception:  # no secrets file at all
        gtec_secrets = {}
    return space.resolve_key(os.environ, gtec_secrets)


def space_store_dir() -> Path:
    """Where the encrypted documents live: ``space-documents/`` beside the workspace file (what people create,
    never touched by a rebuild of the reference store, never a served folder)."""
    return config.workspace_path().parent / "space-documents"


def text_in(practice: Mapping[str, Any], field: str, lang: str) -> tuple[str, bool]:
    """The field in ``lang``, else in the other language; True when it is the other language's text."""
    own = practice.get(f"{field}_{lang}") or ""
    if own:
        return own, False
    other = next((practice.get(f"{field}_{x}") for x in library.LANGS if practice.get(f"{field}_{x}")), "")
    return other or "", bool(other)


def practice_card(practice: Mapping[str, Any], lang: str, family_labels: Mapping[str, str]) -> None:
    """Title, status, territory, summary, details and sources of one practice (all text escaped)."""
    summary, other = text_in(practice, "summary", lang)
    colour = STATUS_COLOURS.get(practice["status"], "gray")
    st.markdown(
        f":{colour}-badge[{t('practices.status.' + practice['status'], lang)}] "
        f"· {t('practices.country.' + practice['country'].lower(), lang)} "
        f"· {t('practices.theme.' + practice['theme'], lang)}"
    )
    missing = library.missing_languages(practice)
    if missing:
        st.caption(t("practices.missing_lang", lang, langs=", ".join(x.upper() for x in missing)))
    if other:
        st.caption(t("practices.other_lang", lang))
    st.markdown(md(summary, multiline=True))
    description, _ = text_in(practice, "description", lang)
    if description:
        st.markdown(md(description, multiline=True))
    rows = [
        ("practices.field.territory", practice["territory_id"]),
        (
            "practices.field.stakeholders",
            ", ".join(t("practices.stakeholder." + s, lang) for s in practice["stakeholders"]),
        ),
        ("practices.field.families", ", ".join(family_labels.get(f, f) for f in practice["families"])),
        ("practices.field.results", practice["results"]),
        ("practices.field.conditions", practice["conditions"]),
        ("practices.field.barriers", practice["barriers"]),
        ("practices.field.contact_org", practice["contact_org"]),
        ("practices.field.sources", practice["sources"]),
    ]
    for key, value in rows:
        if value:
            st.markdown(f"**{t(key, lang)}** " + md(value, multiline=True))
    show_change(practice, lang)


def show_change(practice: Mapping[str, Any], lang: str) -> None:
    """The practice's indicator before and after, read from the store, with its source status; missing shown."""
    change = outcomes.indicator_change(data.reference(), dict(practice))
    if change is None:
        return
    info = data.catalogue().get(change.indicator_id, {})
    source = data.sources().get(change.source_id or "")
    line = t(
        "practices.change",
        lang,
        indicator=md(pick(info, "label", lang) or change.indicator_id),
        before=fmt.number(change.before, lang, 1),
        before_year=change.before_year,
        after=fmt.number(change.after, lang, 1),
        after_year=change.after_year,
    )
    if source is not None:
        line += f" {status_markdown(source.status, lang)} " + md(source.title(lang))
    st.markdown(line)


def show_practice_map(practices: list[dict], lang: str) -> None:
    """The practices at their territories' outlines; those without an outline are named under the map."""
    group, unmapped, points = mapping.practice_layer(data.reference(), practices, lang)
    if points:
        st_folium(mapping.practice_map(group, points), height=440, use_container_width=True, returned_objects=[])
    else:
        st.info(t("practices.map.empty", lang))
    if unmapped:
        names = ", ".join(text_in(p, "title", lang)[0] for p in unmapped)
        st.caption(t("practices.map.unmapped", lang, names=md(names)))


def practice_form(
    form_key: str,
    lang: str,
    family_labels: Mapping[str, str],
    indicator_labels: Mapping[str, str],
    start: library.PracticeDraft | None = None,
    submit_label: str = "practices.save",
) -> library.PracticeDraft | None:
    """The practice form (new or, with ``start``, an edit); returns the draft when submitted, else None.

    Keys carry ``form_key`` so that the new-practice form and every edit form keep their own typing.
    """
    s = start or library.PracticeDraft()

    def k(name: str) -> str:
        return f"{form_key}_{name}"

    with st.form(form_key, clear_on_submit=False):
        st.caption(t("practices.contribute_help", lang))
        a, b = st.columns(2)
        values: dict[str, Any] = {}
        for lng, col in (("fr", a), ("en", b)):
            for name, limit, widget in (
                ("title", library.MAX_TITLE, col.text_input),
                ("summary", library.MAX_SUMMARY, col.text_area),
                ("description", library.MAX_TEXT, col.text_area),
            ):
                field = f"{name}_{lng}"
                values[field] = widget(
                    t(f"practices.field.{field}", lang), getattr(s, field), max_chars=limit, key=k(field),
                    persist_state="session",
                )  # fmt: skip
        values["country"] = a.selectbox(
            t("practices.field.country", lang), library.COUNTRIES, index=library.COUNTRIES.index(s.country),
            format_func=lambda c: t(f"practices.country.{c.lower()}", lang), key=k("country"), persist_state="session",
         placeholder=t("widget.choose", lang))  # fmt: skip
        values["theme"] = b.selectbox(
            t("practices.field.theme", lang), library.THEMES, index=library.THEMES.index(s.theme),
            format_func=lambda c: t(f"practices.theme.{c}", lang), key=k("theme"), persist_state="session",
         placeholder=t("widget.choose", lang))  # fmt: skip
        values["territory_id"] = a.text_input(
            t("practices.field.territory", lang), s.territory_id, help=t("practices.territory_help", lang),
            key=k("territory"), persist_state="session",
        )  # fmt: skip
        values["stakeholders"] = tuple(
            b.multiselect(
                t("practices.field.stakeholders", lang), library.STAKEHOLDERS, default=list(s.stakeholders),
                format_func=lambda x: t(f"practices.stakeholder.{x}", lang), key=k("stakeholders"),
                persist_state="session",
             placeholder=t("widget.choose", lang))
        )  # fmt: skip
        values["families"] = tuple(
            a.multiselect(
                t("practices.field.families", lang), list(family_labels),
                default=[f for f in s.families if f in family_labels], format_func=lambda f: family_labels.get(f, f),
                key=k("families"), persist_state="session",
             placeholder=t("widget.choose", lang))
        )  # fmt: skip
        for name in ("results", "conditions", "barriers", "sources"):
            values[name] = st.text_area(
                t(f"practices.field.{name}", lang), getattr(s, name), max_chars=library.MAX_TEXT, key=k(name),
                persist_state="session",
            )  # fmt: skip
        values["contact_org"] = st.text_input(
            t("practices.field.contact_org", lang), s.contact_org, max_chars=library.MAX_TITLE, key=k("contact"),
            persist_state="session",
        )  # fmt: skip
        st.caption(t("practices.indicator_help", lang))
        i1, i2, i3 = st.columns([2, 1, 1])
        options = ["", *indicator_labels]
        values["indicator_id"] = i1.selectbox(
            t("practices.field.indicator", lang), options,
            index=options.index(s.indicator_id) if s.indicator_id in options else 0,
            format_func=lambda i: indicator_labels.get(i, "—"), key=k("indicator"), persist_state="session",
         placeholder=t("widget.choose", lang))  # fmt: skip
        years = []
        for col, name, label in ((i2, "indicator_before", "before"), (i3, "indicator_after", "after")):
            stored = getattr(s, name)
            years.append(
                col.number_input(
                    t(f"practices.field.{label}", lang), 1990, 2100, int(stored) if stored.isdigit() else None,
                    step=1, key=k(name), persist_state="session",
                )
            )  # fmt: skip
        values["indicator_before"], values["indicator_after"] = (str(int(y)) if y else "" for y in years)
        if st.form_submit_button(t(submit_label, lang), type="primary"):
            return library.PracticeDraft(**values, status=s.status)
    return None


_LABEL_KEYS = {
    "territory_id": "practices.field.territory",
    "indicator_id": "practices.field.indicator",
    "indicator_before": "practices.field.before",
    "indicator_after": "practices.field.after",
}


def field_label(field: str, lang: str) -> str:
    """The form label of a stored practice field (for the conflict message)."""
    return t(_LABEL_KEYS.get(field) or f"practices.field.{field}", lang)


def edit_block(ws, actor: auth.Actor, practice: Mapping[str, Any], lang: str, family_labels, indicator_labels) -> None:
    """Edit a practice from the version first shown to this editor; a stale save shows both values."""
    pid = int(practice["id"])
    loaded_key, conflict_key = f"practice_edit_loaded_{pid}", f"practice_edit_conflict_{pid}"
    loaded = st.session_state.setdefault(loaded_key, dict(practice))  # what this editor started from
    draft = practice_form(
        f"practice_edit_{pid}_v{loaded['version']}", lang, family_labels, indicator_labels,
        start=library.draft_of(loaded), submit_label="practices.edit_save",
    )  # fmt: skip
    if draft is not None:
        try:
            version = library.edit_practice(ws, actor, pid, draft, int(loaded["version"]))
        except EditConflict as conflict:
            st.session_state[conflict_key] = conflict
        except (UserError, auth.PermissionDenied) as error:
            show_error(error, lang)
        else:
            st.session_state.pop(loaded_key, None)
            st.session_state.pop(conflict_key, None)
            st.success(t("practices.edited", lang, version=version))
    conflict = st.session_state.get(conflict_key)
    if conflict is None:
        return
    st.error(t(conflict.key, lang, **md_values(conflict.values)))
    for c in conflict.conflicts:
        st.markdown(
            t(
                "practices.conflict_field", lang, field=field_label(str(c["field"]), lang),
                yours=md(str(c["yours"])), theirs=md(str(c["theirs"])), by=md(str(c["by"] or "—")),
                at=md(str(c["at"])[:16]),
            )
        )  # fmt: skip
    if st.button(t("practices.conflict_reload", lang), key=f"practice_reload_{pid}"):
        st.session_state.pop(loaded_key, None)
        st.session_state.pop(conflict_key, None)
        st.rerun()


def exchange_thread(ws, actor: auth.Actor, ex: Mapping[str, Any], lang: str) -> None:
    """The exchange's questions, each with its replies indented and, while open, a reply form."""
    from gtec.practices import exchanges

    posts = list(ex["posts"])
    replies: dict[int, list[dict]] = {}
    for post in posts:
        if post["parent_id"] is not None:
            replies.setdefault(int(post["parent_id"]), []).append(post)
    is_open = ex["phase"] != "closed"

    def show(post: Mapping[str, Any]) -> None:
        st.markdown(
            f"*{md(post['author'])}* {md(post['org'])} · {post['lang'].upper()}  \n" + md(post["body"], multiline=True)
        )

    for post in (p for p in posts if p["parent_id"] is None):
        with st.container(border=True, key=f"exchange_post_{post['id']}"):
            show(post)
            for reply in replies.get(int(post["id"]), []):
                _, right = st.columns([1, 14])
                with right:
                    show(reply)
            if is_open:
                with (
                    st.expander(t("exchange.reply", lang)),
                    st.form(f"exchange_reply_{post['id']}", clear_on_submit=True),
                ):
                    body = st.text_area(t("exchange.reply_label", lang), max_chars=exchanges.MAX_TEXT)
                    if st.form_submit_button(t("exchange.reply_send", lang)):
                        try:
                            exchanges.post_question(
                                ws, actor, int(ex["id"]), body, lang=lang, parent_id=int(post["id"])
                            )
                        except (UserError, auth.PermissionDenied) as error:
                            show_error(error, lang)
                        else:
                            st.rerun()


def exchange_close(ws, actor: auth.Actor, ex: Mapping[str, Any], lang: str) -> None:
    """Who closed the exchange and when, or (once met) the button that closes it."""
    from gtec.practices import exchanges

    if ex["phase"] == "closed":
        st.info(
            t("exchange.closed_note", lang, at=md(ex["closed_at"][:10]), by=md(ex["closed_by"])), icon=":material/lock:"
        )
    elif ex["phase"] == "met":
        st.caption(t("exchange.close_help", lang))
        if st.button(t("exchange.close", lang), key=f"exchange_close_{ex['id']}", icon=":material/lock:"):
            try:
                exchanges.close_exchange(ws, actor, int(ex["id"]), int(ex["version"]))
            except (UserError, auth.PermissionDenied) as error:
                show_error(error, lang)
            else:
                st.rerun()


def exchange_question_form(ws, actor: auth.Actor, ex: Mapping[str, Any], lang: str) -> None:
    """A new question for the thread (any language of the partnership)."""
    from gtec.practices import exchanges

    with st.form("exchange_question", clear_on_submit=True):
        body = st.text_area(t("exchange.question", lang), max_chars=exchanges.MAX_TEXT)
        org = st.text_input(t("exchange.field.org", lang))
        q_lang = st.radio(t("exchange.field.lang", lang), library.LANGS, horizontal=True, format_func=str.upper)
        if st.form_submit_button(t("exchange.post", lang)):
            try:
                exchanges.post_question(ws, actor, int(ex["id"]), body, org=org, lang=q_lang)
            except (UserError, auth.PermissionDenied) as error:
                show_error(error, lang)
            else:
                st.rerun()


def exchange_meeting_form(ws, actor: auth.Actor, ex: Mapping[str, Any], lang: str) -> None:
    """The meeting: date, online or on site, who took part, findings (saving it moves the exchange to "met")."""
    import datetime as dt

    from gtec.practices import exchanges

    with st.form("exchange_meeting"):
        stored = ex["meeting_date"]
        date = st.date_input(
            t("exchange.field.date", lang), value=dt.date.fromisoformat(stored) if stored else dt.date.today()
        )
        mode = st.radio(
            t("exchange.field.mode", lang), exchanges.MODES, horizontal=True,
            index=exchanges.MODES.index(ex["meeting_mode"]) if ex["meeting_mode"] in exchanges.MODES else 0,
            format_func=lambda m: t(f"exchange.mode.{m}", lang),
        )  # fmt: skip
        attendees = st.text_area(t("exchange.field.attendees", lang), value="\n".join(ex["attendees"]))
        findings = st.text_area(t("exchange.report.findings", lang), value=ex["findings"], max_chars=exchanges.MAX_TEXT)
        if st.form_submit_button(t("exchange.save_meeting", lang)):
            try:
                exchanges.record_meeting(
                    ws, actor, int(ex["id"]), date=date.isoformat(), mode=mode, attendees=attendees.splitlines(),
                    findings=findings,
                )  # fmt: skip
            except (UserError, auth.PermissionDenied) as error:
                show_error(error, lang)
            else:
                st.rerun()


def document_download(ws, actor: auth.Actor, doc_id: int, lang: str, *, store_dir: Path, key: bytes | None) -> None:
    """Check access to one document server-side (logged), then offer it as an attachment; a refusal is said.

    The button's bytes come from a callable that Streamlit runs only when it is clicked, and the callable checks
    membership again: a member revoked between the check and the click gets nothing (logged as ``denied``).
    """
    try:
        meta, _ = space.download_document(ws, actor, doc_id, store_dir=store_dir, key=key)
    except (UserError, auth.PermissionDenied) as error:
        show_error(error, lang)
        return

    def fetch() -> bytes:
        return space.download_document(ws, actor, doc_id, store_dir=store_dir, key=key)[1]

    st.download_button(
        t("space.download", lang),
        fetch,  # always an attachment: octet-stream, never rendered inline
        file_name=meta["name"],
        mime="application/octet-stream",
        key=f"space_dl_{doc_id}",
        icon=":material/download:",
        on_click="ignore",
    )


def document_rows(ws, actor: auth.Actor, documents: list[dict], lang: str, *, store_dir: Path, key) -> None:
    """The space's documents: name, size, uploader, SHA-256, its link (``?doc=<id>``, checked for whoever opens it)
    and a button that checks access and prepares the download."""
    for doc in documents:
        c1, c2 = st.columns([3, 1])
        c1.markdown(
            f"**{md(doc['name'])}** · {fmt.number(doc['size'], lang, 0)} o · {md(doc['uploaded_by'])}  \n"
            f"SHA-256 `{doc['sha256']}`  \n" + t("space.doc_link", lang, link=f"`/space?doc={int(doc['id'])}`")
        )
        if c2.button(t("space.prepare", lang), key=f"space_get_{doc['id']}"):
            with c2:
                document_download(ws, actor, int(doc["id"]), lang, store_dir=store_dir, key=key)


def members_table(rows: list[dict], lang: str):
    """The members of a space with translated headers and roles (a DataFrame for ``st.dataframe``)."""
    import pandas as pd

    frame = pd.DataFrame(rows, columns=["username", "role", "added_by", "added_at"])
    frame["role"] = [t(f"space.role.{r}", lang) for r in frame["role"]]
    frame["added_at"] = frame["added_at"].str[:16].str.replace("T", " ")
    frame.columns = [t(f"space.col.{c}", lang) for c in ("username", "role", "added_by", "added_at")]
    return frame


def access_table(rows: list[dict], lang: str):
    """The access log with translated headers and actions; a row about the space itself names no document."""
    import pandas as pd

    frame = pd.DataFrame(rows, columns=["at", "username", "action", "document"])
    frame["at"] = frame["at"].str[:19].str.replace("T", " ")
    frame["action"] = [t(f"space.action.{a}", lang) for a in frame["action"]]
    frame["document"] = [d if isinstance(d, str) and d else t("space.whole_space", lang) for d in frame["document"]]
    frame.columns = [t(f"space.col.{c}", lang) for c in ("at", "username", "action", "document")]
    return frame


def forget_form(form_key: str) -> None:
    """Empty the practice form ``form_key`` (after a successful save): its widgets start again from their defaults."""
    for name in [k for k in st.session_state if str(k).startswith(f"{form_key}_")]:
        del st.session_state[name]
