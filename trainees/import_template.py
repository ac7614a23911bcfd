"""The downloadable trainee import template (.xlsx): a header row and an example on the first sheet,
and a second sheet explaining every column and its allowed values (ARCHITECTURE §4.2)."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from core.i18n import _
from core.refdata import GENDER_NAMES, ORG_TYPES, SECTORS, org_type_bucket
from trainees.importer import COLUMNS
from trainees.status import STATUSES

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

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


def build_template() -> bytes:
    """The template workbook as bytes."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Trainees"
    bold = Font(bold=True)
    sheet.append([c.name for c in COLUMNS])
    sheet.append([EXAMPLE[c.name] for c in COLUMNS])
    for cell in sheet[1]:
        cell.font = bold
    sheet.cell(row=2, column=[c.name for c in COLUMNS].index("date_of_birth") + 1).number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(14, len(column.name) + 4)

    guide = workbook.create_sheet(_("Columns"))
    descriptions = _descriptions()
    headings = {_("Column"), _("Sector code"), _("Organisation type"), _("Gender")}
    guide.append([_("Column"), _("Required"), _("Other accepted headers"), _("What to enter")])
    for column in COLUMNS:
        guide.append([column.name, _("yes") if column.required else _("no"), ", ".join(column.aliases),
                      descriptions[column.name]])
    guide.append([])
    guide.append([_("Headers are case- and space-insensitive; other columns are ignored. Text starting with = + - "
                    "or @ is stored as plain text.")])
    guide.append([])
    guide.append([_("Sector code"), _("Sector"), _("Sector (Japanese)")])
    for sector in SECTORS:
        if sector.retired is None:
            guide.append([sector.code, sector.en, sector.ja])
    guide.append([])
    guide.append([_("Organisation type"), _("Name"), _("Public / private")])
    for org_type in ORG_TYPES:
        guide.append([org_type.code, org_type.en, org_type_bucket(org_type.code)])
    guide.append([])
    guide.append([_("Gender"), _("Meaning")])
    for code, (english, _japanese) in GENDER_NAMES.items():
        guide.append([_("(empty)") if code == "NS" else code, english])
    for row in guide.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if isinstance(cell.value, str) and cell.value in headings:
                cell.font = bold
    for letter, width in zip("ABCD", (22, 10, 40, 70), strict=True):
        guide.column_dimensions[letter].width = width
    _add_drop_downs(workbook, sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


DROP_DOWN_ROWS = 5000  # rows of the Trainees sheet that offer the lists


def _add_drop_downs(workbook: Workbook, sheet) -> None:
    """Drop-down lists (data validation) for nationality, sector, org type, gender and status, fed by a
    hidden "Lists" sheet. They only suggest: other accepted spellings (e.g. "Viet Nam") still go in, with
    a warning the user can dismiss."""
    import pycountry
    from openpyxl.worksheet.datavalidation import DataValidation

    lists = {
        "nationality": sorted(c.alpha_2 for c in pycountry.countries),
        "sector": [s.code for s in SECTORS if s.retired is None],
        "org_type": [t.code for t in ORG_TYPES],
        "gender": [code for code in GENDER_NAMES if code != "NS"],
        "status": list(STATUSES),
    }
    source = workbook.create_sheet("Lists")
    source.sheet_state = "hidden"
    names = [c.name for c in COLUMNS]
    for col, (name, values) in enumerate(lists.items(), start=1):
        source.cell(row=1, column=col, value=name)
        for row, value in enumerate(values, start=2):
            source.cell(row=row, column=col, value=value)
        letter = get_column_letter(col)
        validation = DataValidation(type="list", formula1=f"Lists!${letter}$2:${letter}${len(values) + 1}",
                                    allow_blank=True, showErrorMessage=True, errorStyle="warning")
        validation.error = _("Not in the list; the importer still accepts the other spellings explained on "
                             "the Columns sheet.")
        target = get_column_letter(names.index(name) + 1)
        validation.add(f"{target}2:{target}{DROP_DOWN_ROWS}")
        sheet.add_data_validation(validation)
