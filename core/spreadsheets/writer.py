"""The one spreadsheet writer (xlsx and CSV) every workbook goes through.

Two engines, one set of rules (formula-safe text, typed numbers and dates):

* :class:`WorkbookWriter` (XlsxWriter, streaming) for exports of any size — the report workbook,
  the completion and exercise sheets, CSV;
* :func:`new_workbook` / :func:`write_sheet` / :func:`put_cell` / :func:`workbook_bytes` (openpyxl,
  in memory) for small formatted workbooks read back by an import (the MSEL, the trainee import
  template) and the after-action report; :func:`set_cell` writes into an uploaded workbook (a
  ministry template) without creating formulas.

Details of the streaming writer:

* xlsx is written with XlsxWriter in ``constant_memory`` mode: rows stream to disk as they are
  written, so a 100,000-row sheet needs no more memory than a 10-row one. Rows must therefore be
  written top to bottom, one sheet after another.
* Every sheet gets a bold header row that is frozen, an autofilter over the data, column widths
  fitted to the header and the first rows, and number formats per column kind (integers,
  decimals, percentages stored as fractions, dates).
* Formula injection is neutralised. Text is only ever written as a *string* cell (never through
  XlsxWriter's ``write()``, which turns ``=...`` into a formula and URLs into links). Text that
  starts with ``=``, ``+``, ``-``, ``@``, tab, CR or LF additionally gets Excel's "quote prefix"
  cell flag, so it stays text even when someone edits the cell. The value itself is not changed.
  In CSV, where there are no cell types, such text is prefixed with an apostrophe (OWASP advice).
* CSV is UTF-8 *with* BOM so Japanese Excel opens it without mojibake.

Imports no feature; features describe their tables with :class:`Column`/:class:`Table`.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

TEXT = "text"
INTEGER = "int"
DECIMAL = "decimal"
PERCENT = "percent"
DATE = "date"
KINDS = (TEXT, INTEGER, DECIMAL, PERCENT, DATE)

NUMBER_FORMATS = {INTEGER: "#,##0", DECIMAL: "0.00", PERCENT: "0.0%", DATE: "yyyy-mm-dd"}

#: First characters that make spreadsheet software treat text as a formula (or a DDE payload).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")

_MAX_WIDTH = 60
_MIN_WIDTH = 6
_MEASURED_ROWS = 500  # widths are fitted to the header and the first rows (streaming: no second pass)


@dataclass(frozen=True)
class Column:
    """A column: header text, kind (text, int, decimal, percent, date) and an optional fixed width."""

    header: str
    kind: str = TEXT
    width: float | None = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")


@dataclass(frozen=True)
class Cell:
    """A value whose kind differs from its column's (e.g. a percentage in a mixed ``Value`` column)."""

    value: Any
    kind: str = TEXT


@dataclass
class Table:
    """A sheet's content: columns and an iterable of rows (sequences of plain values or :class:`Cell`)."""

    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]] = field(default_factory=list)


def is_formula_like(value: Any) -> bool:
    """Whether text would be taken as a formula by spreadsheet software."""
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def csv_safe(value: str) -> str:
    """Text for a CSV cell: formula-like text gets a leading apostrophe."""
    return "'" + value if is_formula_like(value) else value


def _display_width(text: str) -> int:
    # East Asian characters take about two columns in Excel's default font.
    return len(text) + sum(1 for ch in text if ord(ch) >= 0x2E80)


def _number(value: Any) -> float | int | None:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


# --- xlsx -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ChartSeries:
    """One data series of a chart: values from ``column`` of ``sheet`` (rows ``first``..``last``, 0-based)."""

    name: str
    sheet: str
    column: int
    first: int
    last: int


@dataclass(frozen=True)
class Chart:
    """A native Excel chart. ``kind`` is ``bar`` (horizontal) or ``column``; ``line`` series are drawn as
    a line on a secondary axis (e.g. a cumulative total over columns)."""

    title: str
    categories: ChartSeries
    series: Sequence[ChartSeries]
    kind: str = "column"
    stacked: bool = False
    line: ChartSeries | None = None
    x_title: str = ""
    y_title: str = ""


