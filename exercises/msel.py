"""MSEL (Master Scenario Events List) import and export as .xlsx — one row per inject.

Sheet ``MSEL`` (required), header row first, column names case- and space-insensitive:

| column | required | values |
|---|---|---|
| #  | no  | inject number (order); empty = row order |
| Module | no | module title; a new title creates a module |
| Scenario time | yes | ``T+02:00``, ``T-3 days``, ``Day 2 09:00`` |
| Planned offset (min) | no | running minutes after the start when it is released automatically; empty = by hand |
| Channel | no | phone, email, alert, ticket, news, social, letter, in_person, handout, advisory, meeting, other |
| From | no | persona sending the inject |
| To / audience | no | role(s) or team(s) it is addressed to |
| Title | yes | short title (≤ 200 characters) |
| Body | no | the message players read (Markdown) |
| Expected actions | no | staff only; one per line, ``Role: action`` |
| Contingency | no | yes/no — contingency injects are released by hand only |

Optional sheet ``Modules``: ``#``, ``Title``, ``Scenario start``, ``Planned minutes``, ``Situation``.
Import is all-or-nothing: any invalid row (``row N: column: message``) means nothing is written.
Text that looks like a formula is kept as the literal text; a formula cell gives its saved value.
The upload is read through the one guarded reader (``core.spreadsheets.read_workbook_upload``:
size, zip-bomb, macro and far-away-cell checks before anything is parsed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from core.i18n import _
from core.spreadsheets import WorkbookUploadError, new_workbook, read_workbook_upload, workbook_bytes, write_sheet
from exercises.injects import format_expected_actions, parse_expected_actions, parse_flag, resolve_channel
from exercises.services.common import offset_message
from exercises.timeline import OffsetError, parse_clock, parse_offset
from exercises.vocab import CHANNELS

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 500
MAX_OFFSET_MINUTES = 7 * 24 * 60

#: (key, header, width) — the documented MSEL columns, in export order.
COLUMNS = (
    ("number", "#", 5), ("module", "Module", 22), ("scenario_time", "Scenario time", 14),
    ("planned_offset", "Planned offset (min)", 12), ("channel", "Channel", 12), ("from", "From", 24),
    ("to", "To / audience", 22), ("title", "Title", 32), ("body", "Body", 60),
    ("expected_actions", "Expected actions", 60), ("contingency", "Contingency", 12),
)
MODULE_COLUMNS = (("number", "#", 5), ("title", "Title", 30), ("scenario_start", "Scenario start", 14),
                  ("planned_minutes", "Planned minutes", 10), ("situation", "Situation", 80))
_ALIASES = {
    "number": ("#", "no", "no.", "number", "inject", "inject #", "inject no", "order", "番号"),
    "module": ("module", "phase", "module/phase", "モジュール"),
    "scenario_time": ("scenario time", "time", "scenario-time", "offset", "シナリオ時刻"),
    "planned_offset": ("planned offset (min)", "planned offset", "planned offset minutes", "wall clock offset",
                       "planned release (min)", "release (min)", "予定(分)"),
    "channel": ("channel", "チャネル"),
    "from": ("from", "from persona", "sender", "差出人"),
    "to": ("to / audience", "to", "audience", "to/audience", "宛先"),
    "title": ("title", "inject title", "subject", "件名"),
    "body": ("body", "message", "content", "本文"),
    "expected_actions": ("expected actions", "expected action", "期待される対応"),
    "contingency": ("contingency", "contingency inject", "予備"),
    "situation": ("situation", "situation text"),
    "scenario_start": ("scenario start", "start"),
    "planned_minutes": ("planned minutes", "duration", "planned duration"),
}


def _key(text) -> str:
    return " ".join(str(text or "").strip().casefold().replace("_", " ").split())


def _header_map(header_row, wanted: tuple) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(header_row):
        name = _key(cell)
        if not name:
            continue
        for key, header, _w in wanted:
            if key not in found and (name == _key(header) or name in _ALIASES.get(key, ())):
                found[key] = index
                break
    return found


# --- export -----------------------------------------------------------------------------------

def export_rows(scenario) -> tuple[list[list], list[list]]:
    """MSEL and Modules rows of a loaded scenario (or run): injects in order, then modules."""
    modules = {m.id: m for m in scenario.modules}
    injects = [[i.position, modules[i.module_id].title if i.module_id in modules else "", i.scenario_time,
                i.planned_offset_minutes, i.channel, i.from_persona, i.audience, i.title, i.body,
                format_expected_actions(i.expected_actions), "yes" if i.contingency else "no"]
               for i in scenario.injects]
    module_rows = [[m.position, m.title, m.scenario_start, m.planned_minutes, m.situation] for m in scenario.modules]
    return injects, module_rows


def export_workbook(scenario) -> bytes:
    """The scenario's MSEL as .xlsx (sheets MSEL, Modules and Columns)."""
    injects, modules = export_rows(scenario)
    wb = new_workbook()
    write_sheet(wb.create_sheet("MSEL"), [h for _k, h, _w in COLUMNS], injects, [w for _k, _h, w in COLUMNS],
                wrap_columns=(9, 10))
    write_sheet(wb.create_sheet("Modules"), [h for _k, h, _w in MODULE_COLUMNS], modules,
                [w for _k, _h, w in MODULE_COLUMNS], wrap_columns=(5,))
    docs = [
        ("#", "no", "Inject number (order). Empty: the row order."),
        ("Module", "no", "Module title. A title the scenario does not have yet creates a module."),
        ("Scenario time", "yes", "T+02:00 (hours:minutes after T+00:00), T-3 days, or Day 2 09:00."),
        ("Planned offset (min)", "no", "Minutes of running time after the run starts at which the inject is "
         "released automatically (pauses do not count). Empty: released by hand only."),
        ("Channel", "no", "One of: " + ", ".join(CHANNELS) + ". Default: email."),
        ("From", "no", "The persona sending the inject."), ("To / audience", "no", "Who it is addressed to."),
        ("Title", "yes", "Short title, at most 200 characters."), ("Body", "no", "What players read (Markdown)."),
        ("Expected actions", "no", "Staff only, never shown to players. One per line: 'Role: action'."),
        ("Contingency", "no", "yes/no. Contingency injects are released by hand only, if play stalls."),
    ]
    write_sheet(wb.create_sheet("Columns"), ["Column", "Required", "Meaning"], docs, [22, 10, 100], wrap_columns=(3,))
    return workbook_bytes(wb)


