"""Settings (admins): the declared switches of gtec.access.settings, each changed through the audited write path."""

from components.shell import page_guard

page_guard()  # first: keep the page inside app.py (components/shell.py)

import streamlit as st

from components import session
from components.number_field import number_field
from components.session import current_actor, current_lang
from gtec.access import settings
from gtec.core.errors import UserError
from gtec.core.i18n import t

lang = current_lang()
actor = current_actor()
ws = session.workspace()
st.title(t("settings.title", lang))
st.caption(t("settings.intro", lang))

values = settings.all_values(ws)
for key, setting in settings.SETTINGS.items():
    if setting.kind is bool:
        chosen = st.toggle(t(setting.label_key, lang), value=bool(values[key]), help=t(setting.help_key, lang))
    elif setting.kind is int:  # the shared number field: the reader's format, bounds said in FR/EN (review G5)
        typed = number_field(
            t(setting.label_key, lang), int(values[key]), lang, key=f"setting_{key}", min_value=setting.minimum,
            max_value=setting.maximum, step=1, help=t(setting.help_key, lang),
        )  # fmt: skip
        chosen = int(typed) if typed is not None else values[key]
    else:  # no text setting is declared yet; it gets its own widget when one is
        continue
    if chosen != values[key]:
        try:
            settings.set_value(ws, actor, key, chosen)
        except UserError as error:
            st.error(t(error.key, lang, **error.values))
        else:
            st.toast(t("settings.saved", lang), icon=":material/check:")
