"""Vintages read in the reader's language: English words on French pages and French words on English pages."""

import pytest

from gtec.core.provenance import vintage_text


@pytest.mark.parametrize(
    ("raw", "fr", "en"),
    [
        ("recensement 2018 (RP 2018)", "recensement 2018 (RP 2018)", "2018 census (RP 2018)"),
        ("zonage 2019", "zonage 2019", "2019 zoning"),
        ("2025 T3", "2025 T3", "2025 Q3"),
        ("2017-2021 ; 2022 au 31 octobre", "2017-2021 ; 2022 au 31 octobre", "2017-2021; 2022 to 31 October"),
        ("projection 2019-2030", "projection 2019-2030", "2019-2030 projection"),
        ("2023-2024 averages", "moyennes 2023-2024", "2023-2024 averages"),
        ("February 2025 release", "publication de février 2025", "February 2025 release"),
        (
            "2025 (FAP 2009 domains, ISCO-08, SOC 2020)",
            "2025 (domaines FAP 2009, ISCO-08, SOC 2020)",
            "2025 (FAP 2009 domains, ISCO-08, SOC 2020)",
        ),
        ("generator v1", "", ""),
    ],
)
def test_vintage_in_the_readers_language(raw: str, fr: str, en: str) -> None:
    assert vintage_text(raw, "fr") == fr
    assert vintage_text(raw, "en") == en


def test_a_citation_does_not_repeat_a_vintage_its_title_already_names():
    from gtec.core.provenance import Source

    fr, en = "INSEE, base comparateur 2022 (recensement 2018)", "INSEE, comparison base 2022 (2018 census)"
    census = Source("rp", fr, en, "INSEE", "", "", "recensement 2018 (RP 2018)", "official", "", "")
    assert census.cited("fr") == "INSEE, base comparateur 2022 (recensement 2018)"
    assert census.cited("en") == "INSEE, comparison base 2022 (2018 census)"
    bmo = Source("bmo", "Enquête BMO", "BMO survey", "France Travail", "", "", "2025", "official", "", "")
    assert bmo.cited("fr") == "Enquête BMO (2025)"
    undated = Source("x", "Titre", "Title", "GTEC", "", "", None, "illustrative", "", "")
    assert undated.cited("en") == "Title"
