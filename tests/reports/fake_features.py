"""Stand-ins for the courses and exercises features' ``exports.py`` hooks (see reports/sources.py)."""

from __future__ import annotations

from sqlalchemy import Float, Integer, cast, false, literal, select, union_all

from core.extensions import db
from core.spreadsheets import DECIMAL, INTEGER, Column, Table

SCORES: dict[int, tuple[float | None, float | None]] = {}
CALLS: list = []


def learning_scores():
    if not SCORES:
        return select(literal(0).label("enrolment_id"), literal(None).label("pre_pct"),
                      literal(None).label("post_pct")).where(false())
    parts = [select(cast(literal(eid), Integer).label("enrolment_id"), cast(literal(pre), Float).label("pre_pct"),
                    cast(literal(post), Float).label("post_pct")) for eid, (pre, post) in SCORES.items()]
    return union_all(*parts)


def satisfaction_sheet(scope):
    CALLS.append(("satisfaction_sheet", scope))
    count = len(db.session.scalars(scope.enrolment_ids).all())
    return Table([Column("Item"), Column("Mean", DECIMAL), Column("Responses", INTEGER)],
                 [("Overall usefulness", 4.25, count)])


def satisfaction_mean(scope):
    return 4.25


def satisfaction_section(scope):
    return "<section><h2>Satisfaction</h2><p>mean 4.25</p></section>"


def exercises_sheet(scope):
    return Table([Column("Run")], [])  # no rows: the sheet is left out


def exercises_run_count(scope):
    return len(db.session.scalars(scope.cohort_ids).all())
