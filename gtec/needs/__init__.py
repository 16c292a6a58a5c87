"""Stakeholder needs surveys (issue 16): the project's question bank (:mod:`.bank`), surveys and answer links
(:mod:`.surveys`), imports of answers in the survey's template (:mod:`.importing`), the needs matrix
(:mod:`.matrix`) and the company skills-needs view (:mod:`.company`).

Plain Python (never imports streamlit). Every write goes through ``Workspace.write`` (``needs.*`` permissions,
audit row). Answering is public through the survey's link (action ``needs.answer``, anonymous, audited without any
personal data).
"""
