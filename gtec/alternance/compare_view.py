"""What the apprenticeship / KTP page shows of the side-by-side comparison (screens review A1, A2, A3, A7, A12).

- :func:`localised_sources`: the page's sources in the reader's language. The catalogue
  (``data/manifest*.toml``) has one publisher, vintage and licence per source, often in English; the
  alternance area keeps both languages of those texts, and a public note without curators' marks, in
  ``data/wbl_source_text.csv`` (table ``wbl_source_text``), read here and laid over the catalogue.
- :func:`headline`: the headline comparison of the first screen (figure cards, built by the page's component).
- :func:`table_html`: the detailed table under it (page font, sources at 14 px or more, one line for a system
  with no sourced figure at all instead of an empty column, one block per indicator on a phone).
- :func:`csv_frame`: the comparison for download, headers in the page's language.
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from gtec.alternance.comparison import COMPARED_SYSTEMS, Bundle, fmt_range
from gtec.alternance.costsplit import CostSplit
from gtec.build import curated
from gtec.core.fmt import number, percent
from gtec.core.i18n import choose, pick, t
from gtec.core.provenance import Source, public_text
from gtec.storage.reference import ReferenceConnection

SOURCE_TEXT_TABLE = "wbl_source_text"
_LOCALISED = ("publisher", "vintage", "licence")


def load_source_text(conn: ReferenceConnection) -> dict[str, dict[str, Any]]:
    """Rows of ``wbl_source_text`` by source id; empty for a store built before the table existed."""
    found = conn.execute("SELECT name FROM sqlite_master WHERE type='table' AND name=?", (SOURCE_TEXT_TABLE,))
    if found.fetchone() is None:
        return {}
    cur = conn.execute(f'SELECT * FROM "{SOURCE_TEXT_TABLE}"')
    cols = [c[0] for c in cur.description]
    return {r["source_id"]: r for r in (dict(zip(cols, row, strict=True)) for row in cur.fetchall())}


def load_source_text_curated(curated_dir: Path | None = None) -> dict[str, dict[str, Any]]:
    """The same rows read straight from ``data/`` through the manifest (tests, command line)."""
    manifest = curated.load_manifest(curated_dir)
    sources = {s["id"]: Source(**s) for s in manifest["sources"]}
    for ds in manifest["datasets"]:
        if ds["table"] == SOURCE_TEXT_TABLE:
            rows = [r[1] if isinstance(r, tuple) else r for r in curated.read_dataset(ds, manifest["dir"], sources)]
            return {r["source_id"]: r for r in rows}
    return {}


def localise(source: Source, texts: Mapping[str, Any] | None, lang: str) -> Source:
    """``source`` with its title, publisher, vintage, licence and note in ``lang`` where ``texts`` has them."""
    if not texts:
        return source
    changes: dict[str, str] = {}
    for field in ("title", "note"):
        for code in ("fr", "en"):
            value = texts.get(f"{field}_{code}")
            if value:
                changes[f"{field}_{code}"] = str(value)
    for field in _LOCALISED:
        value = pick(texts, field, lang)
        if value:
            changes[field] = str(value)
    return dataclasses.replace(source, **changes)


def localised_sources(bundle: Bundle, texts: Mapping[str, Mapping[str, Any]], lang: str) -> dict[str, Source]:
    """Every source of ``bundle`` in the reader's language (see the module docstring)."""
    return {sid: localise(s, texts.get(sid), lang) for sid, s in bundle.sources.items()}


# ----------------------------------------------------------------------------------------------------------
# Headline comparison (first screen)
# ----------------------------------------------------------------------------------------------------------

HEADLINE_SYSTEMS: tuple[str, ...] = ("fr_appr", "uk_ktp")


@dataclass(frozen=True)
class HeadlineItem:
    """One card of the headline comparison: plain text, formatted for ``lang``; ``source_ids`` give the chip
    (a sourced fact) or ``status`` does (a result of the calculator, ``method`` then says how it was made)."""

    system: str
    label: str
    value: str
    note: str = ""
    source_ids: tuple[str, ...] = ()
    status: str | None = None
    method: str = ""


def _fact(bundle: Bundle, indicator: str, system: str) -> dict[str, Any] | None:
    for f in bundle.facts:
        if f["indicator"] == indicator and f["system"] == system and f["value_low"] is not None:
            return f
    return None


def _fact_item(bundle: Bundle, indicator: str, system: str, lang: str) -> HeadlineItem | None:
    f = _fact(bundle, indicator, system)
    if f is None:
        return None
    label = next(pick(i, "label", lang) for i in bundle.indicators if i["id"] == indicator)
    unit = pick(f, "unit", lang)
    text = public_text(pick(f, "text", lang))
    if unit.startswith("%"):
        value, note = fmt_range(f["value_low"], f["value_high"], unit, lang), text
    else:
        value, note = fmt_range(f["value_low"], f["value_high"], "", lang), unit + (f" · {text}" if text else "")
    if len(note) > 44:  # a card holds a short note; the whole text is in the table below
        note = text if len(text) <= 44 else ("" if unit.startswith("%") else unit)
    return HeadlineItem(system, label, value, note, (f["source_id"],))


