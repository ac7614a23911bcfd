"""Tables for the reports feature (no HTTP): one row per exercise run, computed in SQL.

``exercise_rows(cohort_ids)`` feeds the report workbook's ``Exercises`` sheet. Each row is a dict
with the keys of ``COLUMNS`` (in that order); ``cohort_ids=None`` means every cohort.
Draft runs are left out (they are plans, not exercises held).
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import render_template
from flask_babel import force_locale, lazy_pgettext, pgettext
from markupsafe import Markup
from sqlalchemy import Select, case, func, select

from core.extensions import db
from core.spreadsheets import DATE, INTEGER, Column, Table
from exercises.models import ExerciseRun, ImprovementItem, ObjectiveRating, RunObjective, Scenario, Team, TeamMember
from exercises.placeholders import fill
from trainees.models import Cohort, Enrolment

#: (key, English header) in sheet order.
COLUMNS = (
    ("run_id", "Run ID"), ("run", "Exercise"), ("scenario", "Scenario"), ("cohort", "Cohort"),
    ("fiscal_year", "Fiscal year"), ("status", "Status"), ("started", "Started"), ("teams", "Teams"),
    ("players", "Players"), ("objectives", "Objectives"), ("rated_p", "Rated P"), ("rated_s", "Rated S"),
    ("rated_m", "Rated M"), ("rated_u", "Rated U"), ("improvement_items", "Improvement items"),
    ("improvement_open", "Improvement items open"),
)
_CONTEXT = "report: Exercises sheet"
#: The headers marked for extraction (``pybabel extract -k lazy_pgettext:1c,2``); the sheet looks them up
#: under ``_CONTEXT`` in the workbook's language.
_HEADERS = (
    lazy_pgettext("report: Exercises sheet", "Run ID"),
    lazy_pgettext("report: Exercises sheet", "Exercise"),
    lazy_pgettext("report: Exercises sheet", "Scenario"),
    lazy_pgettext("report: Exercises sheet", "Cohort"),
    lazy_pgettext("report: Exercises sheet", "Fiscal year"),
    lazy_pgettext("report: Exercises sheet", "Status"),
    lazy_pgettext("report: Exercises sheet", "Started"),
    lazy_pgettext("report: Exercises sheet", "Teams"),
    lazy_pgettext("report: Exercises sheet", "Players"),
    lazy_pgettext("report: Exercises sheet", "Objectives"),
    lazy_pgettext("report: Exercises sheet", "Rated P"),
    lazy_pgettext("report: Exercises sheet", "Rated S"),
    lazy_pgettext("report: Exercises sheet", "Rated M"),
    lazy_pgettext("report: Exercises sheet", "Rated U"),
    lazy_pgettext("report: Exercises sheet", "Improvement items"),
    lazy_pgettext("report: Exercises sheet", "Improvement items open"),
)

HELD_STATUSES = ("running", "paused", "ended", "evaluated")


def exercise_rows(cohort_ids: Iterable[int] | None = None) -> list[dict]:
    """Per-run figures: teams, players, objectives, overall P/S/M/U counts and improvement items."""
    teams = (select(Team.run_id, func.count(Team.id).label("n")).group_by(Team.run_id).subquery())
    players = (select(TeamMember.run_id, func.count(TeamMember.id).label("n")).group_by(TeamMember.run_id)
               .subquery())
    objectives = (select(RunObjective.run_id, func.count(RunObjective.id).label("n"))
                  .group_by(RunObjective.run_id).subquery())
    ratings = (select(ObjectiveRating.run_id,
                      *[func.sum(case((ObjectiveRating.rating == r, 1), else_=0)).label(r) for r in "PSMU"])
               .where(ObjectiveRating.team_id.is_(None)).group_by(ObjectiveRating.run_id).subquery())
    items = (select(ImprovementItem.run_id, func.count(ImprovementItem.id).label("n"),
                    func.sum(case((ImprovementItem.status != "done", 1), else_=0)).label("open"))
             .group_by(ImprovementItem.run_id).subquery())
    stmt = (
        select(ExerciseRun.id, ExerciseRun.title, Scenario.title, Cohort.code, Cohort.fiscal_year, ExerciseRun.status,
               ExerciseRun.started_at, func.coalesce(teams.c.n, 0), func.coalesce(players.c.n, 0),
               func.coalesce(objectives.c.n, 0), *[func.coalesce(getattr(ratings.c, r), 0) for r in "PSMU"],
               func.coalesce(items.c.n, 0), func.coalesce(items.c.open, 0), ExerciseRun.placeholder_values)
        .join(Cohort, Cohort.id == ExerciseRun.cohort_id)
        .outerjoin(Scenario, Scenario.id == ExerciseRun.scenario_id)
        .outerjoin(teams, teams.c.run_id == ExerciseRun.id)
        .outerjoin(players, players.c.run_id == ExerciseRun.id)
        .outerjoin(objectives, objectives.c.run_id == ExerciseRun.id)
        .outerjoin(ratings, ratings.c.run_id == ExerciseRun.id)
        .outerjoin(items, items.c.run_id == ExerciseRun.id)
        .where(ExerciseRun.status.in_(HELD_STATUSES))
        .order_by(Cohort.start_date, ExerciseRun.started_at, ExerciseRun.id)
    )
    if cohort_ids is not None:
        ids = cohort_ids if isinstance(cohort_ids, Select) else list(cohort_ids)
        stmt = stmt.where(ExerciseRun.cohort_id.in_(ids))
    keys = [k for k, _header in COLUMNS]
    rows = []
    for *values, placeholder_values in db.session.execute(stmt):
        row = dict(zip(keys, values, strict=True))
        row["scenario"] = row["scenario"] or row["run"]  # the library scenario may have been deleted
        # titles as people read them: the run's placeholder values filled in ({HOLIDAY} → Songkran)
        row["run"], row["scenario"] = fill(row["run"], placeholder_values), fill(row["scenario"], placeholder_values)
        rows.append(row)
    return rows


_KINDS = {"run_id": INTEGER, "fiscal_year": INTEGER, "started": DATE, "teams": INTEGER, "players": INTEGER,
          "objectives": INTEGER, "rated_p": INTEGER, "rated_s": INTEGER, "rated_m": INTEGER, "rated_u": INTEGER,
          "improvement_items": INTEGER, "improvement_open": INTEGER}


def exercises_sheet(scope) -> Table:
    """The report workbook's ``Exercises`` sheet for the cohorts in the report's scope."""
    rows = exercise_rows(scope.cohort_ids)
    with force_locale(scope.lang):  # headers in the workbook's language (Babel catalogue)
        columns = [Column(pgettext(_CONTEXT, h), _KINDS.get(k, "text")) for k, h in COLUMNS]
    values = []
    for row in rows:
        started = row["started"]
        row = {**row, "started": started.date() if started is not None else None}
        values.append([row[k] for k, _h in COLUMNS])
    return Table(columns, values)


def exercises_run_count(scope) -> int:
    """Exercise runs held (running, paused, ended or evaluated) for the cohorts in scope."""
    return db.session.scalar(select(func.count(ExerciseRun.id)).where(
        ExerciseRun.status.in_(HELD_STATUSES), ExerciseRun.cohort_id.in_(scope.cohort_ids))) or 0


def exercises_section(scope) -> Markup | None:
    """Dashboard section: runs held with their P/S/M/U counts and improvement items."""
    rows = exercise_rows(scope.cohort_ids)
    if not rows:
        return None
    return Markup(render_template("exercises/_report_section.html", rows=rows))  # noqa: S704 - escaped template


def participation_by_enrolment(cohort_id: int) -> dict[int, bool]:
    """Whether each enrolment's trainee was on a team of an exercise run held for the cohort."""
    played = set(db.session.scalars(
        select(TeamMember.trainee_id).join(ExerciseRun, ExerciseRun.id == TeamMember.run_id)
        .where(ExerciseRun.cohort_id == cohort_id, ExerciseRun.status.in_(HELD_STATUSES))))
    enrolments = db.session.execute(select(Enrolment.id, Enrolment.trainee_id).where(Enrolment.cohort_id == cohort_id))
    return {eid: trainee_id in played for eid, trainee_id in enrolments}
