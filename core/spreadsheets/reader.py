"""The one guarded reader for uploaded workbooks (.xlsx). Every upload of a workbook goes through here.

An uploaded file is untrusted: a few hundred kilobytes can unpack to gigabytes (a "zip bomb"), and a
tiny sheet can name a cell in column XFD or row 1,048,576, which makes a reader allocate the whole
rectangle up to it. So before any spreadsheet library sees the bytes:

1. size: at most ``max_bytes``; an old binary .xls / password-protected file (OLE header) and any
   file that is not a zip are refused with a message saying what to do;
2. the zip's member list: at most ``max_members`` parts, at most ``max_unpacked`` bytes in total,
   and no member over 1 MB compressed more than ``max_ratio`` : 1 — decided from the list alone;
3. no encrypted members, no macros (``vbaProject.bin`` or a macro-enabled content type);
4. every member is unpacked once with :mod:`zipfile`, which enforces the declared sizes and CRCs (a
   member whose header lies fails here, before a library trusts the header);
5. each sheet that will be read is scanned for cell references beyond ``max_rows`` (+ 1000 rows of
   slack for titles and blank lines) or ``max_cols`` — also in spellings calamine accepts (lower
   case, leading zeros, spaces around ``=``) — and for more than ``max_cells`` cells.

Then the sheets are read with python-calamine (fast; values only; a formula cell gives its saved
value, nothing is evaluated). :func:`read_workbook_upload` returns plain values: per sheet, the
non-blank rows with their spreadsheet row numbers. :func:`open_workbook_upload` runs the same checks
and returns an editable openpyxl workbook (for filling an organiser's own form); openpyxl allocates
only the cells present, which step 5's cell count bounds.

Errors are :class:`WorkbookUploadError` with a message for the user (translated).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as parse_xml

from core.i18n import _

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: Extensions of spreadsheet formats that are not accepted (the message says to save as .xlsx).
OTHER_SPREADSHEET_EXTENSIONS = (".xls", ".xlsm", ".xlsb", ".ods", ".numbers")


class WorkbookUploadError(ValueError):
    """The uploaded workbook cannot be read; ``message`` is for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ReadLimits:
    """Limits checked before and while reading an upload (see the module docstring)."""

    max_bytes: int = 10 * 1024 * 1024
    max_rows: int = 20000
    max_cols: int = 104  # up to column CZ
    max_unpacked: int = 250 * 1024 * 1024
    max_ratio: int = 100
    max_members: int = 1000
    max_cells: int | None = None  # per sheet; None: bounded by rows × columns and the unpacked size


@dataclass
class SheetRows:
    """One sheet as read: its name, its non-blank rows as (spreadsheet row number, cells), and the
    (row number, 0-based column) of formula cells when asked for."""

    name: str
    rows: list[tuple[int, list]]
    formulas: set[tuple[int, int]] = field(default_factory=set)


@dataclass
class UploadedWorkbook:
    """The sheets read (in workbook order) and the names of all sheets of the workbook."""

    sheet_names: list[str]
    sheets: list[SheetRows]

    def sheet(self, name: str) -> SheetRows | None:
        """A sheet read, by name (case- and space-insensitive), or None."""
        key = _name_key(name)
        return next((s for s in self.sheets if _name_key(s.name) == key), None)


def _name_key(name: str) -> str:
    return (name or "").strip().casefold()


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _not_a_workbook() -> WorkbookUploadError:
    return WorkbookUploadError(_("This file is not an Excel workbook although its name ends in .xlsx (perhaps another "
                                 "kind of file was renamed). Open it in Excel, save it as .xlsx and upload it again."))


def _data(source: bytes | IO[bytes]) -> bytes:
    return source if isinstance(source, bytes | bytearray) else source.read()


# --- the package checks ---------------------------------------------------------------------------

@dataclass
class _Package:
    archive: zipfile.ZipFile
    infos: list[zipfile.ZipInfo]
    sheets: list[tuple[str, str]]  # (sheet name, XML path) in workbook order


def check_size(data: bytes, limits: ReadLimits) -> None:
    """Refuse an empty or too large file."""
    if not data:
        raise WorkbookUploadError(_("The file is empty."))
    if len(data) > limits.max_bytes:
        raise WorkbookUploadError(_("The file is %(size)s; the limit is %(max)s.", size=_megabytes(len(data)),
                                    max=_megabytes(limits.max_bytes)))


