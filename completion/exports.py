"""Tables for the report workbook and dashboard (no HTTP). Reports finds these through
``reports.sources``; this module never imports ``reports``.

Satisfaction comes from the cohorts' reaction surveys. Anonymous answers cannot be tied to a trainee,
so satisfaction follows the report filter by cohort (cohorts with counted enrolments under the filter),
not by trainee attributes. Action-plan figures follow the filter by enrolment.
"""

from __future__ import annotations

from flask import render_template
from flask_babel import force_locale, lazy_pgettext
from markupsafe import Markup
from sqlalchemy import case, func, select

from completion.models import ActionPlan, SurveyAnswer, SurveyInstance, SurveyItem, SurveyParticipation
from completion.queries import min_responses
from core.extensions import db
from core.spreadsheets import DECIMAL, INTEGER, PERCENT, Column, Table
from trainees.models import Cohort, Enrolment
from trainees.status import COUNTED_STATUSES

#: Column headers of the Satisfaction and Action plans sheets, translated through the catalogue in the
#: workbook's language (``scope.lang``).
HEADERS = {
    "cohort": lazy_pgettext("report: Satisfaction and Action plans sheets", "Cohort"),
    "survey": lazy_pgettext("report: Satisfaction and Action plans sheets", "Survey"),
    "item": lazy_pgettext("report: Satisfaction and Action plans sheets", "Item"),
    "n": lazy_pgettext("report: Satisfaction and Action plans sheets", "Responses"),
    "mean": lazy_pgettext("report: Satisfaction and Action plans sheets", "Mean (1–5)"),
    "top2": lazy_pgettext("report: Satisfaction and Action plans sheets", "Agree (4–5)"),
    "rate": lazy_pgettext("report: Satisfaction and Action plans sheets", "Response rate"),
    "enrolments": lazy_pgettext("report: Satisfaction and Action plans sheets", "Enrolments"),
    "plans": lazy_pgettext("report: Satisfaction and Action plans sheets", "Plans submitted"),
    "ack": lazy_pgettext("report: Satisfaction and Action plans sheets", "Acknowledged by supervisor"),
    "f3": lazy_pgettext("report: Satisfaction and Action plans sheets", "Follow-up 3 months"),
    "f6": lazy_pgettext("report: Satisfaction and Action plans sheets", "Follow-up 6 months"),
    "f12": lazy_pgettext("report: Satisfaction and Action plans sheets", "Follow-up 12 months"),
}


def _h(scope, key: str) -> str:
    with force_locale(scope.lang):
        return str(HEADERS[key])


def _counted_per_cohort():
    return (select(Enrolment.cohort_id.label("cohort_id"), func.count(Enrolment.id).label("n"))
            .where(Enrolment.status.in_(COUNTED_STATUSES)).group_by(Enrolment.cohort_id).subquery())


def _participants_per_survey():
    return (select(SurveyParticipation.instance_id.label("instance_id"),
                   func.count(SurveyParticipation.id).label("n"))
            .group_by(SurveyParticipation.instance_id).subquery())


def satisfaction_rows(scope) -> list[tuple]:
    """(cohort, survey, item, n, mean, top-2 share, response rate) per Likert item of reaction surveys."""
    counted, answered = _counted_per_cohort(), _participants_per_survey()
    query = (select(Cohort.code, SurveyInstance.title, SurveyItem.text, func.count(SurveyAnswer.id),
                    func.avg(SurveyAnswer.value_int),
                    func.sum(case((SurveyAnswer.value_int >= 4, 1), else_=0)),
                    func.max(answered.c.n), func.max(counted.c.n))
             .select_from(SurveyAnswer)
             .join(SurveyItem, SurveyItem.id == SurveyAnswer.item_id)
             .join(SurveyInstance, SurveyInstance.id == SurveyItem.instance_id)
             .join(Cohort, Cohort.id == SurveyInstance.cohort_id)
             .outerjoin(answered, answered.c.instance_id == SurveyInstance.id)
             .outerjoin(counted, counted.c.cohort_id == Cohort.id)
             .where(SurveyInstance.kind == "reaction", SurveyItem.kind == "likert",
                    SurveyInstance.cohort_id.in_(scope.cohort_ids))
             .group_by(Cohort.code, Cohort.start_date, SurveyInstance.id, SurveyInstance.title, SurveyItem.position,
                       SurveyItem.text)
             .order_by(Cohort.start_date, Cohort.code, SurveyInstance.id, SurveyItem.position))
    rows, minimum = [], min_responses()
    for code, title, text, n, mean, top, respondents, eligible in db.session.execute(query):
        rate = (respondents or 0) / eligible if eligible else None
        if (respondents or 0) < minimum:  # too few answers to show without recognising someone
            rows.append((code, title, text, n, None, None, rate))
        else:
            rows.append((code, title, text, n, round(float(mean), 2), int(top) / n if n else None, rate))
    return rows


