"""Reports: cross-feature statistics, the organiser dashboard, the ministry report workbook,
filling ministry templates, and ``flask reports export``.

Reports own no tables. They import trainees; the other features contribute sheets, figures and
dashboard sections by registering report sources (``core.reporting``), which reports read through
``reports.sources``; no feature imports reports.
"""

from flask import Flask


def register(app: Flask) -> None:
    """Register the reports blueprint, CLI, navigation entry and the report cache's write watcher."""
    from core.i18n import _l
    from core.reporting import ReportSource, register_source
    from core.templating import register_nav
    from reports import cache, cli, sources, views
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

    app.config.setdefault("REPORTS_CACHE", not app.testing)
    app.config.setdefault("REPORTS_TEMPLATE_MAX_BYTES", 5 * 1024 * 1024)
    register_source(app, ReportSource(
        key="reports.statistics", order=0,
        tables=(Programme, ProgrammeOrganiserName, Cohort, CohortSession, Organisation, Trainee, Enrolment,
                Attendance),
    ))
    sources.check(app)
    cache.install_listeners()
    app.register_blueprint(views.bp)
    app.cli.add_command(cli.reports_cli)
    register_nav(app, _l("Reports"), "reports.dashboard", ("admin", "organiser"), order=60)
