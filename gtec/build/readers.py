"""Readers of the official source files, written as reusable *profiles* (pure functions, no database).

Each profile is a small declarative :class:`Profile` (name, the file shape it recognises, what it yields) and
a pure function ``read_<profile>(path) -> DataFrame``. The indicator profiles return a *tidy* frame:

- ``code`` (text: leading zeros kept, ``2A``/``2B``, ``10.0`` read back as ``10``),
- ``indicator`` (text), ``period`` (text: ``2023``, ``2025-T3``, ``2022-07/2022-09``...),
- ``value`` (float; missing is NaN, never 0),
- ``secret`` (bool: the producer withheld the cell; its ``value`` is NaN).

Zoning profiles return ``code`` (commune), ``zone``, ``zone_name``; the BMO and *Métiers 2030* profiles
return their own detail tables (documented on each function). Every reader raises
:class:`SourceFormatError` naming the file and what does not match the expected shape, so that a
malformed file fails the build with a clear message. The coming import issue reuses these profiles for
user files.

Length: over 500 lines on purpose: one profile per official format, side by side, so that next year's file of any
producer is compared with the others' traps in one place (the import machinery reuses them as profiles).
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

TIDY_COLUMNS: tuple[str, ...] = ("code", "indicator", "period", "value", "secret")
#: Municipal arrondissements (code prefix, first, last) -> the commune they make up (Paris, Marseille, Lyon).
PLM_ARRONDISSEMENTS: dict[str, tuple[int, int]] = {
    "75056": (75101, 75120),
    "13055": (13201, 13216),
    "69123": (69381, 69389),
}


class SourceFormatError(ValueError):
    """A source file does not have the shape its profile expects. The message names the file."""


@dataclass(frozen=True)
class Profile:
    """A reader profile: how to recognise a file shape and what the reader yields."""

    name: str
    recognises: str
    yields: str
    reader: Callable[[Path], pd.DataFrame]


# ----------------------------------------------------------------------------------------------------------
# Code normalisation (pure helpers, shared by every profile)
# ----------------------------------------------------------------------------------------------------------


def normalise_code(value: object, width: int = 0) -> str | None:
    """An official code as text: ``10.0`` -> ``10``, ``2a`` -> ``2A``, ``101`` -> ``0101`` with ``width=4``.

    Spreadsheets store some codes as numbers: a float with no fractional part is read back as an integer;
    ``width`` left-pads purely numeric codes with zeros. Empty cells give ``None``.
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = str(value).strip()
        if re.fullmatch(r"\d+\.0+", text):
            text = text.split(".")[0]
    if not text:
        return None
    text = text.upper()
    if width and text.isdigit():
        text = text.zfill(width)
    return text


def normalise_codes(values: pd.Series, width: int = 0) -> pd.Series:
    """:func:`normalise_code` over a column (object dtype, ``None`` for empty cells)."""
    return pd.Series([normalise_code(v, width) for v in values], index=values.index, dtype=object)


def parse_number(values: pd.Series, secret_marks: tuple[str, ...] = ("*",)) -> tuple[pd.Series, pd.Series]:
    """(value, secret) from a column of numbers stored as text: secret marks and empty cells are NaN.

    ``secret`` is True for the cells holding one of ``secret_marks``; decimal commas are accepted.
    """
    text = values.astype("string").str.strip()
    secret = text.isin(list(secret_marks)).fillna(False).astype(bool)
    number = pd.to_numeric(text.str.replace(",", ".", regex=False).where(~secret), errors="coerce")
    return number.astype(float), secret


