"""Streamlit blocks of the partner-network pages (pages/partners.py, pages/network.py): organisation, collaboration,
contact and interaction forms, the duplicates list with its merge buttons, the reciprocity cards, the network
matrix and the partners map. Domain rules live in gtec.network; these blocks read widgets, call it and draw.

Contacts are personal data: the blocks that show them are drawn only for ``network.contact_read``, and the domain
checks that permission again. Text from people goes through ``md()`` where Streamlit renders Markdown.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from components import charts, data
from components.figure_card import Figure, figure_cards
from components.territory_picker import pick_territory
from gtec.access import settings
from gtec.core import auth, fmt
from gtec.core.errors import EditConflict, UserError
from gtec.core.i18n import t
from gtec.core.text import md, md_values
from gtec.network import contacts, interactions, organisations, reciprocity, views, vocab
from gtec.storage.workspace import Workspace


def show_error(error: Exception, lang: str) -> None:
    """A refused action in words (a UserError's message, or the permission message); never an exception text."""
    if isinstance(error, EditConflict):
        st.error(t(error.key, lang, **md_values(error.values)))
        for c in error.conflicts:
            st.caption(
                t("network.conflict_line", lang, field=md(c["field"]), yours=md(c["yours"]), theirs=md(c["theirs"]))
            )
    elif isinstance(error, UserError):
        st.error(t(error.key, lang, **md_values(error.values)))
    elif isinstance(error, auth.PermissionDenied):
        st.error(t("network.denied", lang))
    else:  # pragma: no cover - a programming error: logged by Streamlit, never shown as text
        raise error


def done(message: str, warning: str | None = None) -> None:
    """After a successful write: keep the message for the next run and rerun, so every figure above the form
    (cards, tables, flags) is drawn again from the new state."""
    st.session_state["net_flash"] = (message, warning)
    st.rerun()


def show_flash() -> None:
    """The message of the last successful write (see :func:`done`), once."""
    flash = st.session_state.pop("net_flash", None)
    if flash:
        st.success(flash[0])
        if flash[1]:
            st.warning(flash[1])


def territory_names() -> dict[str, str]:
    """``{territory id: name}`` of the reference store (cached per build)."""
    df = data.territories()
    return dict(zip(df["id"], df["name"], strict=True))


def org_label(orgs: list[dict[str, Any]]) -> dict[int, str]:
    """``{id: name}`` of live organisations, for select boxes (plain text there: no escaping)."""
    return {o["id"]: o["name"] for o in orgs}


def organisation_table(orgs: list[dict[str, Any]], lang: str) -> None:
    names = territory_names()
    rows = [
        {
            t("network.col.name", lang): o["name"],
            t("network.col.type", lang): t(f"network.org_type.{o['org_type']}", lang),
            t("network.col.country", lang): t(f"network.country.{o['country'].lower()}", lang),
            t("network.col.territory", lang): names.get(o["territory_id"], o["territory_id"]) or "–",
            t("network.col.naf", lang): o["naf"] or "–",
            t("network.col.size", lang): t(f"network.size.{o['size']}", lang) if o["size"] else "–",
            t("network.col.siren", lang): o["siren"] or o["other_id"] or "–",
        }
        for o in orgs
    ]
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    else:
        st.info(t("network.none", lang))


def organisation_form(ws: Workspace, actor: auth.Actor, lang: str) -> None:
    """New organisation: the territory picker (outside the form: its list follows the level) then the form."""
    st.markdown(f"**{t('network.org.new', lang)}**")
    territory = pick_territory(lang, key="net_territory")
    with st.form("net_org_new", clear_on_submit=True):
        name = st.text_input(t("network.field.name", lang), max_chars=organisations.MAX_NAME)
        commune = st.text_input(
            t("network.field.commune", lang), max_chars=5, help=t("network.field.commune_help", lang)
        )
        a, b = st.columns(2)
        org_type = a.selectbox(
            t("network.field.type", lang),
            vocab.ORG_TYPES,
            format_func=lambda c: t(f"network.org_type.{c}", lang),
            placeholder=t("widget.choose", lang),
        )
        country = b.selectbox(
            t("network.field.country", lang),
            vocab.COUNTRIES,
            format_func=lambda c: t(f"network.country.{c.lower()}", lang),
            placeholder=t("widget.choose", lang),
        )
        siren = a.text_input(t("network.field.siren", lang), help=t("network.field.siren_help", lang))
        other_id = b.text_input(t("network.field.other_id", lang))
        naf = a.text_input(t("network.field.naf", lang), help=t("network.field.naf_help", lang))
        size = b.selectbox(
            t("network.field.size", lang),
            ["", *vocab.SIZES],
            format_func=lambda c: t(f"network.size.{c}", lang) if c else "–",
            placeholder=t("widget.choose", lang),
        )
        if st.form_submit_button(t("network.org.save", lang), type="primary"):
            try:
                place = organisations.commune_territory(data.reference(), commune) if commune.strip() else territory
                draft = organisations.OrganisationDraft(name, org_type, country, place, naf, size, siren, other_id)
                new_id = organisations.create(ws, actor, draft)
            except (UserError, auth.PermissionDenied) as error:
                show_error(error, lang)
            else:
                dup = any(new_id in (d.first_id, d.second_id) for d in organisations.find_duplicates(ws))
                warning = t("network.dup.new_warning", lang) if dup else None
                done(t("network.org.saved", lang, name=md(name.strip())), warning)


def organisation_edit(ws: Workspace, actor: auth.Actor, lang: str, orgs: list[dict[str, Any]]) -> None:
    """Edit an organisation (its territory stays; a stale save is refused with both values shown)."""
    labels = org_label(orgs)
    if not labels:
        return
    with st.expander(t("network.org.edit", lang)):
        chosen = st.selectbox(
            t("network.field.organisation", lang),
            list(labels),
            format_func=labels.__getitem__,
            key="net_edit_org",
            persist_state="session",
            placeholder=t("widget.choose", lang),
        )
        org = next(o for o in orgs if o["id"] == chosen)
        with st.form(f"net_org_edit_{chosen}_{org['version']}"):
            name = st.text_input(t("network.field.name", lang), value=org["name"], max_chars=organisations.MAX_NAME)
            a, b = st.columns(2)
            org_type = a.selectbox(
                t("network.field.type", lang),
                vocab.ORG_TYPES,
                index=vocab.ORG_TYPES.index(org["org_type"]),
                format_func=lambda c: t(f"network.org_type.{c}", lang),
                placeholder=t("widget.choose", lang),
            )
            country = b.selectbox(
                t("network.field.country", lang),
                vocab.COUNTRIES,
                index=vocab.COUNTRIES.index(org["country"]),
                format_func=lambda c: t(f"network.country.{c.lower()}", lang),
                placeholder=t("widget.choose", lang),
            )
            siren = a.text_input(t("network.field.siren", lang), value=org["siren"])
            other_id = b.text_input(t("network.field.other_id", lang), value=org["other_id"])
            naf = a.text_input(t("network.field.naf", lang), value=org["naf"])
            sizes = ["", *vocab.SIZES]
            size = b.selectbox(
                t("network.field.size", lang),
                sizes,
                index=sizes.index(org["size"]) if org["size"] in sizes else 0,
                format_func=lambda c: t(f"network.size.{c}", lang) if c else "–",
                placeholder=t("widget.choose", lang),
            )
            if st.form_submit_button(t("network.org.update", lang)):
                draft = organisations.OrganisationDraft(
                    name, org_type, country, org["territory_id"], naf, size, siren, other_id
                )
                try:
                    organisations.update(ws, actor, chosen, draft, org["version"])
                except (UserError, auth.PermissionDenied) as error:
                    show_error(error, lang)
                else:
                    done(t("network.org.updated", lang))


def duplicates_block(ws: Workspace, actor: auth.Actor, lang: str, orgs: list[dict[str, Any]]) -> None:
    """Possible duplicates, each with "keep this one" buttons for editors; then the merge history."""
    by_id = {o["id"]: o for o in orgs}
    found = organisations.find_duplicates(ws)
    if not found:
        st.info(t("network.dup.none", lang))
    may_merge = auth.can(actor, "network.merge")
    if found and may_merge:
        st.caption(t("network.dup.keep_help", lang))
    for dup in found:
        first, second = by_id[dup.first_id], by_id[dup.second_id]
        reason = t(f"network.dup.reason.{dup.reason}", lang, score=fmt.number(dup.score * 100, lang))
        with st.container(border=True):
            st.markdown(f"**{md(first['name'])}** · **{md(second['name'])}**  \n{reason}")
            if not may_merge:
                continue
            c1, c2 = st.columns(2)
            for col, keep, gone in ((c1, first, second), (c2, second, first)):
                label = t("network.dup.keep", lang, name=md(keep["name"]))  # button labels render Markdown
                if col.button(label, key=f"net_merge_{keep['id']}_{gone['id']}"):
                    try:
                        moved = organisations.merge(ws, actor, keep["id"], gone["id"])
                    except (UserError, auth.PermissionDenied) as error:
                        show_error(error, lang)
                    else:
                        done(t("network.dup.merged", lang, **moved))
    history = [{**a, "kept": o["name"]} for o in orgs for a in organisations.aliases(ws, o["id"])]
    if history:
        st.markdown(f"**{t('network.dup.history', lang)}**")
        st.dataframe(
            pd.DataFrame(
                {
                    t("network.col.merged", lang): [h["name"] for h in history],
                    t("network.col.kept", lang): [h["kept"] for h in history],
                    t("network.col.by", lang): [h["merged_by"] for h in history],
                    t("network.col.at", lang): [h["merged_at"][:16].replace("T", " ") for h in history],
                }
            ),
            hide_index=True,
            width="stretch",
        )


def collaborations_block(ws: Workspace, actor: auth.Actor, lang: str, orgs: list[dict[str, Any]]) -> None:
    rows = interactions.list_collaborations(ws)
    if rows:
        st.dataframe(
            pd.DataFrame(
                {
                    t("network.col.collab_type", lang): [
                        t(f"network.collab_type.{r['collab_type']}", lang) for r in rows
                    ],
                    t("network.col.title", lang): [r["title"] or "–" for r in rows],
                    t("network.col.parties", lang): [", ".join(r["parties"]) for r in rows],
                    t("network.col.start", lang): [r["start_date"] for r in rows],
                    t("network.col.end", lang): [r["end_date"] or "–" for r in rows],
                }
            ),
            hide_index=True,
            width="stretch",
        )
    else:
        st.info(t("network.collab.none", lang))
    if not auth.can(actor, "network.edit"):
        return
    labels = org_label(orgs)
    with st.form("net_collab_new", clear_on_submit=True):
        st.markdown(f"**{t('network.collab.new', lang)}**")
        a, b = st.columns(2)
        kind = a.selectbox(
            t("network.field.collab_type", lang),
            vocab.COLLAB_TYPES,
            format_func=lambda c: t(f"network.collab_type.{c}", lang),
            placeholder=t("widget.choose", lang),
        )
        title = b.text_input(t("network.field.title", lang), max_chars=interactions.MAX_TITLE)
        parties = st.multiselect(
            t("network.field.parties", lang),
            list(labels),
            format_func=labels.__getitem__,
            placeholder=t("widget.choose", lang),
        )
        start = a.date_input(t("network.field.start", lang), value=date.today(), format="DD/MM/YYYY")
        end = b.date_input(t("network.field.end", lang), value=None, format="DD/MM/YYYY")
        notes = st.text_area(t("network.field.notes", lang), max_chars=interactions.MAX_NOTES)
        if st.form_submit_button(t("network.collab.save", lang), type="primary"):
            try:
                interactions.create_collaboration(ws, actor, kind, parties, start, end or "", title, notes)
            except (UserError, auth.PermissionDenied) as error:
                show_error(error, lang)
            else:
                done(t("network.collab.saved", lang))


def contacts_block(ws: Workspace, actor: auth.Actor, lang: str, orgs: list[dict[str, Any]]) -> None:
    """Contacts (signed-in roles only): list, inactive ones to review, new contact, export and erasure."""
    st.caption(t("network.contact.privacy", lang))
    people = contacts.list_contacts(ws, actor)
    months = int(settings.get_value(ws, "network.inactive_months"))
    stale = {c["id"] for c in contacts.inactive(ws, actor, months)}
    if stale:
        st.warning(t("network.contact.inactive", lang, count=len(stale), months=months))
    if people:
        st.dataframe(
            pd.DataFrame(
                {
                    t("network.col.person", lang): [c["full_name"] for c in people],
                    t("network.col.role", lang): [c["job_role"] or "–" for c in people],
                    t("network.col.email", lang): [c["email"] or "–" for c in people],
                    t("network.col.organisation", lang): [c["organisation"] for c in people],
                    t("network.col.basis", lang): [t(f"network.legal_basis.{c['legal_basis']}", lang) for c in people],
                    t("network.col.consent", lang): [c["consent_date"] or "–" for c in people],
                    t("network.col.last", lang): [c["last_interaction"] or "–" for c in people],
                    t("network.col.review", lang): [
                        t("network.contact.to_review", lang) if c["id"] in stale else "" for c in people
                    ],
                }
            ),
            hide_index=True,
            width="stretch",
        )
    else:
        st.info(t("network.contact.none", lang))
    _contact_form(ws, actor, lang, orgs)
    if people:
        _person_requests(ws, actor, lang, people)


def _contact_form(ws: Workspace, actor: auth.Actor, lang: str, orgs: list[dict[str, Any]]) -> None:
    labels = org_label(orgs)
    if not labels:
        return
    with st.form("net_contact_new", clear_on_submit=True):
        st.markdown(f"**{t('network.contact.new', lang)}**")
        a, b = st.columns(2)
        name = a.text_input(t("network.field.person", lang), max_chars=contacts.MAX_NAME)
        role = b.text_input(t("network.field.role", lang), max_chars=contacts.MAX_ROLE)
        email = a.text_input(t("network.field.email", lang), max_chars=contacts.MAX_EMAIL)
        org = b.selectbox(
            t("network.field.organisation", lang),
            list(labels),
            format_func=labels.__getitem__,
            placeholder=t("widget.choose", lang),
        )
        basis = a.selectbox(
            t("network.field.basis", lang),
            vocab.LEGAL_BASES,
            format_func=lambda c: t(f"network.legal_basis.{c}", lang),
            placeholder=t("widget.choose", lang),
        )
        consent = b.date_input(t("network.field.consent", lang), value=None, format="DD/MM/YYYY")
        if st.form_submit_button(t("network.contact.save", lang), type="primary"):
            draft = contacts.ContactDraft(org, name, email, role, basis, consent.isoformat() if consent else "")
            try:
                contacts.create(ws, actor, draft)
            except (UserError, auth.PermissionDenied) as error:
                show_error(error, lang)
            else:
                done(t("network.contact.saved", lang))


def _person_requests(ws: Workspace, actor: auth.Actor, lang: str, people: list[dict[str, Any]]) -> None:
    """A person's requests: everything held on them (JSON, CSV), and erasure after a confirmation."""
    st.markdown(f"**{t('network.contact.requests', lang)}**")
    names = {c["id"]: f"{c['full_name']} — {c['organisation']}" for c in people}
    chosen = st.selectbox(
        t("network.field.person", lang),
        list(names),
        format_func=names.__getitem__,
        key="net_person",
        persist_state="session",
        placeholder=t("widget.choose", lang),
    )
    a, b = st.columns(2)
    if a.button(t("network.contact.export", lang), key="net_export"):
        try:
            st.session_state["net_export_payload"] = contacts.export_person(ws, actor, chosen)
        except (UserError, auth.PermissionDenied) as error:
            show_error(error, lang)
    payload = st.session_state.get("net_export_payload")
    if payload and payload["contact"]["id"] == chosen:
        a.download_button(
            t("network.contact.json", lang),
            contacts.export_json(payload),
            file_name=f"contact-{chosen}.json",
            mime="application/json",
            on_click="ignore",
        )
        a.download_button(
            t("network.contact.csv", lang),
            contacts.export_csv(payload),
            file_name=f"contact-{chosen}.csv",
            mime="text/csv",
            on_click="ignore",
        )
    sure = b.checkbox(t("network.contact.erase_confirm", lang), key=f"net_erase_sure_{chosen}", persist_state="session")
    if b.button(t("network.contact.erase", lang), key="net_erase", disabled=not sure, type="primary"):
        try:
            contacts.erase(ws, actor, chosen)
        except (UserError, auth.PermissionDenied) as error:
            show_error(error, lang)
        else:
            st.session_state.pop("net_export_payload", None)
            done(t("network.contact.erased", lang))


def reciprocity_cards(result: reciprocity.Reciprocity, lang: str) -> None:
    """Share of partners at two meetings or more, partners under two, partners counted; with their source."""
    source = reciprocity.source(result)
    period = t(
        "network.card.period", lang, start=fmt_day(result.window_start, lang), end=fmt_day(result.window_end, lang)
    )
    share = result.share
    figures = [
        Figure(
            t("network.card.share", lang, n=reciprocity.THRESHOLD),
            fmt.percent(fmt.number(share * 100, lang), lang) if share is not None else "–",
            period=period,
            note=None if share is not None else t("network.card.no_partner", lang),
            sources=(source,),
        ),
        Figure(
            t("network.card.below", lang, n=reciprocity.THRESHOLD),
            fmt.number(result.n_partners - result.n_at_threshold, lang),
            period=period,
            sources=(source,),
        ),
        Figure(t("network.card.partners", lang), fmt.number(result.n_partners, lang), period=period, sources=(source,)),
    ]
    figure_cards(figures, lang)


def fmt_day(day: date, lang: str) -> str:
    return day.strftime(t("network.date_format", lang))


def interaction_form(ws: Workspace, actor: auth.Actor, lang: str, orgs: list[dict[str, Any]]) -> None:
    labels = org_label(orgs)
    if not labels:
        st.info(t("network.none", lang))
        return
    people: dict[int, str] = {}
    if auth.can(actor, "network.contact_read"):
        people = {c["id"]: f"{c['full_name']} — {c['organisation']}" for c in contacts.list_contacts(ws, actor)}
    with st.form("net_interaction_new", clear_on_submit=True):
        st.markdown(f"**{t('network.log.new', lang)}**")
        a, b = st.columns(2)
        day = a.date_input(
            t("network.field.date", lang), value=date.today(), max_value=date.today(), format="DD/MM/YYYY"
        )
        kind = b.selectbox(
            t("network.field.interaction_type", lang),
            vocab.INTERACTION_TYPES,
            format_func=lambda c: t(f"network.interaction_type.{c}", lang),
            placeholder=t("widget.choose", lang),
        )
        chosen = st.multiselect(
            t("network.field.organisations", lang),
            list(labels),
            format_func=labels.__getitem__,
            placeholder=t("widget.choose", lang),
        )
        who = (
            st.multiselect(
                t("network.field.people", lang),
                list(people),
                format_func=people.__getitem__,
                placeholder=t("widget.choose", lang),
            )
            if people
            else []
        )
        notes = st.text_area(
            t("network.field.notes", lang), max_chars=interactions.MAX_NOTES, help=t("network.field.notes_help", lang)
        )
        if st.form_submit_button(t("network.log.save", lang), type="primary"):
            try:
                interactions.log_interaction(ws, actor, day, kind, chosen, who, notes)
            except (UserError, auth.PermissionDenied) as error:
                show_error(error, lang)
            else:
                done(t("network.log.saved", lang))


def interaction_log(ws: Workspace, actor: auth.Actor, lang: str) -> None:
    rows = interactions.list_interactions(ws, actor)
    if not rows:
        st.info(t("network.log.none", lang))
        return
    table: dict[str, list[Any]] = {
        t("network.col.date", lang): [r["occurred_on"] for r in rows],
        t("network.col.interaction_type", lang): [
            t(f"network.interaction_type.{r['interaction_type']}", lang) for r in rows
        ],
        t("network.col.organisations", lang): [", ".join(r["organisations"]) for r in rows],
    }
    if auth.can(actor, "network.contact_read"):
        table[t("network.col.people", lang)] = [
            ", ".join(r["people"] or [])
            + (t("network.log.anonymous", lang, n=r["anonymous"]) if r["anonymous"] else "")
            for r in rows
        ]
        table[t("network.col.notes", lang)] = [r["notes"] for r in rows]
    st.dataframe(pd.DataFrame(table), hide_index=True, width="stretch")


def network_matrix(ws: Workspace, lang: str, orgs: list[dict[str, Any]]) -> None:
    frame = views.matrix_frame(reciprocity.links(ws), org_label(orgs))
    if frame.empty:
        st.info(t("network.matrix.none", lang))
        return
    st.caption(t("network.matrix.help", lang, n=frame["a"].nunique()))
    charts.show(views.matrix_chart(frame, lang), lang, width="content")


def partner_map(result: reciprocity.Reciprocity, lang: str) -> None:
    m, unmapped = views.partner_map(data.reference(), result, lang)
    if m is None:
        st.info(t("network.map.none", lang))
    else:
        st.caption(t("network.map.legend", lang))
        st_folium(m, height=460, use_container_width=True, returned_objects=[], key="net_map")
    if unmapped:
        st.caption(t("network.map.unmapped", lang, count=len(unmapped)))


def editor_note(actor: auth.Actor, lang: str) -> None:
    """Say why there is no form for a reader (sign in to edit; contacts need an account)."""
    if not auth.can(actor, "network.edit"):
        st.info(t("network.sign_in", lang), icon=":material/lock:")
