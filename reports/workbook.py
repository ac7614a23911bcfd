"""The ministry report workbook (ARCHITECTURE §4.3), written through ``core.spreadsheets``.

Sheet order: Summary, Participants, By country, By sector, By cohort, By fiscal year, Learning,
[Satisfaction], [Exercises], Definitions. The bracketed sheets appear only when their feature
provides data (registered report sources, ``reports.sources.sheets()``). The Participants rows
are streamed from the database into XlsxWriter's constant-memory mode, so memory does not grow with
the number of enrolments.
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import IO

from flask_babel import force_locale

from core.db import utcnow
from core.refdata import (
    BUCKET_NAMES,
    country_name,
    gender_name,
    modality_name,
    org_type_bucket,
    org_type_name,
    sector_name,
)
from core.spreadsheets import (
    DATE,
    DECIMAL,
    INTEGER,
    PERCENT,
    TEXT,
    Cell,
    Chart,
    ChartSeries,
    Column,
    Table,
    WorkbookWriter,
)
from reports import sources, statistics, suppression
from reports.filters import ReportFilter
from reports.labels import definitions, participants_header, t
from trainees.status import status_name

SHEET_ORDER = ("Summary", "Participants", "By country", "By sector", "By cohort", "By fiscal year", "Learning")


@dataclass
class WorkbookInfo:
    """What was written (for CLI output, audit summaries and tests)."""

    sheets: list[str] = field(default_factory=list)
    participant_rows: int = 0
    data: statistics.ReportData | None = None


def _pct(value: float | None) -> float | None:
    """Scores arrive as percentages (0–100); the workbook stores fractions with a percent format."""
    return None if value is None else value / 100


class _Names:
    """Memoised display names in one language (lookups run once per code, not once per row)."""

    def __init__(self, lang: str):
        self.lang = lang
        self.country = cache(lambda code: country_name(code, lang))
        self.sector = cache(lambda code: sector_name(code, lang))
        self.org_type = cache(lambda code: org_type_name(code, lang))
        self.bucket = cache(lambda code: BUCKET_NAMES[org_type_bucket(code)][1 if lang == "ja" else 0])
        self.gender = cache(lambda code: gender_name(code, lang))
        self.modality = cache(lambda code: modality_name(code, lang))
        self.status = cache(lambda code: status_name(code, lang))


# --- sheet tables -----------------------------------------------------------------------------------

def summary_table(data: statistics.ReportData, lang: str) -> Table:
    s = data.summary
    rows = [
        ("Cohorts", Cell(s.cohorts, INTEGER)),
        ("Participants", Cell(s.participants, INTEGER)),
        ("Enrolments", Cell(s.enrolments, INTEGER)),
        ("Completed", Cell(s.completed, INTEGER)),
        ("Completion rate", Cell(s.completion_rate, PERCENT)),
        ("Countries", Cell(s.countries, INTEGER)),
        ("Female share", Cell(s.female_share, PERCENT)),
        ("Person-days", Cell(s.person_days, INTEGER)),
        ("Mean pre-test", Cell(_pct(s.mean_pre), PERCENT)),
        ("Mean post-test", Cell(_pct(s.mean_post), PERCENT)),
        ("Normalised gain", Cell(s.normalised_gain, DECIMAL)),
        ("Satisfaction (mean 1–5)", Cell(s.satisfaction, DECIMAL)),
        ("Exercises run", Cell(s.exercises_run, INTEGER)),
    ]
    translated = [(t(name, lang), value) for name, value in rows]
    with force_locale(lang):  # rows features add (core.reporting.SummaryRow): lazy labels
        translated += [(str(row.label), Cell(row.value, INTEGER if row.kind in ("int", "yen") else DECIMAL))
                       for row in s.extras]
    return Table([Column(t("Indicator", lang), width=28), Column(t("Value", lang), INTEGER, width=14)], translated)


def participants_columns(lang: str, no_pii: bool) -> list[Column]:
    spec = [("Enrolment ID", INTEGER), ("Trainee ID", INTEGER)]
    if not no_pii:
        spec += [("Family name", TEXT), ("Given names", TEXT)]
    spec += [("Gender", TEXT), ("Nationality", TEXT), ("Organisation", TEXT), ("Organisation country", TEXT),
             ("Sector", TEXT), ("Org type", TEXT), ("Public/Private", TEXT), ("Cohort", TEXT),
             ("Fiscal year", INTEGER), ("Modality", TEXT), ("Status", TEXT), ("Attendance %", PERCENT),
             ("Pre-test %", PERCENT), ("Post-test %", PERCENT), ("Completed", INTEGER)]
    columns = []
    for name, kind in spec:
        columns.append(Column(participants_header(name, lang), kind))
    return columns


def participants_rows(filt: ReportFilter, lang: str, no_pii: bool):
    """Rows of the Participants sheet, streamed (one tuple per counted enrolment)."""
    n = _Names(lang)
    for (enrolment_id, trainee_id, family, given, gender, nationality, org, org_country, sector, org_type,
         cohort, fy, modality, status, attended, recorded, pre, post) in statistics.participant_rows(
            filt, include_names=not no_pii):
        attendance = (attended or 0) / recorded if recorded else None
        head = (enrolment_id, trainee_id) if no_pii else (enrolment_id, trainee_id, family, given)
        yield (*head, n.gender(gender), n.country(nationality), org, n.country(org_country), n.sector(sector),
               n.org_type(org_type), n.bucket(org_type), cohort, fy, n.modality(modality), n.status(status),
               attendance, _pct(pre), _pct(post), 1 if status == "completed" else 0)


def by_country_table(data: statistics.ReportData, lang: str) -> Table:
    columns = [Column(t("Country code", lang)), Column(t("Country", lang)), Column(t("Enrolments", lang), INTEGER),
               Column(t("Completed", lang), INTEGER), Column(t("Female", lang), INTEGER),
               Column(t("Male", lang), INTEGER), Column(t("Other/not stated", lang), INTEGER),
               Column(t("Person-days", lang), INTEGER)]

    def values(row: statistics.CountryRow, code: str, name: str):
        return (code, name, row.enrolments, row.completed, row.female, row.male, row.other, row.person_days)

    rows = [values(r, r.code, country_name(r.code, lang)) for r in data.by_country.rows]
    rows.append(values(data.by_country.asean, "ASEAN", t("ASEAN", lang)))
    rows.append(values(data.by_country.total, t("Total", lang), t("Total", lang)))
    return Table(columns, rows)


def by_sector_table(data: statistics.ReportData, lang: str) -> Table:
    columns = [Column(t("Sector code", lang)), Column(t("Sector", lang)), Column(t("Public", lang), INTEGER),
               Column(t("Private", lang), INTEGER), Column(t("Other", lang), INTEGER),
               Column(t("Enrolments", lang), INTEGER), Column(t("Completed", lang), INTEGER)]
    rows = [(r.code, sector_name(r.code, lang), r.public, r.private, r.other, r.enrolments, r.completed)
            for r in data.by_sector]
    total = data.sector_total
    rows.append((t("Total", lang), t("Total", lang), total.public, total.private, total.other, total.enrolments,
                 total.completed))
    return Table(columns, rows)


def by_cohort_table(data: statistics.ReportData, lang: str) -> Table:
    columns = [Column(t("Cohort", lang)), Column(t("Title", lang)), Column(t("Fiscal year", lang), INTEGER),
               Column(t("Modality", lang)), Column(t("Host country", lang)), Column(t("Start", lang), DATE),
               Column(t("End", lang), DATE), Column(t("Training days", lang), INTEGER),
               Column(t("Enrolments", lang), INTEGER), Column(t("Completed", lang), INTEGER),
               Column(t("Countries", lang), INTEGER), Column(t("Person-days", lang), INTEGER)]
    rows = [(c.code, c.title, c.fiscal_year, modality_name(c.modality, lang), country_name(c.host_country, lang),
             c.start, c.end, c.training_days, c.enrolments, c.completed, c.countries, c.person_days)
            for c in data.by_cohort]
    return Table(columns, rows)


def by_fiscal_year_table(data: statistics.ReportData, lang: str) -> Table:
    columns = [Column(t("Fiscal year", lang), INTEGER), Column(t("Cohorts", lang), INTEGER),
               Column(t("Enrolments", lang), INTEGER), Column(t("Completed", lang), INTEGER),
               Column(t("Countries", lang), INTEGER), Column(t("Person-days", lang), INTEGER),
               Column(t("Cumulative enrolments", lang), INTEGER)]
    rows = [(r.fiscal_year, r.cohorts, r.enrolments, r.completed, r.countries, r.person_days, r.cumulative)
            for r in data.by_fiscal_year]
    return Table(columns, rows)


def learning_table(data: statistics.ReportData, lang: str) -> Table:
    columns = [Column(t("Cohort", lang)), Column(t("Paired trainees", lang), INTEGER),
               Column(t("Mean pre %", lang), PERCENT), Column(t("Mean post %", lang), PERCENT),
               Column(t("Normalised gain", lang), DECIMAL)]
    rows = [(c.code, c.paired, _pct(c.mean_pre), _pct(c.mean_post), c.normalised_gain) for c in data.by_cohort]
    return Table(columns, rows)


def definitions_table(filt: ReportFilter, lang: str, no_pii: bool, generated: datetime) -> Table:
    rows: list[tuple[str, str]] = [
        (t("Generated (UTC)", lang), generated.strftime("%Y-%m-%d %H:%M")),
        (t("Filters", lang), "; ".join(f"{k}: {v}" for k, v in filt.describe(lang)) or t("none (all data)", lang)),
        (t("Personal data", lang), t("names left out" if no_pii else "names included", lang)),
    ]
    rows += definitions(lang)
    rows += sources.definitions(statistics.scope(filt, lang))
    return Table([Column(t("Figure", lang), width=30), Column(t("Definition", lang), width=100)], rows)


def extra_sheets(filt: ReportFilter, lang: str) -> list[tuple[str, Table]]:
    """Sheets provided by features (Satisfaction, Exercises) that have rows to show."""
    hook_scope = statistics.scope(filt, lang)
    result = []
    for name, fn in sources.sheets():
        table = fn(hook_scope)
        if table is None:
            continue
        rows = list(table.rows)
        if rows:
            result.append((name, Table(table.columns, rows)))
    return result


# --- the workbook -------------------------------------------------------------------------------------

Progress = Callable[[int], None]
PROGRESS_EVERY = 1000


def spooled(rows: Iterable[tuple], progress: Progress, every: int | None = None) -> Iterator[tuple]:
    """``rows`` read to the end into a temporary file first, then yielded with ``progress(n)`` calls.

    A background job reports progress by committing, which must not happen while the database cursor
    that streams the rows is open (PostgreSQL closes it; SQLite keeps its read lock). So the rows are
    read at once into a private temporary file (memory stays flat) and replayed from there.
    """
    every = every or PROGRESS_EVERY
    with tempfile.TemporaryFile() as spool:
        batch: list[tuple] = []
        for row in rows:
            batch.append(tuple(row))
            if len(batch) == every:
                pickle.dump(batch, spool)
                batch = []
        if batch:
            pickle.dump(batch, spool)
        spool.seek(0)
        done = 0
        while True:
            try:
                batch = pickle.load(spool)  # noqa: S301 - our own temporary file, written just above
            except EOFError:
                break
            yield from batch
            done += len(batch)
            progress(done)


def build_workbook(target: str | IO[bytes], filt: ReportFilter, *, lang: str = "en", no_pii: bool = False,
                   data: statistics.ReportData | None = None, progress: Progress | None = None) -> WorkbookInfo:
    """Write the report workbook for ``filt`` to ``target`` (a path or a binary file object).

    With ``progress`` (a background job), it is called with the number of Participants rows written.
    """
    data = data or statistics.compute(filt)
    extras = extra_sheets(filt, lang)
    info = WorkbookInfo(data=data)
    with WorkbookWriter(target) as book:
        summary = book.write_table("Summary", summary_table(data, lang))
        participants = book.add_sheet("Participants", participants_columns(lang, no_pii))
        rows = participants_rows(filt, lang, no_pii)
        info.participant_rows = participants.write_rows(spooled(rows, progress) if progress else rows)
        country = book.write_table("By country", by_country_table(data, lang))
        sector = book.write_table("By sector", by_sector_table(data, lang))
        book.write_table("By cohort", by_cohort_table(data, lang))
        fy = book.write_table("By fiscal year", by_fiscal_year_table(data, lang))
        book.write_table("Learning", learning_table(data, lang))
        for name, table in extras:
            book.write_table(name, table)
        book.write_table("Definitions", definitions_table(filt, lang, no_pii, utcnow()))
        _add_charts(book, lang, summary, country, sector, fy, data)
        info.sheets = [s.name for s in book.sheets]
    return info


def _add_charts(book: WorkbookWriter, lang: str, summary, country, sector, fy, data) -> None:
    """Native charts on Summary (by fiscal year), By country and By sector."""
    n_fy = len(data.by_fiscal_year)
    if n_fy:
        cats = ChartSeries("", fy.name, 0, 1, n_fy)
        book.add_chart(summary, "D2", Chart(
            title=t("Enrolments by fiscal year", lang), categories=cats, kind="column",
            series=[ChartSeries(t("Enrolments", lang), fy.name, 2, 1, n_fy),
                    ChartSeries(t("Completed", lang), fy.name, 3, 1, n_fy)],
            line=ChartSeries(t("Cumulative enrolments", lang), fy.name, 6, 1, n_fy),
            x_title=t("Fiscal year", lang)))
    n_country = len(data.by_country.rows)
    if n_country:
        book.add_chart(country, "J2", Chart(
            title=t("Enrolments by country", lang), kind="bar",
            categories=ChartSeries("", country.name, 1, 1, n_country),
            series=[ChartSeries(t("Enrolments", lang), country.name, 2, 1, n_country),
                    ChartSeries(t("Completed", lang), country.name, 3, 1, n_country)]))
    n_sector = len(data.by_sector)
    if n_sector:
        book.add_chart(sector, "I2", Chart(
            title=t("Enrolments by sector and public/private", lang), kind="bar",
            stacked=True, categories=ChartSeries("", sector.name, 1, 1, n_sector),
            series=[ChartSeries(t("Public", lang), sector.name, 2, 1, n_sector),
                    ChartSeries(t("Private", lang), sector.name, 3, 1, n_sector),
                    ChartSeries(t("Other", lang), sector.name, 4, 1, n_sector)]))


# --- values and tables for a ministry template -----------------------------------------------------

def template_values(data: statistics.ReportData, filt: ReportFilter, lang: str, programme=None) -> dict:
    """Scalar placeholder values (see ``reports.template_fill.PLACEHOLDERS``)."""
    s = data.summary
    organiser = ""
    if programme is not None:
        years = [r.fiscal_year for r in data.by_fiscal_year]
        fy = filt.fy_to if filt.fy_to is not None else (years[-1] if years else None)
        organiser = programme.organiser_name_for(fy) if fy is not None else programme.current_organiser_name
    return {
        "cohorts": s.cohorts, "participants": s.participants, "enrolments": s.enrolments,
        "completed": s.completed, "completion_rate": s.completion_rate, "countries": s.countries,
        "asean_enrolments": data.by_country.asean.enrolments, "female": s.female, "male": s.male,
        "female_share": s.female_share, "training_days": data.training_days, "person_days": s.person_days,
        "mean_pre": _pct(s.mean_pre), "mean_post": _pct(s.mean_post), "normalised_gain": s.normalised_gain,
        "satisfaction": s.satisfaction, "exercises_run": s.exercises_run,
        "fy": filt.fy_label(lang), "fy_from": filt.fy_from, "fy_to": filt.fy_to,
        "programme": programme.code if programme is not None else (filt.programme or ""),
        "programme_name": programme.name if programme is not None else "",
        "organiser": organiser,
        "filters": "; ".join(f"{k}: {v}" for k, v in filt.describe(lang)),
        "generated": utcnow().date(),
    }


def template_tables(data: statistics.ReportData, filt: ReportFilter, lang: str, no_pii: bool,
                    progress: Progress | None = None) -> dict[str, Table]:
    """Tables for ``{{table:…}}`` anchors (participants streamed only when the template asks for it)."""

    class _LazyRows:
        def __iter__(self):
            rows = participants_rows(filt, lang, no_pii)
            return spooled(rows, progress) if progress else rows

    return {
        "by_country": by_country_table(data, lang),
        "by_sector": by_sector_table(data, lang),
        "by_cohort": by_cohort_table(data, lang),
        "by_fiscal_year": by_fiscal_year_table(data, lang),
        "learning": learning_table(data, lang),
        "participants": Table(participants_columns(lang, no_pii), _LazyRows()),
    }


# --- "for publication": aggregate only, small cells suppressed (issue 13 item 8) ---------------------

def publication_grid(data: statistics.ReportData) -> suppression.Grid:
    """Every figure of the publication sheets, with the number of people each describes and the relations
    a reader could use to work a hidden figure out (see :mod:`reports.suppression`)."""
    g = suppression.Grid()
    s = data.summary
    fields = ("enrolments", "completed", "female", "male", "other", "person_days")
    countries = [*data.by_country.rows, data.by_country.total]
    for row in countries:
        code = row.code
        for name in fields:
            value = getattr(row, name)
            g.add(("country", code, name), value, row.enrolments if name == "person_days" else value)
        g.sums.append((("country", code, "enrolments"),
                       [("country", code, "female"), ("country", code, "male"), ("country", code, "other")]))
    for name in fields:
        g.sums.append((("country", "Total", name), [("country", r.code, name) for r in data.by_country.rows]))
    sector_fields = ("public", "private", "other", "enrolments", "completed")
    total = data.sector_total
    for row in [*data.by_sector, total]:
        for name in sector_fields:
            g.add(("sector", row.code, name), getattr(row, name), getattr(row, name))
        g.sums.append((("sector", row.code, "enrolments"),
                       [("sector", row.code, part) for part in ("public", "private", "other")]))
    for name in sector_fields:
        g.sums.append((("sector", "Total", name), [("sector", r.code, name) for r in data.by_sector]))
    for c in data.by_cohort:
        g.add(("cohort", c.id, "enrolments"), c.enrolments, c.enrolments)
        g.add(("cohort", c.id, "completed"), c.completed, c.completed)
        g.add(("cohort", c.id, "countries"), c.countries, c.enrolments)
        g.add(("cohort", c.id, "person_days"), c.person_days, c.enrolments)
        g.add(("learning", c.id, "paired"), c.paired, c.paired)
        for name in ("mean_pre", "mean_post", "normalised_gain"):
            g.add(("learning", c.id, name), getattr(c, name), c.paired)
            g.derived.append((("learning", c.id, name), [("learning", c.id, "paired")]))
    for f in data.by_fiscal_year:
        g.add(("fy", f.fiscal_year, "enrolments"), f.enrolments, f.enrolments)
        g.add(("fy", f.fiscal_year, "completed"), f.completed, f.completed)
        g.add(("fy", f.fiscal_year, "countries"), f.countries, f.enrolments)
        g.add(("fy", f.fiscal_year, "person_days"), f.person_days, f.enrolments)
        g.add(("fy", f.fiscal_year, "cumulative"), f.cumulative, f.cumulative)
    years = data.by_fiscal_year
    for before, year in zip(years, years[1:], strict=False):
        g.sums.append((("fy", year.fiscal_year, "cumulative"),
                       [("fy", before.fiscal_year, "cumulative"), ("fy", year.fiscal_year, "enrolments")]))
    if years:
        g.same.append([("fy", years[0].fiscal_year, "cumulative"), ("fy", years[0].fiscal_year, "enrolments")])
    for name in ("enrolments", "completed", "person_days"):
        g.sums.append((("country", "Total", name), [("cohort", c.id, name) for c in data.by_cohort]))
        g.sums.append((("country", "Total", name), [("fy", f.fiscal_year, name) for f in years]))
    for name in ("enrolments", "completed"):
        g.same.append([("country", "Total", name), ("sector", "Total", name)])
    g.add(("summary", "participants"), s.participants, s.participants)
    g.add(("summary", "countries"), s.countries, s.participants)
    for name in ("mean_pre", "mean_post", "normalised_gain"):
        g.add(("summary", name), getattr(s, name), s.paired)
        # the overall mean is the cohorts' means weighted by their (shown) paired counts
        g.sums.append((("summary", name), [("learning", c.id, name) for c in data.by_cohort]))
    totals = ("country", "Total")
    g.add(("summary", "completion_rate"), s.completion_rate, None)
    g.derived.append((("summary", "completion_rate"), [(*totals, "completed"), (*totals, "enrolments")]))
    g.add(("summary", "female_share"), s.female_share, None)
    g.derived.append((("summary", "female_share"), [(*totals, "female"), (*totals, "enrolments")]))
    return g


def publication_tables(data: statistics.ReportData, lang: str, k: int) -> list[tuple[str, Table]]:
    """The aggregate sheets with every figure about fewer than ``k`` people suppressed."""
    grid = publication_grid(data)
    hidden = suppression.suppress(grid, k)
    hide = lambda key, value: suppression.LABEL if key in hidden else value  # noqa: E731
    s = data.summary
    total = ("country", "Total")
    summary_rows = [
        ("Cohorts", Cell(s.cohorts, INTEGER)),
        ("Participants", Cell(hide(("summary", "participants"), s.participants), INTEGER)),
        ("Enrolments", Cell(hide((*total, "enrolments"), s.enrolments), INTEGER)),
        ("Completed", Cell(hide((*total, "completed"), s.completed), INTEGER)),
        ("Completion rate", Cell(hide(("summary", "completion_rate"), s.completion_rate), PERCENT)),
        ("Countries", Cell(hide(("summary", "countries"), s.countries), INTEGER)),
        ("Female share", Cell(hide(("summary", "female_share"), s.female_share), PERCENT)),
        ("Person-days", Cell(hide((*total, "person_days"), s.person_days), INTEGER)),
        ("Mean pre-test", Cell(hide(("summary", "mean_pre"), _pct(s.mean_pre)), PERCENT)),
        ("Mean post-test", Cell(hide(("summary", "mean_post"), _pct(s.mean_post)), PERCENT)),
        ("Normalised gain", Cell(hide(("summary", "normalised_gain"), s.normalised_gain), DECIMAL)),
        ("Satisfaction (mean 1–5)", Cell(s.satisfaction, DECIMAL)),
        ("Exercises run", Cell(s.exercises_run, INTEGER)),
    ]
    summary = Table([Column(t("Indicator", lang), width=28), Column(t("Value", lang), INTEGER, width=14)],
                    [(t(name, lang), _text_if_hidden(value)) for name, value in summary_rows])
    country = by_country_table(data, lang)
    fields = ("enrolments", "completed", "female", "male", "other", "person_days")
    codes = [r.code for r in data.by_country.rows] + [None, "Total"]  # None: the ASEAN row, left out
    country_rows = [
        _masked(row, [None, None, *((("country", code, f)) for f in fields)], hidden)
        for row, code in zip(country.rows, codes, strict=True) if code is not None]
    sector = by_sector_table(data, lang)
    sector_codes = [r.code for r in data.by_sector] + ["Total"]
    sector_rows = [_masked(row, [None, None, *(("sector", code, f) for f in ("public", "private", "other",
                                                                             "enrolments", "completed"))], hidden)
                   for row, code in zip(sector.rows, sector_codes, strict=True)]
    cohort = by_cohort_table(data, lang)
    cohort_rows = [_masked(row, [None] * 8 + [("cohort", c.id, f) for f in ("enrolments", "completed", "countries",
                                                                             "person_days")], hidden)
                   for row, c in zip(cohort.rows, data.by_cohort, strict=True)]
    fy = by_fiscal_year_table(data, lang)
    fy_rows = [_masked(row, [None, None, *(("fy", f.fiscal_year, name) for name in (
        "enrolments", "completed", "countries", "person_days", "cumulative"))], hidden)
        for row, f in zip(fy.rows, data.by_fiscal_year, strict=True)]
    learning = learning_table(data, lang)
    learning_rows = [_masked(row, [None, *(("learning", c.id, f) for f in ("paired", "mean_pre", "mean_post",
                                                                           "normalised_gain"))], hidden)
                     for row, c in zip(learning.rows, data.by_cohort, strict=True)]
    return [("Summary", summary), ("By country", Table(country.columns, country_rows)),
            ("By sector", Table(sector.columns, sector_rows)), ("By cohort", Table(cohort.columns, cohort_rows)),
            ("By fiscal year", Table(fy.columns, fy_rows)), ("Learning", Table(learning.columns, learning_rows))]


def _text_if_hidden(cell: Cell) -> Cell:
    return Cell(cell.value, TEXT) if cell.value == suppression.LABEL else cell


def _masked(row, keys, hidden) -> tuple:
    return tuple(Cell(suppression.LABEL, TEXT) if key is not None and key in hidden else value
                 for value, key in zip(row, keys, strict=True))


def publication_definitions(filt: ReportFilter, lang: str, k: int, generated: datetime) -> Table:
    from flask_babel import force_locale

    from core.i18n import _

    with force_locale(lang):
        note = _("Aggregate figures only, for publication: no names and no list of people. Every figure that "
                 "describes fewer than %(k)d people is suppressed, and further figures are suppressed with it "
                 "so that it cannot be worked out from row or column totals. Every suppressed cell reads "
                 "\u201c%(label)s\u201d. The ASEAN row and the feature sheets (satisfaction, exercises) are "
                 "left out.", k=k, label=suppression.LABEL)
        heading = _("Small-cell suppression")
    rows = [(t("Generated (UTC)", lang), generated.strftime("%Y-%m-%d %H:%M")),
            (t("Filters", lang), "; ".join(f"{a}: {b}" for a, b in filt.describe(lang)) or t("none (all data)", lang)),
            (heading, note), *definitions(lang)]
    return Table([Column(t("Figure", lang), width=30), Column(t("Definition", lang), width=100)], rows)


def build_publication_workbook(target: str | IO[bytes], filt: ReportFilter, *, lang: str = "en", k: int = 5,
                               data: statistics.ReportData | None = None) -> WorkbookInfo:
    """The aggregate-only workbook with small-cell suppression (no Participants sheet, no charts)."""
    data = data or statistics.compute(filt)
    info = WorkbookInfo(data=data)
    with WorkbookWriter(target) as book:
        for name, table in publication_tables(data, lang, k):
            book.write_table(name, table)
        book.write_table("Definitions", publication_definitions(filt, lang, k, utcnow()))
        info.sheets = [s.name for s in book.sheets]
    return info
