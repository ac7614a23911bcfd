"""Workbook words in English and Japanese: headers, indicator names, row labels and definitions.

Translated like every other string, through the Babel catalogue: ``t(text, lang)`` looks ``text`` up
under the message context ``report`` with the locale forced to ``lang`` (``flask_babel.force_locale``),
so a workbook can be written in Japanese from an English page or the CLI. The context keeps the
workbook's words (e.g. "Cohorts" = コース数) apart from the same English words on the pages.
Sheet names stay English in both languages: they are part of the contract that scripts rely on
(ARCHITECTURE §4.3).
"""

from __future__ import annotations

from flask_babel import force_locale, lazy_pgettext, pgettext

CONTEXT = "report"

#: Every workbook word, marked for extraction (``pybabel extract -k lazy_pgettext:1c,2``).
WORDS = (
    lazy_pgettext("report", "Indicator"),
    lazy_pgettext("report", "Value"),
    lazy_pgettext("report", "Cohorts"),
    lazy_pgettext("report", "Participants"),
    lazy_pgettext("report", "Enrolments"),
    lazy_pgettext("report", "Completed"),
    lazy_pgettext("report", "Completion rate"),
    lazy_pgettext("report", "Countries"),
    lazy_pgettext("report", "Female share"),
    lazy_pgettext("report", "Person-days"),
    lazy_pgettext("report", "Mean pre-test"),
    lazy_pgettext("report", "Mean post-test"),
    lazy_pgettext("report", "Normalised gain"),
    lazy_pgettext("report", "Satisfaction (mean 1–5)"),
    lazy_pgettext("report", "Exercises run"),
    lazy_pgettext("report", "Enrolment ID"),
    lazy_pgettext("report", "Trainee ID"),
    lazy_pgettext("report", "Family name"),
    lazy_pgettext("report", "Given names"),
    lazy_pgettext("report", "Gender"),
    lazy_pgettext("report", "Nationality"),
    lazy_pgettext("report", "Organisation"),
    lazy_pgettext("report", "Organisation country"),
    lazy_pgettext("report", "Sector"),
    lazy_pgettext("report", "Org type"),
    lazy_pgettext("report", "Public/Private"),
    lazy_pgettext("report", "Cohort"),
    lazy_pgettext("report", "Fiscal year"),
    lazy_pgettext("report", "Modality"),
    lazy_pgettext("report", "Status"),
    lazy_pgettext("report", "Attendance %"),
    lazy_pgettext("report", "Pre-test %"),
    lazy_pgettext("report", "Post-test %"),
    lazy_pgettext("report", "Country code"),
    lazy_pgettext("report", "Country"),
    lazy_pgettext("report", "Female"),
    lazy_pgettext("report", "Male"),
    lazy_pgettext("report", "Other/not stated"),
    lazy_pgettext("report", "Sector code"),
    lazy_pgettext("report", "Public"),
    lazy_pgettext("report", "Private"),
    lazy_pgettext("report", "Other"),
    lazy_pgettext("report", "Title"),
    lazy_pgettext("report", "Host country"),
    lazy_pgettext("report", "Start"),
    lazy_pgettext("report", "End"),
    lazy_pgettext("report", "Training days"),
    lazy_pgettext("report", "Cumulative enrolments"),
    lazy_pgettext("report", "Paired trainees"),
    lazy_pgettext("report", "Mean pre %"),
    lazy_pgettext("report", "Mean post %"),
    lazy_pgettext("report", "Figure"),
    lazy_pgettext("report", "Definition"),
    lazy_pgettext("report", "Total"),
    lazy_pgettext("report", "ASEAN"),
    lazy_pgettext("report", "Programme"),
    lazy_pgettext("report", "Fiscal years"),
    lazy_pgettext("report", "Generated (UTC)"),
    lazy_pgettext("report", "Filters"),
    lazy_pgettext("report", "none (all data)"),
    lazy_pgettext("report", "Personal data"),
    lazy_pgettext("report", "names left out"),
    lazy_pgettext("report", "names included"),
    lazy_pgettext("report", "Enrolments by fiscal year"),
    lazy_pgettext("report", "Enrolments by country"),
    lazy_pgettext("report", "Enrolments by sector and public/private"),
)


def t(text: str, lang: str, context: str = CONTEXT) -> str:
    """``text`` in ``lang`` (English text as given; Japanese from the catalogue)."""
    with force_locale(lang):
        return pgettext(context, text)


def headers(names, lang: str) -> list[str]:
    with force_locale(lang):
        return [pgettext(CONTEXT, n) for n in names]


def participants_header(name: str, lang: str) -> str:
    """A Participants-sheet header: its 'Completed' (1/0 per enrolment) is 修了, not the Summary's 修了者数."""
    return t(name, lang, "report: Participants column") if name == "Completed" else t(name, lang)


_COMPLETED_COLUMN = lazy_pgettext("report: Participants column", "Completed")

