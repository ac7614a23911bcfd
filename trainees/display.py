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
from trainees.models import full_name
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
    cost about 30 µs a row, as one f-string a row about 4 µs, with what repeats (labels, status and country
    names, the parts of the links around their id) built once per page and nothing called per row that a
    string concatenation can do. The template's escaping rules hold: every value from the database is escaped;
    our own catalogue's translations are trusted markup, as the templates' ``_`` treats them."""
    trainee_url = UrlPattern("trainees.trainee_detail", "trainee_id")
    status_url = UrlPattern("trainees.enrolment_status", "enrolment_id")
    trainee_head, trainee_tail, status_head, status_tail = (
        trainee_url.head, trainee_url.tail, status_url.head, status_url.tail)
    # "Select %(name)s" around a name: the translation split where the name goes
    select_head, _mark, select_tail = _("Select %(name)s", name=_NAME_MARK).partition(_NAME_MARK)
    no_consent = f' <span class="badge badge-warn">{_("no privacy consent")}</span>'
    change_label = _("Change status")
    lang = current_lang()
    countries, statuses = {}, {}
    rows = []
    for p in participants:
        enrolment_id, name = int(p.id), escape_text(full_name(p.family_name, p.given_names))
        eid = str(enrolment_id)  # written three times
        country = countries.get(p.nationality)
        if country is None:
            # kept as str: an f-string formats a Markup for more than a str of the same text
            country = countries[p.nationality] = str(escape(country_name(p.nationality, lang)))
        status = statuses.get(p.status)
        if status is None:
            status = statuses[p.status] = (_BADGES.get(p.status or "", ""),
                                           str(escape(status_name(p.status, lang) if p.status else "")))
        percent = p.attendance_percent if p.marked else None
        rows.append(
            f'<tr>\n'
            f'      <td><input type="checkbox" name="enrolment_ids" value="{eid}" form="bulk" '
            f'id="sel-{eid}" aria-label="{select_head}{name}{select_tail}"'
            f'{" checked" if enrolment_id in selected else ""}></td>\n'
            f'      <td><a href="{trainee_head}{int(p.trainee_id)}{trainee_tail}">{name}</a></td>\n'
            f'      <td>{country}</td>\n'
            f'      <td>{escape_text(p.organisation)}</td>\n'
            f'      <td><span class="badge {status[0]}">{status[1]}</span>{no_consent if p.refused_consent else ""}'
            f'</td>\n'
            f'      <td class="num">{"—" if percent is None else f"{int(percent)}&nbsp;%"}</td>\n'
            f'      <td><a href="{status_head}{eid}{status_tail}">{change_label}</a></td>\n'
            f'    </tr>\n    ')
    return Markup("".join(rows))  # noqa: S704 - every value above is escaped or our own catalogue


#: Where a name goes in a translated label built once per list (split around it): no translation contains it.
_NAME_MARK = "\x00name\x00"


def cohort_list_rows(cohorts, counts, badge_of=None) -> Markup:
    """The ``<tr>`` rows of the cohort list for ``trainees.queries.CohortListRow`` rows, with their ``SeatCounts``
    (``counts``, by cohort id) and ``badge_of(cohort, confirmed)`` — the to-do badge, from the notifications
    feature when it is installed — built as ``participant_rows`` is, and for the same reason (about 45 µs a row
    as Jinja expressions)."""
    cohort_url = UrlPattern("trainees.cohort_detail", "cohort_id")
    programme_url = UrlPattern("trainees.programme_detail", "programme_id")
    cohort_head, cohort_tail, programme_head, programme_tail = (
        cohort_url.head, cohort_url.tail, programme_url.head, programme_url.tail)
    lang, day = current_lang(), date_formatter()
    over = f' <span class="badge badge-err">{_("over capacity")}</span>'

    def names(codes, name) -> dict:
        """code → escaped display name, for each code on the page, each looked up once (as a str: an f-string
        formats it for less than a Markup of the same text)."""
        return {code: str(escape(name(code))) for code in set(codes)}

    fys = names((c.fiscal_year for c in cohorts), lambda fy: fiscal_year_label(fy, lang))
    modalities = names((c.modality for c in cohorts), lambda code: modality_name(code, lang))
    countries = names((c.host_country for c in cohorts), lambda code: country_name(code, lang) or "—")
    statuses = names((c.status for c in cohorts), lambda code: str(COHORT_STATUS_NAMES.get(code, code)))
    days = names((d for c in cohorts for d in (c.start_date, c.end_date)), day)
    completion_url = None  # built at the first badge: most lists have none
    rows = []
    for c in cohorts:
        n = counts[c.id]
        cid = str(int(c.id))  # written twice or three times
        badge = badge_of(c, n.confirmed) if badge_of else ""
        if badge:
            completion_url = completion_url or UrlPattern("completion.cohort_completion", "cohort_id")
            badge = f' <a class="badge" href="{completion_url.head}{cid}{completion_url.tail}">{escape_text(badge)}</a>'
        seats = f"{int(n.seats)}"
        if c.capacity:
            seats += f" / {int(c.capacity)}{over if n.seats > c.capacity else ''}"
        rows.append(
            f'<tr>\n'
            f'      <td><a href="{cohort_head}{cid}{cohort_tail}">{escape_text(c.code)}</a>{badge}</td>\n'
            f'      <td>{escape_text(c.title)}</td>\n'
            f'      <td><a href="{programme_head}{int(c.programme_id)}{programme_tail}">'
            f'{escape_text(c.programme_code)}</a></td>\n'
            f'      <td>{fys[c.fiscal_year]}</td><td>{modalities[c.modality]}</td>'
            f'<td>{countries[c.host_country]}</td>\n'
            f'      <td>{days[c.start_date]} – {days[c.end_date]}</td>\n'
            f'      <td><span class="badge {_BADGES.get(c.status or "", "")}">{statuses[c.status]}</span></td>\n'
            f'      <td class="num">{seats}</td>\n'
            f'      <td class="num">{int(n.counted)}</td>\n'
            f'    </tr>\n    ')
    return Markup("".join(rows))  # noqa: S704 - every value above is escaped or our own catalogue


def select_filter(id: str, label, options, current, any_label=None) -> Markup:  # noqa: A002 - the field's id
    """A list page's filter menu: ``label`` (a template's ``_()``) and a ``<select>`` named ``id`` with "Any" (or
    ``any_label``) then ``options`` — (value, display name) pairs, e.g. from ``options()`` — with the option whose
    value reads as ``current`` selected (compared as text, as the form sends it back).

    Built here rather than as a template macro: three list pages show four menus each, and the macro's per-option
    expressions cost about a twentieth of the cohort list (callgrind). The macro's escaping: every value and
    name is escaped; labels given as markup (a template's ``_()``, our catalogue's "Any") are kept."""
    current = str(current)

    def text(value) -> str:
        """``{{ value }}``'s text: a str escaped, an int's digits, anything else through ``markupsafe.escape``."""
        kind = type(value)
        return escape_text(value) if kind is str else str(value) if kind is int else str(escape(value))

    items = "".join(f'<option value="{text(value)}"{" selected" if str(value) == current else ""}>{text(name)}</option>'
                    for value, name in options)
    eid = escape(id)
    any_text = escape(any_label or Markup(_("Any")))  # noqa: S704 - our own catalogue, as the templates' _ treats it
    return Markup(  # noqa: S704 - every value above is escaped
        f'\n<span class="filter-field"><label for="{eid}">{escape(label)}</label>\n'
        f'<select id="{eid}" name="{eid}">\n'
        f'  <option value="">{any_text}</option>\n'
        f'  {items}\n'
        f'</select></span>\n')


def register_display(app: Flask) -> None:
    """Install the filters on the app's Jinja environment."""
    app.jinja_env.filters.update(LABELS)
    app.jinja_env.filters["badge"] = badge_class
    app.jinja_env.globals["participant_rows"] = participant_rows
    app.jinja_env.globals["select_filter"] = select_filter
    app.jinja_env.globals["cohort_list_rows"] = cohort_list_rows
