"""Organiser pages: request assessments for a cohort, see results, record outcomes and costs."""

from __future__ import annotations

from datetime import date, timedelta

from flask import redirect, render_template, url_for
from sqlalchemy import func, select

from accounts.permissions import organiser_required
from core.extensions import db
from core.i18n import _
from core.uow import run_service, unit_of_work
from impact import queries, services
from impact.blueprint import bp
from impact.forms import CostForm, DeleteForm, OutcomeForm, RequestForm
from impact.models import Assessment, CostLine, Instrument, Outcome
from impact.views.common import result_context
from impact.vocab import COST_CATEGORIES, OUTCOME_KINDS, organisation_label
from trainees.models import Cohort, Organisation, Programme, Trainee


@bp.route("/")
@organiser_required
def index():
    """Cohorts with their assessment counts; links to outcomes and costs."""
    counts = dict(db.session.execute(select(Assessment.cohort_id, func.count()).group_by(Assessment.cohort_id)).all())
    cohorts = db.session.scalars(select(Cohort).order_by(Cohort.start_date.desc()).limit(200)).all()
    programmes = db.session.scalars(select(Programme).order_by(Programme.code)).all()
    return render_template("impact/index.html", cohorts=cohorts, counts=counts, programmes=programmes)


def _instrument_choices() -> list[tuple[int, str]]:
    from impact.views.common import lang

    rows = db.session.scalars(select(Instrument).where(Instrument.is_current).order_by(Instrument.key)).all()
    return [(i.id, i.label(lang())) for i in rows]


@bp.route("/cohorts/<int:cohort_id>", methods=["GET", "POST"])
@organiser_required
def cohort(cohort_id: int):
    """Request a baseline or follow-up self-assessment of each organisation of the cohort; see their status."""
    cohort = db.get_or_404(Cohort, cohort_id)
    # First use on a database that was never seeded: load the instrument data files (idempotent, so a
    # repeated GET changes nothing more); committed with the request below or on its own on a GET.
    loaded = services.load_instruments()
    form = RequestForm()
    form.instrument_id.choices = _instrument_choices()
    if form.validate_on_submit():
        instrument = db.get_or_404(Instrument, form.instrument_id.data)
        due = form.due_date.data
        if due is None:
            due = (services.add_months(cohort.end_date, form.months.data or 12) if form.kind.data == "followup"
                   else date.today() + timedelta(weeks=4))
        with unit_of_work(form, "kind") as work:
            created = services.request_assessments(cohort, instrument, form.kind.data, due)
            work.success = _("%(n)d assessments requested.", n=created)
            return redirect(url_for("impact.cohort", cohort_id=cohort.id))
    elif loaded:
        with unit_of_work():
            pass  # keep the instruments loaded on first use
    return render_template("impact/cohort.html", cohort=cohort, form=form,
                           assessments=queries.cohort_assessments(cohort),
                           organisations=services.cohort_organisations(cohort))


@bp.route("/assessments/<int:assessment_id>")
@organiser_required
def result(assessment_id: int):
    """Scores per group and overall, radar chart of baseline vs follow-up, position among peers."""
    assessment = db.get_or_404(Assessment, assessment_id)
    return render_template("impact/result.html", **result_context(assessment))


# --- outcomes ----------------------------------------------------------------------------------------

def _outcome_form() -> OutcomeForm:
    form = OutcomeForm()
    form.kind.choices = [(k, str(v)) for k, v in OUTCOME_KINDS.items()]
    trainees = db.session.execute(select(Trainee.id, Trainee.family_name, Trainee.given_names)
                                  .order_by(Trainee.family_name, Trainee.given_names)).all()
    form.trainee_id.choices = [(0, "—")] + [(t, f"{f} {g}".strip()) for t, f, g in trainees]
    orgs = db.session.execute(select(Organisation.id, Organisation.name, Organisation.country)
                              .order_by(Organisation.name)).all()
    form.organisation_id.choices = [(0, "—")] + [(o, organisation_label(n, c)) for o, n, c in orgs]
    return form


