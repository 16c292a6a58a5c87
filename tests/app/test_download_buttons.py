"""Every download button passes ``on_click="ignore"``: a download never reruns the page.

Streamlit's default (``on_click="rerun"``) sends a rerun with the click. For a button whose bytes come from a
callable (made on click: chart images, the printable summary, the secure space's documents), that rerun revokes
the callable the click is about to run and registers a new one; on a loaded server the rerun wins and the browser
shows "Failed to generate file for download" instead of the file (seen in CI on the alternance summary, and every
time with the CPU saturated). A rerun after a download is also wasted work for a room full of people.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _download_buttons_that_rerun(path: Path, root: Path = ROOT) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "download_button":
            on_click = next((k.value for k in node.keywords if k.arg == "on_click"), None)
            if not (isinstance(on_click, ast.Constant) and on_click.value == "ignore"):
                out.append(f"{path.relative_to(root)}:{node.lineno}")
    return out


def test_every_download_button_ignores_the_click_for_reruns():
    files = [ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "components").glob("*.py")]
    assert len(files) > 20
    offenders = [w for f in files for w in _download_buttons_that_rerun(f)]
    assert not offenders, offenders


def test_the_rule_sees_a_button_that_reruns(tmp_path):
    """The scan is not blind: a button with the default, or with on_click="rerun", is reported."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import streamlit as st\n"
        "st.download_button('a', lambda: b'x', 'a.txt')\n"
        "col = st\ncol.download_button('b', b'x', 'b.txt', on_click='rerun')\n"
        "st.download_button('c', b'x', 'c.txt', on_click='ignore')\n",
        encoding="utf-8",
    )
    assert _download_buttons_that_rerun(sample, tmp_path) == ["sample.py:2", "sample.py:4"]
