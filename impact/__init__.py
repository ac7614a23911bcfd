"""Impact: organisational self-assessments (ISMS benchmark, SIM3) before and after training, alumni
outcomes (Kirkpatrick level 4) and programme costs, with their report sheets and dashboard sections.

Sits above ``trainees`` and ``completion`` and below ``reports`` and ``notifications``: its sheets, Summary
rows, definitions and dashboard section reach the reports through the report-source registry
(``core.reporting``), its reminders are a rule of ``notifications.reminders``.
"""

from flask import Flask


def register(app: Flask) -> None:
    """Register the impact blueprint, navigation, CLI and demo seeder."""
    from core.cli import register_seeder
    from core.i18n import _l
    from core.templating import register_nav
    from impact import cli, models, views  # noqa: F401 - metadata must see the models
    from impact.seed import seed_impact

    app.register_blueprint(views.bp)
    app.cli.add_command(cli.impact_cli)
    register_nav(app, _l("Impact"), "impact.index", ("admin", "organiser"), order=55)
    register_nav(app, _l("Self-assessments"), "impact.my_assessments", ("trainee",), order=45)
    register_seeder(app, 60, seed_impact)
    _register_report_sources(app)


def _register_report_sources(app: Flask) -> None:
    """The ``Assessments``, ``Outcomes`` and ``Costs`` sheets, their Summary rows, definitions and dashboard section."""
    from core.reporting import ReportSource, register_source
    from impact import exports
    from impact.models import (
        Assessment,
        AssessmentAnswer,
        CostLine,
        Instrument,
        InstrumentGroup,
        InstrumentItem,
        Outcome,
    )
    from trainees.models import (
        Attendance,
        Cohort,
        CohortSession,
        Enrolment,
        Organisation,
        Programme,
        ProgrammeOrganiserName,
        Trainee,
    )

    assessments = (Assessment, AssessmentAnswer, Instrument, InstrumentGroup, InstrumentItem, Organisation,
                   Cohort, Enrolment, Trainee)
    outcomes = (Outcome, Organisation, Enrolment, Trainee, Cohort)
    # Costs read the report's own person-days (reports.statistics.facts), hence its tables too.
    costs = (CostLine, Programme, ProgrammeOrganiserName, Cohort, CohortSession, Organisation, Trainee, Enrolment,
             Attendance)
    register_source(app, ReportSource(key="impact.assessments", order=40,
                                      sheet=("Assessments", exports.assessments_sheet), tables=assessments))
    register_source(app, ReportSource(key="impact.outcomes", order=41,
                                      sheet=("Outcomes", exports.outcomes_sheet), tables=outcomes))
    register_source(app, ReportSource(key="impact.costs", order=42, sheet=("Costs", exports.costs_sheet),
                                      tables=costs))
    register_source(app, ReportSource(
        key="impact.figures", order=43, summary_rows=exports.summary_rows, definitions=exports.definitions,
        dashboard=exports.impact_section, tables=tuple(dict.fromkeys(assessments + outcomes + costs))))
