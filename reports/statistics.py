"""Every figure of the report (ARCHITECTURE §4.3), computed in SQL with GROUP BY.

All figures start from one *facts* query: one row per counted enrolment under the report filter,
with the columns the breakdowns group by (nationality, sector, public/private bucket, fiscal year,
gender, dated ASEAN membership) and the per-enrolment person-days. It is copied once into a
temporary table and each breakdown is then a single GROUP BY over it, so the whole report is a
constant number of queries whatever the data size, and SQLite and PostgreSQL run the same SQL.
Python only sums a handful of already-grouped rows (the ASEAN and Total rows of ``By country``)
and runs the cumulative total over fiscal years.
"""

from __future__ import annotations

import secrets
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import (
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    case,
    cast,
    distinct,
    func,
    insert,
    literal,
    or_,
    select,
)
from sqlalchemy.exc import SQLAlchemyError

from core.extensions import db
from core.refdata import ORG_TYPES, memberships
from reports import sources
from reports.filters import ReportFilter
from trainees.models import ATTENDED_STATUSES, Attendance, Cohort, CohortSession, Enrolment, Organisation, Trainee
from trainees.status import COUNTED_STATUSES

# --- building blocks ----------------------------------------------------------------------------


def _int(value) -> int:
    return int(value or 0)


def _float(value) -> float | None:
    return None if value is None else float(value)


def asean_condition(nationality, start_date):
    """SQL: the nationality was an ASEAN member on ``start_date`` (dated membership from core.refdata)."""
    terms = []
    for m in memberships("ASEAN"):
        term = and_(nationality == m.country, start_date >= m.valid_from)
        if m.valid_to is not None:
            term = and_(term, start_date <= m.valid_to)
        terms.append(term)
    return or_(*terms)


def bucket_expression(org_type):
    """SQL: 'public', 'private' or 'other' from the organisation type (core.refdata.ORG_TYPES)."""
    public = [o.code for o in ORG_TYPES if o.bucket == "public"]
    private = [o.code for o in ORG_TYPES if o.bucket == "private"]
    return case((org_type.in_(public), "public"), (org_type.in_(private), "private"), else_="other")


def attendance_subqueries():
    """(attended per enrolment, sessions with attendance per cohort).

    ``attended``: enrolment_id, days (distinct session dates present/late), sessions (present/late).
    ``taken``: cohort_id, sessions (sessions with at least one attendance row: attendance was taken).
    """
    S, A = CohortSession, Attendance
    attended = (
        select(A.enrolment_id.label("enrolment_id"),
               func.count(distinct(S.date)).label("days"),
               func.count(A.id).label("sessions"))
        .join(S, S.id == A.session_id)
        .where(A.status.in_(ATTENDED_STATUSES))
        .group_by(A.enrolment_id)
        .subquery("attended")
    )
    taken = (
        select(S.cohort_id.label("cohort_id"), func.count(distinct(S.id)).label("sessions"))
        .join(A, A.session_id == S.id)
        .group_by(S.cohort_id)
        .subquery("taken")
    )
    return attended, taken


def counted_base(filt: ReportFilter, *columns):
    """select(columns) over counted enrolments joined to cohort, trainee and organisation, filtered."""
    E, C, T, Org = Enrolment, Cohort, Trainee, Organisation
    return (
        select(*columns)
        .select_from(E)
        .join(C, C.id == E.cohort_id)
        .join(T, T.id == E.trainee_id)
        .join(Org, Org.id == T.organisation_id)
        .where(E.status.in_(COUNTED_STATUSES), *filt.conditions())
    )


def person_days_expression(attended, taken):
    """Days attended where attendance was taken for the cohort, else the cohort's training days."""
    return case((taken.c.cohort_id.is_not(None), func.coalesce(attended.c.days, 0)), else_=Cohort.training_days)


