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
    # added later, at the end (the workbook's columns change only additively): with these a row adds up
    ("withdrawn", lazy_pgettext("report: Nominations sheet", "Withdrawn"), INTEGER),
    ("undecided", lazy_pgettext("report: Nominations sheet", "Undecided"), INTEGER),
)

_CONTEXT = "report: Nominations sheet"
#: Rows of the ``Definitions`` sheet (and the dashboard's definitions) for the Nominations figures.
DEFINITIONS = (
    (lazy_pgettext(_CONTEXT, "Nominations sheet"),
     lazy_pgettext(_CONTEXT, "One row per country over the calls for nominations of the cohorts in scope (country = "
                             "the focal point's country, which is always the candidate's nationality). Nominated = "
                             "Accepted + Waitlisted + Rejected + Withdrawn + Undecided.")),
    (lazy_pgettext(_CONTEXT, "Nominated"),
     lazy_pgettext(_CONTEXT, "Candidates put forward by a focal point, or who applied through a focal point's link "
                             "and were endorsed (applications still waiting for the endorsement are not counted).")),
    (lazy_pgettext(_CONTEXT, "Eligible"),
     lazy_pgettext(_CONTEXT, "Nominated candidates who meet every eligibility rule of their call (age, experience, "
                             "job area, English level, organisation type, sector), checked on the cohort's start "
                             "date.")),
    (lazy_pgettext(_CONTEXT, "Accepted"),
     lazy_pgettext(_CONTEXT, "Candidates whose current decision is accepted (including those promoted from the "
                             "waiting list).")),
    (lazy_pgettext(_CONTEXT, "Waitlisted"),
     lazy_pgettext(_CONTEXT, "Candidates on the waiting list now (they do not take a seat).")),
    (lazy_pgettext(_CONTEXT, "Rejected"), lazy_pgettext(_CONTEXT, "Candidates whose decision is rejected.")),
    (lazy_pgettext(_CONTEXT, "Quota"),
     lazy_pgettext(_CONTEXT, "Seats offered to the country, summed over the calls in scope (empty: no country "
                             "quota).")),
    (lazy_pgettext(_CONTEXT, "Fill rate"), lazy_pgettext(_CONTEXT, "Accepted ÷ Quota.")),
    (lazy_pgettext(_CONTEXT, "Withdrawn"),
     lazy_pgettext(_CONTEXT, "Candidates accepted whose enrolment was later withdrawn or marked no-show.")),
    (lazy_pgettext(_CONTEXT, "Undecided"),
     lazy_pgettext(_CONTEXT, "Nominated candidates still waiting for a decision.")),
)


def nominations_sheet(scope) -> Table | None:
    """Per country: nominated, eligible, accepted, waitlisted, rejected, quota, fill rate, withdrawn, undecided."""
    rows = queries.report_rows(getattr(scope, "filter", None))
    if not rows:
        return None
    with force_locale(scope.lang):
        columns = [Column(str(header), kind) for _k, header, kind in COLUMNS]
    values = [[country_name(r["country"], scope.lang) if k == "country" else r[k] for k, _h, _kind in COLUMNS]
              for r in rows]
    return Table(columns, values)


def definitions(scope) -> list[tuple[str, str]] | None:
    """Definitions of the Nominations figures in ``scope.lang``, only when the sheet has rows."""
    if not queries.report_rows(getattr(scope, "filter", None)):
        return None
    with force_locale(scope.lang):
        return [(str(name), str(text)) for name, text in DEFINITIONS]


def nominations_section(scope) -> Markup | None:
    """Dashboard section with the same figures as the sheet."""
    rows = queries.report_rows(getattr(scope, "filter", None))
    if not rows:
        return None
    return Markup(render_template("nominations/_report_section.html", rows=rows))  # noqa: S704 - escaped template