def sum_arrondissements(df: pd.DataFrame, code: str = "code") -> pd.DataFrame:
    """Paris, Lyon and Marseille from their arrondissements.

    When a file lists only the arrondissements (``75101``...), they are summed into the commune
    (``75056``, ``69123``, ``13055``); when it lists the commune as well, the arrondissements are dropped
    (counting them again would double the city). Numeric columns are summed with ``min_count=1``.
    """
    codes = df[code].astype(str)
    parts = []
    for parent, (lo, hi) in PLM_ARRONDISSEMENTS.items():
        is_arr = codes.str.fullmatch(r"\d{5}") & codes.str.isdigit()
        is_arr = is_arr & codes.where(is_arr, "0").astype(int).between(lo, hi)
        if not is_arr.any():
            continue
        if (codes == parent).any():
            df = df.loc[~is_arr.reindex(df.index, fill_value=False)]
        else:
            arr = df.loc[is_arr]
            numeric = arr.select_dtypes("number").sum(min_count=1)
            row = {c: arr[c].iloc[0] for c in arr.columns}
            row.update(numeric.to_dict())
            row[code] = parent
            parts.append(pd.DataFrame([row]))
            df = df.loc[~is_arr]
        codes = df[code].astype(str)
    if parts:
        df = pd.concat([df, *parts], ignore_index=True)
    return df.reset_index(drop=True)


def _tidy(df: pd.DataFrame) -> pd.DataFrame:
    out = df.loc[:, list(TIDY_COLUMNS)].copy()
    out["value"] = out["value"].astype(float)
    out["secret"] = out["secret"].astype(bool)
    return out.reset_index(drop=True)


def _need(path: Path, columns: list[str] | pd.Index, wanted: tuple[str, ...] | list[str]) -> None:
    missing = [c for c in wanted if c not in set(columns)]
    if missing:
        raise SourceFormatError(f"{path.name}: expected columns {missing} not found (columns: {list(columns)[:12]})")


def _read_excel(path: Path, sheet: str | int = 0) -> pd.DataFrame:
    """One sheet as a frame of raw cells (object dtype, empty cells NaN, no header), read with calamine
    directly (about twice as fast as through ``pandas.read_excel``); ``.xls`` and ``.xlsx`` alike."""
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        name = sheet if isinstance(sheet, str) else book.sheet_names[sheet]
        if name not in book.sheet_names:
            raise SourceFormatError(f"{path.name}: sheet {name!r} not found (sheets: {book.sheet_names})")
        rows = book.get_sheet_by_name(name).to_python()
    except SourceFormatError:
        raise
    except Exception as exc:  # python-calamine raises its own error types on unreadable files
        raise SourceFormatError(f"{path.name}: cannot be read as a spreadsheet ({type(exc).__name__}: {exc})") from exc
    if not rows:
        raise SourceFormatError(f"{path.name}: sheet {name!r} is empty")
    frame = pd.DataFrame(rows, dtype=object)
    return frame.mask(frame.eq(""))


def _header_row(raw: pd.DataFrame, path: Path, first_cell: str, column: int = 0) -> int:
    """Index of the first row whose ``column`` cell equals ``first_cell`` (files with title rows)."""
    cells = raw.iloc[:, column].astype("string").str.strip()
    hits = np.flatnonzero((cells == first_cell).fillna(False).to_numpy())
    if not len(hits):
        raise SourceFormatError(f"{path.name}: header row starting with {first_cell!r} not found")
    return int(hits[0])


# ----------------------------------------------------------------------------------------------------------
# INSEE
# ----------------------------------------------------------------------------------------------------------


def read_insee_legal_population(path: Path) -> pd.DataFrame:
    """INSEE legal populations by commune (``donnees_communes.csv``: ``;``, columns COM, PMUN...).

    Yields ``population`` (municipal population, PMUN) per commune code, period = the vintage read from the
    file name (``PL2023`` -> ``2023``). Paris, Lyon, Marseille summed from their arrondissements.
    """
    try:
        df = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8")
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise SourceFormatError(f"{path.name}: not a UTF-8 ';' CSV file ({exc})") from exc
    _need(path, df.columns, ("COM", "PMUN"))
    match = re.search(r"PL(\d{4})", path.name)
    period = match.group(1) if match else ""
    value, _secret = parse_number(df["PMUN"])
    out = pd.DataFrame({"code": normalise_codes(df["COM"], 5), "value": value})
    if out["code"].isna().any() or not out["code"].str.fullmatch(r"[0-9][0-9AB]\d{3}").all():
        raise SourceFormatError(f"{path.name}: column COM holds values that are not commune codes")
    out = sum_arrondissements(out)
    return _tidy(out.assign(indicator="population", period=period, secret=False))


