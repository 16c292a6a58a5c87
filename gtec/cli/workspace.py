"""``python -m gtec workspace check|backup|restore|reset``: the workspace's health and its recovery."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gtec.cli.common import open_workspace
from gtec.core import config
from gtec.storage.workspace import Workspace, WorkspaceError


def cmd_workspace(args: argparse.Namespace) -> int:
    path = config.workspace_path()
    store = config.workspace_target()  # a postgresql:// URL (GTEC_WORKSPACE_URL) or the file
    if args.workspace_command == "check":
        ws = open_workspace(create=False)
        if ws is None:
            return 1
        print(f"{path.name if store == path else ws.dialect}: ok, schema v{ws.schema_version()}")
        return 0
    if args.workspace_command == "backup":
        ws = open_workspace(create=False)
        if ws is None:
            return 1
        target = ws.backup(Path(args.file))
        print(f"Backed up to {target}")
        return 0
    if args.workspace_command == "restore":
        return _restore(store, Path(args.file))
    if args.workspace_command == "reset":
        if store != path:
            print(
                "reset sets a damaged SQLite file aside; a PostgreSQL workspace is recovered with restore",
                file=sys.stderr,
            )
            return 2
        if not args.yes:
            print("This sets the current workspace aside and starts an empty one. Re-run with --yes.", file=sys.stderr)
            return 2
        aside = Workspace(path).set_aside()
        Workspace.open(path)
        print(f"Started a new workspace{f'; the previous file is kept as {aside}' if aside else ''}")
        return 0
    return 2


def _restore(path: Path | str, backup: Path) -> int:
    """Check the backup as a workspace first; only then set the current file aside and copy the backup in."""
    try:
        aside = Workspace(path).restore_from(backup)
    except WorkspaceError as exc:
        print(f"error: {backup} is not a usable workspace backup ({exc.code}); nothing was changed", file=sys.stderr)
        return 2
    print(f"Restored {backup}{f'; the previous file is kept as {aside}' if aside else ''}")
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("workspace", help="check, back up, restore or reset the workspace (what people create)")
    p.set_defaults(func=cmd_workspace)
    cmds = p.add_subparsers(dest="workspace_command", required=True)
    cmds.add_parser("check", help="tell whether the workspace is usable")
    b = cmds.add_parser("backup", help="copy the workspace to FILE (consistent, safe while the app runs)")
    b.add_argument("file")
    r = cmds.add_parser("restore", help="replace the workspace by a checked backup (the current file is kept aside)")
    r.add_argument("file")
    z = cmds.add_parser("reset", help="set a damaged workspace aside (never deleted) and start an empty one")
    z.add_argument("--yes", action="store_true", help="confirm")
