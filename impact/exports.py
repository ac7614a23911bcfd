"""What the impact feature contributes to reports (tables, figures, a dashboard section; no HTTP).

``impact.register`` hands these to the report-source registry (``core.reporting``); they receive the
report *scope*. Every function returns None (or an empty table) when there is no impact
data in scope, so a workbook without impact data is unchanged.
"""

from __future__ import annotations

from decimal import Decimal

from flask import render_template
from flask_babel import LazyString, force_locale, get_locale, lazy_pgettext, pgettext
from markupsafe import Markup

from core.refdata import country_name, modality_name, sector_name
from core.reporting import SummaryRow
from core.spreadsheets import DECIMAL, INTEGER, Column, Table
from impact import queries
from impact.vocab import OUTCOME_KINDS

#: The message context of the impact sheets' words (headers, row labels, Summary rows, definitions).
CONTEXT = "report: impact"

#: Every word of the impact sheets, marked for extraction; translated in the workbook's language by :func:`t`.
WORDS = (
    lazy_pgettext("report: impact", "Organisation"),
    lazy_pgettext("report: impact", "Country"),
    lazy_pgettext("report: impact", "Sector"),
    lazy_pgettext("report: impact", "Instrument"),
    lazy_pgettext("report: impact", "Baseline version"),
    lazy_pgettext("report: impact", "Follow-up version"),
    lazy_pgettext("report: impact", "Group"),
    lazy_pgettext("report: impact", "Baseline"),
    lazy_pgettext("report: impact", "Follow-up"),
    lazy_pgettext("report: impact", "Change"),
    lazy_pgettext("report: impact", "Overall"),
    lazy_pgettext("report: impact", "Organisations"),
    lazy_pgettext("report: impact", "Outcome"),
    lazy_pgettext("report: impact", "Fiscal year"),
    lazy_pgettext("report: impact", "Count"),
    lazy_pgettext("report: impact", "People trained"),
    lazy_pgettext("report: impact", "Cohort"),
    lazy_pgettext("report: impact", "Modality"),
    lazy_pgettext("report: impact", "Participants"),
    lazy_pgettext("report: impact", "Completed"),
    lazy_pgettext("report: impact", "Person-days"),
    lazy_pgettext("report: impact", "Direct cost (JPY)"),
    lazy_pgettext("report: impact", "Allocated shared cost (JPY)"),
    lazy_pgettext("report: impact", "Total cost (JPY)"),
    lazy_pgettext("report: impact", "Cost per participant (JPY)"),
    lazy_pgettext("report: impact", "Cost per completed participant (JPY)"),
    lazy_pgettext("report: impact", "Cost per person-day (JPY)"),
    lazy_pgettext("report: impact", "Level"),
    lazy_pgettext("report: impact", "Cohorts"),
    lazy_pgettext("report: impact", "By cohort"),
    lazy_pgettext("report: impact", "By fiscal year"),
    lazy_pgettext("report: impact", "By modality"),
    lazy_pgettext("report: impact", "All"),
    lazy_pgettext("report: impact", "Unallocated shared cost (JPY)"),
    lazy_pgettext("report: impact", "Country and sector"),
)

#: The Summary rows (shown only when they have data in scope). The mean maturity change is one row per
#: instrument, labelled with its scale (:func:`maturity_change_label`): the ISMS benchmark (1–5) and SIM3 (0–4)
#: are never averaged together. The single mixed "Mean maturity change" row of the first version is gone.
OUTCOMES_REPORTED = lazy_pgettext("report: impact", "Outcomes reported")
COST_PER_PERSON_DAY = lazy_pgettext("report: impact", "Cost per person-day")


def t(text: str, lang: str) -> str:
    """A word of the impact sheets in ``lang`` (English as given; Japanese from the catalogue)."""
    with force_locale(lang):
        return pgettext(CONTEXT, text)