#: base comparateur column -> indicator id (census RP 2018 counts, weighted: decimals).
COMPARATEUR_COLUMNS: dict[str, str] = {
    "P18_EMPLT": "employment",
    "P18_EMPLT_SAL": "salaried_jobs",
    "P18_POP1564": "population_15_64",
    "P18_ACT1564": "active_population",
    "P18_CHOM1564": "unemployed_15_64",
}


_CENSUS_PREFIX = re.compile(r"^P(\d{2})_EMPLT$")


def read_insee_comparateur(path: Path) -> pd.DataFrame:
    """INSEE base comparateur de territoires (zip holding ``base_cc_comparateur.CSV``: ASCII, ``;``, CRLF).

    Yields the census counts of :data:`COMPARATEUR_COLUMNS` per commune (CODGEO), period ``2018`` (or the year
    of the newest ``Pyy_`` prefix in the file: next edition's ``P21_`` columns give ``2021``); empty
    cells (secret or not computed) are NaN with ``secret`` True. Arrondissements are dropped (the file
    also lists Paris, Lyon and Marseille as communes).
    """
    try:
        with zipfile.ZipFile(path) as zf:
            name = next((n for n in zf.namelist() if n.lower() == "base_cc_comparateur.csv"), None)
            if name is None:
                raise SourceFormatError(f"{path.name}: the archive holds no base_cc_comparateur.CSV")
            data = zf.read(name)
    except zipfile.BadZipFile as exc:
        raise SourceFormatError(f"{path.name}: not a zip archive ({exc})") from exc
    text = data.decode("ascii", errors="replace")
    head = next(csv.reader(io.StringIO(text.split("\n", 1)[0].strip("\r")), delimiter=";"))
    # the census year is in the column prefix (P18_ for RP 2018; the next edition's P21_... reads the same way)
    years = sorted({m.group(1) for c in head if (m := _CENSUS_PREFIX.match(c.strip()))})
    yy = years[-1] if years else "18"
    columns = {f"P{yy}_{name.removeprefix('P18_')}": ind for name, ind in COMPARATEUR_COLUMNS.items()}
    _need(path, head, ("CODGEO", *columns))
    df = pd.read_csv(io.StringIO(text), sep=";", dtype={"CODGEO": str}, usecols=["CODGEO", *columns], na_values=[""])
    df = df.rename(columns={"CODGEO": "code"})
    df["code"] = normalise_codes(df["code"], 5)
    df = sum_arrondissements(df)
    long = df.melt(id_vars="code", var_name="column", value_name="value")
    long["value"] = pd.to_numeric(long["value"], errors="coerce")
    long["indicator"] = long["column"].map(columns)
    long["secret"] = long["value"].isna()
    return _tidy(long.assign(period=f"20{yy}"))


def _quarter_period(label: object) -> str | None:
    """``T3_2025`` or ``2025-T3`` -> ``2025-T3``."""
    text = str(label).strip()
    m = re.fullmatch(r"T([1-4])_(\d{4})", text) or re.fullmatch(r"(\d{4})-T([1-4])", text)
    if not m:
        return None
    a, b = m.groups()
    return f"{b}-T{a}" if len(a) == 1 else f"{a}-T{b}"


def _wide_quarters(path: Path, body: pd.DataFrame, labels: list[object], code_col: int, width: int) -> pd.DataFrame:
    periods = [_quarter_period(x) for x in labels]
    cols = [i for i, p in enumerate(periods) if p]
    if not cols:
        raise SourceFormatError(f"{path.name}: no quarter columns (T1_1982 or 2003-T1) in the header")
    codes = normalise_codes(body.iloc[:, code_col], width)
    keep = codes.notna() & codes.str.fullmatch(r"[0-9][0-9AB]\d{0,2}").fillna(False)
    body, codes = body.loc[keep], codes.loc[keep]
    values = body.iloc[:, cols].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    return pd.DataFrame(
        {
            "code": np.repeat(codes.to_numpy(dtype=object), len(cols)),
            "indicator": "unemployment_rate",
            "period": np.tile(np.array([periods[i] for i in cols], dtype=object), len(codes)),
            "value": values.reshape(-1),
            "secret": False,
        }
    )