def headline(bundle: Bundle, splits: Sequence[CostSplit], statuses: Mapping[str, str], lang: str) -> list[HeadlineItem]:
    """Three cards per system (French apprenticeship, KTP): entries a year, the calculator's cost of one learner
    over a year (with the company's share of it), and how many learners their host company hires.

    ``statuses`` gives each system's calculator status (``illustrative`` while a demonstration input is used).
    """
    by_system = {s.system: s for s in splits}
    method = t("alternance_page.head.method", lang)
    out: list[HeadlineItem] = []
    for system in HEADLINE_SYSTEMS:
        split = by_system[system]
        share = split.shares()["company"]
        items = [
            _fact_item(bundle, "new_per_year", system, lang),
            HeadlineItem(system, t("alternance_page.head.cost_year", lang), eur(split.total_eur, lang),
                         t("alternance_page.head.company_part", lang, share=pct(share, lang)),
                         status=statuses[system], method=method),
            _fact_item(bundle, "hired_by_host", system, lang),
        ]  # fmt: skip
        out += [i for i in items if i is not None]
    return out


def eur(value: float | None, lang: str) -> str:
    """``12 345 EUR`` / ``EUR 12,345``; the catalogue's missing mark for ``None``."""
    return t("common.missing", lang) if value is None else t("alternance_page.eur", lang, amount=number(value, lang))


def pct(share: float | None, lang: str) -> str:
    """A share (0-1) as ``37 %`` in French, ``37%`` in English."""
    return t("common.missing", lang) if share is None else percent(number(share * 100, lang), lang)


# ----------------------------------------------------------------------------------------------------------
# Detailed table
# ----------------------------------------------------------------------------------------------------------


def _facts(bundle: Bundle, indicator: str, system: str) -> list[dict[str, Any]]:
    return [f for f in bundle.facts if f["indicator"] == indicator and f["system"] == system]


def shown_systems(bundle: Bundle) -> tuple[list[str], list[str]]:
    """Systems with at least one sourced entry (columns), and those without any (one line of text instead)."""
    with_facts = {f["system"] for f in bundle.facts}
    shown = [s for s in COMPARED_SYSTEMS if s in with_facts]
    return shown, [s for s in COMPARED_SYSTEMS if s not in with_facts]


def _chip(status: str, lang: str) -> str:
    return f'<span class="chip {html.escape(status)}">{html.escape(t(f"status.{status}", lang))}</span>'


def source_line(source: Source, lang: str) -> str:
    """``Dares · millésime publication de février 2025`` (escaped), the full title on hover."""
    esc = html.escape
    vintage = source.vintage_text(lang)
    text = source.publisher + (f" · {t('provenance.vintage', lang)} {vintage}" if vintage else "")
    return f'{_chip(source.status, lang)} <span title="{esc(source.title(lang))}">{esc(text)}</span>'


def table_html(bundle: Bundle, sources: Mapping[str, Source], lang: str) -> str:
    """The detailed comparison as an escaped HTML table (see the module docstring); ``sources`` localised."""
    esc = html.escape
    shown, empty = shown_systems(bundle)
    names = {s: t(f"alternance.system.{s}", lang) for s in COMPARED_SYSTEMS}
    head = "".join(f'<th scope="col">{esc(names[s])}</th>' for s in shown)
    body = []
    for ind in bundle.indicators:
        tds = []
        for system in shown:
            facts = _facts(bundle, ind["id"], system)
            cell = f'<td data-sys="{esc(names[system])}"'
            if not facts:
                tds.append(f'{cell} class="missing">{esc(t("alternance_page.table.none", lang))}</td>')
                continue
            parts = []
            numeric = [f for f in facts if f["value_low"] is not None]
            if len(numeric) > 1 and len({f["unit_en"] for f in numeric}) == 1:
                lows = [f["value_low"] for f in numeric]
                highs = [f["value_high"] if f["value_high"] is not None else f["value_low"] for f in numeric]
                rng = fmt_range(min(lows), max(highs), pick(numeric[0], "unit", lang), lang)
                parts.append(f'<div class="range">{esc(t("alternance.compare.range", lang))} {esc(rng)}</div>')
            for f in facts:
                figure = fmt_range(f["value_low"], f["value_high"], pick(f, "unit", lang), lang)
                text = public_text(pick(f, "text", lang))
                parts.append(
                    '<div class="entry">'
                    + (f'<div class="fig">{esc(figure)}</div>' if figure else "")
                    + (f'<div class="txt">{esc(text)}</div>' if text else "")
                    + f'<div class="src">{source_line(sources[f["source_id"]], lang)}</div></div>'
                )
            tds.append(f"{cell}>{''.join(parts)}</td>")
        body.append(f'<tr><th scope="row">{esc(pick(ind, "label", lang))}</th>{"".join(tds)}</tr>')
    note = ""
    if empty:
        systems = ", ".join(names[s] for s in empty)
        note = f'<p class="wbl-none">{esc(t("alternance_page.table.no_column", lang, systems=systems))}</p>'
    return (
        f'<table class="wbl-compare"><thead><tr><td></td>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
        + note
    )


