"""Fill an organiser's own Excel form (様式) with report figures, keeping the form's formatting.

Cells hold placeholders such as ``{{enrolments}}``; a cell that is exactly one placeholder gets the
number itself (rates as fractions with a percent format unless the cell has its own format), a
placeholder inside longer text is replaced by formatted text. A cell that is exactly a table anchor
``{{table:by_country}}`` receives that table's rows downwards from the anchor, one column per cell to
the right, each written cell taking the style of the anchor row's cell in its column;
``{{table:by_country:headers}}`` writes the header row first. Unknown placeholders are left as they
are and reported as warnings. See :data:`PLACEHOLDERS` and :data:`TABLES`.

The upload is checked by the one guarded reader (``core.spreadsheets``) before openpyxl sees it:
extension, size, a real zip with an xlsx workbook part, no macros, no encryption, bounded
decompressed size (zip-bomb guard), cells within ZZ / row 21,000 and at most 500,000 cells a sheet.
"""

from __future__ import annotations

import io
import re
import zipfile
from copy import copy
from dataclasses import dataclass, field
from datetime import date, datetime

from core.errors import ServiceError
from core.i18n import _, _l
from core.spreadsheets import (
    DATE,
    DECIMAL,
    INTEGER,
    NUMBER_FORMATS,
    PERCENT,
    TEXT,
    ReadLimits,
    Table,
    WorkbookUploadError,
    check_workbook_upload,
    open_workbook_upload,
    set_cell,
)

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 60 * 1024 * 1024
MAX_ZIP_ENTRIES = 2000
MAX_COMPRESSION_RATIO = 250
MAX_TABLE_ROWS = 20000
MAX_COLUMNS = 702  # up to column ZZ
MAX_CELLS = 500_000  # cells present in one sheet (openpyxl keeps each in memory)

#: Scalar placeholders: name → (description for the help page, value kind).
PLACEHOLDERS: dict[str, tuple[object, str]] = {
    "cohorts": (_l("Cohorts (course runs) with counted enrolments"), INTEGER),
    "participants": (_l("Participants: distinct trainees"), INTEGER),
    "enrolments": (_l("Enrolments: counted enrolments"), INTEGER),
    "completed": (_l("Completed enrolments"), INTEGER),
    "completion_rate": (_l("Completion rate (percent)"), PERCENT),
    "countries": (_l("Countries: distinct nationalities"), INTEGER),
    "asean_enrolments": (_l("Enrolments of nationals of ASEAN members (as of each cohort's start)"), INTEGER),
    "female": (_l("Enrolments of female trainees"), INTEGER),
    "male": (_l("Enrolments of male trainees"), INTEGER),
    "female_share": (_l("Female share (percent)"), PERCENT),
    "training_days": (_l("Sum of the training days of the cohorts"), INTEGER),
    "person_days": (_l("Person-days"), INTEGER),
    "mean_pre": (_l("Mean pre-test (percent, paired)"), PERCENT),
    "mean_post": (_l("Mean post-test (percent, paired)"), PERCENT),
    "normalised_gain": (_l("Normalised gain (Hake)"), DECIMAL),
    "satisfaction": (_l("Satisfaction, mean 1–5"), DECIMAL),
    "exercises_run": (_l("Exercises run"), INTEGER),
    "fy": (_l("Fiscal year(s) chosen, e.g. FY2024 or FY2019–FY2024 (2024年度 in Japanese)"), TEXT),
    "fy_from": (_l("First fiscal year chosen (number)"), INTEGER),
    "fy_to": (_l("Last fiscal year chosen (number)"), INTEGER),
    "programme": (_l("Programme code chosen"), TEXT),
    "programme_name": (_l("Programme name"), TEXT),
    "organiser": (_l("Implementing organisation's name as it was in the chosen fiscal year"), TEXT),
    "filters": (_l("All chosen filters as text"), TEXT),
    "generated": (_l("Date the file was produced"), DATE),
}

#: Table anchors: name → description (columns as in the workbook sheet of the same name).
TABLES: dict[str, object] = {
    "by_country": _l("By country: code, country, enrolments, completed, female, male, other/not stated, person-days; "
                     "then ASEAN and Total rows"),
    "by_sector": _l("By sector: code, sector, public, private, other, enrolments, completed; then Total"),
    "by_cohort": _l("By cohort: cohort, title, fiscal year, modality, host country, start, end, training days, "
                    "enrolments, completed, countries, person-days"),
    "by_fiscal_year": _l("By fiscal year: fiscal year, cohorts, enrolments, completed, countries, person-days, "
                         "cumulative enrolments"),
    "learning": _l("Learning: cohort, paired trainees, mean pre %, mean post %, normalised gain"),
    "participants": _l("Participants: one row per counted enrolment, columns as the Participants sheet"),
}

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_:.\-]*)\s*\}\}")


class TemplateError(ServiceError):
    """The uploaded file cannot be used as a template (message for the user)."""


@dataclass
class FillResult:
    content: bytes
    warnings: list[str] = field(default_factory=list)
    replaced: int = 0
    tables: int = 0


def _limits(max_bytes: int = MAX_UPLOAD_BYTES) -> ReadLimits:
    return ReadLimits(max_bytes=max_bytes, max_rows=MAX_TABLE_ROWS, max_cols=MAX_COLUMNS,
                      max_unpacked=MAX_UNCOMPRESSED_BYTES, max_ratio=MAX_COMPRESSION_RATIO,
                      max_members=MAX_ZIP_ENTRIES, max_cells=MAX_CELLS)