def _open_package(data: bytes, limits: ReadLimits) -> _Package:
    check_size(data, limits)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise WorkbookUploadError(_("This is an old-style .xls file or a password-protected workbook. Save it as an "
                                    "Excel Workbook (.xlsx) without a password and upload it again."))
    if not data.startswith(b"PK\x03\x04"):
        raise _not_a_workbook()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise _not_a_workbook() from None
    _check_zip_sizes(infos, limits)
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names:
        raise _not_a_workbook()
    if any(info.flag_bits & 0x1 for info in infos):
        raise WorkbookUploadError(_("Encrypted workbooks cannot be read. Remove the password and upload it again."))
    try:
        content_types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
        if b"macroEnabled" in content_types or any(n.lower().endswith("vbaproject.bin") for n in names):
            raise WorkbookUploadError(_("Workbooks with macros are not accepted. Save it as an Excel Workbook "
                                        "(.xlsx) and upload it again."))
        sheets = _workbook_sheets(archive)
    # zipfile raises NotImplementedError for unsupported compression methods and RuntimeError for
    # encrypted members: both mean "not a workbook we can read".
    except (zipfile.BadZipFile, OSError, EOFError, KeyError, ValueError, ParseError, DefusedXmlException,
            NotImplementedError, RuntimeError) as exc:
        if isinstance(exc, WorkbookUploadError):
            raise
        raise _not_a_workbook() from None
    return _Package(archive, infos, sheets)


def _check_zip_sizes(infos: list[zipfile.ZipInfo], limits: ReadLimits) -> None:
    """Refuse zip bombs from the member list alone, before anything is unpacked."""
    if len(infos) > limits.max_members:
        raise WorkbookUploadError(_("This workbook has an unusual number of parts (%(n)d) and was refused.",
                                    n=len(infos)))
    unpacked = sum(info.file_size for info in infos)
    too_dense = any(info.file_size > 1024 * 1024 and info.file_size > limits.max_ratio * max(info.compress_size, 1)
                    for info in infos)
    if unpacked > limits.max_unpacked or too_dense:
        raise WorkbookUploadError(_("This workbook would unpack to %(size)s, far more than its data can need, so it "
                                    "was refused as a possible “zip bomb”. Copy the data into a new workbook and "
                                    "upload that.", size=_megabytes(unpacked)))


_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"


def _workbook_sheets(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, XML path) in workbook order; the path is resolved as calamine resolves it, so that
    the sheet checked is the sheet read. A sheet whose part is missing makes the file unreadable."""
    root = parse_xml(archive.read("xl/workbook.xml"))
    listed = [(sheet.get("name") or "", sheet.get(f"{{{_REL_NS}}}id") or "")
              for sheet in root.iter(f"{{{_MAIN_NS}}}sheet")]
    if not listed:
        raise _not_a_workbook()
    rels = parse_xml(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target") or "" for rel in rels.iter(f"{{{_PKG_REL_NS}}}Relationship")}
    members = set(archive.namelist())
    sheets = []
    for name, rel_id in listed:
        target = targets.get(rel_id)
        if target is None:
            raise _not_a_workbook()
        path = target[1:] if target.startswith("/") else f"xl/{target}"
        if path not in members:
            raise _not_a_workbook()
        sheets.append((name, path))
    return sheets


def _unpack(package: _Package, wanted_paths: set[str]) -> dict[str, bytes]:
    """Unpack every member once (zipfile enforces declared sizes and CRCs); keep the wanted sheets' XML."""
    kept: dict[str, bytes] = {}
    try:
        for info in package.infos:
            if info.filename in wanted_paths:
                kept[info.filename] = package.archive.read(info)
            elif not info.is_dir():
                with package.archive.open(info) as member:
                    while member.read(1 << 20):
                        pass
    except (zipfile.BadZipFile, OSError, EOFError, KeyError, ValueError, NotImplementedError, RuntimeError):
        raise _not_a_workbook() from None
    return kept


# --- the extent check -----------------------------------------------------------------------------

