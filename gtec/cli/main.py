"""Command line: ``python -m gtec <command>``. A thin shell over library functions."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from gtec.build import pipeline
from gtec.cli import figures, imports, network, users, workspace
from gtec.cli.common import open_workspace
from gtec.core import config
from gtec.core.i18n import t
from gtec.storage import reference

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
    from gtec.build.official import SourceFileError

    try:
        report = pipeline.build_reference(progress=_progress_printer(), wait_s=args.wait)
    except pipeline.BuildBusy as error:
        print(f"error: {t(error.key, 'en', **error.values)}", file=sys.stderr)
        return 3
    except SourceFileError as error:
        print(f"\nerror: {t('build.error.source', 'en', detail=str(error))}", file=sys.stderr)
        return 2
    print(f"Built {report.path} in {report.seconds:.1f} s")
    figures.print_coverage(report.coverage)
    for key, label in COUNT_LABELS.items():
        if key in report.counts:
            print(f"  {label:<20} {report.counts[key]:>7,}")
    for key, value in report.counts.items():
        if key not in COUNT_LABELS:
            print(f"  {key:<20} {value:>7,}")
    ws = open_workspace()
    if ws is None:
        return 1
    print(f"Workspace {config.workspace_path().name} at schema v{ws.schema_version()}")
    return 0


def cmd_check(_args: argparse.Namespace) -> int:
    status = reference.check_reference()
    print(f"{status.path}: {status.code} {status.detail}".strip())
    return 0 if status.ok else 1


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m gtec", description="GTEC Observatory command line")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("build", help="(re)build the reference store atomically and print the counts")
    p.add_argument("--if-missing", action="store_true", help="do nothing when a usable store exists")
    p.add_argument("--wait", type=float, default=0.0, help="seconds to wait for another running build (default 0)")
    p.set_defaults(func=cmd_build)
    p = sub.add_parser("check", help="tell whether the reference store is usable")
    p.set_defaults(func=cmd_check)
    users.add_commands(sub)
    workspace.add_commands(sub)
    figures.add_commands(sub)
    imports.add_commands(sub)
    network.add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    return int(args.func(args))
