"""Command line: ``python -m gtec <command>``. A thin shell over library functions."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Sequence

from gtec.build import pipeline
from gtec.core import config
from gtec.core.i18n import t
from gtec.storage import reference, workspace

COUNT_LABELS = {
    "departements": "départements",
    "regions": "régions",
    "epci": "EPCI",
    "communes": "communes",
    "basins": "basins",
    "be_provinces": "BE provinces",
    "uk_regions": "UK regions (ITL1)",
}


def _progress_printer(stream=sys.stderr):
    def progress(step: str, fraction: float) -> None:
        width = 30
        filled = round(fraction * width)
        stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {fraction * 100:5.1f}%  {t(step, 'en'):<60}")
        stream.flush()
        if fraction >= 1.0:
            stream.write("\n")

    return progress


def cmd_build(args: argparse.Namespace) -> int:
    status = reference.check_reference()
    if args.if_missing and status.ok:
        print(f"Reference store ready: {status.path} (use `python -m gtec build` to rebuild)")
        return 0
    if not status.ok and status.code != "missing":
        print(f"Reference store {status.code} ({status.detail}): rebuilding {status.path}")
    report = pipeline.build_reference(progress=_progress_printer())
    print(f"Built {report.path} in {report.seconds:.1f} s")
    for key, label in COUNT_LABELS.items():
        if key in report.counts:
            print(f"  {label:<20} {report.counts[key]:>7,}")
    for key, value in report.counts.items():
        if key not in COUNT_LABELS:
            print(f"  {key:<20} {value:>7,}")
    applied = workspace.migrate()
    print(
        f"Workspace {config.workspace_path()} at schema v{workspace.schema_version()}"
        + (f" (applied {applied})" if applied else "")
    )
    return 0


def cmd_check(_args: argparse.Namespace) -> int:
    status = reference.check_reference()
    print(f"{status.path}: {status.code} {status.detail}".strip())
    return 0 if status.ok else 1


def _new_password(args: argparse.Namespace) -> str:
    """The new password: one line of stdin with --password-stdin (scripts), else typed twice, never echoed."""
    from gtec.access import accounts

    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password (again): ") != first:
        raise accounts.AccountError("password_mismatch")
    return first


def cmd_user(args: argparse.Namespace) -> int:
    """``user add|list|role|disable|enable|passwd|unlock``: accounts, audited as the shell user (cli:<name>)."""
    from gtec.access import accounts

    actor = accounts.cli_actor()
    try:
        if args.user_command == "list":
            for a in accounts.list_accounts():
                state = "disabled" if a.disabled else "active"
                print(f"{a.username:<24} {a.role:<12} {state:<9} {a.last_login_at or '-':<26} {a.display_name}")
            if accounts.count_admins() == 0:
                print("No active admin: python -m gtec user add NAME --role admin", file=sys.stderr)
        elif args.user_command == "add":
            account = accounts.create_account(
                actor, args.name, _new_password(args), args.role, args.display_name or "", path=None
            )
            print(f"Created {account.role} account {account.username!r}")
        elif args.user_command == "role":
            accounts.set_role(actor, args.name, args.role)
            print(f"{args.name}: role is now {args.role}")
        elif args.user_command in ("disable", "enable"):
            accounts.set_disabled(actor, args.name, args.user_command == "disable")
            print(f"{args.name}: {args.user_command}d")
        elif args.user_command == "passwd":
            if accounts.get_account(args.name) is None:
                raise accounts.AccountError("unknown_user")
            accounts.set_password(actor, args.name, _new_password(args))
            print(f"{args.name}: password changed")
        elif args.user_command == "unlock":
            accounts.reset_attempts(actor, args.name)
            print(f"{args.name}: failed sign-in attempts cleared")
    except accounts.AccountError as error:
        print(f"error: {t(f'auth.error.{error.code}', 'en', **error.fmt)}", file=sys.stderr)
        return 2
    return 0


def _add_user_commands(sub: argparse._SubParsersAction) -> None:
    from gtec.access import accounts

    user = sub.add_parser("user", help="manage facilitator and admin accounts (audited as cli:<shell user>)")
    user.set_defaults(func=cmd_user)
    users = user.add_subparsers(dest="user_command", required=True)
    users.add_parser("list", help="list accounts")
    p = users.add_parser("add", help="create an account; prompts for the password (or --password-stdin)")
    p.add_argument("name", help="username: 2-64 of a-z 0-9 . _ @ -")
    p.add_argument("--role", choices=accounts.ACCOUNT_ROLES, required=True)
    p.add_argument("--display-name", default="", help="name shown in the audit log (default: the username)")
    p.add_argument("--password-stdin", action="store_true", help="read the password from one line of stdin")
    p = users.add_parser("role", help="change an account's role")
    p.add_argument("name")
    p.add_argument("role", choices=accounts.ACCOUNT_ROLES)
    for verb in ("disable", "enable", "unlock"):
        p = users.add_parser(verb, help=f"{verb} an account" if verb != "unlock" else "clear failed sign-ins")
        p.add_argument("name")
    p = users.add_parser("passwd", help="set a new password; prompts (or --password-stdin)")
    p.add_argument("name")
    p.add_argument("--password-stdin", action="store_true", help="read the password from one line of stdin")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m gtec", description="GTEC Observatory command line")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("build", help="(re)build the reference store atomically and print the counts")
    p.add_argument("--if-missing", action="store_true", help="do nothing when a usable store exists")
    p.set_defaults(func=cmd_build)
    p = sub.add_parser("check", help="tell whether the reference store is usable")
    p.set_defaults(func=cmd_check)
    _add_user_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    return int(args.func(args))
