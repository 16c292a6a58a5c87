"""The cost calculator's declared inputs: one parameter table, the apprentice pay grid and the validated inputs.

The inputs are declared once, in the curated parameter table ``data/wbl_parameters.csv`` (labels FR/EN, unit,
default, bounds, step, sensitivity range, help, source) with the choices of ``data/wbl_options.csv`` and the
apprentice pay grid ``data/wbl_apprentice_pay.csv``. :func:`make_table` turns those rows into a
:class:`CalculatorTable` (a :class:`gtec.core.params.ParamTable` plus the pay grid); that table draws the
widgets, validates the input (:meth:`CalculatorTable.validate`, raising :class:`gtec.core.params.InvalidParams`
with ``alternance.error.*`` keys) and documents itself (:func:`parameter_markdown`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from gtec.core.errors import UserError
from gtec.core.fmt import parse_number, plain
from gtec.core.i18n import t
from gtec.core.params import InvalidParams, Option, Param, ParamTable, Value, messages_under

SECTIONS: tuple[str, ...] = ("common", "appr", "ktp", "territory")
MESSAGES = messages_under("alternance.error")


@dataclass(frozen=True)
class Inputs:
    """A complete, validated set of calculator inputs (hashable, so Streamlit can cache on it). An optional
    input the user left empty (no default figure exists, e.g. the French apprentice retention) is ``None``."""

    values: tuple[tuple[str, Value | None], ...]

    def __getitem__(self, name: str) -> Value:
        """The value of ``name``; ``LookupError`` when it is an optional input left empty (use :meth:`maybe`)."""
        value = self.maybe(name)
        if value is None:
            raise LookupError(f"input {name!r} was left empty")
        return value

    def maybe(self, name: str) -> Value | None:
        """The value of ``name``, ``None`` for an optional input left empty (``KeyError`` for an unknown name)."""
        for key, value in self.values:
            if key == name:
                return value
        raise KeyError(name)

    def as_dict(self) -> dict[str, Value | None]:
        return dict(self.values)

    def replace(self, **changes: Value | None) -> Inputs:
        """A copy with some values changed (unknown names raise ``KeyError``)."""
        current = self.as_dict()
        for key in changes:
            if key not in current:
                raise KeyError(key)
        current.update(changes)
        return Inputs(tuple(current.items()))


@dataclass(frozen=True)
class CalculatorTable:
    """The calculator's parameters (display order) and the apprentice pay grid ``(age band, year) -> % of SMIC``.

    ``optional`` names the inputs declared with no default (an empty ``default_value``): no published figure
    exists, so the user enters one or the results that need it say it is missing."""

    params: ParamTable
    pay_grid: tuple[tuple[str, int, float], ...]
    pay_grid_source: str = "fr-remuneration-apprentis"
    optional: frozenset[str] = frozenset()

    def __getitem__(self, name: str) -> Param:
        return self.params[name]

    def __contains__(self, name: object) -> bool:
        return name in self.params

    def names(self) -> list[str]:
        return self.params.names()

    def section(self, section: str, *, advanced: bool | None = None) -> list[Param]:
        return self.params.group(section, advanced=advanced)

    def source_ids(self) -> set[str]:
        return self.params.source_ids() | {self.pay_grid_source}

    def defaults(self) -> Inputs:
        """Every input at its default (``None`` for the optional inputs, which have none)."""
        values = self.params.defaults()
        return Inputs(tuple((k, None if k in self.optional else v) for k, v in values.items()))

    def coerce(self, name: str, raw: object) -> Value:
        """The valid value of input ``name`` from ``raw``. Raises :class:`UserError`."""
        return self.params.coerce(name, raw)

    def validate(self, raw: Mapping[str, object]) -> Inputs:
        """Coerce and check every value of ``raw`` (missing names take their default; an optional input that is
        missing or empty is ``None``).

        Raises :class:`InvalidParams` listing every problem (bounds, types, choices, unknown names), or, when
        each value is valid alone, the cross-checks such as a contract year beyond the contract's length.
        """
        given = {k: v for k, v in raw.items() if not (k in self.optional and _blank(v))}
        values: dict[str, Value | None] = dict(self.params.validate(given))
        for name in self.optional - set(given):
            values[name] = None
        inputs = Inputs(tuple(values.items()))
        problems = check_inputs(inputs)
        if problems:
            raise InvalidParams(problems)
        return inputs

    def pay_pct(self, age_band: str, year: int) -> float:
        """Apprentice minimum pay as % of the SMIC for an age band and a contract year (1-3)."""
        for band, y, pct in self.pay_grid:
            if band == age_band and y == year:
                return pct
        raise KeyError((age_band, year))


def _blank(value: object) -> bool:
    if isinstance(value, str):
        return not value.strip()
    return value is None or (isinstance(value, float) and value != value)


def months_in_year(total_months: int, year: int) -> int:
    """Months of contract year ``year`` (1-based) for a contract of ``total_months`` (0 when beyond it)."""
    return max(0, min(12, int(total_months) - 12 * (int(year) - 1)))


def contract_years(total_months: int) -> int:
    """Number of (possibly partial) contract years: 24 months -> 2, 30 months -> 3."""
    return max(1, math.ceil(int(total_months) / 12))


def check_inputs(inputs: Inputs) -> list[UserError]:
    """Cross-parameter checks that bounds alone cannot express."""
    problems = []
    months = int(inputs["appr_months"])
    if months_in_year(months, int(inputs["appr_year"])) == 0:
        problems.append(UserError("alternance.error.year_beyond_contract", name="appr_year", months=months))
    return problems


def _parse_default(kind: str, text: str) -> Value:
    if kind == "bool":
        return text.strip() in ("1", "true", "True")
    if kind == "choice":
        return text.strip()
    number = parse_number(text)
    return round(number) if kind == "int" else number


def _opt_float(value: object) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_number(value)


def make_table(
    param_rows: Iterable[Mapping[str, Any]],
    option_rows: Iterable[Mapping[str, Any]],
    pay_rows: Iterable[Mapping[str, Any]],
) -> CalculatorTable:
    """Build the table from rows of ``wbl_parameters``, ``wbl_options`` and ``wbl_apprentice_pay``.

    Raises ``ValueError`` on an unknown section or kind, a choice without options, a default outside its
    bounds or choices, an inverted range, or an incomplete pay grid.
    """
    options: dict[str, list[tuple[int, Option]]] = {}
    for r in option_rows:
        options.setdefault(r["param"], []).append(
            (int(r["rank"]), Option(str(r["value"]), r["label_fr"], r["label_en"]))
        )
    ranked = []
    optional: set[str] = set()
    for r in param_rows:
        name, kind = r["name"], r["kind"]
        if kind in ("float", "int") and _blank(r.get("default_value")):
            optional.add(name)  # no default figure: the placeholder below only satisfies the table's own check
        if r["section"] not in SECTIONS:
            raise ValueError(f"parameter {name}: unknown section {r['section']!r}")
        param = Param(
            name=name,
            group=r["section"],
            label_fr=r["label_fr"],
            label_en=r["label_en"],
            kind=kind,
            unit_fr=r.get("unit_fr") or "",
            unit_en=r.get("unit_en") or "",
            default=(
                _opt_float(r.get("min_value")) or 0.0
                if name in optional
                else _parse_default(kind, str(r["default_value"]))
            ),
            min=_opt_float(r.get("min_value")),
            max=_opt_float(r.get("max_value")),
            step=_opt_float(r.get("step")),
            low=_opt_float(r.get("sens_low")),
            high=_opt_float(r.get("sens_high")),
            help_fr=r["help_fr"],
            help_en=r["help_en"],
            sources=tuple(s for s in (r.get("source_id"), r.get("source_id_2")) if s),
            options=tuple(o for _, o in sorted(options.get(name, []), key=lambda x: x[0])),
            advanced=bool(int(r.get("advanced") or 0)),
        )
        ranked.append((int(r["rank"]), param))
    ranked.sort(key=lambda x: x[0])
    params = ParamTable(tuple(p for _, p in ranked), MESSAGES)  # checks every default against its bounds
    grid = tuple(sorted((r["age_band"], int(r["contract_year"]), float(r["pct_smic"])) for r in pay_rows))
    table = CalculatorTable(params, grid, optional=frozenset(optional))
    for age in (o.value for o in table["appr_age"].options):
        for year in (1, 2, 3):
            table.pay_pct(age, year)
    return table


def parameter_markdown(table: CalculatorTable, source_titles: Mapping[str, str], lang: str = "en") -> str:
    """The parameter table as a Markdown table (README / docs): name, label, unit, default, range, source."""
    lines = [t("alternance.doc.head", lang), "|---|---|---|---|---|---|---|"]
    for p in table.params:
        if p.kind == "choice":
            default = p.option_label(str(p.default), lang)
            bounds = " / ".join(o.label(lang) for o in p.options)
        elif p.name in table.optional:
            default = ""
        else:
            default = (
                plain(float(p.default))
                if p.kind != "bool"
                else t("alternance.doc.yes" if p.default else "alternance.doc.no", lang)
            )
            bounds = f"{plain(p.min)}–{plain(p.max)}" if p.min is not None and p.max is not None else ""
        ends = p.sensitivity_range()
        sens = f"{plain(ends[0])}–{plain(ends[1])}" if ends else ""
        src = "; ".join(source_titles.get(s, s) for s in p.sources)
        cells = [f"`{p.name}`", p.label(lang), p.unit(lang), default, bounds, sens, src]
        lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    return "\n".join(lines)


def illustrative_inputs(table: CalculatorTable, inputs: Inputs, statuses: Mapping[str, str]) -> list[str]:
    """Names of inputs still at a non-zero default whose source is illustrative (e.g. the NPEC): a result that
    uses them is illustrative, not an estimate. ``statuses`` maps source id -> status."""
    out = []
    for p in table.params:
        value = inputs.maybe(p.name)
        if value is None:
            continue
        at_default = p.kind in ("float", "int") and value == p.default and value != 0
        if at_default and p.sources and statuses.get(p.sources[0]) == "illustrative":
            out.append(p.name)
    return out
