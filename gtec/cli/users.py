"""``python -m gtec user ...``: facilitator and admin accounts, audited as the shell user (``cli:<name>``)."""

from __future__ import annotations

import argparse
import getpass
import sys

from gtec.access import accounts
from gtec.cli.common import open_workspace
from gtec.core.errors import UserError
from gtec.core.i18n import t


def _new_password(args: argparse.Namespace) -> str:
    """The new password: one line of stdin with --password-stdin (scripts), else typed twice, never echoed."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password (again): ") != first:
        raise UserError("auth.error.password_mismatch")
    return first


def cmd_user(args: argparse.Namespace) -> int:
    """``user add|list|role|disable|enable|passwd|unlock``."""
    actor = accounts.cli_actor()
    ws = open_workspace()
    if ws is None:
        return 2
    try:
        if args.user_command == "list":
            for a in accounts.list_accounts(ws, actor):
                state = "disabled" if a.disabled else "active"
                print(f"{a.username:<24} {a.role:<12} {state:<9} {a.last_login_at or '-':<26} {a.display_name}")
            if not accounts.has_admin(ws):
                print("No active admin: python -m gtec user add NAME --role admin", file=sys.stderr)
        elif args.user_command == "add":
            account = accounts.create_account(ws, actor, args.name, _new_password(args), args.role, args.display_name)
            print(f"Created {account.role} account {account.username!r}")
        elif args.user_command == "role":
            accounts.set_role(ws, actor, args.name, args.role)
            print(f"{args.name}: role is now {args.role}")
        elif args.user_command in ("disable", "enable"):
            accounts.set_disabled(ws, actor, args.name, args.user_command == "disable")
            print(f"{args.name}: {args.user_command}d")
        elif args.user_command == "passwd":
            if accounts.get_account(ws, actor, args.name) is None:
                raise UserError("auth.error.unknown_user")
            accounts.set_password(ws, actor, args.name, _new_password(args))
            print(f"{args.name}: password changed")
        elif args.user_command == "unlock":
            accounts.reset_attempts(ws, actor, args.name)
            print(f"{args.name}: failed sign-in attempts cleared (every client)")
    except UserError as error:
        print(f"error: {t(error.key, 'en', **error.values)}", file=sys.stderr)
        return 2
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
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
