"""Reading and checking a trainee import file (.xlsx or .csv) — pure logic: no Flask app, no database.

The column contract is ARCHITECTURE §4.2. ``parse_file`` turns the uploaded bytes into one
``ParsedRow`` per spreadsheet row with cleaned values and per-cell problems; matching against the
database and writing happen in ``trainees.imports.service``.

Decisions (documented in the README section of the import work):
- .xlsx is read through the one guarded reader, ``core.spreadsheets.read_workbook_upload`` (zip-bomb,
  size, macro and far-away-cell checks before python-calamine sees the file; see that module).
- A formula cell in an .xlsx contributes its saved (cached) value, as text, exactly what Excel
  shows; nothing is ever evaluated. A formula without a saved value is an invalid cell.
- Text starting with = + - @ is stored as typed (plain text; exports neutralise it).
- A CSV that is not valid UTF-8 but decodes as CP932 (Japanese Excel's "CSV") is read, with a note.
- The sheet read is the one named Trainees (or 参加者, 研修員, Participants), else the first one.
  Blank rows are skipped; row numbers in messages are the spreadsheet's own (header = row 1).
- Plain ASCII e-mail addresses are checked by a regular expression that accepts a strict subset
  of what ``accounts.services.normalize_email`` accepts (a test compares both on thousands of
  addresses); everything else goes through ``normalize_email`` itself.
"""

from __future__ import annotations

import csv
import gc
import io
import posixpath
import re
import unicodedata
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime

from accounts.services import normalize_email
from core.errors import ServiceError
from core.i18n import _
from core.refdata import resolve_country, resolve_gender, resolve_org_type, resolve_sector
from core.spreadsheets import OTHER_SPREADSHEET_EXTENSIONS, ReadLimits, WorkbookUploadError, read_workbook_upload
from trainees.status import STATUS_NAMES, STATUSES

MAX_COLUMNS = 104  # up to column CZ; a wider sheet is refused before it is loaded
PREFERRED_SHEETS = ("trainees", "participants", "参加者", "研修員")