class SheetWriter:
    """Writes rows of one worksheet in order. Obtain it from :meth:`WorkbookWriter.add_sheet`."""

    def __init__(self, book: WorkbookWriter, worksheet, name: str, columns: Sequence[Column]):
        self.book = book
        self.worksheet = worksheet
        self.name = name
        self.columns = list(columns)
        self.next_row = 0
        self._widths = [max(_MIN_WIDTH, _display_width(c.header) + 2) for c in self.columns]
        formats = book._formats
        self._writers = [self._cell_writer(c.kind) for c in self.columns]
        worksheet.freeze_panes(1, 0)
        for col, column in enumerate(self.columns):
            worksheet.write_string(0, col, column.header, formats["header"])
        self.next_row = 1

    def _cell_writer(self, kind: str):
        """A function (row, col, value) for a column kind; text never goes through ``write()``.

        XlsxWriter's public ``write_*`` methods parse A1 notation on every call; the underscored ones
        they delegate to take (row, col) directly and are used when present (a third faster on
        100,000-row sheets).
        """
        ws = self.worksheet
        formats = self.book._formats
        write_string = getattr(ws, "_write_string", ws.write_string)
        write_num = getattr(ws, "_write_number", ws.write_number)
        write_dt = getattr(ws, "_write_datetime", ws.write_datetime)
        text_quoted = formats["quoted"]
        fmt = formats.get(kind)

        def write_text(row, col, value):
            if value.__class__ is not str:
                value = str(value)
            if value:
                write_string(row, col, value, text_quoted if value.startswith(FORMULA_TRIGGERS) else None)

        def write_number(row, col, value):
            if value.__class__ is int:
                write_num(row, col, value, fmt)
                return
            value = _number(value)
            if value is None:
                return
            if isinstance(value, str):  # a number that arrived as text stays text, safely
                write_text(row, col, value)
            else:
                write_num(row, col, value, fmt)

        def write_date(row, col, value):
            if isinstance(value, date | datetime):
                write_dt(row, col, value, fmt)
            else:
                write_text(row, col, value)

        return {TEXT: write_text, DATE: write_date}.get(kind, write_number)

    def write_row(self, values: Sequence[Any]) -> int:
        """Write one row below the previous one; returns its 0-based row index."""
        row = self.next_row
        self.next_row = row + 1
        writers = self._writers
        if row > _MEASURED_ROWS:
            for col, value in enumerate(values):
                if value is not None:
                    if value.__class__ is Cell:
                        if value.value is not None:
                            self._cell_writer(value.kind)(row, col, value.value)
                    else:
                        writers[col](row, col, value)
            return row
        for col, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, Cell):
                if value.value is None:
                    continue
                self._cell_writer(value.kind)(row, col, value.value)
                value = value.value
            else:
                writers[col](row, col, value)
            width = _display_width(value if isinstance(value, str) else str(value)) + 2
            if width > self._widths[col]:
                self._widths[col] = width
        return row

    def write_rows(self, rows: Iterable[Sequence[Any]]) -> int:
        """Write many rows; returns how many were written."""
        count = 0
        for values in rows:
            self.write_row(values)
            count += 1
        return count

    @property
    def last_row(self) -> int:
        """0-based index of the last written row (0 when only the header exists)."""
        return self.next_row - 1

    def finish(self) -> None:
        """Set the autofilter and column widths (called by the workbook on close)."""
        ws = self.worksheet
        ws.autofilter(0, 0, max(self.last_row, 0), max(len(self.columns) - 1, 0))
        for col, column in enumerate(self.columns):
            width = column.width or min(self._widths[col], _MAX_WIDTH)
            ws.set_column(col, col, width)


