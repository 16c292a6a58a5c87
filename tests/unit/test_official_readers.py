"""Reader profiles of the official files (gtec.build.readers): format traps on tiny files, pinned real values."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gtec.build import official, readers

SOURCES = Path(__file__).resolve().parents[2] / "data" / "sources"


def test_codes_are_text():
    assert readers.normalise_code(10.0, 2) == "10"
    assert readers.normalise_code("10.0", 2) == "10"
    assert readers.normalise_code(1.0, 2) == "01"
    assert readers.normalise_code("2a", 2) == "2A"
    assert readers.normalise_code(101, 4) == "0101"
    assert readers.normalise_code("01001", 5) == "01001"
    assert readers.normalise_code(float("nan")) is None


def test_secret_cells_are_missing_not_zero():
    value, secret = readers.parse_number(pd.Series(["12", "*", "", "3,5"]))
    assert secret.tolist() == [False, True, False, False]
    assert value.iloc[0] == 12 and np.isnan(value.iloc[1]) and np.isnan(value.iloc[2]) and value.iloc[3] == 3.5


def test_arrondissements_summed_or_dropped():
    only = pd.DataFrame({"code": ["75101", "75102", "56260"], "value": [10.0, 5.0, 1.0]})
    out = readers.sum_arrondissements(only).set_index("code")["value"]
    assert out["75056"] == 15 and "75101" not in out.index
    both = pd.DataFrame({"code": ["75056", "75101", "75102"], "value": [15.0, 10.0, 5.0]})
    out = readers.sum_arrondissements(both).set_index("code")["value"]
    assert out.to_dict() == {"75056": 15.0}


def test_legal_population_file(tmp_path):
    path = tmp_path / "donnees_communes_PL2023.csv"
    path.write_text(
        "REG;Région;DEP;CODARR;CODCAN;CODCOM;COM;Commune;PMUN;PCAP;PTOT\n"
        "53;Bretagne;56;1;01;260;56260;Vannes;55790;1;55791\n"
        "11;IDF;75;1;01;101;75101;Paris 1er;100;0;100\n"
        "11;IDF;75;1;01;102;75102;Paris 2e;50;0;50\n",
        encoding="utf-8",
    )
    df = readers.read_insee_legal_population(path).set_index("code")
    assert list(df.columns) == ["indicator", "period", "value", "secret"]
    assert df.loc["75056", "value"] == 150 and df.loc["56260", "period"] == "2023"


def test_comparateur_crlf_and_empty_secret_cells(tmp_path):
    path = tmp_path / "base.zip"
    text = "CODGEO;P18_POP;P18_EMPLT;P18_EMPLT_SAL;P18_POP1564;P18_CHOM1564;P18_ACT1564\r\n"
    text += "01001;771;93.1;62.1;465.1;33.2;377.7\r\n97601;;;;;;\r\n"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("base_cc_comparateur.CSV", text.encode("ascii"))
    df = readers.read_insee_comparateur(path)
    emp = df[df["indicator"] == "employment"].set_index("code")
    assert emp.loc["01001", "value"] == pytest.approx(93.1)
    assert np.isnan(emp.loc["97601", "value"]) and bool(emp.loc["97601", "secret"])


def test_malformed_csv_names_the_file(tmp_path):
    path = tmp_path / "donnees_communes_PL2023.csv"
    path.write_text("a;b\n1;2\n", encoding="utf-8")
    with pytest.raises(readers.SourceFormatError, match=r"donnees_communes_PL2023\.csv"):
        readers.read_insee_legal_population(path)


def test_every_profile_is_declared_and_used():
    assert {sf.profile for sf in official.SOURCE_FILES} <= set(readers.PROFILES_BY_NAME)
    for profile in readers.PROFILES:
        assert profile.recognises and profile.yields and callable(profile.reader)


def test_real_departement_rates_xls():
    df = readers.read_insee_localised_unemployment_dep(SOURCES / "insee" / "sl_etc_2025T3.xls")
    last = df[df["period"] == "2025-T3"].set_index("code")["value"]
    assert last["56"] == 6.0 and last["80"] == 8.5
    assert {"01", "10", "2A", "2B", "971"} <= set(last.index) and len(last) == 100


def test_real_bmo_bassin_5310():
    rows = readers.read_ft_bmo_rows(SOURCES / "france-travail" / "Base_open_data_BMO_2025.xlsx")
    assert int(rows["projects_secret"].sum()) == 11_452 and int(rows["seasonal_secret"].sum()) == 36_972
    assert "0101" in set(rows["bassin"])
    v = rows[rows["bassin"] == "5310"]
    assert v["projects"].sum() == 10_518
    assert round(100 * v["difficult"].sum() / v["projects"].sum(), 1) == 60.3
    assert round(100 * v["seasonal"].sum() / v["projects"].sum(), 1) == 42.0
