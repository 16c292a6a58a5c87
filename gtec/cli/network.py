"""``python -m gtec network ...``: the partner network from a shell (audited as ``cli:<user>``, an admin).

``reciprocity`` prints each partner's meetings of the last 12 months and the network's share at two or more;
``duplicates`` lists likely duplicates; ``merge KEEP GONE`` merges; ``export-contact ID`` prints everything held on
a person (JSON, or CSV with ``--csv``); ``erase-contact ID`` erases them (a second time gives a plain message).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date

from gtec.access import accounts
from gtec.cli.common import open_workspace
from gtec.core.errors import UserError
from gtec.core.i18n import t
from gtec.network import contacts, organisations, reciprocity


def cmd_network(args: argparse.Namespace) -> int:
    actor = accounts.cli_actor()
    ws = open_workspace()
    if ws is None:
        return 2
    try:
        if args.network_command == "reciprocity":
            today = date.fromisoformat(args.today) if args.today else None
            result = reciprocity.compute(ws, today)
            for p in result.partners:
                flag = "UNDER" if p.below else "ok"
                print(f"{p.id:>6}  {p.meetings:>3}  {flag:<5}  {p.name}")
            share = "-" if result.share is None else f"{result.share:.1%}"
            print(
                f"{result.n_at_threshold}/{result.n_partners} partners met {reciprocity.THRESHOLD}+ times "
                f"between {result.window_start} (excluded) and {result.window_end}: {share}"
            )
        elif args.network_command == "duplicates":
            names = {o["id"]: o["name"] for o in organisations.list_organisations(ws)}
            for d in organisations.find_duplicates(ws):
                print(
                    f"{d.first_id:>6} {d.second_id:>6}  {d.reason:<5} {d.score:.2f}  {names[d.first_id]} | "
                    f"{names[d.second_id]}"
                )
        elif args.network_command == "merge":
            moved = organisations.merge(ws, actor, args.keep, args.gone)
            print(f"merged {args.gone} into {args.keep}: " + ", ".join(f"{k} {v}" for k, v in moved.items()))
        elif args.network_command == "export-contact":
            payload = contacts.export_person(ws, actor, args.id)
            data = contacts.export_csv(payload) if args.csv else contacts.export_json(payload)
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        elif args.network_command == "erase-contact":
            done = contacts.erase(ws, actor, args.id)
            print(
                f"contact {args.id} erased: {done['interactions']} interaction(s) anonymised, {done['texts']} text(s)"
            )
    except (UserError, ValueError) as error:
        key = getattr(error, "key", "network.error.date")
        print(f"error: {t(key, 'en', **getattr(error, 'values', {}))}", file=sys.stderr)
        return 2
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("network", help="partner network: reciprocity, duplicates, merge, a person's export/erasure")
    net = p.add_subparsers(dest="network_command", required=True)
    r = net.add_parser("reciprocity", help="meetings per partner in the last 12 months, and the share at two or more")
    r.add_argument("--today", help="end of the window, YYYY-MM-DD (default: today)")
    net.add_parser("duplicates", help="likely duplicate organisations (same SIREN, or close names in a territory)")
    m = net.add_parser("merge", help="merge organisation GONE into KEEP (GONE stays as an alias)")
    m.add_argument("keep", type=int)
    m.add_argument("gone", type=int)
    e = net.add_parser("export-contact", help="everything held on a person, as JSON (or CSV)")
    e.add_argument("id", type=int)
    e.add_argument("--csv", action="store_true")
    x = net.add_parser("erase-contact", help="erase a person's data everywhere (interactions keep an anonymous count)")
    x.add_argument("id", type=int)
    p.set_defaults(func=cmd_network)