class WorkbookWriter:
    """An xlsx workbook written sheet by sheet through XlsxWriter (``constant_memory`` by default).

    ``target`` is a path or a binary file object. Use as a context manager or call :meth:`close`.
    """

    def __init__(self, target: str | IO[bytes], *, constant_memory: bool = True):
        import xlsxwriter

        options = {"constant_memory": constant_memory, "remove_timezone": True,
                   "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
        if not isinstance(target, str):
            options["in_memory"] = False
        self._book = xlsxwriter.Workbook(target, options)
        self._formats = {
            "header": self._book.add_format({"bold": True, "bg_color": "#EEF1F5", "bottom": 1,
                                             "text_wrap": True, "valign": "top"}),
            "quoted": self._book.add_format({"quote_prefix": True}),
            **{kind: self._book.add_format({"num_format": num}) for kind, num in NUMBER_FORMATS.items()},
        }
        self.sheets: list[SheetWriter] = []
        self._charts: list[tuple[SheetWriter, str, Chart]] = []
        self._closed = False

    def add_sheet(self, name: str, columns: Sequence[Column]) -> SheetWriter:
        """Start a new worksheet with a header row (Excel sheet names: at most 31 characters)."""
        sheet = SheetWriter(self, self._book.add_worksheet(name[:31]), name[:31], columns)
        self.sheets.append(sheet)
        return sheet

    def write_table(self, name: str, table: Table) -> SheetWriter:
        """A sheet holding a whole :class:`Table`."""
        sheet = self.add_sheet(name, table.columns)
        sheet.write_rows(table.rows)
        return sheet

    def add_chart(self, sheet: SheetWriter, anchor: str, chart: Chart) -> None:
        """Place a native chart on ``sheet`` at ``anchor`` (e.g. ``"D2"``); data may be on any sheet."""
        self._charts.append((sheet, anchor, chart))

    def _build_chart(self, spec: Chart):
        book = self._book
        options = {"type": spec.kind}
        if spec.stacked:
            options["subtype"] = "stacked"
        chart = book.add_chart(options)
        cats = spec.categories
        for s in spec.series:
            chart.add_series({
                "name": s.name,
                "categories": [cats.sheet, cats.first, cats.column, cats.last, cats.column],
                "values": [s.sheet, s.first, s.column, s.last, s.column],
            })
        if spec.line is not None:
            line = book.add_chart({"type": "line"})
            s = spec.line
            line.add_series({
                "name": s.name,
                "categories": [cats.sheet, cats.first, cats.column, cats.last, cats.column],
                "values": [s.sheet, s.first, s.column, s.last, s.column],
                "y2_axis": True, "marker": {"type": "circle"},
            })
            chart.combine(line)
        chart.set_title({"name": spec.title})
        if spec.x_title:
            chart.set_x_axis({"name": spec.x_title})
        if spec.y_title:
            chart.set_y_axis({"name": spec.y_title})
        chart.set_legend({"position": "bottom"} if len(spec.series) > 1 or spec.line else {"none": True})
        chart.set_size({"width": 720, "height": 400})
        return chart

    def close(self) -> None:
        """Finish every sheet, add the charts and write the file."""
        if self._closed:
            return
        for sheet in self.sheets:
            sheet.finish()
        for sheet, anchor, spec in self._charts:
            sheet.worksheet.insert_chart(anchor, self._build_chart(spec))
        self._closed = True
        self._book.close()

    def __enter__(self) -> WorkbookWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()


def write_xlsx(target: str | IO[bytes], sheets: Sequence[tuple[str, Table]]) -> None:
    """A workbook of several tables, one sheet each, in the given order."""
    with WorkbookWriter(target) as book:
        for name, table in sheets:
            book.write_table(name, table)


# --- CSV ------------------------------------------------------------------------------------------

def _csv_value(value: Any) -> str:
    if isinstance(value, Cell):
        value = value.value
    if value is None:
        return ""
    if isinstance(value, str):
        return csv_safe(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    number = _number(value)
    return "" if number is None else str(number)


def write_csv(target: IO[bytes], table: Table) -> None:
    """CSV in UTF-8 with BOM (for Japanese Excel), header first, formula-like text neutralised."""
    text = io.TextIOWrapper(target, encoding="utf-8-sig", newline="", write_through=True)
    try:
        writer = csv.writer(text)
        writer.writerow([csv_safe(c.header) for c in table.columns])
        for row in table.rows:
            writer.writerow([_csv_value(v) for v in row])
    finally:
        text.detach()


def csv_bytes(table: Table) -> bytes:
    """The CSV of a table as bytes (BOM included)."""
    buffer = io.BytesIO()
    write_csv(buffer, table)
    return buffer.getvalue()


# --- writing into an existing workbook (openpyxl, e.g. a ministry template) -------------------------

def set_cell(cell, value: Any, number_format: str | None = None) -> None:
    """Put a value into an openpyxl cell without ever creating a formula.

    Text is stored as a string cell (openpyxl would store ``=...`` as a formula) and formula-like
    text gets the quote-prefix flag. ``number_format`` is applied only when the cell has none
    (``General``), so a template's own formatting wins.
    """
    value = _number(value) if isinstance(value, int | float | Decimal | bool) else value
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if is_formula_like(value):
            cell.quotePrefix = True
    elif number_format and value is not None and cell.number_format == "General":
        cell.number_format = number_format


# --- small formatted workbooks built in memory (openpyxl) -------------------------------------------

_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def new_workbook():
    """An empty openpyxl workbook (no default sheet)."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    return book


def put_cell(ws, row: int, column: int, value: Any, wrap: bool = False, number_format: str | None = None):
    """Write one value into an openpyxl sheet: numbers and dates stay typed; text is cleaned of characters
    XML cannot hold and never becomes a formula (formula-like text gets the quote-prefix flag)."""
    from openpyxl.styles import Alignment

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
        text = _ILLEGAL_XML.sub("", str(value))
        cell.value = text
        if is_formula_like(text):
            cell.data_type = "s"
            cell.quotePrefix = True
    if wrap:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell


def write_sheet(ws, headers: Sequence[str], rows: Iterable[Sequence], widths: Sequence[float] | None = None,
                wrap_columns: Iterable[int] = (), start_row: int = 1, autofilter: bool = True) -> int:
    """A bold, frozen header row (with an autofilter), then the rows. Returns the last row written."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wrap = set(wrap_columns)
    for col, header in enumerate(headers, start=1):
        put_cell(ws, start_row, col, header).font = Font(bold=True)
    last = start_row
    for r, values in enumerate(rows, start=start_row + 1):
        for col, value in enumerate(values, start=1):
            put_cell(ws, r, col, value, wrap=col in wrap)
        last = r
    ws.freeze_panes = ws.cell(row=start_row + 1, column=1)
    if autofilter:
        ws.auto_filter.ref = f"A{start_row}:{get_column_letter(len(headers))}{max(last, start_row)}"
    for col, width in enumerate(widths or (), start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    return last


def workbook_bytes(book) -> bytes:
    """An openpyxl workbook as .xlsx bytes."""
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def add_drop_downs(book, ws, lists: Sequence[tuple[str, int, Sequence[Any]]], *, last_row: int = 5000,
                   first_row: int = 2, error: str = "", source_sheet: str = "Lists") -> None:
    """Drop-down lists (data validation) on columns of ``ws``, fed by a hidden sheet ``source_sheet``.

    ``lists``: ``(name, column, values)`` — ``column`` (1-based) of ``ws`` offers ``values`` in rows
    ``first_row``..``last_row``; ``name`` heads the list's column on the hidden sheet. The lists only
    suggest (error style "warning" with ``error`` as its text): a value not in the list can still be kept.
    The values are written with :func:`put_cell` (never a formula).
    """
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    source = book.create_sheet(source_sheet)
    source.sheet_state = "hidden"
    quoted = source_sheet if source_sheet.isalnum() else "'" + source_sheet.replace("'", "''") + "'"
    for col, (name, column, values) in enumerate(lists, start=1):
        put_cell(source, 1, col, name)
        for row, value in enumerate(values, start=2):
            put_cell(source, row, col, value)
        letter = get_column_letter(col)
        validation = DataValidation(type="list", formula1=f"{quoted}!${letter}$2:${letter}${max(len(values), 1) + 1}",
                                    allow_blank=True, showErrorMessage=True, errorStyle="warning")
        if error:
            validation.error = error
        target = get_column_letter(column)
        validation.add(f"{target}{first_row}:{target}{last_row}")
        ws.add_data_validation(validation)
