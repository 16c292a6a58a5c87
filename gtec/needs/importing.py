"""Importing answers from a file in the survey's template (CSV or XLSX), validated before anything is written.

The template (:func:`template_csv`, :func:`template_xlsx`) has one column ``respondent`` (any identifier of the
respondent in the file; optional), one column ``group`` (a group code such as ``companies`` or its French or
English name) and one column per question id of the survey; one row per respondent, empty cells for questions
not answered. Files are read by the import machinery's reading layer (:mod:`gtec.imports.reading`: size limit,
kind from the bytes, encoding and delimiter detection, workbook checks).

:func:`validate` returns a :class:`Report` listing every problem with its line and column (unknown question
ids, out-of-scale values, unknown groups, duplicate respondents); :func:`commit` writes all rows in one
transaction, or nothing (a report with problems, or a respondent already imported from an earlier file).
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from gtec.core import auth
from gtec.core.errors import UserError
from gtec.core.export import neutralise_cell
from gtec.core.fmt import parse_number
from gtec.core.i18n import LANGS, t
from gtec.imports import reading
from gtec.imports.limits import ImportLimits
from gtec.needs import bank
from gtec.needs.surveys import Survey, insert_response
from gtec.storage.workspace import UniqueViolation, Workspace, name_key

RESPONDENT, GROUP = "respondent", "group"
MAX_PROBLEMS = 200


@dataclass(frozen=True)
class Problem:
    line: int  # line (CSV) or row (XLSX) in the file, 1-based; 0 for the whole file
    column: str
    key: str  # i18n key of the message
    values: dict = field(default_factory=dict)


@dataclass
class Report:
    survey_id: int
    batch: str  # digest of the file: the same file imported twice is refused
    rows: list[tuple[str, str, dict[str, int]]]  # (respondent key, group, answers)
    problems: list[Problem]
    columns: list[str]
    encoding: str = ""
    delimiter: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)


def template_columns(survey: Survey) -> list[str]:
    return [RESPONDENT, GROUP, *survey.question_ids]


def template_csv(survey: Survey) -> bytes:
    """The CSV template: the header row (``;``-separated, UTF-8 with BOM so spreadsheets read accents)."""
    return ("\ufeff" + ";".join(template_columns(survey)) + "\r\n").encode("utf-8")


def _col(i: int) -> str:
    name = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        name = chr(65 + r) + name
    return name


def template_xlsx(survey: Survey, lang: str) -> bytes:
    """The XLSX template: the header row of ids, and a second sheet explaining each column (question texts)."""
    head = template_columns(survey)
    help_rows = [
        [
            t("needs.import.col_respondent", lang),
            t("needs.import.col_group_help", lang, groups=", ".join(survey.groups)),
        ]
    ]
    for qid in survey.question_ids:
        q = bank.BY_ID.get(qid)
        low, high = survey.bounds()
        help_rows.append([qid, (q.text_fr if q else qid) + f" [{low}-{high}]"])

    def sheet(rows: list[list[str]]) -> str:
        cells = []
        for r, row in enumerate(rows, 1):
            xs = "".join(
                f'<c r="{_col(c)}{r}" t="inlineStr"><is><t>{xml_escape(str(neutralise_cell(v)))}</t></is></c>'
                for c, v in enumerate(row)
            )
            cells.append(f'<row r="{r}">{xs}</row>')
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f"<sheetData>{''.join(cells)}</sheetData></worksheet>"
        )

    ns = "http://schemas.openxmlformats.org/"
    files = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="'
        + ns
        + 'package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="'
        + ns
        + 'package/2006/relationships">'
        '<Relationship Id="rId1" Type="' + ns + 'officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="' + ns + 'spreadsheetml/2006/main" '
        'xmlns:r="' + ns + 'officeDocument/2006/relationships"><sheets>'
        '<sheet name="answers" sheetId="1" r:id="rId1"/><sheet name="help" sheetId="2" r:id="rId2"/>'
        "</sheets></workbook>",
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="'
        + ns
        + "package/2006/"
        'relationships"><Relationship Id="rId1" Type="' + ns + 'officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="' + ns + "officeDocument/2006/relationships/"
        'worksheet" Target="worksheets/sheet2.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": sheet([head]),
        "xl/worksheets/sheet2.xml": sheet(help_rows),
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return buf.getvalue()


def read_grid(path: Path, limits: ImportLimits) -> reading.Grid:
    """The file as a grid of text cells through the import machinery (CSV, XLSX, XLS; checks and limits)."""
    reading.check_size(path, limits)
    with open(path, "rb") as handle:
        head = handle.read(8)
    kind = reading.sniff_kind(head)
    if kind == "text":
        return reading.read_text_grid(Path(path).read_bytes(), limits)
    if kind == "zip":
        if reading.workbook_kind(path, limits) != "xlsx":
            raise UserError("imports.error.unsupported")
        return reading.read_workbook_grid(path, "xlsx", limits, sheet=None)
    return reading.read_workbook_grid(path, "xls", limits)


def _group_lookup(survey: Survey) -> dict[str, str]:
    """Accepted spellings of each group of the survey: its code and its name in every language."""
    out = {}
    for g in survey.groups:
        out[name_key(g)] = g
        for lang in LANGS:
            out[name_key(t(f"needs.group.{g}", lang))] = g
    return out


def validate(survey: Survey, grid: reading.Grid, digest: str) -> Report:
    """Check a grid against the survey (nothing is written). See the module docstring for the problems."""
    problems: list[Problem] = []
    rows: list[tuple[str, str, dict[str, int]]] = []
    report = Report(survey.id, digest, rows, problems, [], grid.encoding, grid.delimiter)
    if not survey.is_open:
        problems.append(Problem(0, "", "needs.error.closed"))
    if not grid.rows:
        problems.append(Problem(0, "", "imports.error.empty"))
        return report
    header = [h.strip() for h in grid.rows[0]]
    report.columns = header
    lines = grid.line_numbers or list(range(1, len(grid.rows) + 1))
    known = set(survey.question_ids)
    if GROUP not in header:
        problems.append(Problem(lines[0], GROUP, "needs.import.missing_group"))
    for h in header:
        if h and h not in known and h not in (RESPONDENT, GROUP):
            problems.append(Problem(lines[0], h, "needs.import.unknown_question"))
    if len(set(h for h in header if h)) != len([h for h in header if h]):
        problems.append(Problem(lines[0], "", "needs.import.duplicate_column"))
    if problems:
        return report
    groups = _group_lookup(survey)
    low, high = survey.bounds()
    seen: dict[str, int] = {}
    for raw, line in zip(grid.rows[1:], lines[1:], strict=True):
        if len(problems) >= MAX_PROBLEMS:
            break
        cells = dict(zip(header, [*raw, *[""] * (len(header) - len(raw))], strict=False))
        group = groups.get(name_key(cells.get(GROUP, "")))
        if group is None:
            problems.append(Problem(line, GROUP, "needs.import.unknown_group", {"value": cells.get(GROUP, "")[:40]}))
        answers: dict[str, int] = {}
        for qid in survey.question_ids:
            text = (cells.get(qid) or "").strip()
            if not text:
                continue
            try:
                value = parse_number(text)
            except ValueError:
                problems.append(Problem(line, qid, "needs.import.not_number", {"value": text[:20]}))
                continue
            if value != int(value) or not low <= value <= high:
                problems.append(
                    Problem(line, qid, "needs.import.out_of_scale", {"value": text[:20], "low": low, "high": high})
                )
                continue
            answers[qid] = int(value)
        if not answers:
            problems.append(Problem(line, "", "needs.import.no_answer"))
        who = (cells.get(RESPONDENT) or "").strip()
        key = f"import:{name_key(who)}" if who else f"import:{digest}:{line}"
        if key in seen:
            problems.append(Problem(line, RESPONDENT, "needs.import.duplicate_respondent", {"other": seen[key]}))
        seen[key] = line
        if group is not None and answers:
            rows.append((key, group, answers))
    return report


def prepare(survey: Survey, path: Path, limits: ImportLimits) -> Report:
    """Read and validate a file (nothing written). Raises the reading layer's ``imports.error.*`` on a file that
    cannot be read at all (too large, binary, damaged workbook...)."""
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]
    return validate(survey, read_grid(path, limits), digest)


def commit(ws: Workspace, actor: auth.Actor, report: Report) -> int:
    """Write every row of a clean report in one transaction; returns the number of responses written.

    Refused with nothing written: problems in the report (``needs.import.has_problems``), survey closed
    meanwhile, a respondent already present (``needs.import.already``, e.g. the same file imported twice)."""
    if not report.ok:
        raise UserError("needs.import.has_problems", count=len(report.problems))
    detail = {"rows": len(report.rows), "batch": report.batch}
    try:
        with ws.write(actor, "needs.import", target=str(report.survey_id), detail=detail) as conn:
            if conn.scalar("SELECT status FROM needs_surveys WHERE id = ?", (report.survey_id,)) != "open":
                raise UserError("needs.error.closed")
            for key, group, answers in report.rows:
                insert_response(conn, report.survey_id, key, group, answers, "import", report.batch)
    except UniqueViolation:
        raise UserError("needs.import.already") from None
    return len(report.rows)
