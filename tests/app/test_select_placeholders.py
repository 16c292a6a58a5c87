"""Every select box and multiselect passes its own ``placeholder``: Streamlit's default is English ("Choose an
option", "Choose options") and showed on French pages (the practices library's four filters, screens review G4)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _selects_without_placeholder(path: Path, root: Path = ROOT) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        f"{path.relative_to(root)}:{node.lineno}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in {"selectbox", "multiselect"}
        and "placeholder" not in {k.arg for k in node.keywords}
    ]


def test_every_select_says_its_placeholder_in_the_readers_language():
    files = [ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "components").glob("*.py")]
    offenders = [w for f in files for w in _selects_without_placeholder(f)]
    assert not offenders, offenders


def test_the_rule_sees_a_select_without_placeholder(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import streamlit as st\nst.multiselect('a', [1])\nst.selectbox('b', [1], placeholder='Choisir…')\n",
        encoding="utf-8",
    )
    assert _selects_without_placeholder(sample, tmp_path) == ["sample.py:2"]


def test_the_practices_filters_show_the_french_placeholder(open_page):
    at = open_page("pages/practices.py")
    assert not at.exception
    assert at.multiselect, "the practices library has its filters"
    assert {m.placeholder for m in at.multiselect} == {"Choisir…"}