# --- import -----------------------------------------------------------------------------------

@dataclass
class ParsedMsel:
    injects: list[dict] = field(default_factory=list)
    modules: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _int(value) -> int | None:
    """An integer from a number cell or numeric text; raises ValueError otherwise; None when empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError
        return int(value)
    text = str(value).strip()
    if not re.fullmatch(r"\d{1,6}(\.0+)?", text):
        raise ValueError
    return int(float(text))


def _plain(rows: list[tuple[int, list]]) -> list[tuple[int, list]]:
    """Rows as read, with empty cells as None (the reader gives "")."""
    return [(number, [None if value == "" else value for value in cells]) for number, cells in rows]


def parse_workbook(data: bytes, t0_clock: str = "09:00") -> ParsedMsel:
    """Read and validate an MSEL workbook; ``errors`` lists every problem as ``row N: column: message``."""
    result = ParsedMsel()
    try:
        book = read_workbook_upload(data, sheets=("MSEL", "Modules"), also_first=True, max_bytes=MAX_BYTES,
                                    max_rows=MAX_ROWS)
    except WorkbookUploadError as exc:
        result.errors.append(exc.message)
        return result
    sheet = book.sheet("MSEL") or book.sheets[0]  # else the first sheet, as documented
    numbered = _plain(sheet.rows)
    modules = book.sheet("Modules")
    module_rows = [cells for _n, cells in _plain(modules.rows)] if modules is not None and modules is not sheet else []
    rows = [cells for _n, cells in numbered]
    if not rows:
        result.errors.append(_("The MSEL sheet is empty."))
        return result
    t0 = parse_clock(t0_clock)
    headers = {k: h for k, h, _w in COLUMNS}
    columns = _header_map(rows[0], COLUMNS)
    for required in ("scenario_time", "title"):
        if required not in columns:
            result.errors.append(_("row 1: %(column)s: this column is missing.", column=headers[required]))
    if result.errors:
        return result
    body_rows = [(n, r) for n, r in numbered[1:] if any(_text(v).strip() for v in r)]
    if len(body_rows) > MAX_ROWS:
        result.errors.append(_("The MSEL has %(n)d rows; at most %(max)d are accepted.", n=len(body_rows),
                               max=MAX_ROWS))
        return result
    if not body_rows:
        result.errors.append(_("The MSEL sheet has no inject rows."))
        return result

    def cell(row, key):
        index = columns.get(key)
        return row[index] if index is not None and index < len(row) else None

    numbers: set[int] = set()
    for order, (n, row) in enumerate(body_rows, start=1):
        problems: list[tuple[str, str]] = []
        try:
            number = _int(cell(row, "number")) or order
            if number < 1 or number > 999:
                raise ValueError
        except ValueError:
            problems.append(("number", _("use a whole number from 1 to 999")))
            number = order
        if number in numbers:
            problems.append(("number", _("inject number %(n)d appears twice", n=number)))
        numbers.add(number)
        label = _text(cell(row, "scenario_time")).strip()
        minutes = 0
        try:
            minutes = parse_offset(label, t0)
        except OffsetError as exc:
            problems.append(("scenario_time", offset_message(exc)))
        offset = None
        try:
            offset = _int(cell(row, "planned_offset"))
            if offset is not None and not 0 <= offset <= MAX_OFFSET_MINUTES:
                raise ValueError
        except ValueError:
            problems.append(("planned_offset", _("use whole minutes from 0 to %(max)d, or leave it empty",
                                                 max=MAX_OFFSET_MINUTES)))
        raw_channel = _text(cell(row, "channel")).strip()
        channel = resolve_channel(raw_channel) if raw_channel else "email"
        if channel is None:
            problems.append(("channel", _("“%(value)s” is not a channel; use one of %(list)s",
                                          value=raw_channel[:40], list=", ".join(CHANNELS))))
        title = _text(cell(row, "title")).strip()
        if not title:
            problems.append(("title", _("a title is required")))
        elif len(title) > 200:
            problems.append(("title", _("at most %(n)d characters", n=200)))
        texts = {k: _text(cell(row, k)).strip() for k in ("from", "to", "module")}
        for key in ("from", "to", "module"):
            if len(texts[key]) > 200:
                problems.append((key, _("at most %(n)d characters", n=200)))
        body = _text(cell(row, "body"))
        if len(body) > 20000:
            problems.append(("body", _("at most %(n)d characters", n=20000)))
        actions = parse_expected_actions(_text(cell(row, "expected_actions")))
        contingency = parse_flag(cell(row, "contingency"))
        if contingency is None:
            problems.append(("contingency", _("use yes or no")))
        for key, message in problems:
            result.errors.append(_("row %(n)d: %(column)s: %(message)s", n=n, column=headers[key], message=message))
        if not problems:
            result.injects.append({
                "module_title": texts["module"], "position": number, "scenario_time": label,
                "scenario_minutes": minutes, "planned_offset_minutes": offset, "channel": channel,
                "from_persona": texts["from"], "audience": texts["to"], "title": title, "body": body,
                "expected_actions": actions, "contingency": bool(contingency)})
    result.modules = _parse_modules(module_rows, result, t0)
    known = {m["title"].casefold() for m in result.modules}
    for inject in result.injects:
        if inject["module_title"] and inject["module_title"].casefold() not in known:
            result.modules.append({"title": inject["module_title"]})
            known.add(inject["module_title"].casefold())
    if result.errors:
        result.injects, result.modules = [], []
    return result


def _parse_modules(rows: list, result: ParsedMsel, t0: int) -> list[dict]:
    if not rows:
        return []
    columns = _header_map(rows[0], MODULE_COLUMNS)
    headers = {k: h for k, h, _w in MODULE_COLUMNS}
    modules = []
    for n, row in enumerate(rows[1:], start=2):
        def cell(key, row=row):
            index = columns.get(key)
            return row[index] if index is not None and index < len(row) else None

        if not any(_text(v).strip() for v in row):
            continue
        title = _text(cell("title")).strip()
        problems = []
        if not title or len(title) > 200:
            problems.append(("title", _("a title of at most 200 characters is required")))
        start = _text(cell("scenario_start")).strip()
        if start:
            try:
                parse_offset(start, t0)
            except OffsetError as exc:
                problems.append(("scenario_start", offset_message(exc)))
        try:
            number = _int(cell("number"))
            planned = _int(cell("planned_minutes"))
            if planned is not None and not 1 <= planned <= 1440:
                raise ValueError
        except ValueError:
            problems.append(("planned_minutes", _("use whole minutes from 1 to 1440")))
            number = planned = None
        for key, message in problems:
            result.errors.append(_("Modules row %(n)d: %(column)s: %(message)s", n=n, column=headers[key],
                                   message=message))
        if not problems:
            modules.append({"title": title, "position": number, "scenario_start": start, "planned_minutes": planned,
                            "situation": _text(cell("situation"))})
    return modules