class ImportFileError(Exception):
    """The file as a whole cannot be imported (unreadable, too large, missing columns…)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Limits:
    """Size limits checked before and while reading a file."""

    max_bytes: int = 10 * 1024 * 1024
    max_rows: int = 20000
    max_unpacked: int = 250 * 1024 * 1024  # total uncompressed size of an .xlsx
    max_ratio: int = 100  # uncompressed / compressed, for members over 1 MB
    max_members: int = 1000


@dataclass(frozen=True)
class Column:
    """One column of the import template."""

    name: str
    required: bool
    aliases: tuple[str, ...] = ()
    max_length: int | None = None


COLUMNS: tuple[Column, ...] = (
    Column("family_name", False, ("family name", "surname", "last name", "姓", "氏"), 200),
    Column("given_names", True, ("given name", "first name", "first names", "forename", "名"), 200),
    Column("email", True, ("e-mail", "email address", "e-mail address", "mail", "メール", "メールアドレス",
                           "電子メール", "eメール"), 254),
    Column("gender", False, ("sex", "性別")),
    Column("nationality", True, ("citizenship", "country of nationality", "国籍")),
    Column("organisation", True, ("organization", "organisation name", "organization name", "employer", "所属",
                                  "所属機関", "所属組織", "組織名"), 300),
    Column("organisation_country", False, ("organization country", "org country", "country of organisation",
                                          "country of organization", "所属国", "所属機関の国")),
    Column("sector", True, ("sector code", "分野", "セクター", "業種")),
    Column("org_type", True, ("organisation type", "organization type", "type of organisation",
                              "type of organization", "組織種別", "組織の種類", "機関種別")),
    Column("job_title", False, ("job title", "position", "title", "役職", "職位", "職名"), 200),
    Column("date_of_birth", False, ("date of birth", "birth date", "birthdate", "dob", "生年月日")),
    Column("status", False, ("enrolment status", "enrollment status", "状態", "ステータス")),
)
COLUMN_NAMES = tuple(c.name for c in COLUMNS)


def header_key(text: str) -> str:
    """Case-, width- and space-insensitive key of a header cell ("Given Names" = "given_names")."""
    return re.sub(r"[\s_\-.・]+", "", unicodedata.normalize("NFKC", text).casefold())


_HEADER_INDEX: dict[str, Column] = {}
for _column in COLUMNS:
    for _name in (_column.name, *_column.aliases):
        _HEADER_INDEX[header_key(_name)] = _column


# --- result types ------------------------------------------------------------------------------

@dataclass(slots=True)
class Problem:
    """A message about one cell (``column`` is the template's column name)."""

    column: str
    message: str

    def line(self, row: int) -> str:
        """The command line's ``row N: column: message`` (a contract: scripts read it; always English)."""
        return f"row {row}: {self.column}: {self.message}"

    def shown(self, row: int) -> str:
        """The same line for a page, in the reader's language (e.g. ``3行目：email：…``)."""
        return _("row %(n)d: %(column)s: %(message)s", n=row, column=self.column, message=self.message)


@dataclass(slots=True)
class ParsedRow:
    """One data row: the spreadsheet row number, cleaned values, and what is wrong with it."""

    number: int
    values: dict
    text: dict[str, str]
    errors: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors


@dataclass
class ParsedFile:
    """Every data row of a file, plus notes about the file as a whole."""

    filename: str
    rows: list[ParsedRow]
    notes: list[str]
    columns: list[str]


@dataclass
class _Table:
    rows: list[tuple[int, list]]  # (spreadsheet row number, cells), blank rows left out
    notes: list[str]
    formulas: set[tuple[int, int]] = field(default_factory=set)  # (row number, 0-based column)


@contextmanager
def paused_gc():
    """Pause the cyclic garbage collector while a large file's rows are built.

    Tens of thousands of small containers make Python run several full collections, each walking
    every object of the process (about 0.1 s each here, most of an import's time). The import makes
    no reference cycles worth collecting; the collector resumes afterwards (also on errors)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# --- reading the file --------------------------------------------------------------------------

def parse_file(data: bytes, filename: str, limits: Limits | None = None, today: date | None = None,
               extra_columns: tuple[Column, ...] = ()) -> ParsedFile:
    """Read, check and clean an import file; raise ImportFileError when the file cannot be used at all.

    ``extra_columns``: columns a caller adds to the template's (a call's own questions): found by their
    name or aliases like the others, read as plain text (``required`` and meaning are the caller's to check).
    """
    limits = limits or Limits()
    with paused_gc():
        return _parse(data, filename, limits, today, extra_columns)


def _parse(data: bytes, filename: str, limits: Limits, today: date | None,
           extra_columns: tuple[Column, ...] = ()) -> ParsedFile:
    table = read_table(data, filename, limits)
    if not table.rows:
        raise ImportFileError(_("The file is empty: put the column names in the first row and one trainee "
                                "per row below them (download the template to start)."))
    _header_number, header = table.rows[0]
    mapping, notes = map_headers(header, extra_columns)
    data_rows = table.rows[1:]
    if not data_rows:
        raise ImportFileError(_("The file has a header row but no trainees below it."))
    if len(data_rows) > limits.max_rows:
        raise ImportFileError(_("The file has %(n)d rows; at most %(max)d can be imported at once. "
                                "Split it into smaller files.", n=len(data_rows), max=limits.max_rows))
    cleaner = _Cleaner(today or date.today())
    spec, formulas = cleaner.spec(mapping), table.formulas
    rows = [cleaner.row(number, cells, spec, formulas) for number, cells in data_rows]
    mark_duplicate_emails(rows)
    return ParsedFile(filename=filename, rows=rows, notes=table.notes + notes,
                      columns=[column.name for _i, column in mapping])


def read_table(data: bytes, filename: str, limits: Limits) -> _Table:
    """The non-blank rows of an .xlsx (first sheet, or one named Trainees) or .csv file."""
    if not data:
        raise ImportFileError(_("The file is empty."))
    if len(data) > limits.max_bytes:
        raise ImportFileError(_("The file is %(size)s; the limit is %(max)s.", size=_megabytes(len(data)),
                                max=_megabytes(limits.max_bytes)))
    extension = posixpath.splitext((filename or "").lower())[1]
    if extension == ".xlsx":
        return _read_xlsx(data, limits)
    if extension == ".csv":
        return _read_csv(data, limits)
    if extension in OTHER_SPREADSHEET_EXTENSIONS:
        raise ImportFileError(_("%(ext)s files are not accepted: save the sheet as an Excel Workbook (.xlsx) "
                                "or as CSV UTF-8 (.csv).", ext=extension))
    raise ImportFileError(_("Upload an .xlsx or .csv file (this one is called “%(name)s”).", name=filename))


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _read_xlsx(data: bytes, limits: Limits) -> _Table:
    """The sheet called Trainees (or a Japanese equivalent), else the first with data, through the one guarded
    reader (``core.spreadsheets.read_workbook_upload``: zip-bomb, macro, size and extent checks)."""
    try:
        book = read_workbook_upload(
            data, sheets=PREFERRED_SHEETS, first_with_data=True, formulas=True, limits=ReadLimits(
                max_bytes=limits.max_bytes, max_rows=limits.max_rows, max_cols=MAX_COLUMNS,
                max_unpacked=limits.max_unpacked, max_ratio=limits.max_ratio, max_members=limits.max_members))
    except WorkbookUploadError as exc:
        raise ImportFileError(exc.message) from None
    sheet = book.sheets[0]
    notes = []
    if len(book.sheet_names) > 1 and sheet.name.strip().casefold() not in PREFERRED_SHEETS:
        if sheet.name == book.sheet_names[0]:
            notes.append(_("The workbook has %(n)d sheets; the first one, “%(sheet)s”, was read.",
                           n=len(book.sheet_names), sheet=sheet.name))
        else:
            notes.append(_("The workbook has %(n)d sheets; the first one with data, “%(sheet)s”, was read.",
                           n=len(book.sheet_names), sheet=sheet.name))
    return _Table(rows=sheet.rows, notes=notes, formulas=sheet.formulas)


def _read_csv(data: bytes, limits: Limits) -> _Table:
    if data.startswith(b"PK\x03\x04"):
        raise ImportFileError(_("This is an Excel workbook with a .csv name. Rename it to .xlsx, or save it from "
                                "Excel as “CSV UTF-8”, and upload it again."))
    notes: list[str] = []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = _decode(data, "utf-16")
    elif b"\x00" in data:
        raise ImportFileError(_("This file contains binary data, so it is not a CSV text file. Save the sheet from "
                                "Excel as “CSV UTF-8” and upload it again."))
    elif data.startswith(b"\xef\xbb\xbf"):
        text = _decode(data[3:], "utf-8")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = _decode(data, "cp932")
            notes.append(_("The file is not UTF-8; it was read as Japanese Shift_JIS (CP932) text. Check the names "
                           "in the preview, or save it from Excel as “CSV UTF-8”."))
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first_line.count) if first_line else ","
    rows: list[tuple[int, list]] = []
    try:
        for number, record in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
            if len(record) > MAX_COLUMNS:
                raise ImportFileError(_("Row %(row)d has %(n)d columns; at most %(max)d are read. Delete the unused "
                                        "columns.", row=number, n=len(record), max=MAX_COLUMNS))
            if any(cell.strip() for cell in record):
                rows.append((number, record))
                if len(rows) > limits.max_rows + 1:
                    raise ImportFileError(_("The file has more than %(max)d rows; split it into smaller files.",
                                            max=limits.max_rows))
    except csv.Error as exc:
        raise ImportFileError(_("The CSV file could not be read (%(error)s). Save it from Excel as “CSV UTF-8” "
                                "and upload it again.", error=str(exc)[:200])) from None
    return _Table(rows=rows, notes=notes)


def _decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise ImportFileError(_("The file's text encoding is not recognised. Save it from Excel as “CSV UTF-8” and "
                                "upload it again.")) from None


# --- headers -----------------------------------------------------------------------------------

def map_headers(header: list, extra_columns: tuple[Column, ...] = ()) -> tuple[list[tuple[int, Column]], list[str]]:
    """Which template column each cell of the header row is; refuse missing or repeated columns."""
    known = _HEADER_INDEX
    if extra_columns:
        known = {header_key(name): column for column in extra_columns for name in (column.name, *column.aliases)}
        known.update(_HEADER_INDEX)  # the template's own columns win over a question worded like one
    mapping: list[tuple[int, Column]] = []
    seen: dict[str, str] = {}
    unknown: list[str] = []
    for index, cell in enumerate(header):
        label = cell_text(cell)
        if not label:
            continue
        column = known.get(header_key(label))
        if column is None:
            unknown.append(label)
            continue
        if column.name in seen:
            raise ImportFileError(_("The columns “%(a)s” and “%(b)s” both mean %(name)s; keep only one of them.",
                                    a=seen[column.name], b=label,
                                    name=column.aliases[0] if column in extra_columns else column.name))
        seen[column.name] = label
        mapping.append((index, column))
    missing = [c.name for c in COLUMNS if c.required and c.name not in seen]
    if missing:
        found = ", ".join(cell_text(c) for c in header if cell_text(c)) or _("nothing")
        raise ImportFileError(_("Required columns are missing: %(missing)s. The first row must hold the column "
                                "names of the template (found: %(found)s).",
                                missing=", ".join(missing), found=found[:300]))
    notes = [_("These columns are not part of the template and were ignored: %(cols)s.",
               cols=", ".join(unknown)[:300])] if unknown else []
    return mapping, notes


# --- cells -------------------------------------------------------------------------------------

def cell_text(value) -> str:
    """A cell as trimmed, NFKC-normalised text with runs of spaces collapsed."""
    if value is None:
        return ""
    if isinstance(value, str):
        if not value:
            return ""
        if not value.isascii():
            value = unicodedata.normalize("NFKC", value)
        return " ".join(value.split())
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return " ".join(unicodedata.normalize("NFKC", str(value)).split())


def _strip_invisible(text: str) -> str | None:
    """Remove zero-width and other format characters; None if control characters remain."""
    cleaned = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return cleaned if cleaned.isprintable() else None


_DATE_TEXT = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]00:00(?::00)?)?")
_STATUS_INDEX = {**{header_key(s): s for s in STATUSES},
                 **{header_key(n): s for s, names in STATUS_NAMES.items() for n in names}}


def resolve_status(text: str) -> str | None:
    """An enrolment status from its code or its English or Japanese name ("No-show" → no_show)."""
    return _STATUS_INDEX.get(header_key(text))


class _Cleaner:
    """Turns raw cells into typed values and problems. Each column has a parser; look-ups (countries,
    sectors…) are remembered per distinct text, so a large file costs one look-up per distinct value."""

    def __init__(self, today: date):
        self.today = today
        self.parsers = {
            "email": lambda raw, text: _email(text),
            "gender": self._coded(resolve_gender, lambda text: _(
                "“%(value)s” is not understood: use F, M or X (or female, male, other), or leave it empty.",
                value=text)),
            "nationality": self._coded(resolve_country, _not_a_country),
            "organisation_country": self._coded(resolve_country, _not_a_country),
            "sector": self._coded(resolve_sector, lambda text: _(
                "“%(value)s” is not a sector: use a code such as ICT, FIN, ELE, GOV, MED (the template lists them "
                "all).", value=text)),
            "org_type": self._coded(resolve_org_type, lambda text: _(
                "“%(value)s” is not an organisation type: use government, regulator, national_csirt, soe, private, "
                "academia, ngo or international.", value=text)),
            "date_of_birth": self._date,
            "status": self._coded(resolve_status, lambda text: _(
                "“%(value)s” is not an enrolment status: use %(allowed)s (empty means nominated).", value=text,
                allowed=", ".join(STATUSES))),
        }

    @staticmethod
    def _coded(resolve, message):
        memo: dict[str, str] = {}

        def parse(raw, text: str) -> str:
            code = memo.get(text)
            if code is None:
                code = resolve(text)
                if code is None:
                    raise ServiceError(message(text))
                memo[text] = code
            return code

        return parse

    def spec(self, mapping: list[tuple[int, Column]]) -> list[tuple]:
        """(index, name, parser or None for plain text, required, max length) per mapped column."""
        return [(index, c.name, self.parsers.get(c.name), c.required, c.max_length) for index, c in mapping]

    def row(self, number: int, cells: list, spec: list[tuple], formulas: set[tuple[int, int]]) -> ParsedRow:
        values: dict = {}
        texts: dict[str, str] = {}
        errors: list[Problem] = []
        notes: list[Problem] = []
        width = len(cells)
        for index, name, parse, required, max_length in spec:
            raw = cells[index] if index < width else ""
            if raw.__class__ is str:
                text = " ".join((raw if raw.isascii() else unicodedata.normalize("NFKC", raw)).split())
            else:
                text = cell_text(raw)
            if formulas and (number, index) in formulas:
                if text:
                    notes.append(Problem(name, _("this cell is a formula; its saved value “%(value)s” was used as "
                                                 "text.", value=text[:80])))
                else:
                    errors.append(Problem(name, _("this cell is a formula without a saved value. Open the file in "
                                                  "Excel and save it, or paste the values instead.")))
                    continue
            if text and not text.isprintable():
                cleaned = _strip_invisible(text)
                if cleaned is None:
                    errors.append(Problem(name, _("contains control characters; retype the value.")))
                    continue
                text = cleaned
            texts[name] = text
            if not text:
                if required:
                    errors.append(Problem(name, _("a value is required.")))
                values[name] = None
            elif max_length and len(text) > max_length:
                errors.append(Problem(name, _("is too long (%(n)d characters; at most %(max)d).",
                                              n=len(text), max=max_length)))
            elif parse is None:
                values[name] = text
            else:
                try:
                    values[name] = parse(raw, text)
                except ServiceError as exc:
                    errors.append(Problem(name, exc.message))
        return ParsedRow(number, values, texts, errors, notes)

    def _date(self, raw, text: str) -> date:
        if isinstance(raw, datetime):
            day = raw.date()
        elif isinstance(raw, date):
            day = raw
        elif isinstance(raw, int | float) and not isinstance(raw, bool):
            raise ServiceError(_("“%(value)s” is a number, not a date: type the date as YYYY-MM-DD or format the "
                                 "cell as a date.", value=text))
        else:
            day = parse_date_text(text)
        if day > self.today:
            raise ServiceError(_("%(date)s is in the future.", date=day.isoformat()))
        if day.year < 1900:
            raise ServiceError(_("%(date)s is before 1900; check the year.", date=day.isoformat()))
        return day


_DAY_FIRST = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})")
_ERA_TEXT = re.compile(r"(令和|平成|昭和|[RHS])\s*(元|\d{1,2})\s*(?:年|[-/.])\s*"
                       r"(\d{1,2})\s*(?:月|[-/.])\s*(\d{1,2})\s*日?", re.I)
_KANJI_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
#: Japanese eras: (first day, first day of the next era). Year 1 (元年) is the year of the first day.
ERAS = {"令和": (date(2019, 5, 1), None), "平成": (date(1989, 1, 8), date(2019, 5, 1)),
        "昭和": (date(1926, 12, 25), date(1989, 1, 8))}
_ERA_LETTERS = {"R": "令和", "H": "平成", "S": "昭和"}


def _real_date(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise ServiceError(_("“%(value)s” is not a real date.", value=text)) from None


def parse_date_text(text: str) -> date:
    """A date from text: YYYY-MM-DD (also / or .), 1990年5月14日, Japanese era dates (平成2年5月14日, H2.5.14,
    令和元年…), and DD/MM/YYYY or MM/DD/YYYY when only one reading is possible (a part above 12, or both
    parts equal); an ambiguous one is refused with both readings named."""
    folded = unicodedata.normalize("NFKC", text).strip()
    match = _DATE_TEXT.fullmatch(folded) or _KANJI_DATE.fullmatch(folded)
    if match:
        return _real_date(int(match[1]), int(match[2]), int(match[3]), text)
    match = _ERA_TEXT.fullmatch(folded)
    if match:
        era = _ERA_LETTERS.get(match[1].upper(), match[1])
        first, following = ERAS[era]
        year = first.year + (1 if match[2] == "元" else int(match[2])) - 1
        day = _real_date(year, int(match[3]), int(match[4]), text)
        if day < first or (following is not None and day >= following):
            raise ServiceError(_("“%(value)s” is outside the %(era)s era; check the era and the year.",
                                 value=text, era=era))
        return day
    match = _DAY_FIRST.fullmatch(folded)
    if match:
        a, b, year = int(match[1]), int(match[2]), int(match[3])
        if a == b or (a > 12 >= b):
            return _real_date(year, b, a, text)  # day first
        if b > 12 >= a:
            return _real_date(year, a, b, text)  # month first
        if a <= 12 and b <= 12:
            raise ServiceError(_("“%(value)s” could be %(first)s or %(second)s: write it as YYYY-MM-DD.",
                                 value=text, first=date(year, b, a).isoformat(), second=date(year, a, b).isoformat()))
        raise ServiceError(_("“%(value)s” is not a real date.", value=text))
    raise ServiceError(_("“%(value)s” is not a date: use YYYY-MM-DD (for example 1990-05-14).", value=text))


_ATEXT = r"a-z0-9_!#$%&'*+\-/=?^`{|}~"
_PLAIN_EMAIL = re.compile(rf"([{_ATEXT}]+(?:\.[{_ATEXT}]+)*)"
                          rf"@((?:[a-z0-9](?:[a-z0-9-]{{0,61}}[a-z0-9])?\.)+([a-z]{{2,63}}))")
_SPECIAL_USE_TLDS = frozenset({"arpa", "invalid", "local", "localhost", "onion", "test"})


def _not_a_country(text: str) -> str:
    return _("“%(value)s” is not a country: use an ISO code (VN or VNM) or the English name (Viet Nam).", value=text)


def _email(text: str) -> str:
    """The lower-cased address. Plain ASCII addresses that ``normalize_email`` certainly accepts unchanged are
    recognised by one regular expression (a large import has thousands); anything else goes through
    ``accounts.services.normalize_email``, which decides and gives the message. A test checks that the
    shortcut never accepts what ``normalize_email`` refuses or normalises differently."""
    lower = text.lower()
    match = _PLAIN_EMAIL.fullmatch(lower)
    if (match and len(lower) <= 254 and len(match[1]) <= 64 and len(match[2]) <= 253 and "--" not in match[2]
            and match[3] not in _SPECIAL_USE_TLDS):
        return lower
    return normalize_email(text)


def mark_duplicate_emails(rows: list[ParsedRow]) -> None:
    """Every row whose e-mail appears more than once in the file is invalid (which one is right is unclear)."""
    by_email: dict[str, list[ParsedRow]] = defaultdict(list)
    for row in rows:
        email = row.values.get("email")
        if email:
            by_email[email].append(row)
    for email, same in by_email.items():
        if len(same) > 1:
            numbers = ", ".join(str(r.number) for r in same)
            for row in same:
                row.errors.append(Problem("email", _("%(email)s appears more than once in the file (rows %(rows)s).",
                                                     email=email, rows=numbers)))
