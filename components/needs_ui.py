"""Streamlit blocks of the needs pages: answering a survey (phone), the needs matrix, the company skills-needs
view and the facilitators' survey management (create, open/close, links and tokens, templates, import).

The respondent's identity is the token in the URL (``?s=<survey link>&k=<token>``), read again on every run: a
reload changes nothing and a second submission is refused by the workspace (one answer per token).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from components import data, workshop_ui
from components.provenance import status_markdown
from gtec.core import auth, fmt
from gtec.core.errors import UserError
from gtec.core.i18n import pick, t
from gtec.core.text import md
from gtec.imports.limits import limits_from_env
from gtec.needs import bank, company, importing, matrix, surveys
from gtec.roadmap import origins
from gtec.storage.workspace import Workspace

SURVEY_PATH = "survey"


def show_error(error: Exception, lang: str) -> None:
    if isinstance(error, UserError):
        st.error(t(error.key, lang, **{k: md(v) if isinstance(v, str) else v for k, v in error.values.items()}))
    else:
        st.error(t("auth.error.denied", lang))


@data.per_build()
def families() -> dict[str, tuple[str, str]]:
    return company.families(data.reference())


def family_label(fid: str, lang: str) -> str:
    fr, en = families().get(fid, (fid, fid))
    return pick({"label_fr": fr, "label_en": en}, "label", lang)


def survey_url(survey: surveys.Survey, token: str | None = None) -> str:
    query = {"s": survey.link_code, **({"k": token} if token else {})}
    return f"{workshop_ui.public_base_url().rstrip('/')}/{SURVEY_PATH}?{urlencode(query)}"


# --- answering (public, phone first) -------------------------------------------------------------------------


def _code_form(lang: str) -> None:
    with st.form("survey_code"):
        code = st.text_input(t("needs.answer.code", lang), max_chars=64)
        if st.form_submit_button(t("needs.answer.open", lang), type="primary", width="stretch"):
            st.query_params["s"] = code.strip()
            st.rerun()


def _token(survey: surveys.Survey, lang: str) -> str | None:
    token = st.query_params.get("k")
    if survey.mode == "tokens":
        if not token:
            st.error(t("needs.answer.need_token", lang))
        return token or None
    if not token:  # open link: this browser's own token, kept in the address (a reload keeps it)
        token = surveys.new_token()
        st.query_params["k"] = token
    return token


def _priority_question(q: bank.Question, lang: str) -> int | None:
    return st.radio(
        md(pick(q, "text", lang)),
        list(range(bank.SCALE_MIN, bank.SCALE_MAX + 1)),
        index=None,
        horizontal=True,
        format_func=lambda v: t(f"needs.scale.{v}", lang),
    )


def answer_page(ws: Workspace, lang: str) -> None:
    """The whole respondent's page."""
    code = st.query_params.get("s")
    survey = surveys.by_link(ws, code)
    if survey is None:
        st.subheader(t("needs.answer.heading", lang))
        if code:
            st.error(t("needs.error.link", lang))
        _code_form(lang)
        return
    st.subheader(md(survey.title))
    if not survey.is_open:
        st.warning(t("needs.error.closed", lang))
        return
    token = _token(survey, lang)
    if token is None:
        return
    if surveys.answered(ws, survey, token):
        st.success(
            t("needs.answer.thanks" if st.session_state.pop("needs_sent", False) else "needs.answer.already", lang)
        )
        return
    st.caption(t("needs.answer.intro", lang))
    if survey.kind == "company":
        group = "companies"
        st.markdown(t("needs.answer.company_intro", lang))
    else:
        group = st.radio(
            t("needs.answer.group", lang),
            list(survey.groups),
            index=None,
            format_func=lambda g: t(f"needs.group.{g}", lang),
        )
        if group is None:
            st.info(t("needs.answer.pick_group", lang))
            return
    with st.form("survey_answers"):
        answers: dict[str, object] = {}
        if survey.kind == "company":
            for fid in dict.fromkeys(q.split("_", 1)[1] for q in survey.question_ids):
                st.markdown(f"**{md(family_label(fid, lang))}**")
                now, later = st.columns(2)
                for col, horizon in ((now, "now"), (later, "in3y")):
                    if f"{horizon}_{fid}" in survey.question_ids:
                        answers[f"{horizon}_{fid}"] = col.number_input(
                            t(f"needs.answer.{horizon}", lang),
                            min_value=0,
                            max_value=bank.MAX_HEADCOUNT,
                            value=None,
                            step=1,
                            key=f"survey_{horizon}_{fid}",
                            persist_state="session",
                        )
        else:
            st.caption(t("needs.answer.scale_help", lang))
            for q in bank.questions_for([group]):
                if q.id in survey.question_ids:
                    answers[q.id] = _priority_question(q, lang)
        sent = st.form_submit_button(t("needs.answer.submit", lang), type="primary", width="stretch")
    if sent:
        try:
            surveys.submit(ws, survey.link_code, token, group, answers)
        except UserError as error:
            show_error(error, lang)
        else:
            st.session_state["needs_sent"] = True
            st.rerun()