def _kind_name(code: str, lang: str) -> str:
    from flask_babel import force_locale

    label = OUTCOME_KINDS.get(code)
    if label is None:
        return code
    with force_locale(lang):
        return str(label)


def _instrument_name(key: str, lang: str) -> str:
    names = {"ismb": ("ISMS benchmark", "ISMSベンチマーク"), "sim3": ("SIM3", "SIM3")}
    en, ja = names.get(key, (key, key))
    return ja if lang == "ja" else en


# --- Assessments -------------------------------------------------------------------------------------

def assessments_sheet(scope) -> Table | None:
    """Per organisation × instrument × group: baseline, follow-up, change; then country/sector means with n."""
    lang = scope.lang
    rows_in = queries.assessment_rows(scope.cohort_ids)
    if not rows_in:
        return None
    columns = [Column(t("Organisation", lang), width=36), Column(t("Country", lang)), Column(t("Sector", lang)),
               Column(t("Instrument", lang)), Column(t("Baseline version", lang)), Column(t("Follow-up version", lang)),
               Column(t("Group", lang), width=36), Column(t("Baseline", lang), DECIMAL),
               Column(t("Follow-up", lang), DECIMAL), Column(t("Change", lang), DECIMAL),
               Column(t("Organisations", lang), INTEGER)]
    rows = []
    means: dict[tuple, list] = {}
    for r in rows_in:
        head = (r.organisation, country_name(r.country, lang), sector_name(r.sector, lang),
                _instrument_name(r.instrument, lang), r.version_base, r.version_follow)
        rows.append((*head, t("Overall", lang), r.baseline, r.followup, r.change, None))
        for code, (b, f, d) in r.groups.items():
            en, ja = r.group_names[code]
            rows.append((*head, ja if lang == "ja" else en, b, f, d, None))
            if d is not None:
                means.setdefault((r.country, r.sector, r.instrument, en, ja), []).append(d)
        if r.change is not None:
            means.setdefault((r.country, r.sector, r.instrument, "Overall", None), []).append(r.change)
    for (country, sector, key, en, ja), values in sorted(means.items()):
        group = t(en, lang) if ja is None else (ja if lang == "ja" else en)
        rows.append((t("Country and sector", lang), country_name(country, lang), sector_name(sector, lang),
                     _instrument_name(key, lang), "", "", group, None, None,
                     sum(values) / len(values), len(values)))
    return Table(columns, rows)


def mean_maturity_changes(scope) -> list[tuple[str, tuple[int, int], float, int]]:
    """Per instrument key (in key order): (key, scale, mean overall change, n) over the organisations with both a
    baseline and a follow-up. Instruments have different scales, so their changes are never averaged together."""
    changes: dict[str, list[float]] = {}
    scales: dict[str, tuple[int, int]] = {}
    for r in queries.assessment_rows(scope.cohort_ids):
        if r.change is not None:
            changes.setdefault(r.instrument, []).append(r.change)
            scales[r.instrument] = r.scale
    return [(key, scales[key], sum(values) / len(values), len(values)) for key, values in sorted(changes.items())]


def _current_lang() -> str:
    return "ja" if str(get_locale() or "en").startswith("ja") else "en"


def maturity_change_label(key: str, scale: tuple[int, int]) -> LazyString:
    """"Mean maturity change, ISMS benchmark (scale 1–5)", in the language current when it is shown."""
    low, high = scale

    def text() -> str:
        lang = _current_lang()
        with force_locale(lang):
            return pgettext(CONTEXT, "Mean maturity change, %(instrument)s (scale %(low)d–%(high)d)",
                            instrument=_instrument_name(key, lang), low=low, high=high)

    return LazyString(text)


# --- Outcomes ----------------------------------------------------------------------------------------

