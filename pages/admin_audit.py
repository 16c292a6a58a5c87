"""Audit log (admins): who changed what and when, with filters, CSV export and the latest sign-in attempts."""

from components.shell import page_guard

page_guard()  # first: keep the page inside app.py (components/shell.py)

from datetime import UTC, datetime, timedelta

import pandas as pd
import streamlit as st

from components import auth_ui, session
from components.session import current_actor, current_lang
from gtec.access import audit, throttle
from gtec.core.export import to_safe_csv
from gtec.core.i18n import t

LIMIT = 1000

lang = current_lang()
actor = current_actor()
ws = session.workspace()
st.title(t("auth.audit.title", lang))
st.caption(t("auth.audit.intro", lang))

facets = audit.audit_facets(ws, actor)
today = datetime.now(UTC).date()
actor_col, action_col, date_col = st.columns([2, 2, 2])
actors = actor_col.multiselect(t("auth.audit.actor", lang), facets["actors"], placeholder=t("auth.audit.all", lang))
actions = action_col.multiselect(t("auth.audit.action", lang), facets["actions"], placeholder=t("auth.audit.all", lang))
period = date_col.date_input(
    t("auth.audit.dates", lang), value=(today - timedelta(days=30), today), max_value=today, format="DD/MM/YYYY"
)
since, until = (period[0], period[-1]) if isinstance(period, tuple) and period else (None, None)

rows = audit.search_audit(ws, actor, actors, actions, since, until, limit=LIMIT)
if not rows:
    st.info(t("auth.audit.empty", lang))
else:
    frame = pd.DataFrame(rows, columns=list(audit.AUDIT_COLUMNS))
    frame["at"] = frame["at"].str.slice(0, 19).str.replace("T", " ")
    frame["role"] = frame["role"].map(lambda r: auth_ui.role_label(r, lang))
    frame["detail"] = frame["detail"].replace("{}", "")
    labels = {
        "at": t("auth.audit.col.at", lang),
        "actor": t("auth.audit.actor", lang),
        "role": t("auth.audit.col.role", lang),
        "action": t("auth.audit.action", lang),
        "target": t("auth.audit.col.target", lang),
        "detail": t("auth.audit.col.detail", lang),
    }
    shown = frame.drop(columns=["id"]).rename(columns=labels)
    st.caption(t("auth.audit.count", lang, count=len(frame), limit=LIMIT))
    st.dataframe(shown, hide_index=True)
    st.download_button(
        t("auth.audit.download", lang),
        data=to_safe_csv(shown).encode("utf-8-sig"),
        file_name=f"gtec-audit-{today.isoformat()}.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
    )

with st.expander(t("auth.audit.attempts", lang)):
    attempts = pd.DataFrame(throttle.recent_attempts(ws, actor, 100), columns=["at", "username", "client", "outcome"])
    attempts["at"] = attempts["at"].str.slice(0, 19).str.replace("T", " ")
    st.dataframe(
        attempts.rename(
            columns={
                "at": t("auth.audit.col.at", lang),
                "username": t("auth.staff.username", lang),
                "client": t("auth.audit.col.client", lang),
                "outcome": t("auth.audit.col.outcome", lang),
            }
        ),
        hide_index=True,
    )
