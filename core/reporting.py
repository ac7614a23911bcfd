"""The registry of report sources: how a feature contributes to the reports, explicitly.

``reports`` sits above every feature, so a feature cannot import it. Instead each feature hands its
contribution to this registry in its own ``register(app)`` — as it already does for navigation — and
``reports`` reads the registry (``reports.sources``). Nothing is looked up by name: a misspelt function
is an ``AttributeError``/``NameError`` when the feature registers, not a silent "no data" later.

Example (``completion/__init__.py``)::

    from core.reporting import ReportSource, register_source
    from completion import exports
    from completion.models import SurveyAnswer, SurveyInstance, SurveyItem, SurveyParticipation
    from trainees.models import Cohort, Enrolment

    register_source(app, ReportSource(
        key="completion.satisfaction",
        order=10,                                  # position among the feature sheets/sections
        sheet=("Satisfaction", exports.satisfaction_sheet),
        summary={"satisfaction": exports.satisfaction_mean},
        dashboard=exports.satisfaction_section,
        tables=(SurveyAnswer, SurveyItem, SurveyInstance, SurveyParticipation, Cohort, Enrolment),
    ))

A source may give any of:

``sheet=(name, fn)``
    ``fn(scope)`` → ``core.spreadsheets.Table`` | None: a workbook sheet, placed after ``Learning`` and
    before ``Definitions``. Sheets appear in ``order`` (then registration) order; a sheet without rows
    is left out. The sheet name is part of the workbook contract (English in both languages).
``summary={figure: fn}``
    ``fn(scope)`` → a number | None for a ``Summary`` indicator the reports know (``satisfaction``:
    "Satisfaction (mean 1–5)", ``exercises_run``: "Exercises run").
``summary_rows=fn``
    ``fn(scope)`` → a list of :class:`SummaryRow` for Summary rows only this feature knows (appended after
    the built-in indicators, in ``order``; return none when there is no data in scope, so a workbook
    without that feature's data is unchanged). ``label`` is a lazy string (``lazy_pgettext``), shown in
    the workbook's language and on the dashboard in the page's.
``definitions=fn``
    ``fn(scope)`` → ``[(figure, definition), …]`` in ``scope.lang`` | None: rows appended to the
    ``Definitions`` sheet (and the dashboard's definitions), typically only when the figures have data.
``dashboard=fn``
    ``fn(scope)`` → ``markupsafe.Markup`` | None: an HTML section of the organiser dashboard, shown
    after the built-in charts in ``order``.
``learning_scores=fn``
    ``fn()`` → a ``Select`` with the labelled columns ``enrolment_id``, ``pre_pct``, ``post_pct``
    (0–100, NULL when not taken), at most one row per enrolment; reports join it in SQL.
``tables=(...)``
    Every table the source's functions read (model classes or table names). This is what keeps the
    report cache right: a commit that writes any table of any registered source changes the data
    version (see ``reports.cache``). A test runs every source and fails when it reads a table it has
    not declared.

``scope`` (:class:`ReportScope`) has ``enrolment_ids`` (a select of the counted enrolment ids under the
report filter), ``cohort_ids`` (a select of the ids of cohorts with counted enrolments under the
filter), ``lang`` (``"en"`` or ``"ja"``) and ``filter`` (the ReportFilter, for display only). Each
function must run a constant number of queries.

Keys are unique per app; registering the same key twice is an error (a feature registered twice).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app
from sqlalchemy import DDL, String, event
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db

EXTENSION = "kakehashi.report_sources"

#: The name of the report data version's row in ``data_versions``.
REPORTS_VERSION = "reports"


class DataVersion(db.Model):
    """A counter every instance sees: bumped in the same transaction as a write to reported tables.

    ``reports.cache`` keys its cached figures by the ``reports`` row, so a commit that changes data any
    report reads makes every instance recompute on its next request (see ``reports.cache``).
    """

    __tablename__ = "data_versions"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(default=0)


# The row exists from the start (the migration inserts it too), so a bump is a plain UPDATE: no
# insert race between two first writers.
event.listen(DataVersion.__table__, "after_create",
             DDL("INSERT INTO data_versions (name, version) VALUES ('reports', 0)"))


@dataclass(frozen=True)
class ReportScope:
    """What a source function gets: the filtered counted enrolments and cohorts, and the language."""

    enrolment_ids: Any
    cohort_ids: Any
    lang: str
    filter: Any


@dataclass(frozen=True)
class SummaryRow:
    """A Summary row a feature adds: ``kind`` is ``"int"``, ``"decimal"``, ``"change"`` (a signed decimal) or
    ``"yen"`` (whole yen: an integer cell in the workbook, ``¥7,599`` / ``7,599円`` on the dashboard)."""

    label: Any
    value: Any
    kind: str = "decimal"


@dataclass(frozen=True)
class ReportSource:
    """One feature's contribution to the reports (see the module docstring)."""

    key: str
    tables: tuple = ()
    sheet: tuple[str, Callable] | None = None
    summary: Mapping[str, Callable] = field(default_factory=dict)
    dashboard: Callable | None = None
    learning_scores: Callable | None = None
    summary_rows: Callable | None = None
    definitions: Callable | None = None
    order: int = 100

    def __post_init__(self) -> None:
        if not self.key or not isinstance(self.key, str):
            raise ValueError("a report source needs a key")
        if self.sheet is not None:
            name, fn = self.sheet
            if not name or not callable(fn):
                raise TypeError(f"report source {self.key}: sheet must be (name, function)")
        for figure, fn in self.summary.items():
            if not callable(fn):
                raise TypeError(f"report source {self.key}: summary figure {figure!r} is not callable")
        for label, fn in (("dashboard", self.dashboard), ("learning_scores", self.learning_scores),
                          ("summary_rows", self.summary_rows), ("definitions", self.definitions)):
            if fn is not None and not callable(fn):
                raise TypeError(f"report source {self.key}: {label} is not callable")
        object.__setattr__(self, "tables", tuple(table_name(t) for t in self.tables))
        if not self.tables:
            raise ValueError(f"report source {self.key}: declare the tables it reads")


def table_name(table: Any) -> str:
    """The table name of a model class, a ``Table`` or a string."""
    if isinstance(table, str):
        return table
    local = getattr(table, "__table__", None)
    if local is not None:
        return local.name
    name = getattr(table, "name", None)
    if isinstance(name, str):
        return name
    raise TypeError(f"not a table: {table!r}")


def register_source(app: Flask, source: ReportSource) -> ReportSource:
    """Add ``source`` to ``app``'s report sources (call it from a feature's ``register(app)``)."""
    sources: list[ReportSource] = app.extensions.setdefault(EXTENSION, [])
    if any(s.key == source.key for s in sources):
        raise ValueError(f"report source {source.key!r} is registered twice")
    sources.append(source)
    return source


def registered_sources(app: Flask | None = None) -> list[ReportSource]:
    """The app's report sources in ``order`` (registration order among equals)."""
    app = app or current_app
    sources = app.extensions.get(EXTENSION, [])
    return sorted(sources, key=lambda s: s.order)  # sorted() is stable


def reported_tables(app: Flask | None = None) -> frozenset[str]:
    """Every table that some report figure reads."""
    return frozenset(t for s in registered_sources(app) for t in s.tables)
