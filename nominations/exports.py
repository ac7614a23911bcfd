"""The ``Nominations`` report sheet and dashboard section (tables, no HTTP)."""

from __future__ import annotations

from flask import render_template
from markupsafe import Markup

from core.refdata import country_name
from core.spreadsheets import Column, Table
from nominations import queries

COLUMNS = (("country", "Country", "text"), ("nominated", "Nominated", "int"), ("eligible", "Eligible", "int"),
           ("accepted", "Accepted", "int"), ("waitlisted", "Waitlisted", "int"), ("rejected", "Rejected", "int"),
           ("quota", "Quota", "int"), ("fill_rate", "Fill rate", "percent"))
JA_HEADERS = {"Country": "国", "Nominated": "推薦数", "Eligible": "要件適合", "Accepted": "受入決定",
              "Waitlisted": "補欠", "Rejected": "不採用", "Quota": "割当枠", "Fill rate": "充足率"}


def nominations_sheet(scope) -> Table | None:
    """Per country: nominated, eligible, accepted, waitlisted, rejected, quota, fill rate."""
    rows = queries.report_rows(getattr(scope, "filter", None))
    if not rows:
        return None
    columns = [Column(JA_HEADERS[h] if scope.lang == "ja" else h, kind) for _k, h, kind in COLUMNS]
    values = [[country_name(r["country"], scope.lang) if k == "country" else r[k] for k, _h, _kind in COLUMNS]
              for r in rows]
    return Table(columns, values)


def nominations_section(scope) -> Markup | None:
    """Dashboard section with the same figures as the sheet."""
    rows = queries.report_rows(getattr(scope, "filter", None))
    if not rows:
        return None
    return Markup(render_template("nominations/_report_section.html", rows=rows))  # noqa: S704 - escaped template