def facts(filt: ReportFilter, scores=None):
    """One row per counted enrolment under the filter (a subquery named ``facts``)."""
    E, C, T, Org = Enrolment, Cohort, Trainee, Organisation
    attended, taken = attendance_subqueries()
    columns = [
        E.id.label("enrolment_id"), E.trainee_id.label("trainee_id"), E.cohort_id.label("cohort_id"),
        case((E.status == "completed", 1), else_=0).label("completed"),
        T.gender.label("gender"), T.nationality.label("nationality"),
        Org.sector_code.label("sector_code"), bucket_expression(Org.org_type).label("bucket"),
        C.fiscal_year.label("fiscal_year"),
        person_days_expression(attended, taken).label("person_days"),
        case((asean_condition(T.nationality, C.start_date), 1), else_=0).label("is_asean"),
    ]
    stmt = counted_base(filt, *columns)
    if scores is not None:
        paired = and_(scores.c.pre_pct.is_not(None), scores.c.post_pct.is_not(None))
        stmt = stmt.add_columns(
            case((paired, 1), else_=0).label("paired"),
            case((paired, cast(scores.c.pre_pct, Float))).label("pair_pre"),
            case((paired, cast(scores.c.post_pct, Float))).label("pair_post"),
        ).outerjoin(scores, scores.c.enrolment_id == E.id)
    stmt = stmt.outerjoin(attended, attended.c.enrolment_id == E.id).outerjoin(taken, taken.c.cohort_id == C.id)
    return stmt.subquery("facts")


def scores_subquery():
    """The e-learning feature's per-enrolment scores as a subquery, or None."""
    select_ = sources.learning_scores_select()
    return None if select_ is None else select_.subquery("scores")


def normalised_gain(mean_pre: float | None, mean_post: float | None) -> float | None:
    """Hake: (post − pre) / (100 − pre) on percentages; None without data or when pre is 100."""
    if mean_pre is None or mean_post is None or mean_pre >= 100:
        return None
    return (mean_post - mean_pre) / (100 - mean_pre)


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# --- result rows --------------------------------------------------------------------------------

@dataclass
class Summary:
    cohorts: int = 0
    participants: int = 0
    enrolments: int = 0
    completed: int = 0
    countries: int = 0
    female: int = 0
    male: int = 0
    other_gender: int = 0
    not_stated: int = 0
    person_days: int = 0
    paired: int = 0
    mean_pre: float | None = None
    mean_post: float | None = None
    satisfaction: float | None = None
    exercises_run: int | None = None
    #: Rows features add to the Summary when they have data (``core.reporting.SummaryRow``), in order.
    extras: list = field(default_factory=list)

    @property
    def completion_rate(self) -> float | None:
        return _ratio(self.completed, self.enrolments)

    @property
    def female_share(self) -> float | None:
        return _ratio(self.female, self.enrolments)

    @property
    def normalised_gain(self) -> float | None:
        return normalised_gain(self.mean_pre, self.mean_post)


