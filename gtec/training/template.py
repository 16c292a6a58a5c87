"""The downloadable training-offer template (CSV and xlsx), and a small xlsx writer (no spreadsheet library).

The template has the header row of :data:`gtec.training.offer.COLUMNS` (French or English labels) and nothing
else, so an untouched template imports as "no rows" rather than as example trainings; the xlsx has a second sheet
explaining each column. :func:`xlsx_bytes` writes plain inline-string and number cells, no formulas, so the file
passes the import machinery's workbook checks.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from xml.sax.saxutils import escape

from gtec.core.export import neutralise_cell
from gtec.core.i18n import choose, t
from gtec.training.offer import COLUMNS

FIELDS: tuple[str, ...] = tuple(COLUMNS)


def header(lang: str) -> list[str]:
    """The template's column labels in ``lang`` (French labels first in :data:`COLUMNS`, English second)."""
    return [choose(lang, fr=COLUMNS[f][0], en=COLUMNS[f][min(1, len(COLUMNS[f]) - 1)]) for f in FIELDS]


def csv_bytes(lang: str, rows: Sequence[Sequence[object]] = ()) -> bytes:
    """The template as CSV (UTF-8 with BOM, ``;``-separated as French spreadsheets expect), optional rows."""
    import csv

    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header(lang))
    for row in rows:
        writer.writerow(["" if v is None else neutralise_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def help_rows(lang: str) -> list[list[str]]:
    """One row per column of the template: label and what to put in it."""
    return [[label, t(f"training.template.help.{f}", lang)] for f, label in zip(FIELDS, header(lang), strict=True)]


def _column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        name = chr(65 + rem) + name
    return name


def _sheet(rows: Sequence[Sequence[object]]) -> str:
    lines = []
    for i, row in enumerate(rows, start=1):
        cells = []
        for j, value in enumerate(row):
            ref = f"{_column(j)}{i}"
            if value is None or value == "":
                continue
            if isinstance(value, int | float) and not isinstance(value, bool):
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
            else:
                cells.append(
                    f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'
                )
        lines.append(f'<row r="{i}">{"".join(cells)}</row>')
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{''.join(lines)}</sheetData></worksheet>"
    )


def xlsx_bytes(sheets: Sequence[tuple[str, Sequence[Sequence[object]]]]) -> bytes:
    """A workbook with the given ``(name, rows)`` sheets (text and number cells only)."""
    ns = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    sheet_entries = "".join(
        f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId{i}"/>' for i, (name, _) in enumerate(sheets, 1)
    )
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{ns}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            f"{overrides}</Types>",
        )
        zf.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{ns}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        zf.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            f'xmlns:r="{ns}"><sheets>{sheet_entries}</sheets></workbook>',
        )
        zf.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>',
        )
        for i, (_, rows) in enumerate(sheets, 1):
            zf.writestr(f"xl/worksheets/sheet{i}.xml", _sheet(rows))
    return buf.getvalue()


def template_xlsx(lang: str, rows: Sequence[Sequence[object]] = ()) -> bytes:
    """The template as xlsx: the offer sheet (header and optional rows), then the help sheet."""
    return xlsx_bytes(
        [
            (t("training.template.sheet", lang), [header(lang), *rows]),
            (t("training.template.help_sheet", lang), help_rows(lang)),
        ]
    )
