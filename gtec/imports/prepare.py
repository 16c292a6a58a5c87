"""One function from an uploaded file to a validation report, shared by the import page and the CLI.

:func:`prepare` never writes to the workspace: it checks the limits, reads the file (:mod:`gtec.imports.reading`),
recognises a profile or applies the mapping, and validates (:mod:`gtec.imports.validate`). The result carries the
values to write; :func:`gtec.imports.store.commit` writes them only when the report has no blocking problem.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from gtec.build.readers import SourceFormatError
from gtec.core.errors import UserError
from gtec.imports import profiles
from gtec.imports.limits import ImportLimits
from gtec.imports.mapping import Mapping, mapping_from_shape, tidy_from_grid
from gtec.imports.reading import (
    Grid,
    check_size,
    open_zip,
    read_text_grid,
    read_workbook_grid,
    sniff_kind,
    workbook_kind,
)
from gtec.imports.shape import Shape, detect_shape
from gtec.imports.validate import Geography, Report, validate


@dataclass
class Prepared:
    """A read and validated file: ``report``, the ``values`` to write, the ``rules`` (indicator -> aggregation and
    weight) and what was detected (``grid`` and ``shape`` for the mapping step; None for profiles)."""

    report: Report
    values: pd.DataFrame
    rules: dict[str, dict[str, str]]
    mapping: Mapping | None
    grid: Grid | None
    shape: Shape | None
    file_name: str
    size: int


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def safe_name(name: str) -> str:
    """A file name without any directory part or odd characters (kept for the profiles that read the vintage
    from the name, e.g. ``PL2023``)."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r"[^A-Za-z0-9._-]", "_", base).lstrip(".")[:120]
    return base or "upload"


def inspect(path: Path, limits: ImportLimits, encoding: str | None = None) -> tuple[str, Grid | None, profiles.Seen]:
    """``(kind, grid, seen)`` of a file: the grid for csv/xlsx/xls, the members only for another archive."""
    with open(path, "rb") as handle:
        head = handle.read(8)
    kind = sniff_kind(head)
    if kind == "zip":
        kind = workbook_kind(path, limits)
    if kind == "zip":
        zf, infos = open_zip(path, limits)
        zf.close()
        return kind, None, profiles.Seen("zip", [], members=tuple(i.filename for i in infos))
    if kind == "text":
        grid = read_text_grid(path.read_bytes(), limits, encoding)
    else:
        grid = read_workbook_grid(path, kind, limits)
    return grid.kind, grid, profiles.Seen(grid.kind, grid.rows[:40], sheets=tuple(grid.sheets))


def prepare(
    path: Path,
    geo: Geography,
    limits: ImportLimits,
    *,
    file_name: str = "",
    profile: str | None = None,
    mapping: Mapping | None = None,
    catalogue: dict[str, dict] | None = None,
    encoding: str | None = None,
) -> Prepared:
    """Read, detect and validate ``path`` (see the module docstring). Raises :class:`UserError` for a file that
    cannot be read at all; a readable file with problems gives a report with ``ok`` False instead.

    ``profile`` forces an official profile; ``mapping`` reads any other file; with neither, a recognised profile
    is used, else the mapping :func:`gtec.imports.shape.detect_shape` proposes (``imports.error.needs_mapping``
    when it finds none). ``catalogue``: the reference indicators (aggregation rules of profile indicators).
    """
    path = Path(path)
    name = safe_name(file_name or path.name)
    size = check_size(path, limits)
    sha = sha256_file(path)
    kind, grid, seen = inspect(path, limits, encoding)
    chosen = profile if profile else (None if mapping else profiles.recognise(seen))
    if chosen:
        if chosen not in profiles.IMPORTABLE:
            raise UserError("imports.error.unknown_profile", profile=chosen[:40])
        tidy = _read_with_profile(chosen, path, name)
        rules = {ind: _rule(ind, catalogue) for ind in tidy["indicator"].dropna().unique()}
        report, values = validate(
            tidy, geo, source=name, sha256=sha, profile=chosen, levels=profiles.IMPORTABLE[chosen], aggregation="none"
        )
        return Prepared(report, values, rules, None, grid, None, name, size)
    if grid is None:
        raise UserError("imports.error.unsupported")
    shape = detect_shape(grid)
    if len(grid.rows) - shape.first_row <= 0:
        raise UserError("imports.error.header_only")
    if mapping is None:
        mapping = mapping_from_shape(shape, "imported_indicator")
        if mapping is None or not (mapping.wide or (mapping.value and (mapping.period or mapping.period_column))):
            raise UserError("imports.error.needs_mapping")
    tidy = tidy_from_grid(grid, shape, mapping)
    if len(tidy) > limits.max_rows:
        raise UserError("imports.error.too_many_rows", max_rows=limits.max_rows)
    rule = {"aggregation": mapping.aggregation, "weight": mapping.weight}
    rules = {ind: rule for ind in tidy["indicator"].unique()}
    report, values = validate(
        tidy,
        geo,
        source=name,
        sha256=sha,
        levels=(mapping.level,) if mapping.level else None,
        aggregation=mapping.aggregation,
        min_value=mapping.min_value,
        max_value=mapping.max_value,
    )
    report.shape = {
        "kind": kind,
        "encoding": grid.encoding,
        "delimiter": grid.delimiter,
        "sheet": grid.sheet,
        "header_line": grid.line_numbers[shape.first_row - 1] if shape.first_row else 0,
        "header_rows": shape.header_rows,
        "wide_columns": len(shape.wide),
    }
    return Prepared(report, values, rules, mapping, grid, shape, name, size)


def prepare_bytes(data: bytes, file_name: str, geo: Geography, limits: ImportLimits, **options) -> Prepared:
    """:func:`prepare` for an upload held in memory (the page): refused over the size limit before any copy."""
    if len(data) > limits.max_bytes:
        raise UserError(
            "imports.error.too_large", size_mb=round(len(data) / 1048576, 1), max_mb=limits.max_bytes // 1048576
        )
    with tempfile.TemporaryDirectory(prefix="gtec-import-") as tmp:
        path = Path(tmp) / safe_name(file_name)
        path.write_bytes(data)
        return prepare(path, geo, limits, file_name=file_name, **options)


def _read_with_profile(name: str, path: Path, file_name: str) -> pd.DataFrame:
    target = path
    tmp = None
    if path.name != file_name:  # profiles read the vintage from the name (PL2023): give them the original one
        tmp = tempfile.TemporaryDirectory(prefix="gtec-profile-")
        target = Path(tmp.name) / file_name
        target.symlink_to(path.resolve())
    try:
        tidy = profiles.read_profile(name, target)
    except SourceFormatError as exc:
        raise UserError("imports.error.profile_format", profile=name) from exc
    except (OSError, ValueError, KeyError) as exc:
        raise UserError("imports.error.profile_format", profile=name) from exc
    finally:
        if tmp is not None:
            tmp.cleanup()
    return tidy


def _rule(indicator: str, catalogue: dict[str, dict] | None) -> dict[str, str]:
    row = (catalogue or {}).get(indicator) or {}
    return {"aggregation": str(row.get("aggregation") or "none"), "weight": str(row.get("weight_indicator") or "")}
