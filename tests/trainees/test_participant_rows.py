"""The cohort page's participant rows built by ``trainees.display.participant_rows`` (one format string a row,
issue 17) are the rows the Jinja loop they replace wrote — same markup, same escaping — in English and Japanese,
ticked or not, with and without attendance and consent marks."""

from __future__ import annotations

import re

import pytest

from trainees.status import STATUSES

#: The template's loop before it moved to Python (only ``e.user_id in no_consent`` now reads the row's flag).
JINJA_ROWS = """
  {%- set trainee_url, status_url = url_pattern('trainees.trainee_detail', 'trainee_id'), url_pattern('trainees.enrolment_status', 'enrolment_id') %}
  {%- set select_label, no_consent_label, change_label = _('Select %(name)s', name='%(name)s'), _('no privacy consent'), _('Change status') %}
  {% for e in enrolments %}
    {% set name = e.full_name %}{% set percent = e.attendance_percent %}
    <tr>
      <td><input type="checkbox" name="enrolment_ids" value="{{ e.id }}" form="bulk" id="sel-{{ e.id }}" aria-label="{{ select_label|format(name=name) }}"{% if e.id in selected %} checked{% endif %}></td>
      <td><a href="{{ trainee_url(e.trainee_id) }}">{{ name }}</a></td>
      <td>{{ e.nationality|country }}</td>
      <td>{{ e.organisation }}</td>
      <td><span class="badge {{ e.status|badge }}">{{ e.status|enrolment_status }}</span>{% if e.refused_consent %} <span class="badge badge-warn">{{ no_consent_label }}</span>{% endif %}</td>
      <td class="num">{% if percent is not none %}{{ percent }}&nbsp;%{% else %}—{% endif %}</td>
      <td><a href="{{ status_url(e.id) }}">{{ change_label }}</a></td>
    </tr>
  {% endfor %}"""  # noqa: E501 - the template as it was


def _rows():
    from trainees.queries import Participant  # after the app: the module builds statements over every model

    tricky = ('O\'Brien "Bob" <b>', "Ngô & Sons <script>", "Thi Lan")
    rows = []
    for n, status in enumerate(STATUSES):
        rows.append(Participant(
            id=n + 1, status=status, trainee_id=100 + n, family_name=tricky[n % 3] if n % 4 else "",
            given_names=tricky[(n + 1) % 3], nationality=("VN", "LA", "JP", "XX")[n % 4],
            user_id=None if n % 3 == 0 else 500 + n, organisation=f"Org {n} <&> \"quoted\" 'single'",
            attended=(None, 0, 1, 2)[n % 4], marked=(None, 3, 3, 2)[n % 4],
            refused_consent=(None, False, True)[n % 3]))
    return rows


def _normalised(html: str) -> str:
    return re.sub(r">\s+<", "><", str(html)).strip()


@pytest.mark.parametrize("language", ["en", "ja"])
def test_participant_rows_equal_the_template_loop_they_replace(app, language):
    from trainees.display import participant_rows

    rows = _rows()
    selected = {2, 5}
    with app.test_request_context("/", headers={"Accept-Language": language}):
        expected = app.jinja_env.from_string(JINJA_ROWS).render(enrolments=rows, selected=selected)
        built = participant_rows(rows, selected)
    assert _normalised(built) == _normalised(expected)
    assert built.count("<tr>") == len(rows) and built.count(" checked") == 2
    assert "<script>" not in built and "&lt;script&gt;" in built  # database values are escaped, once
    assert "&amp;lt;" not in built
    if language == "ja":
        assert "状態を変更" in built  # the labels are the Japanese catalogue's


def test_no_rows_is_empty_markup(app):
    from trainees.display import participant_rows

    with app.test_request_context("/"):
        assert participant_rows([]) == ""