TABLE_CSS = """
table.wbl-compare{border-collapse:collapse;width:100%;font-family:inherit;font-size:16px;line-height:1.4;
  color:#1f2129;table-layout:fixed}
table.wbl-compare th,table.wbl-compare td{border:1px solid #d5d7de;padding:8px 10px;vertical-align:top;
  text-align:left;overflow-wrap:break-word}
table.wbl-compare thead th{background:#eef0f5;font-size:17px;font-weight:600}
table.wbl-compare tbody th{background:#f7f8fa;width:17%;font-weight:600}
table.wbl-compare .fig{font-weight:700;font-size:18px}
table.wbl-compare .range{font-weight:700;color:#7a4100;margin-bottom:4px}
table.wbl-compare .src{font-size:14px;color:#3d404a;margin-top:3px}
table.wbl-compare .entry+.entry{border-top:1px dashed #d5d7de;margin-top:6px;padding-top:6px}
table.wbl-compare td.missing{color:#5c5f6a;font-style:italic}
table.wbl-compare .chip,.wbl-print .chip{display:inline-block;border-radius:8px;padding:0 7px;font-size:14px;
  font-weight:600}
.chip.official{background:#d8f0dd;color:#0b5d1e}.chip.estimate{background:#fde7c8;color:#7a4100}
.chip.illustrative{background:#ece0f7;color:#5b2a86}
p.wbl-none{font-size:16px;color:#3d404a;margin:6px 0 0 0}
@media (max-width: 640px){
  table.wbl-compare,table.wbl-compare tbody,table.wbl-compare tr,table.wbl-compare th,table.wbl-compare td{
    display:block;width:auto}
  table.wbl-compare thead{display:none}
  table.wbl-compare tr{border:1px solid #d5d7de;margin-bottom:10px}
  table.wbl-compare th,table.wbl-compare td{border:none;border-top:1px solid #eceef2}
  table.wbl-compare tbody th{width:auto;background:#eef0f5}
  table.wbl-compare td::before{content:attr(data-sys);display:block;font-weight:600;color:#31333f}
}
"""


def csv_number(value: float | None, lang: str) -> str | None:
    """A figure for a CSV cell: no thousands separator, no spurious ``.0`` (878900, 16,8 in French)."""
    if value is None:
        return None
    v = float(value)
    decimals = 0 if v.is_integer() else (1 if round(v * 10, 6).is_integer() else 2)
    return f"{v:.{decimals}f}".replace(".", choose(lang, fr=",", en="."))


def csv_frame(bundle: Bundle, sources: Mapping[str, Source], lang: str) -> pd.DataFrame:
    """The comparison in long form for download (one row per sourced entry, one per system without a figure),
    headers and numbers in ``lang``'s format (whole numbers without ``.0``, French decimal comma)."""
    records: list[dict[str, Any]] = []
    for ind in bundle.indicators:
        label = pick(ind, "label", lang)
        for system in COMPARED_SYSTEMS:
            name = t(f"alternance.system.{system}", lang)
            facts = _facts(bundle, ind["id"], system)
            if not facts:
                records.append({"indicator": label, "system": name, "status": t("alternance_page.table.none", lang)})
            for f in facts:
                s = sources[f["source_id"]]
                records.append(
                    {
                        "indicator": label,
                        "system": name,
                        "value_low": csv_number(f["value_low"], lang),
                        "value_high": csv_number(f["value_high"], lang),
                        "unit": pick(f, "unit", lang) or None,
                        "text": public_text(pick(f, "text", lang)) or None,
                        "source": s.title(lang),
                        "publisher": s.publisher,
                        "vintage": s.vintage_text(lang),
                        "status": t(f"status.{s.status}", lang),
                        "url": s.url or None,
                    }
                )
    columns = ["indicator", "system", "value_low", "value_high", "unit", "text", "source", "publisher", "vintage"]
    df = pd.DataFrame.from_records(records, columns=[*columns, "status", "url"])
    df.columns = [t(f"alternance_page.csv.{c}", lang) for c in df.columns]
    return df
