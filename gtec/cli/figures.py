"""``python -m gtec figures`` and ``python -m gtec territories``: the portrait's figures and the territory
list for scripts and checks, plus the build's coverage report. A thin shell over
:func:`gtec.territories.indicators.portrait` and :func:`gtec.territories.indicators.list_territories`.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from gtec.core.i18n import pick, t
from gtec.storage.reference import ReferenceConnection

FIGURE_FIELDS: tuple[str, ...] = (
    "territory_id",
    "indicator",
    "period",
    "value",
    "unit",
    "status",
    "flag",
    "note",
    "source",
    "vintage",
)


def figure_rows(
    conn: ReferenceConnection, territory_id: str, lang: str = "en", show_demo: bool = False
) -> list[dict[str, Any]]:
    """Every figure the portrait shows for ``territory_id`` (:data:`gtec.territories.indicators.
    PORTRAIT_INDICATORS`, its latest value per indicator), with unit, status, flag (``lower_bound`` /
    ``partial``), source id and vintage. ``period`` is the year, or the sub-annual period it stands for
    (``2025-T3``). Demonstration values only with ``show_demo``, as on screen; their status is
    ``illustrative`` and ``note`` says "demonstration value, not official"."""
    from gtec.territories import display, indicators

    table = indicators.portrait(conn, territory_id, indicators.PORTRAIT_INDICATORS, show_demo)
    if table.empty:
        return []
    cat = indicators.catalogue(conn)
    vintages = dict(conn.execute("SELECT id, vintage FROM sources").fetchall())
    rows = []
    for r in table.to_dict("records"):
        rows.append(
            {
                "territory_id": territory_id,
                "indicator": r["indicator_id"],
                "period": r["period"] if isinstance(r["period"], str) else str(r["year"]),
                "value": r["value"],
                "unit": pick(cat[r["indicator_id"]], "unit", lang),
                "status": r["status"],
                "flag": r["flag"] if isinstance(r["flag"], str) else None,
                "note": t("demo.mark", lang) if display.is_demo(r["status"]) else "",
                "source": r["source_id"],
                "vintage": vintages.get(r["source_id"]),
            }
        )
    return rows


def write_rows(rows: Sequence[dict[str, Any]], fmt: str, out: TextIO, fields: Sequence[str]) -> None:
    """Rows as CSV (header line, ``,``) or JSON (a list of objects; missing values are ``null``)."""
    if fmt == "json":
        json.dump(list(rows), out, ensure_ascii=False, indent=2)
        out.write("\n")
        return
    writer = csv.DictWriter(out, fieldnames=list(fields), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)


def cmd_figures(args: argparse.Namespace) -> int:
    from gtec.storage import reference
    from gtec.territories import indicators

    conn = reference.connect_reference()
    try:
        if indicators.get_territory(conn, args.territory_id) is None:
            print(t("cli.figures.unknown", "en", id=args.territory_id), file=sys.stderr)
            return 2
        rows = figure_rows(conn, args.territory_id, args.lang, args.demo)
    finally:
        conn.close()
    if not rows:
        print(t("cli.figures.none", "en", id=args.territory_id), file=sys.stderr)
    write_rows(rows, args.format, sys.stdout, FIGURE_FIELDS)
    return 0


def cmd_territories(args: argparse.Namespace) -> int:
    from gtec.storage import reference
    from gtec.territories import indicators

    conn = reference.connect_reference()
    try:
        levels = [r[0] for r in conn.execute("SELECT DISTINCT level FROM territories ORDER BY level")]
        if args.level and args.level not in levels:
            print(t("cli.territories.unknown_level", "en", level=args.level, levels=", ".join(levels)), file=sys.stderr)
            return 2
        df = indicators.list_territories(conn, [args.level] if args.level else None)
    finally:
        conn.close()
    rows = [{"id": r["id"], "code": r["code"], "name": r["name"], "level": r["level"]} for r in df.to_dict("records")]
    write_rows(rows, args.format, sys.stdout, ("id", "code", "name", "level"))
    return 0


def print_coverage(coverage: Iterable[Any], out: TextIO = sys.stdout, lang: str = "en") -> None:
    """The coverage report of the official sources: one line per file, then its unmatched codes and note."""
    items = list(coverage)
    if not items:
        return
    print(t("build.coverage.title", lang), file=out)
    for c in items:
        line = t(
            "build.coverage.row",
            lang,
            path=c.path,
            rows=f"{c.rows_read:,}",
            matched=f"{c.territories_matched:,}",
            level=c.level,
            secret=f"{c.secret_cells:,}",
            unmatched=len(c.codes_unmatched),
        )
        print(f"  {line}", file=out)
        if c.codes_unmatched:
            print(f"    {t('build.coverage.unmatched', lang, codes=' '.join(c.codes_unmatched))}", file=out)
        if c.note:
            print(f"    {t('build.coverage.note', lang, note=c.note)}", file=out)


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register ``figures`` and ``territories`` on the main parser."""
    p = sub.add_parser("figures", help="print every figure of a territory's portrait (csv or json)")
    p.add_argument("territory_id", help="e.g. FR-BASIN-VANNES, FR-DEP-56, FR-ZE-5318, FR-BMO-5310")
    p.add_argument("--format", choices=("csv", "json"), default="csv")
    p.add_argument("--lang", choices=("fr", "en"), default="en", help="language of the units")
    p.add_argument("--demo", action="store_true", help="also print demonstration (generated, non-official) values")
    p.set_defaults(func=cmd_figures)
    p = sub.add_parser("territories", help="list territory ids and names (optionally of one level)")
    p.add_argument("--level", default=None, help="e.g. epci, zone_emploi, bmo_bassin, departement")
    p.add_argument("--format", choices=("csv", "json"), default="csv")
    p.set_defaults(func=cmd_territories)
