"""Every user-visible string goes through the catalogue, in both languages."""

import re
from pathlib import Path

import pytest

from gtec.core import i18n

ROOT = Path(__file__).resolve().parents[2]
CODE_DIRS = ["app.py", "pages", "components", "gtec"]
KEY_RE = re.compile(r"""\bt\(\s*f?["']([a-z0-9_.]+)["']""")
DYNAMIC_PREFIXES = ("status.", "level.", "build.step.", "store.")


def _code_files():
    for entry in CODE_DIRS:
        path = ROOT / entry
        yield from ([path] if path.is_file() else sorted(path.rglob("*.py")))


def test_every_key_has_french_and_english():
    for key, entry in i18n.catalogue().items():
        assert entry.get("fr", "").strip(), f"{key} has no French"
        assert entry.get("en", "").strip(), f"{key} has no English"


def test_every_literal_key_used_in_code_exists():
    keys = i18n.catalogue()
    missing = []
    for path in _code_files():
        for match in KEY_RE.finditer(path.read_text(encoding="utf-8")):
            key = match.group(1)
            if key.endswith(".") or key in keys:
                continue
            missing.append(f"{path.relative_to(ROOT)}: {key}")
    assert not missing, "keys missing from gtec/locales/*.toml:\n" + "\n".join(missing)


def test_dynamic_families_are_complete():
    keys = i18n.catalogue()
    for status in ("official", "estimate", "illustrative"):
        assert f"status.{status}" in keys
    for level in ("country", "region", "departement", "epci", "commune", "basin", "be_province", "uk_itl1", "custom"):
        assert f"level.{level}" in keys
    for code in ("missing", "corrupt", "outdated"):
        assert f"store.{code}" in keys


def test_missing_key_raises_and_unknown_language_falls_back_to_french():
    with pytest.raises(i18n.MissingTranslation):
        i18n.t("no.such.key")
    assert i18n.t("nav.portrait", "de") == i18n.t("nav.portrait", "fr")
    assert i18n.t("nav.portrait", "en") != i18n.t("nav.portrait", "fr")


def test_duplicate_keys_are_refused():
    out: dict = {}
    i18n._flatten("", {"a": {"b": {"fr": "x", "en": "y"}}}, out, "one.toml")
    with pytest.raises(ValueError, match="duplicate"):
        i18n._flatten("", {"a": {"b": {"fr": "x", "en": "y"}}}, out, "two.toml")