# --- the needs matrix -----------------------------------------------------------------------------------------


def pick_survey(ws: Workspace, kind: str, lang: str, key: str) -> surveys.Survey | None:
    found = surveys.list_surveys(ws, kind=kind)
    if not found:
        st.info(t("needs.none", lang))
        return None
    by_id = {s.id: s for s in found}
    chosen = st.selectbox(
        t("needs.pick_survey", lang),
        list(by_id),
        format_func=lambda i: by_id[i].title,
        key=key,
        persist_state="session",
        placeholder=t("widget.choose", lang),
    )
    return by_id.get(chosen) if chosen is not None else found[0]


def source_line(survey: surveys.Survey, lang: str) -> str:
    return f":blue-badge[{t('needs.status.survey', lang)}] " + t(
        "needs.matrix.source",
        lang,
        title=md(survey.title),
        period=md(matrix.period_text(survey, lang)),
        n=survey.responses,
    )


def matrix_view(ws: Workspace, actor: auth.Actor, lang: str) -> None:
    survey = pick_survey(ws, "needs", lang, "needs_matrix_survey")
    if survey is None:
        return
    cells = matrix.survey_matrix(ws, survey)
    st.markdown(source_line(survey, lang))
    st.altair_chart(matrix.heatmap(cells, lang), width="stretch")
    st.caption(t("needs.matrix.method", lang, min_n=matrix.MIN_N))
    hidden = cells.loc[cells["suppressed"] & (cells["reason"] == "small")]
    if len(hidden):
        st.warning(t("needs.matrix.suppressed_list", lang, count=len(hidden), min_n=matrix.MIN_N))
    st.markdown(f"#### {t('needs.matrix.divergence', lang)}")
    div = matrix.divergence(cells, [th for th in bank.THEMES if th in set(cells["theme"])])
    st.dataframe(
        pd.DataFrame(
            {
                t("needs.matrix.col.theme", lang): [t(f"needs.theme.{th}", lang) for th in div["theme"]],
                t("needs.matrix.col.groups", lang): div["groups"],
                t("needs.matrix.col.spread", lang): [fmt.number(v, lang, 1) for v in div["spread"]],
                t("needs.matrix.col.low", lang): [
                    _group_mean(g, v, lang) for g, v in zip(div["low_group"], div["low"], strict=True)
                ],
                t("needs.matrix.col.high", lang): [
                    _group_mean(g, v, lang) for g, v in zip(div["high_group"], div["high"], strict=True)
                ],
                t("needs.matrix.col.verdict", lang): [t(f"needs.verdict.{v}", lang) for v in div["verdict"]],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    st.caption(t("needs.matrix.divergence_help", lang))
    st.download_button(
        t("needs.matrix.export", lang),
        matrix.to_csv(cells, survey, lang),
        file_name=f"needs-matrix-{survey.id}.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
    )
    if auth.can(actor, "roadmap.edit"):
        cell_to_action(ws, actor, survey, cells, lang)


def _group_mean(group: str | None, value: float, lang: str) -> str:
    return "–" if group is None else f"{t(f'needs.group.{group}', lang)} ({fmt.number(value, lang, 1)})"


def cell_to_action(ws: Workspace, actor: auth.Actor, survey: surveys.Survey, cells: pd.DataFrame, lang: str) -> None:
    """Pick a published cell, one click: a planned roadmap action linked to it."""
    shown = cells.loc[~cells["suppressed"]]
    if shown.empty:
        return
    st.markdown(f"#### {t('needs.matrix.to_action', lang)}")
    options = [f"{g}:{th}" for g, th in zip(shown["group"], shown["theme"], strict=True)]
    means = dict(zip(options, shown["mean"], strict=True))
    chosen = st.selectbox(
        t("needs.matrix.cell", lang),
        options,
        format_func=lambda o: (
            f"{t('needs.group.' + o.split(':')[0], lang)} × {t('needs.theme.' + o.split(':')[1], lang)}"
            f" ({fmt.number(means[o], lang, 1)})"
        ),
        key="needs_cell_pick",
        persist_state="session",
        placeholder=t("widget.choose", lang),
    )
    if st.button(t("needs.matrix.create_action", lang), icon=":material/add_task:", key="needs_cell_create"):
        group, theme = str(chosen).split(":")
        cell = next(
            o
            for o in origins.candidates(ws, actor, "needs_cell", lang)
            if o.ref == f"survey:{survey.id}:{group}:{theme}"
        )
        try:
            new_id = origins.create_from(ws, actor, cell)
        except UserError as error:
            show_error(error, lang)
        else:
            st.success(t("needs.matrix.action_created", lang, id=new_id))
            st.page_link("pages/roadmap.py", label=t("needs.matrix.open_roadmap", lang), icon=":material/timeline:")


# --- company skills needs -------------------------------------------------------------------------------------


def company_view(ws: Workspace, load_base, lang: str) -> None:
    """The company skills-needs survey beside the BMO and the scenario (``load_base``: the cached scenario base,
    loaded only when a company survey is shown)."""
    survey = pick_survey(ws, "company", lang, "needs_company_survey")
    if survey is None:
        return
    needs = company.survey_needs(ws, survey)
    ref = company.beside(data.reference(), load_base(), survey.territory_id)
    table = company.side_by_side(needs, ref)
    srcs = data.sources()
    place = dict(workshop_ui.territory_choices()).get(survey.territory_id, survey.territory_id)
    st.markdown(t("needs.company.territory", lang, name=md(place)))
    st.markdown(source_line(survey, lang))
    hidden = t("needs.company.suppressed", lang)
    missing = [hidden if 0 < n < matrix.MIN_N else "–" for n in table["companies"]]  # nobody answered: missing
    shown = pd.DataFrame(
        {
            t("needs.company.col.family", lang): [family_label(f, lang) for f in table["family_id"]],
            t("needs.company.col.companies", lang): table["companies"],
            t("needs.company.col.now", lang): [
                fmt.number(v, lang, missing=m) for v, m in zip(table["now_total"], missing, strict=True)
            ],
            t("needs.company.col.in3y", lang): [
                fmt.number(v, lang, missing=m) for v, m in zip(table["in3y_total"], missing, strict=True)
            ],
            t("needs.company.col.bmo", lang): [
                fmt.number(v, lang) + (" *" if s else "")
                for v, s in zip(table["bmo_projects"], table["bmo_secret"], strict=True)
            ],
            t("needs.company.col.openings", lang): [fmt.number(v, lang) for v in table["scenario_openings"]],
        }
    )
    st.dataframe(shown, hide_index=True, width="stretch")
    bmo = srcs.get(ref.bmo_source)
    if ref.bassin_id and bmo:
        bassin = dict(workshop_ui.territory_choices()).get(ref.bassin_id, ref.bassin_id)
        st.markdown(
            f"{status_markdown(bmo.status, lang)} "
            + t(
                "needs.company.bmo_source",
                lang,
                title=md(bmo.title(lang)),
                bassin=md(bassin),
                share=fmt.number(ref.bassin_share, lang, 0),
            )
        )
    else:
        st.caption(t("needs.company.no_bmo", lang))
    if ref.scenario_status:
        st.markdown(f"{status_markdown(ref.scenario_status, lang)} {t('needs.company.scenario_source', lang)}")
    else:
        st.caption(t("needs.company.no_scenario", lang))
    st.caption(t("needs.company.help", lang, min_n=matrix.MIN_N))


# --- managing surveys (facilitators and admins) ---------------------------------------------------------------


def create_forms(ws: Workspace, actor: auth.Actor, lang: str) -> None:
    with (
        st.expander(t("needs.manage.new_needs", lang), icon=":material/add:"),
        st.form("needs_new_survey", clear_on_submit=True),
    ):
        title = st.text_input(t("needs.manage.title", lang), max_chars=surveys.MAX_TITLE)
        groups = st.multiselect(
            t("needs.manage.groups", lang),
            list(bank.GROUPS),
            default=list(bank.GROUPS),
            format_func=lambda g: t(f"needs.group.{g}", lang),
            placeholder=t("widget.choose", lang),
        )
        themes = st.multiselect(
            t("needs.manage.themes", lang),
            list(bank.THEMES),
            default=list(bank.THEMES),
            format_func=lambda th: t(f"needs.theme.{th}", lang),
            placeholder=t("widget.choose", lang),
        )
        mode = st.radio(t("needs.manage.mode", lang), surveys.MODES, format_func=lambda m: t(f"needs.mode.{m}", lang))
        if st.form_submit_button(t("needs.manage.create", lang), type="primary"):
            qids = [q.id for q in bank.questions_for(groups) if q.theme in set(themes)]
            _create(ws, actor, lang, title=title, kind="needs", groups=groups, question_ids=qids, mode=mode)
    with (
        st.expander(t("needs.manage.new_company", lang), icon=":material/factory:"),
        st.form("needs_new_company", clear_on_submit=True),
    ):
        title = st.text_input(t("needs.manage.title_company", lang), max_chars=surveys.MAX_TITLE)
        places = dict(workshop_ui.territory_choices())
        default = list(places).index("FR-BASIN-VANNES") if "FR-BASIN-VANNES" in places else 0
        territory = st.selectbox(
            t("needs.manage.territory", lang),
            list(places),
            index=default,
            format_func=lambda p: places.get(p, p),
            placeholder=t("widget.choose", lang),
        )
        mode = st.radio(
            t("needs.manage.mode_company", lang), surveys.MODES, format_func=lambda m: t(f"needs.mode.{m}", lang)
        )
        if st.form_submit_button(t("needs.manage.create", lang), type="primary"):
            qids = [q.id for q in bank.company_questions(families())]
            _create(
                ws,
                actor,
                lang,
                title=title,
                kind="company",
                groups=["companies"],
                question_ids=qids,
                mode=mode,
                territory_id=territory or "",
            )


def _create(ws: Workspace, actor: auth.Actor, lang: str, **fields) -> None:
    try:
        made = surveys.create_survey(ws, actor, **fields)
    except (UserError, auth.PermissionDenied) as error:
        show_error(error, lang)
    else:
        st.session_state["needs_flash"] = t("needs.manage.created", lang, title=md(made.title))
        st.rerun()


def _upload_path(upload) -> Path:
    suffix = Path(upload.name).suffix.lower()[:6] if upload.name else ""
    with tempfile.NamedTemporaryFile(prefix="gtec-needs-", suffix=suffix, delete=False) as handle:
        handle.write(upload.getvalue())
    return Path(handle.name)


def survey_admin(ws: Workspace, actor: auth.Actor, survey: surveys.Survey, lang: str) -> None:
    """One survey: status, public link, tokens, templates, import of answers."""
    st.markdown(
        t("needs.manage.summary", lang, n=survey.responses, status=t(f"needs.survey_status.{survey.status}", lang))
    )
    target = "closed" if survey.is_open else "open"
    if st.button(t(f"needs.manage.set_{target}", lang), key=f"needs_status_{survey.id}"):
        try:
            surveys.set_status(ws, actor, survey.id, target, survey.version)
        except (UserError, auth.PermissionDenied) as error:
            show_error(error, lang)
        else:
            st.rerun()
    if survey.mode == "open":
        st.markdown(t("needs.manage.open_link", lang))
        st.code(survey_url(survey), language=None)
    else:
        issued, used = surveys.token_counts(ws, survey.id)
        st.markdown(t("needs.manage.tokens", lang, issued=issued, used=used))
        count = st.number_input(
            t("needs.manage.token_count", lang),
            1,
            surveys.MAX_TOKENS,
            20,
            key=f"needs_tok_n_{survey.id}",
            persist_state="session",
        )
        if st.button(t("needs.manage.issue", lang), key=f"needs_tok_{survey.id}"):
            try:
                tokens = surveys.issue_tokens(ws, actor, survey.id, int(count))
            except (UserError, auth.PermissionDenied) as error:
                show_error(error, lang)
            else:
                links = pd.DataFrame({"link": [survey_url(survey, tok) for tok in tokens]})
                st.download_button(
                    t("needs.manage.links_download", lang),
                    links.to_csv(index=False).encode("utf-8"),
                    file_name=f"survey-{survey.id}-links.csv",
                    mime="text/csv",
                    on_click="ignore",
                )
                st.caption(t("needs.manage.links_once", lang))
    left, right = st.columns(2)
    left.download_button(
        t("needs.manage.template_csv", lang),
        importing.template_csv(survey),
        file_name=f"survey-{survey.id}-template.csv",
        mime="text/csv",
        key=f"needs_tcsv_{survey.id}",
        on_click="ignore",
    )
    right.download_button(
        t("needs.manage.template_xlsx", lang),
        importing.template_xlsx(survey, lang),
        file_name=f"survey-{survey.id}-template.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"needs_txlsx_{survey.id}",
        on_click="ignore",
    )
    import_block(ws, actor, survey, lang)


def import_block(ws: Workspace, actor: auth.Actor, survey: surveys.Survey, lang: str) -> None:
    upload = st.file_uploader(t("needs.import.upload", lang), type=["csv", "txt", "xlsx"], key=f"needs_up_{survey.id}")
    if upload is None:
        return
    path = _upload_path(upload)
    try:
        report = importing.prepare(survey, path, limits_from_env())
    except UserError as error:
        show_error(error, lang)
        return
    finally:
        path.unlink(missing_ok=True)
    if report.problems:
        st.error(t("needs.import.problems", lang, count=len(report.problems)))
        st.dataframe(
            pd.DataFrame(
                {
                    t("needs.import.col_line", lang): [p.line or "–" for p in report.problems],
                    t("needs.import.col_column", lang): [p.column or "–" for p in report.problems],
                    t("needs.import.col_problem", lang): [t(p.key, lang, **p.values) for p in report.problems],
                }
            ),
            hide_index=True,
            width="stretch",
        )
        st.caption(t("needs.import.nothing_written", lang))
        return
    st.success(t("needs.import.ready", lang, rows=len(report.rows)))
    if st.button(t("needs.import.confirm", lang, rows=len(report.rows)), type="primary", key=f"needs_imp_{survey.id}"):
        try:
            written = importing.commit(ws, actor, report)
        except (UserError, auth.PermissionDenied) as error:
            show_error(error, lang)
        else:  # rerun: the matrix tab, drawn before this one, then shows the new answers
            st.session_state["needs_flash"] = t("needs.import.done", lang, rows=written)
            st.rerun()


def manage(ws: Workspace, actor: auth.Actor, lang: str) -> None:
    if not auth.can(actor, "needs.manage"):
        st.info(t("needs.manage.sign_in", lang))
        return
    message = st.session_state.pop("needs_flash", None)
    if message:
        st.success(message)
    create_forms(ws, actor, lang)
    found = surveys.list_surveys(ws)
    if not found:
        return
    by_id = {s.id: s for s in found}
    chosen = st.selectbox(
        t("needs.manage.pick", lang),
        list(by_id),
        key="needs_manage_pick",
        persist_state="session",
        format_func=lambda i: f"{by_id[i].title} · {t(f'needs.kind.{by_id[i].kind}', lang)}",
        placeholder=t("widget.choose", lang),
    )
    survey_admin(ws, actor, by_id.get(chosen, found[0]), lang)