#: The cohort list's loop before it moved to Python (``trainees.display.cohort_list_rows``).
JINJA_COHORT_ROWS = """
  {%- set cohort_url, programme_url = url_pattern('trainees.cohort_detail', 'cohort_id'), url_pattern('trainees.programme_detail', 'programme_id') %}
  {%- set badge_of = awaiting_badge if awaiting_badge is defined else none %}
  {% for c in page.items %}
    {% set n = counts[c.id] %}
    <tr>
      <td><a href="{{ cohort_url(c.id) }}">{{ c.code }}</a>{% set badge = badge_of(c, n.confirmed) if badge_of else '' %}{% if badge %} <a class="badge" href="{{ url_for('completion.cohort_completion', cohort_id=c.id) }}">{{ badge }}</a>{% endif %}</td>
      <td>{{ c.title }}</td>
      <td><a href="{{ programme_url(c.programme_id) }}">{{ c.programme_code }}</a></td>
      <td>{{ c.fiscal_year|fy }}</td><td>{{ c.modality|modality }}</td><td>{{ c.host_country|country or '—' }}</td>
      <td>{{ c.start_date|fmt_date }} – {{ c.end_date|fmt_date }}</td>
      <td><span class="badge {{ c.status|badge }}">{{ c.status|cohort_status }}</span></td>
      <td class="num">{{ n.seats }}{% if c.capacity %} / {{ c.capacity }}{% if n.seats > c.capacity %} <span class="badge badge-err">{{ _('over capacity') }}</span>{% endif %}{% endif %}</td>
      <td class="num">{{ n.counted }}</td>
    </tr>
  {% endfor %}"""  # noqa: E501 - the template as it was


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize("with_badges", [True, False])
def test_cohort_list_rows_equal_the_template_loop_they_replace(app, language, with_badges):
    from datetime import date
    from types import SimpleNamespace

    from trainees.display import cohort_list_rows
    from trainees.models import COHORT_STATUSES
    from trainees.queries import CohortListRow, SeatCounts

    cohorts, counts = [], {}
    for n in range(12):
        cohorts.append(CohortListRow(
            id=n + 1, code=f"C<{n}>&", title=f'Title "{n}" <i>', programme_id=7 + n % 2,
            programme_code=("P&1", "P<2>")[n % 2], fiscal_year=2016 + n, modality=("invitation_jp", "elearning",
                                                                                   "unknown")[n % 3],
            host_country=(None, "JP", "LA", "XX")[n % 4], start_date=date(2016 + n, 4, 1 + n),
            end_date=date(2016 + n, 5, 2 + n), status=COHORT_STATUSES[n % len(COHORT_STATUSES)],
            capacity=(None, 10, 30)[n % 3]))
        counts[n + 1] = SeatCounts(enrolled=20 + n, seats=5 + 2 * n, counted=n, completed=1, confirmed=n % 3)

    def badge_of(cohort, confirmed):
        return f"Awaits <{confirmed}> & more" if confirmed else ""

    context = {"page": SimpleNamespace(items=cohorts), "counts": counts,
               "awaiting_badge": badge_of if with_badges else None}  # (the app's own global is a real to-do)
    with app.test_request_context("/", headers={"Accept-Language": language}):
        expected = app.jinja_env.from_string(JINJA_COHORT_ROWS).render(context)
        built = cohort_list_rows(cohorts, counts, badge_of if with_badges else None)
    assert _normalised(built) == _normalised(expected)
    assert built.count("<tr>") == 12 and ("Awaits &lt;1&gt; &amp; more" in built) == with_badges
    assert "over capacity" in built or "定員超過" in built


#: The filter-menu macro of trainees/_macros.html before it moved to Python (``trainees.display.select_filter``).
JINJA_SELECT_FILTER = """{% macro select_filter(id, label, options, current, any_label) %}
<span class="filter-field"><label for="{{ id }}">{{ label }}</label>
<select id="{{ id }}" name="{{ id }}">
  <option value="">{{ any_label or _('Any') }}</option>
  {% for value, name in options %}<option value="{{ value }}"{% if value|string == current|string %} selected{% endif %}>{{ name }}</option>{% endfor %}
</select></span>
{% endmacro %}"""  # noqa: E501 - the template as it was


@pytest.mark.parametrize("language", ["en", "ja"])
def test_select_filter_writes_what_the_macro_it_replaces_wrote(app, language):
    """Byte for byte (not normalised): the filter menus of three list pages are made by it. Values compare as text
    (an int fiscal year against the ``'2024'`` of the query string, ``None`` against nothing chosen); values and
    names are escaped once; a label given as markup is kept."""
    from markupsafe import Markup

    from trainees.display import COHORT_STATUS_NAMES, options, select_filter

    with app.test_request_context("/", headers={"Accept-Language": language}):
        statuses = options("cohort_status", ["open", "closed"])
        cases = [
            ("fy", Markup("Fiscal <b>year</b>"), [(2024, "FY2024"), (2025, "FY2025")], "2025", None),
            ("fy", "Fiscal year", [(2024, "FY2024"), (2025, "FY2025")], 2024, None),
            ("fy", "Fiscal year", [(2024, "FY2024")], "", None),
            ("q<&>", "a <label> & more", [('v"<1>', 'N & <2>'), ("None", "none as text")], None, "Any <one>"),
            ("status", "Status", statuses, "closed", Markup("<i>all</i>")),
            ("kind", "Kind", [("a", COHORT_STATUS_NAMES["open"]), ("b", Markup("<em>b</em>"))], "b", None),
            ("empty", "Empty", [], "x", None),
        ]
        macro = app.jinja_env.from_string(JINJA_SELECT_FILTER).module.select_filter
        for id_, label, opts, current, any_label in cases:
            expected = macro(id_, label, opts, current, any_label) if any_label else macro(id_, label, opts, current)
            built = select_filter(id_, label, opts, current, any_label)
            assert isinstance(built, Markup)
            assert str(built) == str(expected), (id_, current)
        assert select_filter("fy", "FY", [(2025, "FY2025")], "2025").count(" selected") == 1
        assert ("すべて" if language == "ja" else ">Any<") in select_filter("x", "X", [], None)
