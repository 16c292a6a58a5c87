"""One declarative parameter-table type, shared by the scenario drivers and the cost calculator.

A :class:`Param` says everything about one input once: name, group, kind (``float``, ``int``, ``choice``,
``bool``), labels, units and help in French and English, default, bounds, step, an optional sensitivity range
(a ``band`` around the chosen value, or fixed ``low``/``high`` ends), source ids and, for choices, the options.
A :class:`ParamTable` holds the parameters in display order and the catalogue keys of its messages; the same
table draws the widgets, validates input (:meth:`ParamTable.validate` collects every problem) and documents
itself. Each model keeps its own table and specifics (presets, pay grid, cross-checks) in its own module.

What users get wrong raises :class:`gtec.core.errors.UserError` with the table's catalogue key and the values
``name`` (the parameter), ``value`` (what was given, shortened), ``min`` and ``max`` (plain numbers); pages add
``label`` (the parameter's label in the reader's language) when they translate it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from gtec.core.errors import UserError
from gtec.core.fmt import parse_number, plain
from gtec.core.i18n import pick

KINDS: tuple[str, ...] = ("float", "int", "choice", "bool")
Value = float | int | str | bool
#: Problems a parameter table reports, each mapped to a catalogue key by the table's ``messages``.
CODES: tuple[str, ...] = (
    "unknown_param", "not_number", "not_integer", "not_option", "not_bool", "below_min", "above_max",
)  # fmt: skip
_TRUE = ("1", "true", "yes", "oui", "vrai")
_FALSE = ("0", "false", "no", "non", "faux", "")
#: Tolerance of the bound and integer checks (values read back from a float widget or a URL).
EPS = 1e-9


def messages_under(prefix: str, **overrides: str) -> Mapping[str, str]:
    """Catalogue keys for every problem code: ``<prefix>.<code>``, except the ``overrides`` (code -> key)."""
    unknown = set(overrides) - set(CODES)
    if unknown:
        raise ValueError(f"unknown message codes {sorted(unknown)}")
    return MappingProxyType({code: overrides.get(code, f"{prefix}.{code}") for code in CODES})


@dataclass(frozen=True)
class Option:
    """One choice of a ``choice`` parameter: the stored value and its labels."""

    value: str
    label_fr: str
    label_en: str

    def label(self, lang: str) -> str:
        return pick(self, "label", lang)


@dataclass(frozen=True)
class Param:
    """One input, declared once.

    ``band`` is the half-width of the plausible range around the chosen value (scenario drivers); ``low`` and
    ``high`` are fixed sensitivity ends (calculator inputs); a parameter has one or the other, or neither.
    ``snap`` rounds accepted numbers to the ``step`` grid from ``min``. ``advanced`` parameters are shown in an
    expander.
    """

    name: str
    group: str
    label_fr: str
    label_en: str
    kind: str = "float"
    unit_fr: str = ""
    unit_en: str = ""
    default: Value = 0.0
    min: float | None = None
    max: float | None = None
    step: float | None = None
    band: float | None = None
    low: float | None = None
    high: float | None = None
    help_fr: str = ""
    help_en: str = ""
    sources: tuple[str, ...] = ()
    options: tuple[Option, ...] = ()
    snap: bool = False
    advanced: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"parameter {self.name}: unknown kind {self.kind!r}")
        if self.kind == "choice" and not self.options:
            raise ValueError(f"parameter {self.name}: a choice needs options")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"parameter {self.name}: min > max")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"parameter {self.name}: sensitivity range is inverted")
        if (self.low is None) != (self.high is None):
            raise ValueError(f"parameter {self.name}: give both sensitivity ends or neither")
        if self.band is not None and self.low is not None:
            raise ValueError(f"parameter {self.name}: a band or low/high ends, not both")
        if self.snap and not self.step:
            raise ValueError(f"parameter {self.name}: snapping needs a step")

    def label(self, lang: str) -> str:
        return pick(self, "label", lang)

    def unit(self, lang: str) -> str:
        return pick(self, "unit", lang)

    def help(self, lang: str) -> str:
        return pick(self, "help", lang)

    @property
    def source(self) -> str:
        """The main source id (``""`` when none is declared)."""
        return self.sources[0] if self.sources else ""

    def option_label(self, value: str, lang: str) -> str:
        for o in self.options:
            if o.value == value:
                return o.label(lang)
        return str(value)

    @property
    def decimals(self) -> int:
        """Decimal places implied by ``step`` (0.25 -> 2, 5 -> 0; no step -> 2)."""
        if not self.step:
            return 2
        text = f"{self.step:.6f}".rstrip("0").rstrip(".")
        return len(text.split(".")[1]) if "." in text else 0

    @property
    def has_sensitivity(self) -> bool:
        return self.band is not None or self.low is not None

    def sensitivity_range(self, value: float | None = None) -> tuple[float, float] | None:
        """Low and high ends of the plausible range: ``value`` ∓ ``band`` kept within the bounds, or the fixed
        ``low``/``high`` ends; ``None`` when the parameter declares no sensitivity. ``value`` defaults to the
        default."""
        if self.low is not None and self.high is not None:
            return float(self.low), float(self.high)
        if self.band is None:
            return None
        centre = float(self.default if value is None else value)
        return self.bounded(centre - self.band), self.bounded(centre + self.band)

    def bounded(self, value: float) -> float:
        """``value`` clipped to ``[min, max]``."""
        if self.min is not None:
            value = max(value, self.min)
        if self.max is not None:
            value = min(value, self.max)
        return value

    def coerce(self, raw: object, messages: Mapping[str, str]) -> Value:
        """``raw`` (widget value, text from a URL or a file) as a valid value of this parameter.

        Raises :class:`UserError` with the catalogue key ``messages[code]`` (see :func:`messages_under`).
        """

        def fail(code: str, **values: object) -> UserError:
            return UserError(messages[code], name=self.name, value=str(raw)[:40], **values)

        if self.kind == "bool":
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in _TRUE or text in _FALSE:
                return text in _TRUE
            raise fail("not_bool")
        if self.kind == "choice":
            value = str(raw)
            if value not in {o.value for o in self.options}:
                raise fail("not_option")
            return value
        try:
            number = parse_number(raw)
        except (TypeError, ValueError) as exc:
            raise fail("not_number") from exc
        if self.kind == "int" and not self.snap and abs(number - round(number)) > EPS:
            raise fail("not_integer")
        bounds = {k: "" if b is None else plain(b) for k, b in (("min", self.min), ("max", self.max))}
        if self.min is not None and number < self.min - EPS:
            raise fail("below_min", **bounds)
        if self.max is not None and number > self.max + EPS:
            raise fail("above_max", **bounds)
        if self.snap and self.step:
            origin = self.min if self.min is not None else 0.0
            number = round(self.bounded(origin + round((number - origin) / self.step) * self.step), self.decimals + 2)
        if self.kind == "int":
            return round(number)
        return float(self.bounded(number))


class InvalidParams(UserError):
    """Every problem met while validating a mapping; ``errors`` lists them (one :class:`UserError` each).

    Its own ``key``/``values`` are the first problem's, so a page that shows one message still says something
    true; pages should show all of ``errors``.
    """

    def __init__(self, errors: Iterable[UserError]) -> None:
        self.errors = tuple(errors)
        if not self.errors:
            raise ValueError("InvalidParams needs at least one error")
        super().__init__(self.errors[0].key, **self.errors[0].values)


@dataclass(frozen=True)
class ParamTable:
    """Parameters in display order, looked up by name; ``messages`` maps problem codes to catalogue keys."""

    params: tuple[Param, ...]
    messages: Mapping[str, str] = field(compare=False, hash=False)

    def __post_init__(self) -> None:
        names = [p.name for p in self.params]
        if len(names) != len(set(names)):
            raise ValueError("duplicate parameter names")
        missing = set(CODES) - set(self.messages)
        if missing:
            raise ValueError(f"messages missing for {sorted(missing)}")
        object.__setattr__(self, "_by_name", {p.name: p for p in self.params})
        for p in self.params:  # a default outside its own bounds or choices is a declaration error
            try:
                p.coerce(p.default, self.messages)
            except UserError as exc:
                raise ValueError(f"parameter {p.name}: default {p.default!r} is invalid ({exc.key})") from exc

    def __getitem__(self, name: str) -> Param:
        return self._by_name[name]  # type: ignore[attr-defined,no-any-return]

    def __contains__(self, name: object) -> bool:
        return name in self._by_name  # type: ignore[attr-defined]

    def __iter__(self) -> Iterator[Param]:
        return iter(self.params)

    def __len__(self) -> int:
        return len(self.params)

    def get(self, name: str) -> Param | None:
        return self._by_name.get(name)  # type: ignore[attr-defined,no-any-return]

    def names(self) -> list[str]:
        return [p.name for p in self.params]

    def groups(self) -> list[str]:
        """Group names in order of first appearance."""
        return list(dict.fromkeys(p.group for p in self.params))

    def group(self, group: str, *, advanced: bool | None = None) -> list[Param]:
        """The parameters of ``group`` (only the advanced or main ones when ``advanced`` is given)."""
        return [p for p in self.params if p.group == group and (advanced is None or p.advanced == advanced)]

    def source_ids(self) -> set[str]:
        return {s for p in self.params for s in p.sources}

    def defaults(self) -> dict[str, Value]:
        """Every parameter at its default, in table order."""
        return {p.name: p.default for p in self.params}

    def coerce(self, name: str, raw: object) -> Value:
        """The valid value of parameter ``name`` from ``raw``. Raises :class:`UserError` (unknown name too)."""
        param = self.get(name)
        if param is None:
            raise UserError(self.messages["unknown_param"], name=str(name)[:40], value=str(raw)[:40])
        return param.coerce(raw, self.messages)

    def check(
        self, raw: Mapping[str, object], *, ignore_unknown: bool = False
    ) -> tuple[dict[str, Value], list[UserError]]:
        """Values for every parameter (from ``raw``, or the default when absent or invalid) and the problems met.

        Unknown names are problems unless ``ignore_unknown`` (a URL also carries the language, the territory).
        """
        errors: list[UserError] = []
        if not ignore_unknown:
            errors += [
                UserError(self.messages["unknown_param"], name=str(k)[:40], value=str(v)[:40])
                for k, v in raw.items()
                if k not in self
            ]
        values: dict[str, Value] = {}
        for p in self.params:
            values[p.name] = p.default
            if p.name in raw:
                try:
                    values[p.name] = p.coerce(raw[p.name], self.messages)
                except UserError as exc:
                    errors.append(exc)
        return values, errors

    def validate(self, raw: Mapping[str, object], *, ignore_unknown: bool = False) -> dict[str, Value]:
        """Values for every parameter (missing names take their default). Raises :class:`InvalidParams` listing
        every problem (bounds, types, choices, unknown names)."""
        values, errors = self.check(raw, ignore_unknown=ignore_unknown)
        if errors:
            raise InvalidParams(errors)
        return values
