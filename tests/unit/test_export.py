"""gtec.core.export: CSV safe to open in a spreadsheet (bytes for download) and standalone maps."""

from __future__ import annotations

import pandas as pd

from gtec.core import export


def test_csv_bytes_have_a_bom_and_neutralised_formulas():
    df = pd.DataFrame(
        {
            "name": ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\tTab", "\rCR", "Vannes", None],
            "value": [1.5, -3.0, None, 0.0, 2.0, 3.0, 4.0, 5.0],
        }
    )
    raw = export.to_safe_csv_bytes(df)
    assert raw.startswith("\ufeff".encode())
    back = pd.read_csv(__import__("io").BytesIO(raw), encoding="utf-8-sig", keep_default_na=False)
    names = list(back["name"])
    assert names[:6] == ['\'=HYPERLINK("http://x")', "'+1", "'-2", "'@SUM(A1)", "'\tTab", "'\rCR"]
    assert names[6] == "Vannes" and names[7] == ""  # missing stays empty, never 0
    assert list(back["value"])[:2] == ["1.5", "-3.0"]  # numbers are untouched (no quote prefix)
    assert back["value"][2] == ""


def test_csv_bytes_keep_accents():
    raw = export.to_safe_csv_bytes(pd.DataFrame({"nom": ["Cœur des Hauts-de-France", "Péronne"]}))
    assert "Cœur des Hauts-de-France" in raw.decode("utf-8-sig")


def test_french_csv_uses_semicolons_comma_decimals_and_whole_numbers():
    import pandas as pd

    from gtec.core.export import to_safe_csv

    df = pd.DataFrame({"Indicateur": ["=cmd", "Taux"], "Valeur": [2526.0, float("nan")], "Taux": [8.45, 1.5]})
    fr = to_safe_csv(df, "fr").splitlines()
    assert fr == ["Indicateur;Valeur;Taux", "'=cmd;2526;8,45", "Taux;;1,5"]
    en = to_safe_csv(df, "en").splitlines()
    assert en == ["Indicateur,Valeur,Taux", "'=cmd,2526,8.45", "Taux,,1.5"]
    assert to_safe_csv(df).splitlines()[1] == "'=cmd,2526.0,8.45"  # without a language: unchanged
