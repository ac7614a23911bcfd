"""Nominations: calls for nominations on a cohort, national focal points, candidates (nominated or
self-applied and endorsed), the duplicate-person check, selection with quotas and a balance panel,
decision letters, and the ``Nominations`` report sheet.

Sits on trainees (a decision becomes a ``Trainee`` + ``Enrolment``). Owns the ``nomination_*`` and
``focal_points`` tables.
"""

from flask import Flask


def register(app: Flask) -> None:
    """Register the blueprint, navigation and the demo seeder."""
    from core.cli import register_seeder
    from core.i18n import _l
    from core.templating import register_nav
    from nominations import (
        models,  # noqa: F401 - metadata must see the models
        views,
    )
    from nominations.seed import seed_nominations

    app.config.setdefault("NOMINATION_UPLOAD_MAX_BYTES", 5 * 1024 * 1024)
    from nominations.eligibility import rule_name
    from nominations.models import CANDIDATE_STATUS_NAMES
    from trainees.display import current_lang

    app.register_blueprint(views.bp)
    app.jinja_env.filters["rule_name"] = lambda code: rule_name(code, current_lang())
    app.jinja_env.filters["candidate_status"] = lambda code: CANDIDATE_STATUS_NAMES.get(code, (code, code))[
        1 if current_lang() == "ja" else 0]
    register_nav(app, _l("Nominations"), "nominations.calls", ("admin", "organiser"), order=25)
    register_nav(app, _l("Nominations"), "nominations.fp_home", ("focal_point",), order=10)
    register_seeder(app, 60, seed_nominations)
    _register_report_sources(app)


def _register_report_sources(app: Flask) -> None:
    """The ``Nominations`` sheet (after the existing sheets) and the same figures on the dashboard."""
    from core.reporting import ReportSource, register_source
    from nominations import exports
    from nominations.models import CallQuota, Candidate, NominationCall
    from trainees.models import Cohort, Programme

    register_source(app, ReportSource(
        key="nominations.per_country", order=40,
        sheet=("Nominations", exports.nominations_sheet),
        dashboard=exports.nominations_section, definitions=exports.definitions,
        tables=(NominationCall, Candidate, CallQuota, Cohort, Programme),
    ))
