"""The one number input for decimal values: a text box that shows and reads the reader's number format.

``st.number_input`` always shows a decimal point ("1.18", "36.1") and cannot show a French comma (screens review
G5). :func:`number_field` draws a text input holding ``1,18`` / ``1 234,5`` in French and ``1.18`` / ``1,234.5``
in English, reads it with :func:`gtec.core.fmt.parse_typed`, checks the bounds and the step, and when the text is
not a usable number says why in the reader's language and returns the last correct value (the page keeps
computing with it). Whole-number inputs that show no decimal may stay ``st.number_input``.

State (per ``key``): the widget's text under ``key``; the last correct value under ``key + "__value"``; the
language the text was written in under ``key + "__lang"`` (a language switch rewrites the text from the value).
"""

from __future__ import annotations

import math

import streamlit as st

from gtec.core.fmt import number, parse_typed
from gtec.core.i18n import t

#: Relative tolerance of the step check (a value typed with the step's decimals is on the step).
_STEP_TOLERANCE = 1e-9


def _decimals(step: float | None, decimals: int | None) -> int:
    if decimals is not None:
        return decimals
    if not step:
        return 0
    text = f"{step:.10f}".rstrip("0")
    return len(text.split(".")[1]) if "." in text else 0


def show(value: float | None, lang: str, decimals: int) -> str:
    """``value`` as the field shows it (``1,18`` / ``1.18``; ``""`` when missing)."""
    return "" if value is None else number(value, lang, decimals)


def read(
    text: str | None,
    lang: str,
    *,
    min_value: float | None = None,
    max_value: float | None = None,
    step: float | None = None,
    decimals: int = 0,
    optional: bool = False,
) -> tuple[float | None, tuple[str, dict[str, str]] | None]:
    """(value, None) for a usable text, (None, (catalogue key, values)) otherwise; ``""`` is None if optional."""
    text = (text or "").strip()
    if not text:
        return (None, None) if optional else (None, ("number.error.required", {}))
    try:
        value = parse_typed(text, lang)
    except ValueError:
        return None, ("number.error.not_a_number", {"text": text[:40], "example": show(1234.5, lang, 1)})
    if min_value is not None and value < min_value:
        return None, ("number.error.min", {"bound": show(min_value, lang, _decimals(min_value, None))})
    if max_value is not None and value > max_value:
        return None, ("number.error.max", {"bound": show(max_value, lang, _decimals(max_value, None))})
    if step:
        base = min_value if min_value is not None else 0.0
        steps = (value - base) / step
        if abs(steps - round(steps)) > _STEP_TOLERANCE * max(1.0, abs(steps)) + 1e-6:
            return None, ("number.error.step", {"step": show(step, lang, _decimals(step, None))})
    return (round(value, decimals) if decimals else float(value)), None


def number_field(
    label: str,
    value: float | None,
    lang: str,
    *,
    key: str,
    min_value: float | None = None,
    max_value: float | None = None,
    step: float | None = None,
    decimals: int | None = None,
    optional: bool = False,
    help: str | None = None,
    placeholder: str | None = None,
    container=None,
    in_form: bool = False,
) -> float | None:
    """A number typed in ``lang``'s format; returns the value, or the last correct one with a message under the
    field when the text cannot be used. ``value`` is the starting value (None: empty, for an ``optional``
    input). ``decimals`` defaults to the step's (``0.01`` -> 2). Bounds and step are checked here; pass none to
    let a parameter table validate the value and word its own message. Inside an ``st.form`` pass
    ``in_form=True`` (a form's widgets take no callback: the text is not rewritten) and check :func:`field_ok`
    before acting on the submit."""
    target = container or st
    places = _decimals(step, decimals)
    value_key, lang_key = f"{key}__value", f"{key}__lang"
    if value_key not in st.session_state:
        st.session_state[value_key] = value
    if key not in st.session_state or st.session_state.get(lang_key) != lang:
        st.session_state[key] = show(st.session_state[value_key], lang, places)  # written in the page's language
    st.session_state[lang_key] = lang
    checks = {"min_value": min_value, "max_value": max_value, "step": step, "decimals": places, "optional": optional}

    def tidy() -> None:  # a correct text is rewritten in the page's format (1234,5 -> 1 234,5)
        typed, problem = read(st.session_state.get(key), lang, **checks)
        if problem is None:
            st.session_state[value_key] = typed
            st.session_state[key] = show(typed, lang, places)

    text = target.text_input(
        label,
        key=key,
        help=help,
        placeholder=placeholder,
        on_change=None if in_form else tidy,
        persist_state="session",
    )
    typed, problem = read(text, lang, **checks)
    st.session_state[f"{key}__ok"] = problem is None
    if problem is None:
        st.session_state[value_key] = typed
        return typed
    last = st.session_state[value_key]
    message_key, values = problem
    target.error(t(message_key, lang, last=show(last, lang, places) or t("number.none", lang), **values))
    return last


def field_ok(key: str) -> bool:
    """False when the field ``key`` drawn in this run holds a text that could not be used."""
    return bool(st.session_state.get(f"{key}__ok", True))


def is_whole(value: float | None) -> bool:
    """True for a finite whole number (an int setting read from a field)."""
    return value is not None and math.isfinite(value) and float(value).is_integer()
