"""Answer a survey (public, phone first): the survey's link ``?s=<code>``, with ``&k=<token>`` for a personal link.

No sign-in: the respondent is anonymous; one answer per token (see gtec.needs.surveys).
"""

from components.shell import page_guard

page_guard()  # first: keep the page inside app.py (components/shell.py)

from components import needs_ui, session, workshop_ui
from components.session import current_lang

lang = current_lang()
workshop_ui.chrome("phone")
workshop_ui.language_buttons(lang, key="survey_lang")
needs_ui.answer_page(session.workspace(), lang)