# Definitions: (figure, text). The Definitions sheet and the dashboard's Definitions panel both show
# these, in the report's language (sheet names inside the texts stay English: scripts rely on them).
DEFINITIONS = (
    (lazy_pgettext("report", "Enrolments"),
     lazy_pgettext("report",
                   "An enrolment counts when its status is confirmed, completed or incomplete. 'Enrolments' "
                   "everywhere means counted enrolments (nominated, accepted, waitlisted, rejected, withdrawn "
                   "and no-show are not counted). A person in two cohorts is two enrolments.")),
    (lazy_pgettext("report", "Completed"),
     lazy_pgettext("report", "Counted enrolments with status completed.")),
    (lazy_pgettext("report", "Participants"),
     lazy_pgettext("report", "Distinct trainees (persons) among the counted enrolments.")),
    (lazy_pgettext("report", "Cohorts"),
     lazy_pgettext("report",
                   "Distinct cohorts (course runs) with at least one counted enrolment.")),
    (lazy_pgettext("report", "Countries"),
     lazy_pgettext("report", "Distinct nationalities among the counted enrolments.")),
    (lazy_pgettext("report", "Completion rate"),
     lazy_pgettext("report",
                   "Completed / Enrolments, stored as a fraction (0.75) with a percent format.")),
    (lazy_pgettext("report", "Female share"),
     lazy_pgettext("report",
                   "Counted enrolments of female trainees / Enrolments, stored as a fraction.")),
    (lazy_pgettext("report", "Training days"),
     lazy_pgettext("report",
                   "Inclusive calendar days from a cohort's start date to its end date.")),
    (lazy_pgettext("report", "Person-days"),
     lazy_pgettext("report",
                   "Summed over counted enrolments: where attendance was taken for the cohort (any attendance "
                   "row), the days attended, i.e. distinct session dates with the trainee marked present or "
                   "late (several sessions on one day count as one day); where no attendance was taken for the "
                   "cohort, the cohort's training days.")),
    (lazy_pgettext("report", "Attendance %"),
     lazy_pgettext("report",
                   "Sessions attended (present or late) / the cohort's sessions for which attendance was "
                   "recorded; empty when no attendance was taken for the cohort.")),
    (lazy_pgettext("report", "Fiscal year"),
     lazy_pgettext("report",
                   "Japan's fiscal year, held as its starting calendar year (2024 = 1 Apr 2024 – 31 Mar 2025). "
                   "A cohort belongs to the fiscal year of its start date.")),
    (lazy_pgettext("report", "ASEAN"),
     lazy_pgettext("report",
                   "Subtotal of nationalities that were ASEAN members on the start date of each enrolment's "
                   "cohort (Timor-Leste from 26 Oct 2025), so reports of earlier years count ASEAN-10.")),
    (lazy_pgettext("report", "Public/Private"),
     lazy_pgettext("report",
                   "From the organisation type: government, regulator, national CSIRT, state-owned enterprise "
                   "and international organisations are Public; private companies and NGOs are Private; "
                   "academia is Other.")),
    (lazy_pgettext("report", "Pre-test %, Post-test %"),
     lazy_pgettext("report",
                   "Each enrolment's score in the cohort's named pre-test and post-test (first submitted "
                   "attempt; the mean over the cohort's courses when several name tests), in percent stored as "
                   "a fraction. Empty when not taken.")),
    (lazy_pgettext("report", "Mean pre-test, Mean post-test"),
     lazy_pgettext("report",
                   "Means over paired enrolments only (both a pre-test and a post-test score).")),
    (lazy_pgettext("report", "Normalised gain"),
     lazy_pgettext("report",
                   "Hake's gain on the paired means: (mean post − mean pre) / (100 − mean pre), with scores in "
                   "percent; below 0.3 low, 0.3–0.7 medium, above 0.7 high. Empty without paired scores or when "
                   "mean pre is 100.")),
    (lazy_pgettext("report", "Satisfaction (mean 1–5)"),
     lazy_pgettext("report",
                   "Mean of every 1–5 answer in the end-of-course (reaction) surveys of the cohorts in scope. "
                   "Anonymous answers cannot be tied to a trainee, so satisfaction follows the filter by "
                   "cohort, not by trainee attributes. The Satisfaction sheet gives, per survey item: "
                   "responses, mean, the share answering 4 or 5, and the response rate (respondents / counted "
                   "enrolments of the cohort).")),
    (lazy_pgettext("report", "Action plans sheet"),
     lazy_pgettext("report",
                   "Per cohort: counted enrolments, action plans submitted, plans acknowledged by the "
                   "supervisor, and the response rates of the 3-, 6- and 12-month follow-up surveys "
                   "(respondents / counted enrolments; empty when not scheduled).")),
    (lazy_pgettext("report", "Exercises run"),
     lazy_pgettext("report",
                   "Exercise runs held (running, paused, ended or evaluated) for the cohorts in scope. The "
                   "Exercises sheet lists each run with its teams, players, objectives, overall P/S/M/U ratings "
                   "and improvement items.")),
    (lazy_pgettext("report", "Participants sheet"),
     lazy_pgettext("report",
                   "One row per counted enrolment (so its rows equal Enrolments; a person in two cohorts has "
                   "two rows), ordered by cohort start date, cohort code and name. 'Completed' is 1 or 0. "
                   "Without personal data (--no-pii) the name columns are left out; e-mail and date of birth "
                   "are never exported.")),
    (lazy_pgettext("report", "Row order"),
     lazy_pgettext("report",
                   "By country by country code, then the ASEAN subtotal and the Total; By sector by sector "
                   "code, then Total; By cohort by start date; By fiscal year ascending. Only countries and "
                   "sectors with at least one counted enrolment are listed.")),
    (lazy_pgettext("report", "Cumulative enrolments"),
     lazy_pgettext("report",
                   "Running total of Enrolments over the fiscal years shown (from the first fiscal year in the "
                   "report).")),
    (lazy_pgettext("report", "Names"),
     lazy_pgettext("report",
                   "Country and sector columns hold names (Japanese with --lang ja); code columns keep their "
                   "codes. Text that starts with =, +, -, @ or a control character is stored as text, never as "
                   "a formula.")),
)


def definitions(lang: str) -> list[tuple[str, str]]:
    """(figure, definition) in the chosen language."""
    with force_locale(lang):
        return [(str(figure), str(text)) for figure, text in DEFINITIONS]
