"""Figures that other features own, found by reports (reports imports features, never the reverse).

Every hook is a ``"module:function"`` target looked up when a report is built. A missing feature
package, module or function simply means "no data yet": the figure stays empty and the sheet or
dashboard section is left out. A feature takes part by adding the function to its own
``exports.py``; it never imports ``reports``. The functions receive a *scope* object (duck-typed,
see :class:`ReportScope`) and must each run a constant number of queries.

Hooks
-----
``learning_scores()`` → ``Select`` | None
    Per-enrolment pre/post-test scores: a select with the labelled columns ``enrolment_id``,
    ``pre_pct`` and ``post_pct`` (0–100 floats, NULL when not taken), at most one row per
    enrolment. Reports left-joins it as a subquery, so the means, the Learning sheet and the
    Participants columns stay in SQL and follow the report filter.
``satisfaction_sheet(scope)`` / ``exercises_sheet(scope)`` / ``action_plans_sheet(scope)`` →
``core.spreadsheets.Table`` | None
    The ``Satisfaction`` / ``Exercises`` / ``Action plans`` sheets. None or a table without rows: the sheet is omitted.
``satisfaction_mean(scope)`` → float | None and ``exercises_run_count(scope)`` → int | None
    The Summary rows ``Satisfaction (mean 1–5)`` and ``Exercises run``.
``satisfaction_section(scope)`` / ``exercises_section(scope)`` → ``markupsafe.Markup`` | None
    A dashboard section (an HTML fragment the feature renders from its own template).

``scope`` has ``enrolment_ids`` (a select of the counted enrolment ids under the report filter),
``cohort_ids`` (a select of the ids of cohorts with counted enrolments under the filter), ``lang``
(``"en"`` or ``"ja"``) and ``filter`` (the ReportFilter, for display only).
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("kakehashi.reports")

#: The per-enrolment pre/post-test source.
LEARNING_SCORES = "courses.exports:learning_scores"


@dataclass(frozen=True)
class SheetHook:
    """An optional sheet, placed after ``Learning`` and before ``Definitions`` in this order."""

    name: str
    target: str


SHEETS: tuple[SheetHook, ...] = (
    SheetHook("Satisfaction", "completion.exports:satisfaction_sheet"),
    SheetHook("Exercises", "exercises.exports:exercises_sheet"),
    SheetHook("Action plans", "completion.exports:action_plans_sheet"),
    SheetHook("Assessments", "impact.exports:assessments_sheet"),
    SheetHook("Outcomes", "impact.exports:outcomes_sheet"),
    SheetHook("Costs", "impact.exports:costs_sheet"),
)

#: Extra Summary rows: each target returns [(English name, Japanese name, value, "int"|"decimal"), …] for the
#: figures that have data in scope (none → no row, so a workbook without that data is unchanged).
SUMMARY_EXTRAS: tuple[str, ...] = ("impact.exports:summary_figures",)

#: Extra Definitions rows: each target returns [(figure, definition), …] in the scope's language, or None.
DEFINITION_EXTRAS: tuple[str, ...] = ("impact.exports:definitions",)

#: Summary indicators filled by features: key → target.
SUMMARY_FIGURES: dict[str, str] = {
    "satisfaction": "completion.exports:satisfaction_mean",
    "exercises_run": "exercises.exports:exercises_run_count",
}

#: Dashboard sections, shown after the built-in charts in this order.
DASHBOARD_SECTIONS: tuple[str, ...] = (
    "completion.exports:satisfaction_section",
    "exercises.exports:exercises_section",
    "impact.exports:impact_section",
)


@dataclass(frozen=True)
class ReportScope:
    """What a feature hook gets: the filtered counted enrolments and cohorts, and the language."""

    enrolment_ids: Any
    cohort_ids: Any
    lang: str
    filter: Any


def resolve(target: str):
    """The function named by ``"module:function"``, or None when the feature does not provide it.

    Only the absence of the module itself (or one of its packages) means "not provided"; an import
    error *inside* a feature's module is a bug and is raised.
    """
    module_name, _, attr = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        parts = module_name.split(".")
        own = {".".join(parts[:i]) for i in range(1, len(parts) + 1)}
        if exc.name in own:
            return None
        raise
    return getattr(module, attr, None)


def call(target: str, *args, **kwargs):
    """Call a hook if it exists; None otherwise."""
    fn = resolve(target)
    return None if fn is None else fn(*args, **kwargs)


def learning_scores_select():
    """The feature's per-enrolment score select, or None (no e-learning feature yet)."""
    return call(LEARNING_SCORES)
