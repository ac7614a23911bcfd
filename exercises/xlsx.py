"""A small, self-contained .xlsx writer for the MSEL and the after-action report (openpyxl).

Formula-injection safe: a string that a spreadsheet could take for a formula (starting with
= + - @, a tab, CR or LF) is stored as a text cell with the quote-prefix flag, never as a formula.
Characters XML cannot hold are dropped. The same text comes back when the file is read again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def set_cell(ws: Worksheet, row: int, column: int, value, wrap: bool = False, number_format: str | None = None):
    """Write one value: numbers and dates stay typed; text is cleaned and never becomes a formula."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, datetime):
        cell.value = value.replace(tzinfo=None) if value.tzinfo else value
        cell.number_format = number_format or "yyyy-mm-dd hh:mm"
    elif isinstance(value, date):
        cell.value = value
        cell.number_format = number_format or "yyyy-mm-dd"
    elif isinstance(value, int | float | bool) or value is None:
        cell.value = value
        if number_format:
            cell.number_format = number_format
    else:
        text = _ILLEGAL.sub("", str(value))
        cell.value = text
        if text.startswith(FORMULA_PREFIXES):
            cell.data_type = "s"
            cell.quotePrefix = True
    if wrap:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell


def write_table(ws: Worksheet, headers: Sequence[str], rows: Iterable[Sequence], widths: Sequence[int] | None = None,
                wrap_columns: Iterable[int] = (), start_row: int = 1) -> int:
    """A bold, frozen header row with an autofilter, then the rows. Returns the last row written."""
    wrap = set(wrap_columns)
    for col, header in enumerate(headers, start=1):
        set_cell(ws, start_row, col, header).font = Font(bold=True)
    last = start_row
    for r, values in enumerate(rows, start=start_row + 1):
        for col, value in enumerate(values, start=1):
            set_cell(ws, r, col, value, wrap=col in wrap)
        last = r
    ws.freeze_panes = ws.cell(row=start_row + 1, column=1)
    ws.auto_filter.ref = f"A{start_row}:{get_column_letter(len(headers))}{max(last, start_row)}"
    for col, width in enumerate(widths or (), start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    return last


def new_workbook() -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    return wb


def to_bytes(wb: Workbook) -> bytes:
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