def outcomes_sheet(scope) -> Table | None:
    lang = scope.lang
    rows = queries.outcome_counts(scope.cohort_ids)
    if not rows:
        return None
    columns = [Column(t("Outcome", lang), width=30), Column(t("Country", lang)),
               Column(t("Fiscal year", lang), INTEGER), Column(t("Count", lang), INTEGER),
               Column(t("People trained", lang), INTEGER)]
    return Table(columns, [(_kind_name(k, lang), country_name(c, lang), fy, n, a or None) for k, c, fy, n, a in rows])


def outcomes_reported(scope) -> int | None:
    total = sum(n for *_rest, n, _a in queries.outcome_counts(scope.cohort_ids))
    return total or None


# --- Costs -------------------------------------------------------------------------------------------

def _money(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def costs_sheet(scope) -> Table | None:
    """Per cohort, then per fiscal year, per modality and all: cost and the per-unit figures (JPY)."""
    lang = scope.lang
    rows_in, unallocated = queries.cost_report(scope.cohort_ids)
    if not rows_in:
        return None
    columns = [Column(t("Level", lang)), Column(t("Cohort", lang)), Column(t("Fiscal year", lang), INTEGER),
               Column(t("Modality", lang)), Column(t("Cohorts", lang), INTEGER),
               Column(t("Participants", lang), INTEGER), Column(t("Completed", lang), INTEGER),
               Column(t("Person-days", lang), INTEGER), Column(t("Direct cost (JPY)", lang), INTEGER),
               Column(t("Allocated shared cost (JPY)", lang), INTEGER), Column(t("Total cost (JPY)", lang), INTEGER),
               Column(t("Cost per participant (JPY)", lang), INTEGER),
               Column(t("Cost per completed participant (JPY)", lang), INTEGER),
               Column(t("Cost per person-day (JPY)", lang), INTEGER)]
    rows = []
    for r in rows_in:
        u = r.units
        rows.append((t("By cohort", lang), r.code, r.fiscal_year, modality_name(r.modality, lang), 1, r.participants,
                     r.completed, r.person_days, _money(r.direct), _money(r.shared), _money(r.total),
                     _money(u.per_participant), _money(u.per_completed), _money(u.per_person_day)))

    def group_rows(label: str, key, fy: bool):
        for k, u, n in queries.cost_breakdown(rows_in, key):
            members = [r for r in rows_in if key(r) == k]
            rows.append((t(label, lang), "", k if fy else None, "" if fy else modality_name(k, lang), n,
                         sum(r.participants for r in members), sum(r.completed for r in members),
                         sum(r.person_days for r in members), _money(sum((r.direct for r in members), Decimal(0))),
                         _money(sum((r.shared for r in members), Decimal(0))), _money(u.total),
                         _money(u.per_participant), _money(u.per_completed), _money(u.per_person_day)))

    group_rows("By fiscal year", lambda r: r.fiscal_year, True)
    group_rows("By modality", lambda r: r.modality, False)
    for _k, u, n in queries.cost_breakdown(rows_in, lambda r: "all"):
        rows.append((t("All", lang), "", None, "", n, sum(r.participants for r in rows_in),
                     sum(r.completed for r in rows_in), sum(r.person_days for r in rows_in),
                     _money(sum((r.direct for r in rows_in), Decimal(0))),
                     _money(sum((r.shared for r in rows_in), Decimal(0))), _money(u.total), _money(u.per_participant),
                     _money(u.per_completed), _money(u.per_person_day)))
    if unallocated:
        rows.append((t("Unallocated shared cost (JPY)", lang), "", None, "", None, None, None, None, None,
                     _money(unallocated), None, None, None, None))
    return Table(columns, rows)


def cost_per_person_day(scope) -> int | None:
    """Whole yen (the unit costs are rounded to the yen), or None without costs or person-days."""
    rows_in, _unallocated = queries.cost_report(scope.cohort_ids)
    if not rows_in:
        return None
    total = sum((r.total for r in rows_in), Decimal(0))
    days = sum(r.person_days for r in rows_in)
    from impact.scoring import unit_costs

    value = unit_costs(total, 0, 0, days).per_person_day
    return None if value is None else int(value)


# --- summary, definitions, dashboard -----------------------------------------------------------------

def summary_rows(scope) -> list[SummaryRow]:
    """The Summary rows that have data in scope (none → the Summary is unchanged)."""
    out = [SummaryRow(maturity_change_label(key, scale), change, "change")
           for key, scale, change, _n in mean_maturity_changes(scope)]
    n = outcomes_reported(scope)
    if n is not None:
        out.append(SummaryRow(OUTCOMES_REPORTED, n, "int"))
    cost = cost_per_person_day(scope)
    if cost is not None:
        out.append(SummaryRow(COST_PER_PERSON_DAY, cost, "yen"))
    return out


#: The definition of every "Mean maturity change, <instrument> (scale …)" row.
MATURITY_CHANGE_DEFINITION = lazy_pgettext(
    "report: impact",
    "One figure per instrument, never averaged across instruments (their scales differ: ISMS benchmark 1–5, "
    "SIM3 0–4): the mean, over organisations with both a baseline and a follow-up self-assessment of that "
    "instrument requested for cohorts in scope, of (follow-up overall − baseline overall), on the instrument's "
    "scale. Overall = mean of the group scores; a group score = mean level of its answers. Baseline = first "
    "submitted baseline; follow-up = latest submitted follow-up with the same instrument.")

DEFINITIONS = (
    (OUTCOMES_REPORTED,
     lazy_pgettext("report: impact",
                   "Number of dated alumni outcomes (CSIRT established, joined APCERT/FIRST, ISMS certification, "
                   "policy adopted, became a trainer, promoted) of trainees enrolled in cohorts in scope, or of their "
                   "organisations. Counted by the Japanese fiscal year of the outcome date.")),
    (COST_PER_PERSON_DAY,
     lazy_pgettext("report: impact",
                   "Total cost of the cohorts in scope (their budget lines converted to yen at the rate recorded "
                   "with each line and rounded to whole yen, plus shared programme costs of the same fiscal year "
                   "allocated to the programme's cohorts in proportion to their person-days) divided by their "
                   "person-days (counted as in Person-days, for the whole cohort). Per participant and per "
                   "completed participant divide by the cohort's distinct counted trainees and completed "
                   "enrolments. Fiscal year = that of the cohort's start date.")),
)


def definitions(scope) -> list[tuple[str, str]] | None:
    """Definitions of the impact figures in ``scope.lang``, only when one of them has data in scope (one row per
    instrument's mean maturity change present, then the outcomes and cost figures)."""
    rows = summary_rows(scope)
    if not rows:
        return None
    with force_locale(scope.lang):
        changes = [(str(r.label), str(MATURITY_CHANGE_DEFINITION)) for r in rows if r.kind == "change"]
        return changes + [(str(name), str(text)) for name, text in DEFINITIONS]


def impact_section(scope) -> Markup | None:
    """Dashboard section: change per organisation and group; costs per fiscal year and modality."""
    assessments = queries.assessment_rows(scope.cohort_ids)
    cost_rows, _unallocated = queries.cost_report(scope.cohort_ids)
    outcomes = queries.outcome_counts(scope.cohort_ids)
    if not (assessments or cost_rows or outcomes):
        return None
    by_kind: dict[str, int] = {}
    for kind, _c, _fy, n, _a in outcomes:
        by_kind[kind] = by_kind.get(kind, 0) + n
    return Markup(render_template(  # noqa: S704 - escaped template
        "impact/_report_section.html", assessments=[a for a in assessments if a.change is not None],
        cost_rows=cost_rows, by_fy=queries.cost_breakdown(cost_rows, lambda r: r.fiscal_year),
        by_modality=queries.cost_breakdown(cost_rows, lambda r: r.modality), outcomes=by_kind, kinds=OUTCOME_KINDS,
        lang=scope.lang, modality_name=modality_name))


