"""The ``Nominations`` report sheet and dashboard section (tables, no HTTP).

Registered with ``core.reporting`` in ``nominations.register`` (with the tables it reads); this module
never imports ``reports``.
"""

from __future__ import annotations

from flask import render_template
from flask_babel import force_locale, lazy_pgettext
from markupsafe import Markup

from core.refdata import country_name
from core.spreadsheets import INTEGER, PERCENT, TEXT, Column, Table
from nominations import queries

#: Column key, header (translated through the catalogue in the workbook's language) and kind.
COLUMNS = (
    ("country", lazy_pgettext("report: Nominations sheet", "Country"), TEXT),
    ("nominated", lazy_pgettext("report: Nominations sheet", "Nominated"), INTEGER),
    ("eligible", lazy_pgettext("report: Nominations sheet", "Eligible"), INTEGER),
    ("accepted", lazy_pgettext("report: Nominations sheet", "Accepted"), INTEGER),
    ("waitlisted", lazy_pgettext("report: Nominations sheet", "Waitlisted"), INTEGER),
    ("rejected", lazy_pgettext("report: Nominations sheet", "Rejected"), INTEGER),
    ("quota", lazy_pgettext("report: Nominations sheet", "Quota"), INTEGER),
    ("fill_rate", lazy_pgettext("report: Nominations sheet", "Fill rate"), PERCENT),
)


def nominations_sheet(scope) -> Table | None:
    """Per country: nominated, eligible, accepted, waitlisted, rejected, quota, fill rate."""
    rows = queries.report_rows(getattr(scope, "filter", None))
    if not rows:
        return None
    with force_locale(scope.lang):
        columns = [Column(str(header), kind) for _k, header, kind in COLUMNS]
    values = [[country_name(r["country"], scope.lang) if k == "country" else r[k] for k, _h, _kind in COLUMNS]
              for r in rows]
    return Table(columns, values)


def nominations_section(scope) -> Markup | None:
    """Dashboard section with the same figures as the sheet."""
    rows = queries.report_rows(getattr(scope, "filter", None))
    if not rows:
        return None
    return Markup(render_template("nominations/_report_section.html", rows=rows))  # noqa: S704 - escaped template
