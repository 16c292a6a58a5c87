"""The roadmap of actions (issue 16): actions and where they came from (:mod:`.actions`, :mod:`.origins`), one CSV
format for import and export (:mod:`.csvio`), the timeline chart (:mod:`.timeline`) and the printable FR/EN
roadmap (:mod:`.printable`). Plain Python; every write goes through ``Workspace.write`` (``roadmap.*``).
"""
