"""What the CLI commands share: opening the workspace with a plain message instead of a traceback."""

from __future__ import annotations

import sys

from gtec.core import config
from gtec.core.i18n import t
from gtec.storage.workspace import Workspace, WorkspaceError


def open_workspace(*, create: bool = True) -> Workspace | None:
    """The workspace (migrated), or None after printing why it cannot be used and how to recover."""
    try:
        return Workspace.open(config.workspace_target(), create=create)
    except WorkspaceError as error:
        print(f"error: {t(error.key, 'en')} ({error.detail})", file=sys.stderr)
        print(
            "Recovery: `python -m gtec workspace restore BACKUP` restores a backup; `python -m gtec workspace reset`"
            " sets the damaged file aside (never deletes it) and starts a new empty workspace.",
            file=sys.stderr,
        )
        return None
