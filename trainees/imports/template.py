"""The downloadable trainee import template (.xlsx): a header row and an example on the first sheet,
and a second sheet explaining every column and its allowed values (ARCHITECTURE §4.2)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from openpyxl.styles import Font

from core.i18n import _
from core.refdata import GENDER_NAMES, ORG_TYPES, SECTORS, org_type_bucket
from core.spreadsheets import XLSX_MIME, add_drop_downs, new_workbook, put_cell, workbook_bytes, write_sheet
from trainees.imports.reader import COLUMNS
from trainees.status import STATUSES

__all__ = ["XLSX_MIME", "ExtraColumn", "build_template"]

EXAMPLE = {
    "family_name": "Nguyen", "given_names": "Van An", "email": "an.nguyen@example.vn", "gender": "M",
    "nationality": "VN", "organisation": "Viet Nam Cybersecurity Emergency Response Teams",
    "organisation_country": "VN",
    "sector": "ICT", "org_type": "national_csirt", "job_title": "Incident handler", "date_of_birth": date(1990, 5, 14),
    "status": "nominated",
}


def _descriptions() -> dict[str, str]:
    return {
        "family_name": _("Family name as in the passport; leave empty for a person with a single name."),
        "given_names": _("Given names as in the passport (a single name goes here)."),
        "email": _("E-mail address; it identifies the person across imports and years."),
        "gender": _("F, M or X, or female / male / other; empty means not stated."),
        "nationality": _("ISO 3166 code (VN or VNM) or English name (Viet Nam, Vietnam, Lao PDR)."),
        "organisation": _("Employer's name; matched case-insensitively within its country, created if new."),
        "organisation_country": _("Country of the organisation, as for nationality; empty means the nationality."),
        "sector": _("Sector code or its English name; see the list below."),
        "org_type": _("Organisation type code or name; see the list below (it decides public / private)."),
        "job_title": _("Job title, free text."),
        "date_of_birth": _("YYYY-MM-DD text or an Excel date cell."),
        "status": _("Enrolment status in the cohort; empty means nominated. Allowed: %(statuses)s.",
                    statuses=", ".join(STATUSES)),
    }


@dataclass(frozen=True)
class ExtraColumn:
    """A column a caller adds after the template's (a call's own question): its header, whether it must be
    filled, what to enter, an example value and, for a closed question, the answers offered in a drop-down."""

    header: str
    required: bool
    description: str
    example: str = ""
    choices: tuple[str, ...] = ()


def build_template(leave_out: tuple[str, ...] = (), extra: tuple[ExtraColumn, ...] = ()) -> bytes:
    """The template workbook as bytes (written through ``core.spreadsheets``).

    ``leave_out``: template columns not wanted (a nomination has no enrolment ``status``); ``extra``: columns
    added at the end, explained on the Columns sheet, with a drop-down when they offer ``choices``.
    """
    workbook = new_workbook()
    sheet = workbook.create_sheet("Trainees")
    columns = [c for c in COLUMNS if c.name not in leave_out]
    names = [c.name for c in columns]
    headers = names + [e.header for e in extra]
    write_sheet(sheet, headers, [[EXAMPLE[name] for name in names] + [e.example for e in extra]],
                widths=[max(14, len(name) + 4) for name in names] + [max(20, min(60, len(e.header) + 4))
                                                                    for e in extra], autofilter=False)

    guide = workbook.create_sheet(_("Columns"))
    descriptions = _descriptions()
    headings = {_("Column"), _("Sector code"), _("Organisation type"), _("Gender")}
    rows = [[_("Column"), _("Required"), _("Other accepted headers"), _("What to enter")]]
    for column in columns:
        rows.append([column.name, _("yes") if column.required else _("no"), ", ".join(column.aliases),
                     descriptions[column.name]])
    for e in extra:
        rows.append([e.header, _("yes") if e.required else _("no"), "", e.description])
    rows.append([])
    rows.append([_("Headers are case- and space-insensitive; other columns are ignored. Text starting with = + - "
                   "or @ is stored as plain text.")])
    rows.append([])
    rows.append([_("Sector code"), _("Sector"), _("Sector (Japanese)")])
    for sector in SECTORS:
        if sector.retired is None:
            rows.append([sector.code, sector.en, sector.ja])
    rows.append([])
    rows.append([_("Organisation type"), _("Name"), _("Public / private")])
    for org_type in ORG_TYPES:
        rows.append([org_type.code, org_type.en, org_type_bucket(org_type.code)])
    rows.append([])
    rows.append([_("Gender"), _("Meaning")])
    for code, (english, _japanese) in GENDER_NAMES.items():
        rows.append([_("(empty)") if code == "NS" else code, english])
    bold = Font(bold=True)
    for number, values in enumerate(rows, start=1):
        for column, value in enumerate(values, start=1):
            cell = put_cell(guide, number, column, value, wrap=True)
            if isinstance(value, str) and value in headings:
                cell.font = bold
    for letter, width in zip("ABCD", (22, 10, 40, 70), strict=True):
        guide.column_dimensions[letter].width = width
    _add_drop_downs(workbook, sheet, names, [(e.header, len(names) + i + 1, list(e.choices))
                                             for i, e in enumerate(extra) if e.choices])
    return workbook_bytes(workbook)


DROP_DOWN_ROWS = 5000  # rows of the Trainees sheet that offer the lists


def _add_drop_downs(workbook, sheet, names: list[str], more: list[tuple[str, int, list[str]]]) -> None:
    """Drop-down lists for nationality, sector, org type, gender and status, fed by a hidden "Lists" sheet.
    They only suggest: other accepted spellings (e.g. "Viet Nam") still go in, with a warning the user can
    dismiss."""
    import pycountry

    lists = {
        "nationality": sorted(c.alpha_2 for c in pycountry.countries),
        "sector": [s.code for s in SECTORS if s.retired is None],
        "org_type": [t.code for t in ORG_TYPES],
        "gender": [code for code in GENDER_NAMES if code != "NS"],
        "status": list(STATUSES),
    }
    add_drop_downs(workbook, sheet, [(name, names.index(name) + 1, values) for name, values in lists.items()
                                     if name in names] + more,
                   last_row=DROP_DOWN_ROWS,
                   error=_("Not in the list; the importer still accepts the other spellings explained on "
                           "the Columns sheet."))