def satisfaction_sheet(scope) -> Table:
    """The ``Satisfaction`` sheet: one row per Likert item of each cohort's reaction survey."""
    columns = [Column(_h(scope, "cohort")), Column(_h(scope, "survey")), Column(_h(scope, "item"), width=60),
               Column(_h(scope, "n"), INTEGER), Column(_h(scope, "mean"), DECIMAL), Column(_h(scope, "top2"), PERCENT),
               Column(_h(scope, "rate"), PERCENT)]
    return Table(columns, satisfaction_rows(scope))


def satisfaction_mean(scope) -> float | None:
    """Mean of every Likert answer (1–5) in the reaction surveys of the cohorts in scope."""
    value, respondents = db.session.execute(
        select(func.avg(SurveyAnswer.value_int), func.count(func.distinct(SurveyAnswer.response_id)))
        .join(SurveyItem, SurveyItem.id == SurveyAnswer.item_id)
        .join(SurveyInstance, SurveyInstance.id == SurveyItem.instance_id)
        .where(SurveyInstance.kind == "reaction", SurveyItem.kind == "likert",
               SurveyInstance.cohort_id.in_(scope.cohort_ids))).one()
    if value is None or respondents < min_responses():
        return None
    return round(float(value), 2)


def satisfaction_section(scope) -> Markup | None:
    """Dashboard section: satisfaction per cohort (mean of its reaction survey items, response rate)."""
    per_cohort: dict[str, list] = {}
    for code, _title, _text, n, mean, _top, rate in satisfaction_rows(scope):
        entry = per_cohort.setdefault(code, [0, 0.0, rate])
        if mean is None:  # below the minimum number of responses: the cohort's mean stays hidden
            entry[1] = None
        if entry[1] is not None:
            entry[0] += n
            entry[1] += mean * n
    if not per_cohort:
        return None
    rows = [(code, total / n if n and total is not None else None, rate)
            for code, (n, total, rate) in per_cohort.items()]
    return Markup(render_template("completion/_report_section.html", rows=rows,  # noqa: S704 - escaped template
                                  overall=satisfaction_mean(scope)))


def action_plans_sheet(scope) -> Table:
    """The ``Action plans`` sheet: per cohort, plans submitted and acknowledged, follow-up response rates."""
    counted = (select(Enrolment.cohort_id, func.count(Enrolment.id).label("n"))
               .where(Enrolment.id.in_(scope.enrolment_ids)).group_by(Enrolment.cohort_id).subquery())
    plans = (select(Enrolment.cohort_id,
                    func.count(ActionPlan.submitted_at).label("submitted"),
                    func.count(ActionPlan.acknowledged_at).label("acknowledged"))
             .join(ActionPlan, ActionPlan.enrolment_id == Enrolment.id)
             .where(Enrolment.id.in_(scope.enrolment_ids)).group_by(Enrolment.cohort_id).subquery())
    follow = (select(SurveyInstance.cohort_id, SurveyInstance.kind, func.count(SurveyParticipation.id).label("n"))
              .join(SurveyParticipation, SurveyParticipation.instance_id == SurveyInstance.id)
              .where(SurveyInstance.kind.like("followup%"), SurveyParticipation.enrolment_id.in_(scope.enrolment_ids))
              .group_by(SurveyInstance.cohort_id, SurveyInstance.kind))
    followups: dict[tuple[int, str], int] = {(c, k): n for c, k, n in db.session.execute(follow)}
    scheduled = set(db.session.execute(select(SurveyInstance.cohort_id, SurveyInstance.kind)
                                       .where(SurveyInstance.kind.like("followup%"))).all())
    query = (select(Cohort.id, Cohort.code, counted.c.n, func.coalesce(plans.c.submitted, 0),
                    func.coalesce(plans.c.acknowledged, 0))
             .join(counted, counted.c.cohort_id == Cohort.id)
             .outerjoin(plans, plans.c.cohort_id == Cohort.id)
             .order_by(Cohort.start_date, Cohort.code))
    rows = []
    for cohort_id, code, n, submitted, acknowledged in db.session.execute(query):
        rates = [followups.get((cohort_id, k), 0) / n if (cohort_id, k) in scheduled and n else None
                 for k in ("followup_3m", "followup_6m", "followup_12m")]
        if submitted or any(r is not None for r in rates):
            rows.append((code, n, submitted, acknowledged, *rates))
    columns = [Column(_h(scope, "cohort")), Column(_h(scope, "enrolments"), INTEGER),
               Column(_h(scope, "plans"), INTEGER), Column(_h(scope, "ack"), INTEGER),
               Column(_h(scope, "f3"), PERCENT), Column(_h(scope, "f6"), PERCENT), Column(_h(scope, "f12"), PERCENT)]
    return Table(columns, rows)
