"""The README documents what the code declares: the scenario parameter table is generated, not retyped."""

import re
from pathlib import Path

from gtec.scenarios import params

README = Path(__file__).resolve().parents[2] / "README.md"
MARKERS = re.compile(r"<!-- scenario-parameters:start -->\n(.*?)\n<!-- scenario-parameters:end -->", re.S)


def render_readme_table() -> str:
    return params.parameter_table_markdown("en")


def test_readme_prints_the_declared_scenario_parameters():
    match = MARKERS.search(README.read_text(encoding="utf-8"))
    assert match, "markers missing from README.md"
    assert match.group(1).strip() == render_readme_table().strip(), "regenerate: python -m tests.unit.test_readme"


def test_readme_names_the_two_commands_and_every_page_title():
    from components.registry import PAGES
    from gtec.core.i18n import t

    text = README.read_text(encoding="utf-8")
    assert "make run" in text and "make test" in text
    missing = [spec.path for spec in PAGES if t(spec.title_key, "fr").split(" :")[0].split(" (")[0] not in text]
    assert not missing, f"pages not described in README: {missing}"


if __name__ == "__main__":  # regenerate the table in place
    text = README.read_text(encoding="utf-8")
    block = f"<!-- scenario-parameters:start -->\n{render_readme_table()}\n<!-- scenario-parameters:end -->"
    README.write_text(MARKERS.sub(lambda _m: block, text) if MARKERS.search(text) else text, encoding="utf-8")