@dataclass
class CountryRow:
    code: str
    enrolments: int = 0
    completed: int = 0
    female: int = 0
    male: int = 0
    other: int = 0
    person_days: int = 0

    def add(self, other: CountryRow) -> None:
        for name in ("enrolments", "completed", "female", "male", "other", "person_days"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class ByCountry:
    rows: list[CountryRow] = field(default_factory=list)
    asean: CountryRow = field(default_factory=lambda: CountryRow("ASEAN"))
    total: CountryRow = field(default_factory=lambda: CountryRow("Total"))


@dataclass
class SectorRow:
    code: str
    public: int = 0
    private: int = 0
    other: int = 0
    enrolments: int = 0
    completed: int = 0


@dataclass
class CohortRow:
    id: int
    code: str
    title: str
    fiscal_year: int
    modality: str
    host_country: str | None
    start: date
    end: date
    training_days: int
    enrolments: int
    completed: int
    countries: int
    person_days: int
    paired: int = 0
    mean_pre: float | None = None
    mean_post: float | None = None

    @property
    def completion_rate(self) -> float | None:
        return _ratio(self.completed, self.enrolments)

    @property
    def normalised_gain(self) -> float | None:
        return normalised_gain(self.mean_pre, self.mean_post)


@dataclass
class FiscalYearRow:
    fiscal_year: int
    cohorts: int
    enrolments: int
    completed: int
    countries: int
    person_days: int
    cumulative: int = 0


@dataclass
class ReportData:
    """Every built-in figure for one filter (plain values: cacheable, renderable, writable)."""

    filter: ReportFilter
    summary: Summary
    by_country: ByCountry
    by_sector: list[SectorRow]
    by_cohort: list[CohortRow]
    by_fiscal_year: list[FiscalYearRow]
    has_learning: bool = False

    @property
    def sector_total(self) -> SectorRow:
        total = SectorRow("Total")
        for row in self.by_sector:
            for name in ("public", "private", "other", "enrolments", "completed"):
                setattr(total, name, getattr(total, name) + getattr(row, name))
        return total

    @property
    def training_days(self) -> int:
        return sum(c.training_days for c in self.by_cohort)


# --- queries ------------------------------------------------------------------------------------

def summary(f, has_scores: bool) -> Summary:
    gender = f.c.gender
    columns = [
        func.count(distinct(f.c.cohort_id)), func.count(distinct(f.c.trainee_id)), func.count(),
        func.sum(f.c.completed), func.count(distinct(f.c.nationality)),
        func.sum(case((gender == "F", 1), else_=0)), func.sum(case((gender == "M", 1), else_=0)),
        func.sum(case((gender == "X", 1), else_=0)), func.sum(case((gender == "NS", 1), else_=0)),
        func.sum(f.c.person_days),
    ]
    if has_scores:
        columns += [func.sum(f.c.paired), func.avg(f.c.pair_pre), func.avg(f.c.pair_post)]
    row = db.session.execute(select(*columns).select_from(f)).one()
    result = Summary(*(_int(v) for v in row[:10]))
    if has_scores:
        result.paired, result.mean_pre, result.mean_post = _int(row[10]), _float(row[11]), _float(row[12])
    return result


def by_country(f) -> ByCountry:
    gender = f.c.gender
    stmt = (
        select(f.c.nationality, f.c.is_asean, func.count(), func.sum(f.c.completed),
               func.sum(case((gender == "F", 1), else_=0)), func.sum(case((gender == "M", 1), else_=0)),
               func.sum(case((gender.in_(("X", "NS")), 1), else_=0)), func.sum(f.c.person_days))
        .group_by(f.c.nationality, f.c.is_asean)
        .order_by(f.c.nationality)
    )
    result = ByCountry()
    rows: dict[str, CountryRow] = {}
    for nationality, is_asean, *values in db.session.execute(stmt):
        group = CountryRow(nationality, *(_int(v) for v in values))
        rows.setdefault(nationality, CountryRow(nationality)).add(group)
        if _int(is_asean):
            result.asean.add(group)
        result.total.add(group)
    result.rows = [rows[code] for code in sorted(rows)]
    return result


def by_sector(f) -> list[SectorRow]:
    bucket = f.c.bucket
    stmt = (
        select(f.c.sector_code,
               func.sum(case((bucket == "public", 1), else_=0)), func.sum(case((bucket == "private", 1), else_=0)),
               func.sum(case((bucket == "other", 1), else_=0)), func.count(), func.sum(f.c.completed))
        .group_by(f.c.sector_code)
        .order_by(f.c.sector_code)
    )
    return [SectorRow(code, *(_int(v) for v in values)) for code, *values in db.session.execute(stmt)]


def by_cohort(f, has_scores: bool) -> list[CohortRow]:
    C = Cohort
    aggregates = [f.c.cohort_id, func.count().label("enrolments"), func.sum(f.c.completed).label("completed"),
                  func.count(distinct(f.c.nationality)).label("countries"),
                  func.sum(f.c.person_days).label("person_days")]
    if has_scores:
        aggregates += [func.sum(f.c.paired).label("paired"), func.avg(f.c.pair_pre).label("mean_pre"),
                       func.avg(f.c.pair_post).label("mean_post")]
    agg = select(*aggregates).group_by(f.c.cohort_id).subquery("per_cohort")
    columns = [C.id, C.code, C.title, C.fiscal_year, C.modality, C.host_country, C.start_date, C.end_date,
               C.training_days, agg.c.enrolments, agg.c.completed, agg.c.countries, agg.c.person_days]
    if has_scores:
        columns += [agg.c.paired, agg.c.mean_pre, agg.c.mean_post]
    stmt = select(*columns).join(agg, agg.c.cohort_id == C.id).order_by(C.start_date, C.code)
    result = []
    for row in db.session.execute(stmt):
        item = CohortRow(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], _int(row[8]),
                         _int(row[9]), _int(row[10]), _int(row[11]), _int(row[12]))
        if has_scores:
            item.paired, item.mean_pre, item.mean_post = _int(row[13]), _float(row[14]), _float(row[15])
        result.append(item)
    return result


def by_fiscal_year(f) -> list[FiscalYearRow]:
    stmt = (
        select(f.c.fiscal_year, func.count(distinct(f.c.cohort_id)), func.count(), func.sum(f.c.completed),
               func.count(distinct(f.c.nationality)), func.sum(f.c.person_days))
        .group_by(f.c.fiscal_year)
        .order_by(f.c.fiscal_year)
    )
    rows, running = [], 0
    for fy, *values in db.session.execute(stmt):
        row = FiscalYearRow(int(fy), *(_int(v) for v in values))
        running += row.enrolments
        row.cumulative = running
        rows.append(row)
    return rows


