"""Every user-visible string goes through the catalogue, in both languages; no key is used that does not exist,
and no key exists that nothing uses.

The code is read with :mod:`ast`, so keys built with f-strings (``t(f"status.{s}")``) are seen as templates: each
template must match at least one catalogue key, and the families whose members come from an enumeration in the
code (parties, systems, metrics, groups, presets, statuses...) must be complete.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

from gtec.alternance import calculator, comparison, costsplit, outcomes
from gtec.core import i18n
from gtec.scenarios import engine, params

ROOT = Path(__file__).resolve().parents[2]
CODE_DIRS = ["app.py", "pages", "components", "gtec"]
KEY = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")
#: Calls whose first argument is a catalogue key.
KEY_CALLS = {"t", "UserError", "EditConflict"}
#: Keys nothing uses any more, in catalogue files of other areas: reported here, to be removed there. Any other
#: dead key fails the test.
KNOWN_DEAD = {
    "auth.users.created",
    "map.legend.title",
    "map.no_geometry",
    "map.profile.close",
    "portrait.col.share",
    "portrait.unknown_territory",
}


def _code_files() -> list[Path]:
    out: list[Path] = []
    for entry in CODE_DIRS:
        path = ROOT / entry
        out += [path] if path.is_file() else sorted(path.rglob("*.py"))
    return out


def _name(func: ast.expr) -> str:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


@cache
def scan() -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """(key arguments of t()/UserError(), every other key-like string constant, f-string templates as regexes),
    each with its ``file:line``."""
    namespaces = {k.split(".")[0] for k in i18n.catalogue()}
    calls, constants, templates = [], [], []
    for path in _code_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = str(path.relative_to(ROOT))
        in_fstring: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr):
                in_fstring.update(id(v) for v in node.values)
                head = node.values[0] if node.values else None
                if isinstance(head, ast.Constant) and "." in head.value and head.value.split(".")[0] in namespaces:
                    pattern = "".join(
                        re.escape(v.value) if isinstance(v, ast.Constant) else "[a-z0-9_]+" for v in node.values
                    )
                    templates.append((f"{where}:{node.lineno}", pattern))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _name(node.func) in KEY_CALLS and node.args:
                arg = node.args[0]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    calls.append((f"{where}:{node.lineno}", arg.value))
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in in_fstring
                and KEY.match(node.value)
                and node.value.split(".")[0] in namespaces
            ):
                constants.append((f"{where}:{node.lineno}", node.value))
    return tuple(calls), tuple(constants), tuple(templates)


def _message_keys() -> set[str]:
    """Keys the parameter tables build from their problem codes (``messages_under``)."""
    return {*params.MESSAGES.values(), *calculator.MESSAGES.values()}


def test_every_key_has_french_and_english():
    for key, entry in i18n.catalogue().items():
        assert entry.get("fr", "").strip(), f"{key} has no French"
        assert entry.get("en", "").strip(), f"{key} has no English"


def test_the_scanner_sees_literal_and_f_string_keys():
    calls, constants, templates = scan()
    assert ("gtec/alternance/calculator.py", "alternance.doc.head") in {(w.split(":")[0], k) for w, k in calls}
    assert any(p == re.escape("status.") + "[a-z0-9_]+" for _, p in templates)
    assert any(p.endswith(re.escape(".description")) and "scenario" in p for _, p in templates)
    assert len(constants) >= len(calls) > 200


def test_every_literal_key_used_in_code_exists():
    keys = i18n.catalogue()
    calls, _, _ = scan()
    missing = [f"{where}: {key}" for where, key in calls if KEY.match(key) and key not in keys]
    assert not missing, "keys missing from gtec/core/locales/*.toml:\n" + "\n".join(missing)


def test_every_f_string_key_matches_a_catalogue_key():
    keys = list(i18n.catalogue())
    _, _, templates = scan()
    unmatched = [
        f"{where}: {pattern}" for where, pattern in templates if not any(re.fullmatch(pattern, k) for k in keys)
    ]
    assert not unmatched, "f-string keys that match no catalogue key:\n" + "\n".join(unmatched)


def test_message_keys_of_the_parameter_tables_exist():
    keys = i18n.catalogue()
    assert not sorted(k for k in _message_keys() if k not in keys)


def _families() -> dict[str, tuple[str, ...]]:
    """Key template -> the members the code can put in it (from the production enumerations)."""
    table = comparison.load_from_curated().table
    d = table.defaults()
    runs = [*costsplit.splits(table, d, "programme"), *costsplit.splits(table, d.replace(appr_level="5"), "year")]
    return {
        "status.{}": ("official", "estimate", "illustrative"),
        "level.{}": (
            "country", "region", "departement", "epci", "commune", "basin", "be_province", "uk_itl1", "custom",
        ),
        "store.{}": ("missing", "corrupt", "outdated"),
        "alternance.party.{}": costsplit.PARTIES,
        "alternance.system.{}": (*costsplit.SYSTEMS, *comparison.COMPARED_SYSTEMS),
        "alternance.metric.{}": outcomes.METRICS,
        "alternance.item.{}": tuple(i.item for r in runs for i in r.items),
        "alternance.note.{}": tuple(n for r in runs for n in r.notes),
        "alternance.difficulty.{}": comparison.DIFFICULTIES,
        "alternance.matrix.col.{}": (*comparison.MATRIX_COLUMNS[1:], "edited"),
        "alternance.calc.status_{}": ("illustrative", "estimate"),
        "scenario.group.{}": params.PARAMETER_GROUPS,
        "scenario.preset.{}.label": params.PRESET_IDS,
        "scenario.preset.{}.description": params.PRESET_IDS,
        "scenario.flow.{}": engine.FLOWS,
        "scenario.kpi.{}": ("openings", "entrants", "imbalance", "rate"),
        "scenario.kpi_help.{}": ("openings", "entrants", "imbalance", "rate"),
    }  # fmt: skip


def test_dynamic_families_are_complete():
    keys = i18n.catalogue()
    missing = [
        template.format(member)
        for template, members in _families().items()
        for member in members
        if template.format(member) not in keys
    ]
    assert not missing, "keys built from enumerations missing from the catalogue:\n" + "\n".join(missing)


def _dead_keys() -> list[str]:
    _, constants, templates = scan()
    used = {k for _, k in constants} | _message_keys()
    patterns = [re.compile(p) for _, p in templates]
    return sorted(k for k in i18n.catalogue() if k not in used and not any(p.fullmatch(k) for p in patterns))


def test_no_catalogue_key_is_dead():
    dead = _dead_keys()
    new = sorted(set(dead) - KNOWN_DEAD)
    assert not new, "catalogue keys that no code uses (remove them, or use them):\n" + "\n".join(new)
    stale = sorted(KNOWN_DEAD - set(dead))
    assert not stale, "keys listed in KNOWN_DEAD that the code now uses (take them off the list):\n" + "\n".join(stale)


def test_missing_key_raises_and_unknown_language_falls_back_to_french():
    with pytest.raises(i18n.MissingTranslation):
        i18n.t("no.such.key")
    assert i18n.t("nav.portrait", "de") == i18n.t("nav.portrait", "fr")
    assert i18n.t("nav.portrait", "en") != i18n.t("nav.portrait", "fr")


def test_choose_and_pick_are_the_language_switches():
    assert i18n.choose("en", fr=",", en=".") == "."
    assert i18n.choose("de", fr=",", en=".") == ","  # unknown languages get French
    with pytest.raises(TypeError):
        i18n.choose("fr", fr=",")
    row = {"label_fr": "Bâtiment", "label_en": ""}
    assert i18n.pick(row, "label", "en") == "Bâtiment"  # empty English falls back to French
    assert i18n.pick(params.PARAM_BY_NAME["ecology"], "label", "en") == "Low-carbon transition"  # attributes
    assert i18n.pick({}, "label", "fr") == ""


def test_duplicate_keys_are_refused():
    out: dict = {}
    i18n._flatten("", {"a": {"b": {"fr": "x", "en": "y"}}}, out, "one.toml")
    with pytest.raises(ValueError, match="duplicate"):
        i18n._flatten("", {"a": {"b": {"fr": "x", "en": "y"}}}, out, "two.toml")


#: Files of other areas that still branched on the language when this test was written (to move to
#: i18n.pick/choose there); any other file fails the test.
KNOWN_BRANCHING = {"gtec/cli/figures.py", "gtec/maps/mapping.py"}


def test_only_the_i18n_module_branches_on_the_language():
    branch = re.compile(r"""\blang\s*[!=]=\s*["'](fr|en)["']|\blang\s+(not\s+)?in\s*\(""")
    offenders: dict[str, list[str]] = {}
    for file in _code_files():
        where = str(file.relative_to(ROOT))
        if where == "gtec/core/i18n.py":
            continue
        for n, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
            if branch.search(line):
                offenders.setdefault(where, []).append(f"{where}:{n}: {line.strip()}")
    new = [line for f, lines in sorted(offenders.items()) if f not in KNOWN_BRANCHING for line in lines]
    assert not new, "use i18n.pick / i18n.choose / the catalogue:\n" + "\n".join(new)