def check_upload(data: bytes, filename: str, max_bytes: int = MAX_UPLOAD_BYTES) -> None:
    """Refuse anything but a plain, reasonably sized .xlsx workbook (the one guarded reader's checks)."""
    if not filename.lower().endswith(".xlsx"):
        raise TemplateError(_("Upload an Excel workbook with the extension .xlsx (.xls and .xlsm are not accepted)."),
                            "template")
    try:
        check_workbook_upload(data, limits=_limits(max_bytes))
    except WorkbookUploadError as exc:
        raise TemplateError(exc.message, "template") from None


def _text(value, kind: str) -> str:
    if value is None:
        return ""
    if kind == PERCENT:
        return f"{value * 100:.1f}%"
    if kind == DECIMAL:
        return f"{value:.2f}"
    if kind == INTEGER and isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, datetime | date):
        return value.strftime("%Y-%m-%d")
    return str(value)


def _cells(ws):
    """The cells that exist in a worksheet (without creating empty ones)."""
    return list(ws._cells.values())


def fill(data: bytes, values: dict[str, object], tables: dict[str, Table]) -> FillResult:
    """Fill placeholders in an already checked template; returns the new workbook and warnings."""
    from openpyxl.cell.cell import MergedCell

    try:
        book = open_workbook_upload(data, limits=_limits(max(len(data), 1)), rich_text=False, keep_links=True)
    except WorkbookUploadError as exc:
        raise TemplateError(exc.message, "template") from None
    result = FillResult(b"")
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        if any(n.startswith(("xl/drawings/", "xl/charts/")) for n in package.namelist()):
            result.warnings.append(_("Pictures and charts in the template are not kept in the filled file."))
    unknown: dict[str, list[str]] = {}
    anchors = []
    for ws in book.worksheets:
        for cell in _cells(ws):
            if not isinstance(cell.value, str) or "{{" not in cell.value or cell.data_type == "f":
                continue  # formulas are the form's own: never touched
            text = cell.value
            whole = _PLACEHOLDER.fullmatch(text.strip())
            if whole and whole.group(1).lower().startswith("table:"):
                anchors.append((ws, cell, whole.group(1).lower()))
                continue
            if whole and whole.group(1).lower() in values:
                name = whole.group(1).lower()
                kind = PLACEHOLDERS.get(name, ("", TEXT))[1]
                value = values[name]
                set_cell(cell, value, NUMBER_FORMATS.get(kind))
                result.replaced += 1
                continue

            def substitute(match, ws=ws, cell=cell):
                name = match.group(1).lower()
                if name in values:
                    result.replaced += 1
                    return _text(values[name], PLACEHOLDERS.get(name, ("", TEXT))[1])
                if name.startswith("table:"):
                    result.warnings.append(_("%(where)s: a table anchor must be alone in its cell; left as it is.",
                                             where=f"{ws.title}!{cell.coordinate}"))
                else:
                    unknown.setdefault(match.group(0), []).append(f"{ws.title}!{cell.coordinate}")
                return match.group(0)

            new_text = _PLACEHOLDER.sub(substitute, text)
            if new_text != text:
                set_cell(cell, new_text)
    for ws, cell, anchor in anchors:
        parts = anchor.split(":")
        name = parts[1] if len(parts) > 1 else ""
        with_headers = len(parts) > 2 and parts[2] in ("headers", "header")
        if name not in tables or len(parts) > 3 or (len(parts) == 3 and not with_headers):
            unknown.setdefault(cell.value.strip(), []).append(f"{ws.title}!{cell.coordinate}")
            continue
        _write_table(ws, cell, tables[name], with_headers, result, MergedCell)
        result.tables += 1
    for placeholder, places in unknown.items():
        result.warnings.append(_("Unknown placeholder %(placeholder)s in %(places)s was left as it is.",
                                 placeholder=placeholder, places=", ".join(places[:5])))
    out = io.BytesIO()
    book.save(out)
    result.content = out.getvalue()
    return result


def _write_table(ws, anchor, table: Table, with_headers: bool, result: FillResult, merged_type) -> None:
    top, left = anchor.row, anchor.column
    styles = [copy(ws.cell(row=top, column=left + j)._style) for j in range(len(table.columns))]
    rows = [[c.header for c in table.columns]] if with_headers else []
    for i, row in enumerate(table.rows):
        if i >= MAX_TABLE_ROWS:
            result.warnings.append(_("Only the first %(n)s rows of a table are written.", n=MAX_TABLE_ROWS))
            break
        rows.append(list(row))
    overwritten = []
    for i, row in enumerate(rows):
        header_row = with_headers and i == 0
        for j, value in enumerate(row):
            target = ws.cell(row=top + i, column=left + j)
            if isinstance(target, merged_type):
                overwritten.append(target.coordinate)
                continue
            if i > 0 and target.value not in (None, ""):
                overwritten.append(target.coordinate)
            if i > 0:
                target._style = copy(styles[j])
            kind = TEXT if header_row else table.columns[j].kind
            set_cell(target, value, NUMBER_FORMATS.get(kind))
    if not rows:
        anchor.value = None
    if overwritten:
        result.warnings.append(_("The table at %(where)s wrote over cells that were not empty: %(cells)s.",
                                 where=f"{ws.title}!{anchor.coordinate}", cells=", ".join(overwritten[:10])))
