"""FR/EN catalogue. Every user-visible string goes through :func:`t`. French is the default.

Keys live in ``gtec/core/locales/<area>.toml``; each key is a table with ``fr`` and ``en`` strings.
This is the only module that branches on the language: bilingual data goes through :func:`pick`
(``label_fr``/``label_en`` columns or attributes), anything else that differs per language (separators,
chart formats) through :func:`choose`.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import TypeVar

LANGS: tuple[str, ...] = ("fr", "en")
DEFAULT_LANG = "fr"
T = TypeVar("T")


class MissingTranslation(KeyError):
    """A key is absent from the catalogue (tests turn this into a failure)."""


def _flatten(prefix: str, table: dict, out: dict[str, dict[str, str]], origin: str) -> None:
    if set(table) & set(LANGS) and all(isinstance(v, str) for v in table.values()):
        if prefix in out:
            raise ValueError(f"duplicate i18n key {prefix!r} in {origin}")
        out[prefix] = dict(table)
        return
    for key, value in table.items():
        if not isinstance(value, dict):
            raise ValueError(f"i18n entry {prefix}.{key} in {origin} must be a table with fr/en")
        _flatten(f"{prefix}.{key}" if prefix else key, value, out, origin)


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """All keys from every locale file, ``{key: {"fr": ..., "en": ...}}``. Raises on duplicates."""
    out: dict[str, dict[str, str]] = {}
    for entry in sorted(resources.files("gtec.core.locales").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            _flatten("", tomllib.loads(entry.read_text(encoding="utf-8")), out, entry.name)
    return out


def normalise_lang(lang: str | None) -> str:
    """``fr`` or ``en``; anything else (None, 'de', garbage from a URL) falls back to French."""
    return lang if lang in LANGS else DEFAULT_LANG


def t(key: str, lang: str | None = DEFAULT_LANG, **fmt: object) -> str:
    """The string for ``key`` in ``lang``, formatted with ``fmt`` (``str.format``)."""
    entry = catalogue().get(key)
    if entry is None:
        raise MissingTranslation(key)
    text = entry.get(normalise_lang(lang)) or entry[DEFAULT_LANG]
    return text.format(**fmt) if fmt else text


def choose(lang: str | None, **per_lang: T) -> T:
    """The value given for ``lang`` (``choose(lang, fr=",", en=".")``); unknown languages get French's."""
    missing = set(LANGS) - set(per_lang)
    if missing:
        raise TypeError(f"choose() needs a value for every language, missing {sorted(missing)}")
    return per_lang[normalise_lang(lang)]


def _field(row: object, name: str) -> object:
    try:
        return row[name]  # type: ignore[index]
    except (KeyError, IndexError):
        return None
    except TypeError:  # not subscriptable: a dataclass or any object with attributes
        return getattr(row, name, None)


def pick(row: object, field: str, lang: str | None) -> str:
    """Pick ``<field>_fr`` or ``<field>_en`` from a mapping, a row or an object's attributes (bilingual data).

    An empty translation falls back to French; a missing field gives ``""``.
    """
    value = _field(row, f"{field}_{normalise_lang(lang)}")
    if not value:
        value = _field(row, f"{field}_{DEFAULT_LANG}")
    return str(value or "")
