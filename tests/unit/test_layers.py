"""Architecture rules that a test can keep: gtec/ never imports streamlit; every page is registered."""

import ast
from pathlib import Path

from components.registry import PAGES

ROOT = Path(__file__).resolve().parents[2]


def test_gtec_never_imports_streamlit():
    offenders = []
    for path in (ROOT / "gtec").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n == "streamlit" or n.startswith(("streamlit.", "streamlit_")) for n in names):
                offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, offenders


def test_every_page_file_is_registered_in_navigation():
    files = {f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py") if p.name != "__init__.py"}
    registered = {spec.path for spec in PAGES}
    assert files == registered, f"unregistered: {files - registered}; missing files: {registered - files}"


def test_url_paths_are_unique():
    paths = [spec.url_path for spec in PAGES]
    assert len(paths) == len(set(paths))
    assert sum(spec.default for spec in PAGES) == 1
