"""Read a workbook back for assertions."""

from __future__ import annotations

import io
import zipfile

from openpyxl import load_workbook

from reports import workbook
from reports.filters import ReportFilter


def build(filt: ReportFilter | None = None, **options) -> bytes:
    buffer = io.BytesIO()
    workbook.build_workbook(buffer, filt or ReportFilter(), **options)
    return buffer.getvalue()


def open_book(content: bytes):
    return load_workbook(io.BytesIO(content))


def rows(book, sheet: str) -> list[tuple]:
    return [tuple(r) for r in book[sheet].iter_rows(values_only=True)]


def sheet_xml(content: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        return {n: z.read(n).decode() for n in z.namelist() if n.endswith(".xml")}