def read_insee_localised_unemployment_dep(path: Path) -> pd.DataFrame:
    """INSEE localised unemployment rates by département (legacy ``.xls``: title rows, header ``Code``,
    ``Libellé``, ``T1_1982``..., footnotes). Codes mix text and floats (``10.0``): read back as ``10``.

    Yields ``unemployment_rate`` (%, seasonally adjusted quarterly mean) per département and quarter.
    """
    raw = _read_excel(path)
    h = _header_row(raw, path, "Code")
    out = _wide_quarters(path, raw.iloc[h + 1 :], list(raw.iloc[h]), 0, 2)
    return _tidy(out.dropna(subset=["value"]))


def read_insee_localised_unemployment_ze(path: Path) -> pd.DataFrame:
    """INSEE localised unemployment rates by zone d'emploi 2020 (sheet ``txcho_ze``; 2-row header: labels,
    then codes ``ZE2020``, ``2003-T1``...). ZE codes are 4 characters (``0051``).

    Yields ``unemployment_rate`` per ZE and quarter.
    """
    raw = _read_excel(path, "txcho_ze")
    h = _header_row(raw, path, "ZE2020")
    out = _wide_quarters(path, raw.iloc[h + 1 :], list(raw.iloc[h]), 0, 4)
    return _tidy(out.dropna(subset=["value"]))


def read_insee_ze_composition(path: Path) -> pd.DataFrame:
    """INSEE composition of the zones d'emploi 2020 (sheet ``Composition_communale``; title rows, header
    ``CODGEO``, ``LIBGEO``, ``ZE2020``, ``LIBZE2020``...). Yields ``code`` (commune), ``zone``, ``zone_name``."""
    raw = _read_excel(path, "Composition_communale")
    h = _header_row(raw, path, "CODGEO")
    df = raw.iloc[h + 1 :].copy()
    df.columns = [str(c).strip() for c in raw.iloc[h]]
    _need(path, df.columns, ("CODGEO", "ZE2020", "LIBZE2020"))
    out = pd.DataFrame(
        {
            "code": normalise_codes(df["CODGEO"], 5),
            "zone": normalise_codes(df["ZE2020"], 4),
            "zone_name": df["LIBZE2020"].astype(str).str.strip(),
        }
    ).dropna(subset=["code", "zone"])
    return out.reset_index(drop=True)


# ----------------------------------------------------------------------------------------------------------
# France Travail
# ----------------------------------------------------------------------------------------------------------

BMO_COLUMNS: tuple[str, ...] = ("Code métier BMO", "Nom métier BMO", "Famille_met", "Lbl_fam_met", "REG", "Dept")
BMO_COLUMNS += ("met", "xmet", "smet")
#: The survey's sheet (``BMO_2025_open_data``, next year ``BMO_2026_open_data``) and its bassin columns, named
#: after the vintage of the bassin zoning (``BE25``/``NOMBE25``, later ``BE26``...).
_BMO_SHEET = re.compile(r"^BMO_(\d{4})_open_data$")
_BMO_BASSIN = re.compile(r"^BE\d{2}$")


def _bmo_sheet(path: Path) -> tuple[str, str]:
    """The newest ``BMO_<year>_open_data`` sheet of the workbook and its year."""
    from python_calamine import CalamineWorkbook

    try:
        names = CalamineWorkbook.from_path(str(path)).sheet_names
    except Exception as exc:  # python-calamine raises its own error types on unreadable files
        raise SourceFormatError(f"{path.name}: cannot be read as a spreadsheet ({type(exc).__name__}: {exc})") from exc
    found = sorted((m.group(1), n) for n in names if (m := _BMO_SHEET.match(str(n).strip())))
    if not found:
        raise SourceFormatError(f"{path.name}: no BMO_<year>_open_data sheet (sheets: {names})")
    year, name = found[-1]
    return name, year


