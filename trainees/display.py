"""Human names for codes (countries, sectors, statuses…) in the user's language, as template filters.

Codes stay codes in the database; templates show ``trainee.nationality|country`` and so on.
"""

from __future__ import annotations

from functools import lru_cache

from babel import Locale
from flask import Flask
from markupsafe import Markup, escape

from core.i18n import _, _l, current_locale
from core.refdata import (
    BUCKET_NAMES,
    country_name,
    fiscal_year_label,
    gender_name,
    modality_name,
    org_type_bucket,
    org_type_name,
    sector_name,
)
from core.templating import UrlPattern, date_formatter, escape_text
from trainees.status import status_name

#: Where a cohort is held → the time zone its sessions usually use (a new session's default when the
#: cohort has no session yet; otherwise the last session's zone is reused).
HOST_TIMEZONES = {
    "JP": "Asia/Tokyo", "BN": "Asia/Brunei", "KH": "Asia/Phnom_Penh", "ID": "Asia/Jakarta", "LA": "Asia/Vientiane",
    "MY": "Asia/Kuala_Lumpur", "MM": "Asia/Yangon", "PH": "Asia/Manila", "SG": "Asia/Singapore", "TH": "Asia/Bangkok",
    "TL": "Asia/Dili", "VN": "Asia/Ho_Chi_Minh", "IN": "Asia/Kolkata", "BD": "Asia/Dhaka", "LK": "Asia/Colombo",
    "NP": "Asia/Kathmandu", "FJ": "Pacific/Fiji", "PG": "Pacific/Port_Moresby",
}
#: Offered as suggestions in the session form (any IANA name is accepted).
COMMON_TIMEZONES = sorted({*HOST_TIMEZONES.values(), "Asia/Makassar", "Asia/Jayapura", "UTC"})


def default_timezone(cohort) -> str:
    """The time zone for a new session of ``cohort`` (its sessions must be loaded)."""
    if cohort.sessions:
        return cohort.sessions[-1].timezone
    return HOST_TIMEZONES.get(cohort.host_country or "", "Asia/Tokyo")


COHORT_STATUS_NAMES = {
    "planned": _l("Planned"),
    "open": _l("Open for nominations"),
    "running": _l("Running"),
    "closed": _l("Closed"),
    "cancelled": _l("Cancelled"),
}
SESSION_TYPE_NAMES = {
    "lecture": _l("Lecture"),
    "hands_on": _l("Hands-on"),
    "exercise": _l("Exercise"),
    "site_visit": _l("Site visit"),
    "presentation": _l("Presentation"),
    "test": _l("Test"),
    "ceremony": _l("Ceremony"),
    "orientation": _l("Orientation"),
    "other": _l("Other"),
}
ATTENDANCE_NAMES = {
    "present": _l("Present"),
    "late": _l("Late"),
    "excused": _l("Excused"),
    "absent": _l("Absent"),
}
#: Languages a course is commonly taught or interpreted in (codes as stored on the cohort).
COURSE_LANGUAGES = ("en", "ja", "th", "vi", "id", "ms", "km", "lo", "my", "fil", "pt", "fr", "es")

_BADGES = {
    "accepted": "badge-ok", "confirmed": "badge-ok", "completed": "badge-ok",
    "nominated": "badge-warn", "waitlisted": "badge-warn", "incomplete": "badge-warn",
    "rejected": "badge-err", "withdrawn": "badge-err", "no_show": "badge-err",
    "present": "badge-ok", "late": "badge-warn", "excused": "badge-warn", "absent": "badge-err",
    "open": "badge-ok", "running": "badge-ok", "cancelled": "badge-err",
}


def current_lang() -> str:
    """'ja' or 'en' (the interface language of this request)."""
    locale = current_locale()
    return "ja" if locale is not None and locale.language == "ja" else "en"


def language_name(code: str | None, lang: str | None = None) -> str:
    """Display name of a language code ('en' → 'English', or 英語 in Japanese)."""
    return _language_name(code, lang or current_lang()) if code else ""


@lru_cache(maxsize=512)
def _language_name(code: str, lang: str) -> str:
    """Babel's name of a language in ``lang``: a pure function of its arguments (CLDR data), so remembered."""
    try:
        return Locale.parse(code).get_display_name(lang) or code
    except (ValueError, TypeError):
        return code


def language_choices() -> list[tuple[str, str]]:
    return [(code, language_name(code)) for code in COURSE_LANGUAGES]


def badge_class(status: str | None) -> str:
    return _BADGES.get(status or "", "")


#: Code → display name in the user's language, by kind (also installed as template filters).
LABELS = {
    "country": lambda code: country_name(code, current_lang()),
    "sector": lambda code: sector_name(code, current_lang()),
    "org_type": lambda code: org_type_name(code, current_lang()),
    "bucket": lambda code: BUCKET_NAMES[org_type_bucket(code)][1 if current_lang() == "ja" else 0],
    "gender": lambda code: gender_name(code, current_lang()),
    "modality": lambda code: modality_name(code, current_lang()),
    "enrolment_status": lambda code: status_name(code, current_lang()) if code else "",
    "cohort_status": lambda code: str(COHORT_STATUS_NAMES.get(code, code)),
    "session_type": lambda code: str(SESSION_TYPE_NAMES.get(code, code)),
    "attendance_status": lambda code: str(ATTENDANCE_NAMES.get(code, code)) if code else "",
    "fy": lambda fy: fiscal_year_label(fy, current_lang()) if fy is not None else "",
    "language": language_name,
}


def options(kind: str, values, by_name: bool = False) -> list[tuple[object, str]]:
    """(code, display name) pairs for a filter menu; ``by_name`` sorts them by the name shown."""
    pairs = [(value, LABELS[kind](value)) for value in values]
    return sorted(pairs, key=lambda p: p[1]) if by_name else pairs


