"""The report's facts as pandas DataFrames, for analysts in a notebook (issue 10: pandas earns its place).

The same figures as the report workbook (``reports export``), computed by the same code
(``reports.statistics`` and the registered feature sources), but as data rather than a layout: codes
instead of display names (``"VN"``, ``"F"``, ``"GOV"``), no total rows, fractions as fractions and
test scores as percentages (0–100) as they are stored. Names are left out unless asked for; e-mail
addresses and dates of birth are never included. Every function takes an optional
:class:`reports.filters.ReportFilter` (default: all data) and needs an application context::

    from app import create_app
    from reports import frames
    from reports.filters import ReportFilter

    app = create_app()
    with app.app_context():
        people = frames.participants(ReportFilter(fy_from=2020))
        people.groupby("nationality")["completed"].mean()
        frames.satisfaction()            # per survey item; mean/top2 empty below SURVEY_MIN_RESPONSES

Frames (columns are listed in each function's docstring): :func:`participants`, :func:`summary`,
:func:`by_country`, :func:`by_sector`, :func:`by_cohort` (with learning gain), :func:`by_fiscal_year`,
:func:`learning`, :func:`satisfaction`, :func:`feature_sheet` (any sheet a feature registers, e.g.
``"Exercises"``) and :func:`report` (all of them from one computation).
"""

from __future__ import annotations

from dataclasses import asdict

import pandas as pd

from core.refdata import org_type_bucket
from core.spreadsheets import Cell
from reports import sources, statistics
from reports.filters import ReportFilter

__all__ = ["by_cohort", "by_country", "by_fiscal_year", "by_sector", "feature_sheet", "learning", "participants",
           "report", "satisfaction", "summary"]


def _filter(filt: ReportFilter | None) -> ReportFilter:
    return filt if filt is not None else ReportFilter()


def participants(filt: ReportFilter | None = None, *, include_names: bool = False) -> pd.DataFrame:
    """One row per counted enrolment (the workbook's *Participants* sheet), in the same order.

    Columns: enrolment_id, trainee_id, [family_name, given_names with ``include_names``], gender,
    nationality, organisation, organisation_country, sector_code, org_type, public_private
    (``public``/``private``/``other``), cohort, fiscal_year, modality, status, attended_sessions,
    recorded_sessions, attendance (fraction, empty when no session was recorded), pre_pct, post_pct
    (0–100), completed (0/1).
    """
    rows = statistics.participant_rows(_filter(filt), include_names=include_names)
    frame = pd.DataFrame.from_records(list(rows), columns=list(statistics.PARTICIPANT_FIELDS))
    if not include_names:
        frame = frame.drop(columns=["family_name", "given_names"])
    frame.insert(frame.columns.get_loc("org_type") + 1, "public_private",
                 frame["org_type"].map(org_type_bucket).astype("object"))
    recorded = frame["recorded_sessions"].astype("Float64")
    frame["attendance"] = (frame["attended_sessions"].fillna(0).astype("Float64") / recorded).where(recorded > 0)
    frame["completed"] = (frame["status"] == "completed").astype(int)
    return frame


def _summary_frame(data: statistics.ReportData) -> pd.DataFrame:
    s = data.summary
    row = asdict(s) | {"completion_rate": s.completion_rate, "female_share": s.female_share,
                       "normalised_gain": s.normalised_gain}
    row.pop("extras", None)
    # features' own Summary rows (core/reporting.py SummaryRow), one column each, named by the English label
    for extra in s.extras or []:
        row[str(extra.label)] = extra.value
    return pd.DataFrame([row])


def summary(filt: ReportFilter | None = None) -> pd.DataFrame:
    """One row: cohorts, participants, enrolments, completed, completion_rate, countries, female, male,
    other_gender, not_stated, female_share, person_days, paired, mean_pre, mean_post (0–100),
    normalised_gain, satisfaction (mean 1–5, empty below SURVEY_MIN_RESPONSES respondents), exercises_run."""
    return _summary_frame(statistics.compute(_filter(filt)))


def _by_country(data: statistics.ReportData) -> pd.DataFrame:
    """Index ``code`` (nationality); columns enrolments, completed, female, male, other, person_days."""
    return pd.DataFrame([asdict(r) for r in data.by_country.rows],
                        columns=["code", "enrolments", "completed", "female", "male", "other", "person_days"]
                        ).set_index("code")


def by_country(filt: ReportFilter | None = None) -> pd.DataFrame:
    """Per nationality (index ``code``): enrolments, completed, female, male, other, person_days."""
    return _by_country(statistics.compute(_filter(filt)))