def read_ft_bmo_rows(path: Path) -> pd.DataFrame:
    """France Travail BMO open data (sheet ``BMO_<year>_open_data``): one row per bassin x occupation.

    Returns ``bassin`` (4 characters: numeric ``101`` -> ``0101``), ``bassin_name``, ``met_code``,
    ``met_label``, ``bmo_family``, ``bmo_family_label``, ``fap_domain`` (first letter of the FAP-based
    code), ``region``, ``departement``, ``projects``, ``difficult``, ``seasonal`` (NaN where secret),
    ``projects_secret``, ``difficult_secret``, ``seasonal_secret`` and ``period`` (the survey year of the sheet).
    """
    sheet, year = _bmo_sheet(path)
    raw = _read_excel(path, sheet)
    df = raw.iloc[1:].copy()
    df.columns = [str(c).strip() for c in raw.iloc[0]]
    bassin_col = next((c for c in df.columns if _BMO_BASSIN.match(c)), "BE25")
    _need(path, df.columns, (*BMO_COLUMNS, bassin_col, f"NOM{bassin_col}"))
    out = pd.DataFrame(
        {
            "bassin": normalise_codes(df[bassin_col], 4),
            "bassin_name": df[f"NOM{bassin_col}"].astype(str).str.strip(),
            "met_code": df["Code métier BMO"].astype(str).str.strip(),
            "met_label": df["Nom métier BMO"].astype(str).str.strip(),
            "bmo_family": df["Famille_met"].astype(str).str.strip(),
            "bmo_family_label": df["Lbl_fam_met"].astype(str).str.strip(),
            "region": normalise_codes(df["REG"], 2),
            "departement": normalise_codes(df["Dept"], 2),
        }
    )
    out["fap_domain"] = out["met_code"].str[:1]
    for col, name in (("met", "projects"), ("xmet", "difficult"), ("smet", "seasonal")):
        value, secret = parse_number(df[col])
        out[name] = value.to_numpy()
        out[f"{name}_secret"] = secret.to_numpy()
    if out["bassin"].isna().any():
        raise SourceFormatError(f"{path.name}: empty {bassin_col} bassin codes")
    out["period"] = year
    return out.reset_index(drop=True)


def bmo_tidy(rows: pd.DataFrame, key: str = "bassin") -> pd.DataFrame:
    """Sum BMO rows by ``key`` (bassin, departement or region) into tidy counts: ``hiring_projects``,
    ``hiring_difficult``, ``hiring_seasonal`` (period: the survey year of the rows); ``secret`` is True where a
    cell was left out, i.e. the sum is a lower bound."""
    period = str(rows["period"].iloc[0]) if "period" in rows and len(rows) else "2025"
    parts = []
    names = (("projects", "hiring_projects"), ("difficult", "hiring_difficult"), ("seasonal", "hiring_seasonal"))
    for col, ind in names:
        g = rows.groupby(key)
        part = pd.DataFrame({"value": g[col].sum(min_count=1), "secret": g[f"{col}_secret"].any()}).reset_index()
        parts.append(part.rename(columns={key: "code"}).assign(indicator=ind, period=period))
    return _tidy(pd.concat(parts, ignore_index=True))


def read_ft_bmo(path: Path) -> pd.DataFrame:
    """Tidy BMO counts per bassin (see :func:`bmo_tidy`)."""
    return bmo_tidy(read_ft_bmo_rows(path))


def read_ft_bassins_lexique(path: Path) -> pd.DataFrame:
    """France Travail commune -> bassin BMO table (``,``; CODE_COMMUNE_INSEE, BE19, NOMBE19).
    Yields ``code`` (commune), ``zone`` (4 characters), ``zone_name``."""
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise SourceFormatError(f"{path.name}: not a UTF-8 CSV file ({exc})") from exc
    _need(path, df.columns, ("CODE_COMMUNE_INSEE", "BE19", "NOMBE19"))
    out = pd.DataFrame(
        {
            "code": normalise_codes(df["CODE_COMMUNE_INSEE"], 5),
            "zone": normalise_codes(df["BE19"], 4),
            "zone_name": df["NOMBE19"].str.strip(),
        }
    )
    return out.dropna(subset=["code", "zone"]).drop_duplicates("code").reset_index(drop=True)


