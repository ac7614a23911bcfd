"""Builders for import files in tests (.xlsx with openpyxl, .csv with the csv module)."""

from __future__ import annotations

import csv
import io
import itertools
from pathlib import Path

import openpyxl

HEADER = ["family_name", "given_names", "email", "gender", "nationality", "organisation", "organisation_country",
          "sector", "org_type", "job_title", "date_of_birth", "status"]
_n = itertools.count(1)


def row(**values) -> dict:
    """A valid row; keyword arguments replace single values."""
    n = next(_n)
    base = {"family_name": "Nguyen", "given_names": f"Van An {n}", "email": f"an.nguyen{n}@example.vn",
            "gender": "M", "nationality": "VN", "organisation": "VNCERT", "organisation_country": "",
            "sector": "ICT", "org_type": "national_csirt", "job_title": "Incident handler",
            "date_of_birth": "1990-05-14", "status": ""}
    base.update(values)
    return base


def _cells(rows: list[dict], header: list[str], columns: list[str] | None = None) -> list[list]:
    columns = columns or header
    return [[r.get(c, "") for c in columns] for r in rows]


def xlsx_bytes(rows: list[dict], header: list[str] | None = None, columns: list[str] | None = None,
               sheet_title: str = "Trainees") -> bytes:
    """A workbook whose first sheet has ``header`` (labels) and the rows' values for ``columns`` (keys).
    Strings are always written as text cells, even when they start with '='."""
    header = header or HEADER
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = sheet_title
    sheet.append(header)
    for values in _cells(rows, header, columns):
        sheet.append(values)
    for line in sheet.iter_rows():
        for cell in line:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[dict], header: list[str] | None = None, columns: list[str] | None = None,
              encoding: str = "utf-8", bom: bool = False, delimiter: str = ",") -> bytes:
    header = header or HEADER
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(_cells(rows, header, columns))
    data = text.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