@bp.route("/outcomes", methods=["GET", "POST"])
@organiser_required
def outcomes():
    """Alumni outcomes (newest first) and a form to add one."""
    form = _outcome_form()
    if form.validate_on_submit():
        trainee = db.session.get(Trainee, form.trainee_id.data) if form.trainee_id.data else None
        org = db.session.get(Organisation, form.organisation_id.data) if form.organisation_id.data else None
        with unit_of_work(form, "kind", success=_("Outcome added.")):
            services.add_outcome(form.kind.data, form.occurred_on.data, trainee=trainee, organisation=org,
                                 audience=form.audience.data, note=form.note.data or "")
            return redirect(url_for("impact.outcomes"))
    page = db.paginate(select(Outcome).options(db.joinedload(Outcome.trainee), db.joinedload(Outcome.organisation))
                       .order_by(Outcome.occurred_on.desc(), Outcome.id.desc()), per_page=50)
    return render_template("impact/outcomes.html", form=form, page=page, kinds=OUTCOME_KINDS,
                           delete_form=DeleteForm())


@bp.route("/outcomes/<int:outcome_id>/delete", methods=["POST"])
@organiser_required
def outcome_delete(outcome_id: int):
    outcome = db.get_or_404(Outcome, outcome_id)
    if DeleteForm().validate_on_submit():
        run_service(lambda: services.delete_outcome(outcome), success=_("Outcome deleted."))
    return redirect(url_for("impact.outcomes"))


# --- costs -------------------------------------------------------------------------------------------

def _cost_form() -> CostForm:
    form = CostForm()
    form.category.choices = [(k, str(v)) for k, v in COST_CATEGORIES.items()]
    return form


def _add_cost(form: CostForm, **owner) -> bool:
    """Add the form's cost line in the request's unit of work; errors are shown next to their field."""
    with unit_of_work(form, "amount", success=_("Cost line added.")):
        services.add_cost_line(category=form.category.data, amount=form.amount.data, currency=form.currency.data,
                               rate=form.rate.data, description=form.description.data or "",
                               fiscal_year=form.fiscal_year.data, **owner)
        return True
    return False


@bp.route("/cohorts/<int:cohort_id>/costs", methods=["GET", "POST"])
@organiser_required
def cohort_costs(cohort_id: int):
    """Budget lines of a cohort (any currency, converted to yen at the rate recorded with the line)."""
    cohort = db.get_or_404(Cohort, cohort_id)
    form = _cost_form()
    if form.validate_on_submit() and _add_cost(form, cohort=cohort):
        return redirect(url_for("impact.cohort_costs", cohort_id=cohort.id))
    lines = db.session.scalars(select(CostLine).where(CostLine.cohort_id == cohort.id).order_by(CostLine.id)).all()
    rows, _unallocated = queries.cost_report([cohort.id])
    return render_template("impact/costs.html", owner=cohort, kind="cohort", form=form, lines=lines,
                           figures=rows[0] if rows else None, categories=COST_CATEGORIES, delete_form=DeleteForm())


@bp.route("/programmes/<int:programme_id>/costs", methods=["GET", "POST"])
@organiser_required
def programme_costs(programme_id: int):
    """Shared costs of a programme per fiscal year, allocated to its cohorts of that year by person-days."""
    programme = db.get_or_404(Programme, programme_id)
    form = _cost_form()
    if form.validate_on_submit() and _add_cost(form, programme=programme):
        return redirect(url_for("impact.programme_costs", programme_id=programme.id))
    lines = db.session.scalars(select(CostLine).where(CostLine.programme_id == programme.id)
                               .order_by(CostLine.fiscal_year, CostLine.id)).all()
    cohort_ids = select(Cohort.id).where(Cohort.programme_id == programme.id)
    rows, unallocated = queries.cost_report(cohort_ids)
    return render_template("impact/costs.html", owner=programme, kind="programme", form=form, lines=lines,
                           rows=rows, unallocated=unallocated, categories=COST_CATEGORIES,
                           delete_form=DeleteForm())


@bp.route("/costs/<int:line_id>/delete", methods=["POST"])
@organiser_required
def cost_delete(line_id: int):
    line = db.get_or_404(CostLine, line_id)
    back = (url_for("impact.cohort_costs", cohort_id=line.cohort_id) if line.cohort_id
            else url_for("impact.programme_costs", programme_id=line.programme_id))
    if DeleteForm().validate_on_submit():
        run_service(lambda: services.delete_cost_line(line), success=_("Cost line deleted."))
    return redirect(back)