# ----------------------------------------------------------------------------------------------------------
# Dares, ONS, Statbel
# ----------------------------------------------------------------------------------------------------------


def read_dares_barometre(path: Path) -> pd.DataFrame:
    """Dares figures from the government's "baromètre des résultats" (long CSV: ``date``, ``valeur``, and
    ``code_departement`` or ``maille_geographique``). Yields ``apprenticeship_contracts`` per département code
    (``FR`` for the national file); ``period`` is the year for a 31 December date, else ``YYYY-01/YYYY-MM``
    (a partial year, e.g. 2022 to 31 October)."""
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise SourceFormatError(f"{path.name}: not a UTF-8 CSV file ({exc})") from exc
    _need(path, df.columns, ("date", "valeur", "id_indicateur"))
    if "code_departement" in df.columns:
        codes = normalise_codes(df["code_departement"], 2)
    elif "maille_geographique" in df.columns:
        codes = pd.Series("FR", index=df.index, dtype=object)
    else:
        raise SourceFormatError(f"{path.name}: neither code_departement nor maille_geographique")
    dates = pd.to_datetime(df["date"], format="%Y-%m-%d", errors="coerce")
    if dates.isna().any():
        raise SourceFormatError(f"{path.name}: dates that are not YYYY-MM-DD")
    full = (dates.dt.month == 12) & (dates.dt.day == 31)
    period = np.where(
        full,
        dates.dt.year.astype(str),
        dates.dt.year.astype(str) + "-01/" + dates.dt.year.astype(str) + "-" + dates.dt.month.map("{:02d}".format),
    )
    value, secret = parse_number(df["valeur"], ())
    ind = df["id_indicateur"].map({"nombre-contrats-apprentissage": "apprenticeship_contracts"})
    out = pd.DataFrame({"code": codes, "indicator": ind, "period": period, "value": value, "secret": secret})
    return _tidy(out.dropna(subset=["indicator", "code"]))


#: ONS / Statbel indicator names -> indicator ids of the store.
LFS_INDICATORS: dict[str, str] = {
    "employment_rate_16_64": "employment_rate_16_64",
    "unemployment_rate_16plus": "unemployment_rate",
    "inactivity_rate_16_64": "inactivity_rate_16_64",
    "employment_rate_20_64": "employment_rate_20_64",
    "ilo_unemployment_rate": "unemployment_rate",
    "inactivity_rate_20_64": "inactivity_rate_20_64",
}


def read_lfs_regions(path: Path) -> pd.DataFrame:
    """A long labour-force table by region (``itl1_code`` or ``nuts2_code``, ``indicator``, ``period``,
    ``value``): the ONS ITL1 and Statbel NUTS2 files. Yields the rates of :data:`LFS_INDICATORS` (others
    are ignored); the period is kept as published (``2022-07/2022-09 (Jul-Sep 2022)`` -> ``2022-07/2022-09``)."""
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise SourceFormatError(f"{path.name}: not a UTF-8 CSV file ({exc})") from exc
    code_col = next((c for c in ("itl1_code", "nuts2_code") if c in df.columns), None)
    if code_col is None:
        raise SourceFormatError(f"{path.name}: neither itl1_code nor nuts2_code column")
    _need(path, df.columns, ("indicator", "period", "value"))
    value, secret = parse_number(df["value"], ())
    out = pd.DataFrame(
        {
            "code": df[code_col].str.strip().str.upper(),
            "indicator": df["indicator"].map(LFS_INDICATORS),
            "period": df["period"].str.extract(r"^(\S+)", expand=False),
            "value": value,
            "secret": secret,
        }
    )
    return _tidy(out.dropna(subset=["indicator"]))


#: Fields of the *Métiers en 2030* regional file (thousands of jobs over 2019-2030) -> column names.
METIERS_FIELDS: dict[str, str] = {
    "effectifs_2019_milliers": "employment_2019",
    "creations_destructions_milliers": "creation",
    "departs_fin_carriere_milliers": "departures",
    "jeunes_debutants_milliers": "young_entrants",
    "solde_mobilites_inter_regions_milliers": "mobility",
    "desequilibre_milliers": "imbalance",
    "postes_a_pourvoir_milliers": "openings",
}