def participant_rows(participants, selected=frozenset()) -> Markup:
    """The ``<tr>`` rows of the cohort page's participant table for ``trainees.queries.Participant`` rows
    (``selected``: the enrolment ids to show ticked).

    Built here rather than in the template because it is the page's bulk: as Jinja expressions a 50-row list
    cost about 30 µs a row, as one f-string a row about 5 µs, with what repeats (labels, status and country
    names, link patterns) built once per page. The template's escaping rules hold: every value from the
    database is escaped; our own catalogue's translations are trusted markup, as the templates' ``_`` treats
    them."""
    trainee_url = UrlPattern("trainees.trainee_detail", "trainee_id")
    status_url = UrlPattern("trainees.enrolment_status", "enrolment_id")
    select_label = _("Select %(name)s", name="%(name)s")
    no_consent = f' <span class="badge badge-warn">{_("no privacy consent")}</span>'
    change_label = _("Change status")
    lang = current_lang()
    countries, statuses = {}, {}
    rows = []
    for p in participants:
        enrolment_id, name, percent = int(p.id), escape_text(p.full_name), p.attendance_percent
        country = countries.get(p.nationality)
        if country is None:
            country = countries[p.nationality] = escape(country_name(p.nationality, lang))
        status = statuses.get(p.status)
        if status is None:
            status = statuses[p.status] = (_BADGES.get(p.status or "", ""),
                                           escape(status_name(p.status, lang) if p.status else ""))
        rows.append(
            f'<tr>\n'
            f'      <td><input type="checkbox" name="enrolment_ids" value="{enrolment_id}" form="bulk" '
            f'id="sel-{enrolment_id}" aria-label="{select_label % {"name": name}}"'
            f'{" checked" if enrolment_id in selected else ""}></td>\n'
            f'      <td><a href="{trainee_url(p.trainee_id)}">{name}</a></td>\n'
            f'      <td>{country}</td>\n'
            f'      <td>{escape_text(p.organisation)}</td>\n'
            f'      <td><span class="badge {status[0]}">{status[1]}</span>{no_consent if p.refused_consent else ""}'
            f'</td>\n'
            f'      <td class="num">{"—" if percent is None else f"{int(percent)}&nbsp;%"}</td>\n'
            f'      <td><a href="{status_url(enrolment_id)}">{change_label}</a></td>\n'
            f'    </tr>\n    ')
    return Markup("".join(rows))  # noqa: S704 - every value above is escaped or our own catalogue


def cohort_list_rows(cohorts, counts, badge_of=None) -> Markup:
    """The ``<tr>`` rows of the cohort list for ``trainees.queries.CohortListRow`` rows, with their ``SeatCounts``
    (``counts``, by cohort id) and ``badge_of(cohort, confirmed)`` — the to-do badge, from the notifications
    feature when it is installed — built as ``participant_rows`` is, and for the same reason (about 45 µs a row
    as Jinja expressions)."""
    cohort_url = UrlPattern("trainees.cohort_detail", "cohort_id")
    programme_url = UrlPattern("trainees.programme_detail", "programme_id")
    lang, day = current_lang(), date_formatter()
    over = f' <span class="badge badge-err">{_("over capacity")}</span>'
    labels = {}  # (kind, code) → escaped name, each looked up once per page

    def label(kind, code, name):
        key = (kind, code)
        if key not in labels:
            labels[key] = escape(name(code))
        return labels[key]

    completion_url = None  # built at the first badge: most lists have none
    rows = []
    for c in cohorts:
        n = counts[c.id]
        badge = badge_of(c, n.confirmed) if badge_of else ""
        if badge:
            completion_url = completion_url or UrlPattern("completion.cohort_completion", "cohort_id")
            badge = f' <a class="badge" href="{completion_url(c.id)}">{escape(badge)}</a>'
        seats = f"{int(n.seats)}"
        if c.capacity:
            seats += f" / {int(c.capacity)}{over if n.seats > c.capacity else ''}"
        rows.append(
            f'<tr>\n'
            f'      <td><a href="{cohort_url(c.id)}">{escape_text(c.code)}</a>{badge}</td>\n'
            f'      <td>{escape_text(c.title)}</td>\n'
            f'      <td><a href="{programme_url(c.programme_id)}">{escape_text(c.programme_code)}</a></td>\n'
            f'      <td>{label("fy", c.fiscal_year, lambda fy: fiscal_year_label(fy, lang))}</td>'
            f'<td>{label("modality", c.modality, lambda code: modality_name(code, lang))}</td>'
            f'<td>{label("country", c.host_country, lambda code: country_name(code, lang) or "—")}</td>\n'
            f'      <td>{escape_text(day(c.start_date))} – {escape_text(day(c.end_date))}</td>\n'
            f'      <td><span class="badge {_BADGES.get(c.status or "", "")}">'
            f'{label("status", c.status, lambda code: str(COHORT_STATUS_NAMES.get(code, code)))}</span></td>\n'
            f'      <td class="num">{seats}</td>\n'
            f'      <td class="num">{int(n.counted)}</td>\n'
            f'    </tr>\n    ')
    return Markup("".join(rows))  # noqa: S704 - every value above is escaped or our own catalogue


def register_display(app: Flask) -> None:
    """Install the filters on the app's Jinja environment."""
    app.jinja_env.filters.update(LABELS)
    app.jinja_env.filters["badge"] = badge_class
    app.jinja_env.globals["participant_rows"] = participant_rows
    app.jinja_env.globals["cohort_list_rows"] = cohort_list_rows
