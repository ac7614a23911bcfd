"""The one spreadsheet module: the guarded reader for uploads and the writers for every workbook.

* :mod:`core.spreadsheets.reader` — :func:`read_workbook_upload` / :func:`open_workbook_upload`: every
  uploaded workbook is checked (size, zip bomb, macros, encryption, far-away cells) before it is read.
* :mod:`core.spreadsheets.writer` — :class:`WorkbookWriter` (XlsxWriter, streaming) for exports and
  CSV; :func:`set_cell` for writing into an existing (openpyxl) workbook such as a ministry template;
  :func:`new_workbook` / :func:`write_sheet` / :func:`put_cell` / :func:`workbook_bytes` for small formatted workbooks
  built in memory (the MSEL, the after-action report, the trainee import template), :func:`add_drop_downs` for
  their drop-down lists.

``XLSX_MIME`` is the one content type for .xlsx downloads.
"""

from core.spreadsheets.reader import (
    OTHER_SPREADSHEET_EXTENSIONS,
    XLSX_MIME,
    ReadLimits,
    SheetRows,
    UploadedWorkbook,
    WorkbookUploadError,
    check_sheet_extent,
    check_workbook_upload,
    column_letters,
    open_workbook_upload,
    read_workbook_upload,
)
from core.spreadsheets.writer import (
    DATE,
    DECIMAL,
    FORMULA_TRIGGERS,
    INTEGER,
    KINDS,
    NUMBER_FORMATS,
    PERCENT,
    TEXT,
    Cell,
    Chart,
    ChartSeries,
    Column,
    SheetWriter,
    Table,
    WorkbookWriter,
    add_drop_downs,
    csv_bytes,
    csv_safe,
    is_formula_like,
    new_workbook,
    put_cell,
    set_cell,
    workbook_bytes,
    write_csv,
    write_sheet,
    write_xlsx,
)

__all__ = [
    "DATE", "DECIMAL", "FORMULA_TRIGGERS", "INTEGER", "KINDS", "NUMBER_FORMATS", "OTHER_SPREADSHEET_EXTENSIONS",
    "PERCENT", "TEXT", "XLSX_MIME", "Cell", "Chart", "ChartSeries", "Column", "ReadLimits", "SheetRows",
    "SheetWriter", "Table", "UploadedWorkbook", "WorkbookUploadError", "WorkbookWriter", "add_drop_downs",
    "check_sheet_extent",
    "check_workbook_upload", "column_letters", "csv_bytes", "csv_safe", "is_formula_like", "new_workbook",
    "open_workbook_upload",
    "put_cell", "read_workbook_upload", "set_cell", "workbook_bytes", "write_csv", "write_sheet", "write_xlsx",
]
