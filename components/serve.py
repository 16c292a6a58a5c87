"""``python -m components.serve [streamlit options]``: ``streamlit run app.py`` without the legacy pages/ mode.

Streamlit treats an app with a ``pages/`` folder as a legacy multipage app until ``st.navigation`` has run
once in the process: a direct link opened first after a restart then shows a "Page not found" dialog (or runs
a page file without app.py, which ``components.shell.page_guard`` catches). Starting the server through this
module turns that mode off before the first session, so every run goes through app.py. ``make run`` uses it.
"""

from __future__ import annotations

import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli

    PagesManager.uses_pages_directory = False  # read once, at the first session: app.py always uses st.navigation
    from components.guards import protect_server_caches

    protect_server_caches()  # before the first client connects
    app = str(Path(__file__).resolve().parents[1] / "app.py")
    args = ["run", app, *(sys.argv[1:] if argv is None else argv)]
    return cli.main.main(args=args, prog_name="streamlit", standalone_mode=False) or 0


if __name__ == "__main__":
    sys.exit(main())
