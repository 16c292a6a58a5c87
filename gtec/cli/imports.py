"""``python -m gtec import ...``: the yearly update of an observatory's own data, scripted. A thin shell over
:mod:`gtec.imports` (the same functions and the same ``imports.error.*`` messages as the import page).

- ``import FILE [--profile NAME | --mapping JSON|FILE|key=value,...] [--name NAME] [--dry-run] [--lang fr|en]``
  prints the validation report, then (without ``--dry-run``) imports the file as the next version of the dataset
  and prints what changed against the previous version;
- ``import datasets``, ``import versions NAME``, ``import rollback NAME [VERSION]``,
  ``import delete NAME --confirm NAME``, ``import export NAME [--out FILE]`` (formula-safe CSV with metadata);
- ``import boundaries FILE --code-col C [--name-col N] --name LAYER [--dry-run]``, ``import layers``; ``versions``,
  ``rollback`` and ``delete`` take ``--layer`` for a boundary layer;
- ``import backup OUT`` and ``import restore FILE``: the workspace commands of :mod:`gtec.cli.workspace`.

Exit codes: 0 done, 1 the file cannot be imported (the report has blocking problems), 2 any other refusal
(unreadable file, unknown dataset, wrong confirmation...), with the message on stderr. The actor is the shell
user as an admin (:func:`gtec.access.accounts.cli_actor`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from gtec.core import fmt
from gtec.core.errors import UserError
from gtec.core.i18n import t
from gtec.imports.validate import PROBLEM_KEYS

LISTED = 20  # problems and changes printed; the page shows every one
VERBS = ("datasets", "versions", "rollback", "delete", "export", "boundaries", "layers", "backup", "restore")


def _out(line: str = "") -> None:
    print(line)


def _n(value: float | None, lang: str, decimals: int = 0) -> str:
    return fmt.number(value, lang, decimals)


def _value(value: float | None, lang: str) -> str:
    if fmt.is_missing(value):
        return "–"
    v = float(value)  # type: ignore[arg-type]
    return fmt.number(v, lang, 0 if v.is_integer() else 2)


def print_problems(counts: dict[str, int], problems: list[dict[str, Any]], blocking: dict[str, bool], lang: str):
    """One line per problem kind (count, blocking or not), then the first :data:`LISTED` problems."""
    for kind, count in sorted(counts.items()):
        mark = t("imports.cli.blocking" if blocking.get(kind) else "imports.cli.warning", lang)
        _out(
            "  " + t("imports.cli.count_row", lang, label=t(PROBLEM_KEYS[kind], lang), count=_n(count, lang), mark=mark)
        )
    for p in problems[:LISTED]:
        where = t("imports.cli.where_feature", lang, feature=p["feature"]) if "feature" in p else ""
        if p.get("line") is not None:
            where = t("imports.cli.where_line", lang, line=p["line"], column=p.get("column") or "–")
        detail = " ".join(str(x) for x in (p.get("value") or p.get("code") or "", p.get("detail") or "") if x)
        _out(f"    - {t(PROBLEM_KEYS[p['kind']], lang)} · {where} {detail}".replace("·  ", "· ").rstrip(" ·"))
    total = sum(counts.values())
    if total > min(len(problems), LISTED):
        _out(f"    {t('imports.cli.more', lang, count=_n(total - min(len(problems), LISTED), lang))}")


def print_report(report: Any, mapping: Any, lang: str) -> None:
    """The validation report of an indicator file (:class:`gtec.imports.validate.Report`)."""
    from gtec.imports.validate import BLOCKING

    _out(t("imports.cli.report_title", lang, source=report.source, sha=report.sha256[:16]))
    if report.profile:
        _out(t("imports.cli.report_profile", lang, profile=report.profile))
    elif mapping is not None:
        desc = ", ".join(f"{k}={v}" for k, v in mapping.as_dict().items() if v not in ("", None, False))
        _out(t("imports.cli.report_mapping", lang, mapping=desc))
    share = fmt.percent(_n(report.coverage * 100, lang, 1), lang)
    _out(
        t(
            "imports.cli.report_read",
            lang,
            rows=_n(report.rows, lang),
            values=_n(report.values, lang),
            level=report.level,
            matched=_n(report.matched, lang),
            total=_n(report.territories_in_level, lang),
            share=share,
        )
    )
    periods = report.periods if len(report.periods) <= 8 else [*report.periods[:3], "…", *report.periods[-3:]]
    _out(t("imports.cli.report_indicators", lang, indicators=", ".join(report.indicators), periods=", ".join(periods)))
    print_problems(report.counts, report.problems, BLOCKING, lang)
    _out(t("imports.cli.report_ok" if report.ok else "imports.cli.report_blocked", lang))


def print_diff(ws: Any, dataset: int, version: int, lang: str) -> None:
    """What the new version changed against the previous one (counts, then the largest changes)."""
    from gtec.imports import store

    if version <= 1:
        _out(t("imports.cli.diff_first", lang))
        return
    change = store.diff(ws, dataset, version)
    added = int(change["old"].isna().sum())
    removed = int(change["new"].isna().sum())
    _out(
        t(
            "imports.cli.diff_title",
            lang,
            old=version - 1,
            changed=_n(len(change) - added - removed, lang),
            added=_n(added, lang),
            removed=_n(removed, lang),
        )
    )
    top = change.assign(size=change["change"].abs()).sort_values("size", ascending=False, na_position="last")
    for r in top.head(LISTED).itertuples(index=False):
        _out(
            "  "
            + t(
                "imports.cli.diff_row",
                lang,
                territory=r.territory_id,
                indicator=r.indicator,
                period=r.period,
                old=_value(r.old, lang),
                new=_value(r.new, lang),
                change=_value(r.change, lang),
            )
        )


def default_name(report: Any, mapping: Any) -> str:
    """The dataset a file goes to without ``--name``: its profile (and level, for a profile read at several
    levels), so that next year's file becomes the next version of the same dataset; else the mapping's
    indicator."""
    from gtec.imports.profiles import IMPORTABLE

    if report.profile:
        several = len(IMPORTABLE.get(report.profile, ())) > 1
        return f"{report.profile}_{report.level}" if several else report.profile
    return mapping.indicator if mapping is not None else ""


def _import_file(args: argparse.Namespace, lang: str) -> int:
    from gtec.access import accounts
    from gtec.cli.common import open_workspace
    from gtec.imports.limits import limits_from_env
    from gtec.imports.mapping import load_mapping
    from gtec.imports.service import check_file, import_prepared, load_context
    from gtec.imports.store import dataset_id
    from gtec.storage import reference

    if args.profile and args.mapping:
        raise UserError("imports.error.profile_or_mapping")
    path = Path(args.file)
    if not path.is_file():
        raise UserError("imports.error.no_file", name=path.name[:80])
    mapping = load_mapping(args.mapping) if args.mapping else None
    conn = reference.connect_reference()
    try:
        ctx = load_context(conn)
        prepared = check_file(
            ctx,
            path,
            limits_from_env(),
            file_name=path.name,
            profile=args.profile,
            mapping=mapping,
            encoding=args.encoding,
        )
        print_report(prepared.report, prepared.mapping, lang)
        if not prepared.report.ok:
            return 1
        if args.dry_run:
            _out(t("imports.cli.dry_run", lang))
            return 0
        name = args.name or default_name(prepared.report, mapping)
        ws = open_workspace()
        if ws is None:
            return 2
        result = import_prepared(ws, accounts.cli_actor(), ctx, prepared, name)
    finally:
        conn.close()
    _out(t("imports.cli.imported", lang, name=name, version=result["version"], values=_n(result["values"], lang)))
    print_diff(ws, dataset_id(ws, name), result["version"], lang)
    return 0


def _boundaries(args: argparse.Namespace, lang: str) -> int:
    from gtec.access import accounts
    from gtec.cli.common import open_workspace
    from gtec.imports import boundaries, layers
    from gtec.imports.limits import limits_from_env

    path = Path(args.file)
    if not path.is_file():
        raise UserError("imports.error.no_file", name=path.name[:80])
    mapping = boundaries.BoundaryMapping(args.code_col, args.name_col or "", args.layer_name or "")
    prepared = boundaries.prepare_layer(path, mapping, limits_from_env(), file_name=path.name)
    r = prepared.report
    _out(t("imports.cli.report_title", lang, source=r.source, sha=r.sha256[:16]))
    _out(
        t(
            "imports.cli.layer_read",
            lang,
            layer=r.layer,
            driver=r.driver,
            features=_n(r.features, lang),
            crs=r.source_crs or t("imports.cli.no_crs", lang),
            vertices_in=_n(r.vertices_in, lang),
            vertices_out=_n(r.vertices_out, lang),
        )
    )
    print_problems(r.counts, r.problems, boundaries.BLOCKING, lang)
    _out(t("imports.cli.report_ok" if r.ok else "imports.cli.report_blocked", lang))
    if not r.ok:
        return 1
    if args.dry_run:
        _out(t("imports.cli.dry_run", lang))
        return 0
    ws = open_workspace()
    if ws is None:
        return 2
    result = layers.commit_layer(ws, accounts.cli_actor(), prepared, args.name)
    _out(
        t(
            "imports.cli.layer_imported",
            lang,
            name=args.name,
            id=result["layer_id"],
            version=result["version"],
            features=_n(result["features"], lang),
        )
    )
    if result["version"] > 1:
        ch = layers.layer_changes(ws, result["layer_id"], result["version"])["change"].value_counts()
        _out(
            t(
                "imports.cli.layer_changes",
                lang,
                old=result["version"] - 1,
                added=int(ch.get("added", 0)),
                removed=int(ch.get("removed", 0)),
                renamed=int(ch.get("renamed", 0)),
                geometry=int(ch.get("geometry", 0)),
            )
        )
    return 0


def _manage(args: argparse.Namespace, lang: str) -> int:
    """``datasets``, ``layers``, ``versions``, ``rollback``, ``delete``, ``export``."""
    from gtec.access import accounts
    from gtec.cli.common import open_workspace
    from gtec.imports import layers, store
    from gtec.imports.export import export_csv

    ws = open_workspace()
    if ws is None:
        return 2
    actor = accounts.cli_actor()
    verb = args.verb
    if verb == "datasets":
        rows = store.datasets(ws)
        for d in rows:
            _out(
                t(
                    "imports.cli.dataset_row",
                    lang,
                    name=d["name"],
                    version=d["current_version"],
                    versions=d["versions"],
                    level=d["level"],
                    values=_n(d["n_values"], lang),
                    territories=_n(d["territories"], lang),
                    at=d["imported_at"],
                    by=d["created_by"],
                )
            )
        if not rows:
            _out(t("imports.cli.datasets_none", lang))
        return 0
    if verb == "layers":
        found = layers.list_layers(ws)
        for d in found:
            _out(
                t(
                    "imports.cli.layer_row",
                    lang,
                    id=d["id"],
                    name=d["name"],
                    version=d["current_version"],
                    versions=d["versions"],
                    features=_n(d["features"], lang),
                    file=d["file_name"],
                )
            )
        if not found:
            _out(t("imports.cli.layers_none", lang))
        return 0
    if getattr(args, "layer", False):
        lid = layers.layer_id(ws, args.name)
        if verb == "versions":
            for v in layers.layer_versions(ws, lid):
                _version_line(v, lang, rows=v["features"])
        elif verb == "rollback":
            number = layers.rollback_layer(ws, actor, lid, args.version)
            _out(t("imports.cli.rolled_back", lang, name=args.name, version=number))
        elif verb == "delete":
            layers.delete_layer(ws, actor, lid, args.confirm)
            _out(t("imports.cli.deleted", lang, name=args.name))
        return 0
    ds = store.dataset_id(ws, args.name)
    if verb == "versions":
        for v in store.versions(ws, ds):
            _version_line(v, lang, rows=v["rows"])
    elif verb == "rollback":
        number = store.rollback(ws, actor, ds, args.version)
        _out(t("imports.cli.rolled_back", lang, name=args.name, version=number))
    elif verb == "delete":
        store.delete(ws, actor, ds, args.confirm)
        _out(t("imports.cli.deleted", lang, name=args.name))
    elif verb == "export":
        data = export_csv(ws, ds)
        if args.out:
            Path(args.out).write_bytes(data)
            _out(t("imports.cli.exported", lang, path=args.out, rows=_n(data.count(b"\r\n") - 1, lang)))
        else:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
    return 0


def _version_line(v: dict[str, Any], lang: str, rows: int) -> None:
    current = t("imports.cli.current", lang) if v["current"] else ""
    _out(
        t(
            "imports.cli.version_row",
            lang,
            number=v["number"],
            current=current,
            at=v["imported_at"],
            by=v["imported_by"],
            file=v["file_name"],
            rows=_n(rows, lang),
            sha=v["sha256"][:16],
        )
    )


def make_parser(verb: str | None) -> argparse.ArgumentParser:
    """The parser of ``import <verb>`` (``None``: importing a file)."""
    p = argparse.ArgumentParser(prog=f"python -m gtec import{' ' + verb if verb else ''}")
    p.add_argument("--lang", choices=("fr", "en"), default="fr", help="language of the messages (default fr)")
    if verb is None:
        p.add_argument("file", help="CSV, xlsx or xls file")
        p.add_argument("--profile", default=None, help="force an official profile (default: recognised)")
        p.add_argument("--mapping", default=None, help="JSON object, a file holding one, or key=value,...")
        p.add_argument("--name", default="", help="dataset name (default: the profile or the indicator)")
        p.add_argument("--encoding", default=None, help="declared encoding (default: detected)")
        p.add_argument("--dry-run", action="store_true", help="print the validation report only")
    elif verb == "boundaries":
        p.add_argument("file", help="GeoJSON, GeoPackage or zipped Shapefile")
        p.add_argument("--code-col", required=True, help="field holding each feature's code")
        p.add_argument("--name-col", default="", help="field holding each feature's name")
        p.add_argument("--name", required=True, help="layer name")
        p.add_argument("--layer-name", default="", help="layer of a GeoPackage holding several")
        p.add_argument("--dry-run", action="store_true", help="print the validation report only")
    elif verb in ("versions", "rollback", "delete", "export"):
        p.add_argument("name", help="dataset (or layer) name")
        if verb != "export":
            p.add_argument("--layer", action="store_true", help="a boundary layer, not a dataset")
        if verb == "rollback":
            p.add_argument("version", nargs="?", type=int, default=None, help="version (default: the previous)")
        if verb == "delete":
            p.add_argument("--confirm", required=True, help="the name again")
        if verb == "export":
            p.add_argument("--out", default="", help="CSV file to write (default: stdout)")
    elif verb in ("backup", "restore"):
        p.add_argument("file")
    return p


def cmd_import(args: argparse.Namespace) -> int:
    rest: list[str] = list(args.rest)
    if getattr(args, "import_help", False) or not rest:
        print(__doc__)
        return 0 if rest or getattr(args, "import_help", False) else 2
    verb = rest[0] if rest[0] in VERBS else None
    parsed = make_parser(verb).parse_args(rest[1:] if verb else rest)
    parsed.verb = verb
    lang = parsed.lang
    if verb in ("backup", "restore"):
        from gtec.cli import workspace

        return workspace.cmd_workspace(argparse.Namespace(workspace_command=verb, file=parsed.file))
    try:
        if verb is None:
            return _import_file(parsed, lang)
        if verb == "boundaries":
            return _boundaries(parsed, lang)
        return _manage(parsed, lang)
    except UserError as error:
        print(t("imports.cli.error", lang, message=t(error.key, lang, **error.values)), file=sys.stderr)
        return 2


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register ``import`` on the main parser (its own parsers read the rest: ``import FILE`` or ``import VERB``)."""
    p = sub.add_parser(
        "import",
        help="import a statistics file or a boundary layer; list, roll back, delete, export (python -m gtec import -h)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        add_help=False,
    )
    # the file or the verb comes first; what follows it is read by the parsers of make_parser
    p.add_argument("-h", "--help", action="store_true", dest="import_help", help="show the import commands")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_import)


def main(argv: Sequence[str]) -> int:
    """``import`` alone (tests): ``main(["FILE", "--dry-run"])``."""
    return cmd_import(argparse.Namespace(rest=list(argv)))