def _by_sector(data: statistics.ReportData) -> pd.DataFrame:
    return pd.DataFrame([asdict(r) for r in data.by_sector],
                        columns=["code", "public", "private", "other", "enrolments", "completed"]).set_index("code")


def by_sector(filt: ReportFilter | None = None) -> pd.DataFrame:
    """Per organisation sector (index ``code``): public, private, other, enrolments, completed."""
    return _by_sector(statistics.compute(_filter(filt)))


def _by_cohort(data: statistics.ReportData) -> pd.DataFrame:
    rows = [asdict(c) | {"completion_rate": c.completion_rate, "normalised_gain": c.normalised_gain}
            for c in data.by_cohort]
    columns = ["code", "id", "title", "fiscal_year", "modality", "host_country", "start", "end", "training_days",
               "enrolments", "completed", "completion_rate", "countries", "person_days", "paired", "mean_pre",
               "mean_post", "normalised_gain"]
    return pd.DataFrame(rows, columns=columns).set_index("code")


def by_cohort(filt: ReportFilter | None = None) -> pd.DataFrame:
    """Per cohort (index ``code``): id, title, fiscal_year, modality, host_country, start, end,
    training_days, enrolments, completed, completion_rate, countries, person_days, and the learning
    figures paired (trainees with both tests), mean_pre, mean_post (0–100) and normalised_gain."""
    return _by_cohort(statistics.compute(_filter(filt)))


def learning(filt: ReportFilter | None = None) -> pd.DataFrame:
    """The *Learning* sheet: per cohort (index ``code``) paired, mean_pre, mean_post, normalised_gain."""
    return by_cohort(filt)[["paired", "mean_pre", "mean_post", "normalised_gain"]]


def _by_fiscal_year(data: statistics.ReportData) -> pd.DataFrame:
    return pd.DataFrame([asdict(r) for r in data.by_fiscal_year],
                        columns=["fiscal_year", "cohorts", "enrolments", "completed", "countries", "person_days",
                                 "cumulative"]).set_index("fiscal_year")


def by_fiscal_year(filt: ReportFilter | None = None) -> pd.DataFrame:
    """Per fiscal year (index): cohorts, enrolments, completed, countries, person_days, cumulative
    (enrolments up to and including that year)."""
    return _by_fiscal_year(statistics.compute(_filter(filt)))


def feature_sheet(name: str, filt: ReportFilter | None = None) -> pd.DataFrame | None:
    """A sheet a feature registered (``core.reporting``), e.g. ``"Satisfaction"`` or ``"Exercises"``, with
    the English column headers of the workbook; None when no feature registers that sheet. The rows are
    the ones the workbook writes (same function, same privacy rules)."""
    for sheet_name, fn in sources.sheets():
        if sheet_name == name:
            table = fn(statistics.scope(_filter(filt), "en"))
            if table is None:
                return pd.DataFrame()
            rows = [[v.value if isinstance(v, Cell) else v for v in row] for row in table.rows]
            return pd.DataFrame(rows, columns=[c.header for c in table.columns])
    return None


_SATISFACTION_COLUMNS = ["cohort", "survey", "item", "answers", "mean", "top2_share", "response_rate"]


def satisfaction(filt: ReportFilter | None = None) -> pd.DataFrame:
    """Per Likert item of each cohort's reaction survey: cohort, survey, item, answers, mean (1–5),
    top2_share (answers of 4 or 5), response_rate. ``mean`` and ``top2_share`` are empty where fewer
    than ``SURVEY_MIN_RESPONSES`` trainees answered (as in the workbook)."""
    frame = feature_sheet("Satisfaction", filt)
    if frame is None:
        return pd.DataFrame(columns=_SATISFACTION_COLUMNS)
    frame.columns = _SATISFACTION_COLUMNS
    return frame


def report(filt: ReportFilter | None = None, *, include_names: bool = False) -> dict[str, pd.DataFrame]:
    """Every frame above from one computation: keys summary, participants, by_country, by_sector,
    by_cohort, by_fiscal_year, learning, satisfaction, plus one per other feature sheet (lower-case name)."""
    filt = _filter(filt)
    data = statistics.compute(filt)
    cohorts = _by_cohort(data)
    result = {"summary": _summary_frame(data), "participants": participants(filt, include_names=include_names),
              "by_country": _by_country(data), "by_sector": _by_sector(data), "by_cohort": cohorts,
              "by_fiscal_year": _by_fiscal_year(data),
              "learning": cohorts[["paired", "mean_pre", "mean_post", "normalised_gain"]],
              "satisfaction": satisfaction(filt)}
    for name, _fn in sources.sheets():
        if name != "Satisfaction":
            result[name.lower().replace(" ", "_")] = feature_sheet(name, filt)
    return result