def read_metiers_2030_regions(path: Path) -> pd.DataFrame:
    """*Les métiers en 2030* regional file (JSON list of records). Returns ``fap_code``, ``fap_label``,
    ``fap_domain`` (first letter), ``region_name`` and the :data:`METIERS_FIELDS` columns (thousands over
    2019-2030; NaN when absent)."""
    try:
        records = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceFormatError(f"{path.name}: not valid UTF-8 JSON ({exc})") from exc
    if not isinstance(records, list) or not records or not isinstance(records[0], dict):
        raise SourceFormatError(f"{path.name}: expected a JSON list of records")
    df = pd.DataFrame.from_records(records)
    _need(path, df.columns, ("code_fap", "fap_libelle", "region", *METIERS_FIELDS))
    out = pd.DataFrame(
        {
            "fap_code": df["code_fap"].astype(str).str.strip(),
            "fap_label": df["fap_libelle"].astype(str),
            "region_name": df["region"].astype(str).str.strip(),
        }
    )
    out["fap_domain"] = out["fap_code"].str[:1]
    for field, name in METIERS_FIELDS.items():
        out[name] = pd.to_numeric(df[field], errors="coerce").astype(float)
    return out


PROFILES: tuple[Profile, ...] = (
    Profile(
        "insee_legal_population",
        "INSEE donnees_communes.csv: ';' UTF-8, columns REG..COM, Commune, PMUN, PCAP, PTOT; arrondissements only",
        "tidy: population by commune",
        read_insee_legal_population,
    ),
    Profile(
        "insee_comparateur",
        "INSEE base comparateur zip: base_cc_comparateur.CSV, ASCII ';' CRLF, CODGEO + P18_* columns, secret = empty",
        "tidy: census RP counts by commune",
        read_insee_comparateur,
    ),
    Profile(
        "insee_localised_unemployment_dep",
        "INSEE sl_etc .xls: title rows, header Code, Libellé, T1_1982...; codes text or float",
        "tidy: quarterly unemployment_rate by département",
        read_insee_localised_unemployment_dep,
    ),
    Profile(
        "insee_localised_unemployment_ze",
        "INSEE chomage-zone .xlsx, sheet txcho_ze: 2-row header (labels, then ZE2020, 2003-T1...)",
        "tidy: quarterly unemployment_rate by zone d'emploi",
        read_insee_localised_unemployment_ze,
    ),
    Profile(
        "insee_ze_composition",
        "INSEE ZE2020 .xlsx, sheet Composition_communale: title rows, header CODGEO, LIBGEO, ZE2020, LIBZE2020",
        "zoning: commune -> zone d'emploi",
        read_insee_ze_composition,
    ),
    Profile(
        "ft_bmo",
        "France Travail BMO .xlsx, sheet BMO_2025_open_data: met/xmet/smet as text with '*' secrets, BE25 numeric",
        "detail rows bassin x occupation; tidy counts by bassin (lower bounds where secret)",
        read_ft_bmo,
    ),
    Profile(
        "ft_bassins_lexique",
        "France Travail lexique-bassins.csv: ',' UTF-8, CODE_COMMUNE_INSEE, BE19, NOMBE19",
        "zoning: commune -> bassin BMO",
        read_ft_bassins_lexique,
    ),
    Profile(
        "dares_barometre",
        "baromètre des résultats CSV: ',' UTF-8, long (date, valeur), code_departement or maille_geographique",
        "tidy: apprenticeship_contracts by département or national, yearly or partial year",
        read_dares_barometre,
    ),
    Profile(
        "lfs_regions",
        "long CSV: itl1_code or nuts2_code, indicator, period, value, unit",
        "tidy: labour-force rates by region",
        read_lfs_regions,
    ),
    Profile(
        "metiers_2030_regions",
        "JSON list of records: code_fap, region, *_milliers fields",
        "detail rows FAP x région (thousands, 2019-2030)",
        read_metiers_2030_regions,
    ),
)
PROFILES_BY_NAME: dict[str, Profile] = {p.name: p for p in PROFILES}
