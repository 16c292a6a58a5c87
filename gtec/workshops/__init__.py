"""Co-creation workshops (issue 14): sessions, participants, contributions, votes, moderation, consensus, report.

Plain Python over the workspace object; pages live in ``pages/workshop_*.py``.
"""
