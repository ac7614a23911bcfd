"""Compare two .xlsx workbooks cell by cell (issue 10: "the report workbook stays identical").

    python bench/compare_workbooks.py BEFORE.xlsx AFTER.xlsx [--ignore-sheet NAME ...] [--max N]

Compares the sheet names and their order, then, per sheet, every cell's value and number format
(and the frozen panes, auto-filter range and merged cells). Prints one line per difference (at most
``--max``, default 200) and exits with status 1 when there is any difference, 0 when the workbooks
are identical, 2 when a file cannot be read. A cell whose two values are both export timestamps
(``YYYY-MM-DD HH:MM``, e.g. Definitions "Generated") is reported as a note but not counted as a
difference unless ``--strict`` is given (two exports of the same data minutes apart differ there).
Reads with openpyxl (values as stored; formulas as their text), so it works for workbooks written by
XlsxWriter or openpyxl alike.
"""

from __future__ import annotations

import argparse
import re
import sys

_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")


def _cells(ws) -> dict[str, tuple]:
    """Coordinate → (value, number format) of every cell that holds a value or a non-General format."""
    found = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None and cell.number_format == "General":
                continue
            found[cell.coordinate] = (cell.value, cell.number_format)
    return found


def _timestamps(a, b) -> bool:
    return isinstance(a, str) and isinstance(b, str) and bool(_TIMESTAMP.match(a)) and bool(_TIMESTAMP.match(b))


def compare(path_a: str, path_b: str, ignore_sheets: tuple[str, ...] = (), strict: bool = False,
            notes: list[str] | None = None) -> list[str]:
    """Every difference between two workbooks, as readable lines (empty list: identical).

    Timestamp-only differences go to ``notes`` (when given) instead, unless ``strict``."""
    from openpyxl import load_workbook

    book_a = load_workbook(path_a, rich_text=False)
    book_b = load_workbook(path_b, rich_text=False)
    diffs: list[str] = []
    names_a = [n for n in book_a.sheetnames if n not in ignore_sheets]
    names_b = [n for n in book_b.sheetnames if n not in ignore_sheets]
    if names_a != names_b:
        diffs.append(f"sheets differ: {names_a} != {names_b}")
    for name in [n for n in names_a if n in names_b]:
        ws_a, ws_b = book_a[name], book_b[name]
        if ws_a.freeze_panes != ws_b.freeze_panes:
            diffs.append(f"{name}: frozen panes {ws_a.freeze_panes} != {ws_b.freeze_panes}")
        if ws_a.auto_filter.ref != ws_b.auto_filter.ref:
            diffs.append(f"{name}: auto-filter {ws_a.auto_filter.ref} != {ws_b.auto_filter.ref}")
        merged_a = sorted(str(r) for r in ws_a.merged_cells.ranges)
        merged_b = sorted(str(r) for r in ws_b.merged_cells.ranges)
        if merged_a != merged_b:
            diffs.append(f"{name}: merged cells {merged_a} != {merged_b}")
        cells_a, cells_b = _cells(ws_a), _cells(ws_b)
        for coordinate in sorted(cells_a.keys() | cells_b.keys(), key=_order):
            a, b = cells_a.get(coordinate, (None, "General")), cells_b.get(coordinate, (None, "General"))
            if (a[0] != b[0] or type(a[0]) is not type(b[0])) and not strict and _timestamps(a[0], b[0]):
                if notes is not None:
                    notes.append(f"{name}!{coordinate}: timestamp {a[0]!r} vs {b[0]!r} (ignored)")
            elif a[0] != b[0] or type(a[0]) is not type(b[0]):
                diffs.append(f"{name}!{coordinate}: value {a[0]!r} != {b[0]!r}")
            if a[1] != b[1]:
                diffs.append(f"{name}!{coordinate}: number format {a[1]!r} != {b[1]!r}")
    return diffs


def _order(coordinate: str) -> tuple[int, int]:
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    letters, row = coordinate_from_string(coordinate)
    return row, column_index_from_string(letters)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--ignore-sheet", action="append", default=[], help="a sheet name to leave out (repeatable)")
    parser.add_argument("--strict", action="store_true", help="count export timestamps as differences too")
    parser.add_argument("--max", type=int, default=200, help="print at most this many differences")
    args = parser.parse_args(argv)
    notes: list[str] = []
    try:
        diffs = compare(args.before, args.after, tuple(args.ignore_sheet), args.strict, notes)
    except Exception as exc:  # noqa: BLE001 - a command-line tool: say what failed
        print(f"cannot compare: {exc.__class__.__name__}: {exc}", file=sys.stderr)
        return 2
    for line in notes + diffs[: args.max]:
        print(line)
    if len(diffs) > args.max:
        print(f"... and {len(diffs) - args.max} more differences")
    print(f"{len(diffs)} difference(s) between {args.before} and {args.after}"
          if diffs else f"identical: {args.before} and {args.after}")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