def scope(filt: ReportFilter, lang: str = "en") -> sources.ReportScope:
    """What feature hooks receive: selects of the counted enrolment and cohort ids under the filter."""
    return sources.ReportScope(
        enrolment_ids=counted_base(filt, Enrolment.id),
        cohort_ids=counted_base(filt, Enrolment.cohort_id).distinct(),
        lang=lang,
        filter=filt,
    )


_FACT_TYPES = {"enrolment_id": Integer, "trainee_id": Integer, "cohort_id": Integer, "completed": Integer,
               "gender": String(2), "nationality": String(2), "sector_code": String(3), "bucket": String(7),
               "fiscal_year": Integer, "person_days": Integer, "is_asean": Integer, "paired": Integer,
               "pair_pre": Float, "pair_post": Float}


@contextmanager
def materialised(f):
    """The facts copied once into a session-private temporary table (``CREATE TEMPORARY TABLE`` +
    ``INSERT … SELECT``, portable across SQLite and PostgreSQL), so that each breakdown scans a narrow
    table instead of repeating the joins and the attendance aggregation. Dropped afterwards."""
    table = Table(f"report_facts_{secrets.token_hex(6)}", MetaData(),
                  *(Column(c.name, _FACT_TYPES[c.name]) for c in f.c), prefixes=["TEMPORARY"])
    connection = db.session.connection()
    table.create(connection)
    try:
        db.session.execute(insert(table).from_select([c.name for c in f.c], select(*f.c)))
        yield table
    finally:
        with suppress(SQLAlchemyError):  # after a failed statement PostgreSQL refuses; the rollback drops it
            table.drop(connection)


def compute(filt: ReportFilter) -> ReportData:
    """All built-in figures plus the Summary figures features provide (a constant number of queries)."""
    scores = scores_subquery()
    has_scores = scores is not None
    with materialised(facts(filt, scores)) as f:
        result = ReportData(
            filter=filt,
            summary=summary(f, has_scores),
            by_country=by_country(f),
            by_sector=by_sector(f),
            by_cohort=by_cohort(f, has_scores),
            by_fiscal_year=by_fiscal_year(f),
            has_learning=has_scores,
        )
    hook_scope = scope(filt)
    result.summary.satisfaction = _float(sources.summary_figure("satisfaction", hook_scope))
    runs = sources.summary_figure("exercises_run", hook_scope)
    result.summary.exercises_run = None if runs is None else int(runs)
    result.summary.extras = sources.summary_rows(hook_scope)
    return result


# --- participants (streamed) ----------------------------------------------------------------------

PARTICIPANT_FIELDS = ("enrolment_id", "trainee_id", "family_name", "given_names", "gender", "nationality",
                      "organisation", "organisation_country", "sector_code", "org_type", "cohort", "fiscal_year",
                      "modality", "status", "attended_sessions", "recorded_sessions", "pre_pct", "post_pct")


def participant_rows(filt: ReportFilter, *, include_names: bool = True, batch: int = 2000):
    """Counted enrolments under the filter, streamed in batches (never all rows in memory).

    Yields tuples in ``PARTICIPANT_FIELDS`` order; names are not even selected without ``include_names``.
    """
    E, C, T, Org = Enrolment, Cohort, Trainee, Organisation
    attended, taken = attendance_subqueries()
    scores = scores_subquery()

    def blank(name: str):
        return literal(None).label(name)

    columns = [
        E.id, E.trainee_id,
        T.family_name if include_names else blank("family_name"),
        T.given_names if include_names else blank("given_names"),
        T.gender, T.nationality, Org.name, Org.country, Org.sector_code, Org.org_type,
        C.code, C.fiscal_year, C.modality, E.status, attended.c.sessions.label("attended_sessions"),
        taken.c.sessions.label("recorded_sessions"),
        scores.c.pre_pct if scores is not None else blank("pre_pct"),
        scores.c.post_pct if scores is not None else blank("post_pct"),
    ]
    stmt = (
        counted_base(filt, *columns)
        .outerjoin(attended, attended.c.enrolment_id == E.id)
        .outerjoin(taken, taken.c.cohort_id == C.id)
    )
    if scores is not None:
        stmt = stmt.outerjoin(scores, scores.c.enrolment_id == E.id)
    # The same order with or without names (ordering by a column does not put it in the output).
    stmt = stmt.order_by(C.start_date, C.code, T.family_name, T.given_names, E.id).execution_options(yield_per=batch)
    yield from db.session.execute(stmt)
