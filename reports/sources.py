"""What the reports read from other features: the sources they registered in ``core.reporting``.

Features sit below reports and never import it; each registers a :class:`core.reporting.ReportSource`
in its own ``register(app)`` (see ``core.reporting`` for the API and an example). This module is the
reports' side: the feature sheets in order, the Summary figures, the dashboard sections and the
per-enrolment learning scores, and a start-up check of the registry (:func:`check`).

A source function that raises is a bug and the exception propagates (a test fails; a request gets the
error page) — nothing is silently turned into "no data". A source that returns None (or a table
without rows) means the feature has nothing to show yet.
"""

from __future__ import annotations

import logging

from flask import Flask, current_app

from core.reporting import ReportScope, ReportSource, registered_sources, reported_tables

__all__ = ["ReportScope", "ReportSource", "SUMMARY_FIGURES", "check", "dashboard_sections", "definitions",
           "learning_scores_select", "sheets", "summary_figure", "summary_rows", "tables"]

log = logging.getLogger("kakehashi.reports")

#: Summary indicators that features fill (figure key → what the Summary row shows).
SUMMARY_FIGURES = ("satisfaction", "exercises_run")


class SourceError(RuntimeError):
    """The registered report sources are inconsistent (a figure missing or given twice, unknown table)."""


def sheets(app: Flask | None = None) -> list[tuple[str, object]]:
    """``(sheet name, function)`` for every feature sheet, in order."""
    return [s.sheet for s in registered_sources(app) if s.sheet is not None]


def summary_figure(figure: str, scope: ReportScope):
    """The value of a Summary indicator from the source that provides it (None if none does)."""
    for source in registered_sources():
        fn = source.summary.get(figure)
        if fn is not None:
            return fn(scope)
    return None


def summary_rows(scope: ReportScope) -> list:
    """The extra Summary rows (``core.reporting.SummaryRow``) features give for ``scope``, in order."""
    return [row for s in registered_sources() if s.summary_rows is not None for row in (s.summary_rows(scope) or [])]


def definitions(scope: ReportScope) -> list[tuple[str, str]]:
    """The extra ``(figure, definition)`` rows features give for ``scope`` (in ``scope.lang``), in order."""
    return [row for s in registered_sources() if s.definitions is not None for row in (s.definitions(scope) or [])]


def dashboard_sections(scope: ReportScope) -> list:
    """The non-empty dashboard sections (HTML fragments), in order."""
    return [html for s in registered_sources() if s.dashboard is not None and (html := s.dashboard(scope))]


def learning_scores_select():
    """The per-enrolment score select of the source that provides it, or None."""
    for source in registered_sources():
        if source.learning_scores is not None:
            return source.learning_scores()
    return None


def tables(app: Flask | None = None) -> frozenset[str]:
    """Every table some report figure reads (drives the report cache's invalidation)."""
    return reported_tables(app)


def problems(app: Flask) -> list[str]:
    """What is wrong with ``app``'s registry: figures missing or given twice, unknown tables."""
    from core.extensions import db

    found: list[str] = []
    sources = registered_sources(app)
    known = set(db.metadata.tables)
    for source in sources:
        unknown = sorted(set(source.tables) - known)
        if unknown:
            found.append(f"report source {source.key}: unknown tables {', '.join(unknown)}")
        if source.summary and (extra := sorted(set(source.summary) - set(SUMMARY_FIGURES))):
            found.append(f"report source {source.key}: unknown summary figures {', '.join(extra)}")
    for figure in SUMMARY_FIGURES:
        providers = [s.key for s in sources if figure in s.summary]
        if len(providers) != 1:
            found.append(f"summary figure {figure!r} has {len(providers)} sources ({', '.join(providers)})")
    scorers = [s.key for s in sources if s.learning_scores is not None]
    if len(scorers) != 1:
        found.append(f"learning scores have {len(scorers)} sources ({', '.join(scorers)})")
    names = [name for name, _fn in sheets(app)]
    if len(set(names)) != len(names):
        found.append(f"sheet names repeat: {names}")
    return found


def check(app: Flask) -> None:
    """Raise :class:`SourceError` (testing) or log (otherwise) when the registry is inconsistent."""
    found = problems(app)
    if not found:
        return
    if app.testing or app.config.get("REPORTS_STRICT_SOURCES"):
        raise SourceError("; ".join(found))
    for problem in found:
        log.error("%s", problem)


def current_sources() -> list[ReportSource]:
    return registered_sources(current_app)