def column_letters(number: int) -> str:
    """1 → A, 104 → CZ."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _numbers_above(limit: int) -> bytes:
    """A regular expression for whole numbers (no leading zero) greater than ``limit``."""
    text = str(limit)
    width = len(text)
    parts = [rb"[1-9]\d{%d,}" % width]
    for i, char in enumerate(text):
        if char != "9":
            parts.append(text[:i].encode() + b"[%d-9]" % (int(char) + 1) + rb"\d{%d}" % (width - i - 1))
    return b"(?:" + b"|".join(parts) + b")"


_SPACED_ATTRIBUTE = re.compile(rb"r\s+=|r=\s")
_WHITESPACE = frozenset(b" \t\r\n")
_ANY_REFERENCE = re.compile(rb"(?<![\w:.-])r\s*=\s*[\"']([A-Za-z]*)(\d*)")
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")
#: A cell with a value: ``<v>`` / ``<is>`` with text, or a non-blank ``<t>`` (inline or shared string).
_CELL_VALUE = re.compile(rb"<(?:\w+:)?(?:v|is)>\s*[^<\s]|<(?:\w+:)?t[ >][^<]*[^<\s]")


def _attribute_match(pattern: re.Pattern, xml: bytes) -> bool:
    """Whether ``pattern`` matches at an attribute named exactly ``r`` (not ``xmlns:r`` or ``attr``)."""
    return any(m.start() and xml[m.start() - 1] in _WHITESPACE for m in pattern.finditer(xml))


def _quick_pattern(row_limit: int, max_cols: int) -> re.Pattern:
    """References in an unusual form: lower case, leading zeros, a row above the limit, or more column
    letters than the limit allows (only the exact check can tell e.g. DA from CZ: any two letters whose
    first is beyond the limit's first letter)."""
    width = len(column_letters(max_cols))
    first = column_letters(max_cols)[0]
    nxt = chr(ord(first) + 1) if first < "Z" else None
    columns = [rb"[A-Za-z]{%d}" % (width + 1), rb"[a-z]", rb"[A-Z]?[a-z]"]
    if width > 1 and nxt:
        columns.append(b"[" + nxt.encode() + b"-Z" + nxt.lower().encode() + b"-z][A-Za-z]")
    elif width == 1:
        columns.append(rb"[A-Za-z]{2}")
        if first < "Z":
            columns.append(b"[" + nxt.encode() + b"-Z" + nxt.lower().encode() + b"-z]")
    return re.compile(rb"r=[\"'](?:" + b"|".join(columns) + rb"|[A-Za-z]{0,3}0|[A-Za-z]{0,3}"
                      + _numbers_above(row_limit) + rb"[\"'])")


def check_sheet_extent(sheet_xml: bytes, sheet_name: str, limits: ReadLimits) -> None:
    """Refuse a sheet whose cells reach far beyond the row or column limits, or that has too many cells.

    A quick pass looks only for references in an unusual form; only then is every reference read, so a
    normal sheet costs a few milliseconds."""
    if limits.max_cells is not None and len(_CELL_TAG.findall(sheet_xml)) > limits.max_cells:
        raise WorkbookUploadError(_("The sheet “%(sheet)s” has more than %(max)d cells; delete what is not needed "
                                    "or split the file.", sheet=sheet_name, max=limits.max_cells))
    row_limit = limits.max_rows + 1000  # room for a few title and blank rows
    quick_is_exact = column_letters(limits.max_cols).endswith("Z")  # else the quick pass could miss e.g. AE > AD
    if quick_is_exact and not _attribute_match(_quick_pattern(row_limit, limits.max_cols), sheet_xml) \
            and not _attribute_match(_SPACED_ATTRIBUTE, sheet_xml):
        return
    last_row = last_column = 0
    for letters, digits in _ANY_REFERENCE.findall(sheet_xml):
        column = 0
        for letter in letters.upper()[:4]:
            column = column * 26 + letter - 64
        last_column = max(last_column, column)
        last_row = max(last_row, int(digits or 0))
    if last_column > limits.max_cols:
        raise WorkbookUploadError(_("The sheet “%(sheet)s” uses columns beyond %(column)s; keep the data at the left "
                                    "and delete the other columns.", sheet=sheet_name,
                                    column=column_letters(limits.max_cols)))
    if last_row > row_limit:
        raise WorkbookUploadError(_("The sheet “%(sheet)s” reaches beyond row %(n)d; at most %(max)d rows can be "
                                    "read at once. Delete the empty rows at the bottom or split the file.",
                                    sheet=sheet_name, n=row_limit, max=limits.max_rows))


# --- public API -----------------------------------------------------------------------------------

def _limits(limits: ReadLimits | None, overrides: dict) -> ReadLimits:
    base = limits or ReadLimits()
    given = {k: v for k, v in overrides.items() if v is not None}
    return ReadLimits(**{**base.__dict__, **given}) if given else base


def read_workbook_upload(source: bytes | IO[bytes], *, sheets: Sequence[str] = (), first_if_missing: bool = True,
                         also_first: bool = False, first_with_data: bool = False, formulas: bool = False,
                         limits: ReadLimits | None = None,
                         max_bytes: int | None = None, max_rows: int | None = None,
                         max_cols: int | None = None) -> UploadedWorkbook:
    """Check and read an uploaded .xlsx; raise :class:`WorkbookUploadError` with a message for the user.

    ``sheets``: names of the sheets wanted (case- and space-insensitive); every sheet of the workbook
    with one of these names is read. When ``first_if_missing`` and the workbook has none of them (or
    ``sheets`` is empty), its first sheet is read instead; ``also_first`` reads the first sheet in any
    case. ``first_with_data``: "the first sheet" means the first one with a value in a cell (an empty
    first sheet is passed over; a workbook without any value gives its first sheet). Each sheet read
    gives its non-blank rows with their spreadsheet row numbers; cells are plain
    values (``""`` when empty, ``float``/``int``, ``bool``, ``str``, ``date``/``datetime``/``time``).
    ``formulas``: also report which cells are formulas (their value is the saved result, as Excel
    shows it).
    """
    limits = _limits(limits, {"max_bytes": max_bytes, "max_rows": max_rows, "max_cols": max_cols})
    data = _data(source)
    package = _open_package(data, limits)
    wanted = {_name_key(n) for n in sheets}
    chosen = [(name, path) for name, path in package.sheets if _name_key(name) in wanted]
    first_needed = also_first or (first_if_missing and not chosen)
    if first_needed and first_with_data:
        xml = _unpack(package, {path for _n, path in package.sheets})
        first = next((sheet for sheet in package.sheets if _CELL_VALUE.search(xml[sheet[1]])), package.sheets[0])
        xml = {path: xml[path] for path in {path for _n, path in [*chosen, first]}}
    else:
        first = package.sheets[0]
        xml = None
    if first_needed and first not in chosen:
        chosen.insert(0, first)
    if xml is None:
        xml = _unpack(package, {path for _n, path in chosen})
    for name, path in chosen:
        check_sheet_extent(xml[path], name, limits)
    formula_cells = {name: _formula_cells(data, name) if formulas and b"f>" in xml[path] else set()
                     for name, path in chosen}
    del xml
    import python_calamine

    result = []
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        for name, _path in chosen:
            cells = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
            rows = [(index, row) for index, row in enumerate(cells, start=1) if row.count("") != len(row)]
            result.append(SheetRows(name, rows, formula_cells[name]))
    except Exception as exc:  # noqa: BLE001 - calamine raises several error types; all mean "unreadable"
        raise WorkbookUploadError(_("The workbook could not be read (%(error)s). Open it in Excel, save it as .xlsx "
                                    "and upload it again.", error=str(exc)[:200])) from None
    return UploadedWorkbook([name for name, _p in package.sheets], result)


def _formula_cells(data: bytes, sheet_name: str) -> set[tuple[int, int]]:
    """(row, 0-based column) of every formula cell of an already checked sheet (only called when the
    sheet's XML may hold formulas; a false positive only costs this slower exact look)."""
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        sheet = workbook[sheet_name]
        return {(cell.row, cell.column - 1) for row in sheet.iter_rows() for cell in row
                if getattr(cell, "data_type", None) == "f"}
    finally:
        workbook.close()


def check_workbook_upload(source: bytes | IO[bytes], *, limits: ReadLimits | None = None) -> bytes:
    """Run every check of :func:`read_workbook_upload` on every sheet without reading the cells;
    returns the bytes (raises :class:`WorkbookUploadError`)."""
    limits = limits or ReadLimits()
    data = _data(source)
    package = _open_package(data, limits)
    xml = _unpack(package, {path for _n, path in package.sheets})
    for name, path in package.sheets:
        check_sheet_extent(xml[path], name, limits)
    return data


def open_workbook_upload(source: bytes | IO[bytes], *, limits: ReadLimits | None = None, **load_options):
    """Check an uploaded .xlsx like :func:`read_workbook_upload` (every sheet) and return it as an
    editable openpyxl workbook (``load_options`` go to ``openpyxl.load_workbook``)."""
    data = check_workbook_upload(source, limits=limits)
    from openpyxl import load_workbook

    try:
        return load_workbook(io.BytesIO(data), **load_options)
    except Exception as exc:  # noqa: BLE001 - any parser failure is a bad upload, not a 500
        raise WorkbookUploadError(_("The workbook could not be read (%(error)s). Open it in Excel, save it as .xlsx "
                                    "and upload it again.", error=exc.__class__.__name__)) from None
