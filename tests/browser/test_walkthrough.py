"""Issue 14, acceptance 2: the walk-through of every role's key pages in Chromium, in English and Japanese.

- **axe-core** (the copy shipped by ``axe-playwright-python``) audits every page in both languages:
  no violation of impact *critical* or *serious* is allowed.
- **Untranslated strings**: on the Japanese pages, every text node and every attribute a person or a
  screen reader meets (placeholder, title, aria-label, alt, button values, the page title) is checked
  for English interface text. What the database holds (names, codes, course and scenario texts) is data,
  not interface, and is left alone; so are acronyms (CSIRT, PDF, …) and the brand. Anything else in
  Latin letters is reported — a string that escaped ``_()``, an English msgid shown untranslated, a
  label formatted in English.

The pages are the organiser's, the admin's, the trainee's, the focal point's, the ministry observer's
and the public ones, including the recent ones (nominations and calls, focal points, impact and
self-assessment, observer, notifications, jobs, announcements, own data, privacy notice).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from sqlalchemy import String, Text, func, select

from accounts.models import User
from accounts.seed import DEMO_PASSWORD
from core.extensions import db

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
OBSERVER_EMAIL = "observer.walk@demo.kakehashi.example"

#: Words that stay in Latin letters in Japanese (acronyms are accepted anyway: all capitals).
LATIN_OK = {"Kakehashi", "Excel", "Word", "PowerPoint", "Moodle", "Markdown", "Chromium", "Asia", "Tokyo",
            "Bangkok", "Jakarta", "Manila", "Ho_Chi_Minh", "Kuala_Lumpur", "Singapore", "Yangon", "Phnom_Penh",
            "Vientiane", "Brunei", "Dili", "https", "http", "xlsx", "csv", "pdf", "docx", "gift", "txt", "png",
            "jpeg", "jpg", "utf", "zip", "example", "org", "com", "mailto", "de", "kakehashi",
            # kept in Latin letters inside Japanese sentences on purpose: the call questions' syntax keywords,
            # the stored revocation reason, CLI options, a proper name
            "text", "choice", "yes_no", "file", "erased", "lang", "pii", "no-pii", "Hake",
            # names of technologies named in help texts
            "CommonMark", "JavaScript", "javascript"}

JS_TEXTS = """() => {
  const skip = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'CODE', 'PRE', 'KBD', 'SAMP', 'TEMPLATE']);
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.replace(/\\s+/g, ' ').trim();
    if (!text) continue;
    let el = node.parentElement, skipped = false;
    for (let e = el; e; e = e.parentElement) {
      if (skip.has(e.tagName) || e.getAttribute('translate') === 'no' || (e.lang && e.lang !== 'ja')) {
        skipped = true; break;
      }
    }
    if (!skipped) out.push(['text', text]);
  }
  for (const el of document.querySelectorAll('[placeholder], [title], [aria-label], [alt], input[type=submit], '
                                              + 'input[type=button], [aria-description]')) {
    for (const name of ['placeholder', 'title', 'aria-label', 'alt', 'aria-description']) {
      const value = el.getAttribute(name);
      if (value && value.trim()) out.push([name, value.trim()]);
    }
    if (el.tagName === 'INPUT' && (el.type === 'submit' || el.type === 'button') && el.value) {
      out.push(['value', el.value]);
    }
  }
  out.push(['title', document.title]);
  return out;
}"""

LATIN_RUN = re.compile(r"[\u0020-\u024F\u1E00-\u1EFF\u2010-\u2027]+")  # Latin (with Vietnamese) and punctuation
WORD = re.compile(r"[A-Za-z\u00C0-\u024F\u1E00-\u1EFF][A-Za-z\u00C0-\u024F\u1E00-\u1EFF'’_-]*")
PIECE_SPLIT = re.compile(r"[·•|,;:()\[\]{}<>\"“”«»/\\=+*#&%!?…–—0-9.]+|\.\.\.|\s[-‐]\s")


@dataclass
class Data:
    """What the database holds (names, codes, titles, lessons, scenario texts, quiz options): its words and
    all of it as one text."""

    words: frozenset[str]
    blob: str


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _data(app) -> Data:
    from sqlalchemy import JSON

    words: set[str] = set()
    parts: list[str] = []
    with app.app_context():
        for table in db.metadata.sorted_tables:
            for column in table.columns:
                if not isinstance(column.type, String | Text | JSON):
                    continue
                for value in db.session.scalars(select(column).where(column.is_not(None)).distinct()):
                    for text in _strings(value):
                        words.update(WORD.findall(text))
                        parts.append(text)
        db.session.remove()
    return Data(frozenset(words), "\n".join(parts))


@cache
def _translated_msgids() -> frozenset[str]:
    """English msgids that have a different Japanese translation (shown as-is, they are untranslated)."""
    from babel.messages.pofile import read_po

    po = Path(__file__).resolve().parents[2] / "translations" / "ja" / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as fh:
        catalogue = read_po(fh)
    ids = set()
    for message in catalogue:
        msgid = message.id[0] if isinstance(message.id, list | tuple) else message.id
        string = message.string[0] if isinstance(message.string, list | tuple) else message.string
        if msgid and string and string != msgid and "%" not in msgid and re.search(r"[a-z]{3}", msgid):
            ids.add(" ".join(msgid.split()))
    return frozenset(ids)


def _english_in(text: str, data: Data) -> list[str]:
    """The English interface fragments of one Japanese page's text (empty when there are none).

    An English msgid shown as it is, is reported whatever the database holds. Otherwise a run of Latin
    text is data when the database holds it (a phrase of several words as a substring, a single word as a
    word of some value, a cut-off text up to its ellipsis), or an acronym, or one of ``LATIN_OK``."""
    if text in _translated_msgids():
        return [text]
    text = re.sub(r"\{\{[^}]*\}\}", " ", text)  # the report template's {{placeholders}}: syntax, not words
    found = []
    for run in LATIN_RUN.findall(text):
        for piece in PIECE_SPLIT.split(run):
            piece = piece.strip(" '’-_")
            piece_words = WORD.findall(piece)
            if len(piece_words) >= 2 and piece in data.blob:
                continue
            for word in piece_words:
                bare = word.strip("'’-_")
                if (len(bare) < 3 or bare.isupper() or bare in LATIN_OK or bare.lower() in LATIN_OK
                        or word in data.words or bare in data.words or "@" in run):
                    continue
                found.append(run.strip())
                break
    return sorted(set(found))


# --- the pages ---------------------------------------------------------------------------------------

def _scalar(statement):
    return db.session.scalar(statement)


def _pages(app) -> dict[str, list[str]]:
    """Paths per role, with ids from the demo data (a page whose object the demo lacks is left out)."""
    from completion.models import Certificate, SurveyInstance
    from courses.models import Course, CourseAssignment, Lesson, Module, Quiz
    from exercises.models import ExerciseRun, Scenario
    from impact.models import Assessment
    from nominations.models import Candidate, FocalPoint, NominationCall
    from trainees.models import Cohort, CohortSession, Enrolment, Organisation, Programme, Trainee

    with app.app_context():
        busiest = _scalar(select(Cohort).where(Cohort.id.in_(select(CohortSession.cohort_id)))
                          .order_by(Cohort.capacity.desc().nulls_last()).limit(1))
        trainee = _scalar(select(Trainee).where(Trainee.email == "trainee1@demo.kakehashi.example"))
        my_cohort = _scalar(select(Enrolment.cohort_id).where(Enrolment.trainee_id == trainee.id)
                            .order_by(Enrolment.id.desc()))
        my_assignment = _scalar(select(CourseAssignment).where(
            CourseAssignment.cohort_id.in_(select(Enrolment.cohort_id).where(Enrolment.trainee_id == trainee.id)))
            .order_by(CourseAssignment.id))
        ids = {
            "programme": _scalar(select(Programme.id).order_by(Programme.id)),
            "cohort": busiest.id,
            "session": _scalar(select(CohortSession.id).where(CohortSession.cohort_id == busiest.id)),
            "enrolment": _scalar(select(Enrolment.id).where(Enrolment.cohort_id == busiest.id)),
            "organisation": _scalar(select(Organisation.id).order_by(Organisation.id)),
            "trainee": trainee.id,
            "course": _scalar(select(Course.id).order_by(Course.id)),
            "quiz": _scalar(select(Quiz.id).order_by(Quiz.id)),
            "assignment": _scalar(select(CourseAssignment.id).order_by(CourseAssignment.id)),
            "scenario": _scalar(select(Scenario.id).order_by(Scenario.id)),
            "run": _scalar(select(ExerciseRun.id).order_by(ExerciseRun.id)),
            "survey": _scalar(select(SurveyInstance.id).order_by(SurveyInstance.id)),
            "verify": _scalar(select(Certificate.verify_code).order_by(Certificate.id)),
            "call": _scalar(select(NominationCall.id).order_by(NominationCall.id.desc())),
            "assessment": _scalar(select(Assessment.id).where(Assessment.status == "submitted")
                                  .order_by(Assessment.id)),
            "impact_cohort": _scalar(select(Assessment.cohort_id).where(Assessment.cohort_id.is_not(None))
                                     .order_by(Assessment.id)),
            "my_cohort": my_cohort,
            "focal_user": _scalar(select(User.email).join(FocalPoint, FocalPoint.user_id == User.id)
                                  .order_by(FocalPoint.id)),
            "candidate": _scalar(select(Candidate.id).join(FocalPoint, FocalPoint.id == Candidate.focal_point_id)
                                 .join(User, User.id == FocalPoint.user_id)
                                 .where(User.email == select(User.email).join(FocalPoint, FocalPoint.user_id == User.id)
                                        .order_by(FocalPoint.id).limit(1).scalar_subquery())
                                 .order_by(Candidate.id)),
            "trainee_user": _scalar(select(User.id).where(User.email == "trainee1@demo.kakehashi.example")),
            "observer": _scalar(select(User.id).where(User.email == OBSERVER_EMAIL)),
            "lesson": _scalar(select(Lesson.id).order_by(Lesson.id)),
            # the trainee's course: its outline, first lesson and first quiz
            "my_assignment": my_assignment and my_assignment.id,
            "my_lesson": my_assignment and _scalar(select(Lesson.id).join(Module, Module.id == Lesson.module_id)
                                                   .where(Module.course_id == my_assignment.course_id)
                                                   .order_by(Module.position, Lesson.position)),
            "my_quiz": my_assignment and _scalar(select(Quiz.id).where(Quiz.course_id == my_assignment.course_id)
                                                 .order_by(Quiz.id)),
            # the trainee's survey to answer and action plan (the trainee's enrolments)
            "my_survey": _scalar(select(SurveyInstance.id).where(SurveyInstance.cohort_id == my_cohort)
                                 .order_by(SurveyInstance.id)),
            "my_enrolment": _scalar(select(Enrolment.id).where(Enrolment.trainee_id == trainee.id,
                                                               Enrolment.cohort_id == my_cohort)),
            # the trainee's organisation's self-assessment (open or submitted: the answer or the result page)
            "my_assessment": _scalar(select(Assessment.id).where(Assessment.organisation_id == trainee.organisation_id)
                                     .order_by(Assessment.id)),
        }
        db.session.remove()

    def having(*keys):
        return all(ids.get(k) is not None for k in keys)

    def f(path: str, *keys) -> list[str]:
        return [path.format(**ids)] if having(*keys) else []

    organiser = [
        "/", "/cohorts", "/cohorts/new", *f("/cohorts/{cohort}", "cohort"), *f("/cohorts/{cohort}/edit", "cohort"),
        *f("/cohorts/{cohort}/enrol", "cohort"), *f("/cohorts/{cohort}/import", "cohort"),
        *f("/cohorts/{cohort}/completion", "cohort"), *f("/cohorts/{cohort}/certificates", "cohort"),
        *f("/cohorts/{cohort}/surveys", "cohort"), *f("/cohorts/{cohort}/action-plans", "cohort"),
        *f("/cohorts/{cohort}/announcements", "cohort"), *f("/cohorts/{cohort}/reminders", "cohort"),
        *f("/cohorts/{cohort}/sessions/new", "cohort"), *f("/sessions/{session}/attendance", "session"),
        *f("/enrolments/{enrolment}/status", "enrolment"),
        "/trainees", "/trainees/new", *f("/trainees/{trainee}", "trainee"), *f("/trainees/{trainee}/edit", "trainee"),
        "/organisations", *f("/organisations/{organisation}", "organisation"),
        *f("/organisations/{organisation}/merge", "organisation"),
        "/programmes", "/programmes/new", *f("/programmes/{programme}", "programme"),
        *f("/programmes/{programme}/edit", "programme"),
        "/courses/", "/courses/progress", "/courses/gain", *f("/courses/{course}", "course"),
        *f("/courses/{course}/questions", "course"), *f("/courses/quizzes/{quiz}", "quiz"),
        *f("/courses/quizzes/{quiz}/analysis", "quiz"),
        *f("/courses/assignments/{assignment}/progress", "assignment"),
        *f("/courses/lessons/{lesson}/edit", "lesson"), *f("/courses/preview/lessons/{lesson}", "lesson"),
        *f("/courses/preview/quizzes/{quiz}", "quiz"),
        *f("/courses/assignments/{assignment}/gradebook", "assignment"),
        *f("/courses/cohorts/{cohort}/gradebook", "cohort"),
        "/exercises/", "/exercises/runs", *f("/exercises/scenarios/{scenario}", "scenario"),
        *f("/exercises/runs/{run}", "run"), *f("/exercises/runs/{run}/aar", "run"),
        *f("/exercises/runs/{run}/console", "run"), *f("/exercises/runs/{run}/evaluation", "run"),
        "/completion", *f("/surveys/{survey}", "survey"),
        "/reports/", "/reports/template",
        "/impact/", "/impact/outcomes", *f("/impact/cohorts/{impact_cohort}", "impact_cohort"),
        *f("/impact/assessments/{assessment}", "assessment"),
        *f("/impact/programmes/{programme}/costs", "programme"),
        "/nominations/", "/nominations/calls/new", "/nominations/focal-points",
        *f("/nominations/calls/{call}", "call"), *f("/nominations/calls/{call}/edit", "call"),
        "/notifications", "/notifications/settings", "/me/data", "/account",
    ]
    admin = ["/admin/users", "/admin/users/new", "/admin/audit", "/admin/jobs",
             *f("/admin/users/{trainee_user}", "trainee_user"), *f("/trainees/{trainee}/erase", "trainee"),
             *f("/admin/users/{observer}/observer-programmes", "observer")]
    trainee_pages = ["/me", *f("/me/cohorts/{my_cohort}", "my_cohort"), "/me/after-course", "/learn/",
                     *f("/learn/{my_assignment}", "my_assignment"),
                     *f("/learn/{my_assignment}/lessons/{my_lesson}", "my_assignment", "my_lesson"),
                     *f("/learn/{my_assignment}/quizzes/{my_quiz}", "my_assignment", "my_quiz"),
                     *f("/me/surveys/{my_survey}/{my_enrolment}", "my_survey", "my_enrolment"),
                     *f("/me/action-plans/{my_enrolment}", "my_enrolment"),
                     "/impact/me", "/impact/me/outcomes", *f("/impact/me/assessments/{my_assessment}", "my_assessment"),
                     "/exercises/play", "/notifications",
                     "/notifications/settings", "/me/data", "/account"]
    focal = ["/nominations/my", *f("/nominations/my/calls/{call}/nominate", "call"),
             *f("/nominations/my/calls/{call}/upload", "call"),
             *f("/nominations/my/candidates/{candidate}", "candidate"),
             "/notifications", "/me/data",
             "/account"]
    observer_pages = ["/observer/", "/notifications", "/me/data", "/account"]
    public = ["/login", "/password/forgot", "/privacy", *f("/verify/{verify}", "verify"),
              *f("/nominations/open/{call}", "call")]
    return {"organiser@demo.kakehashi.example": organiser, "admin@demo.kakehashi.example": admin,
            "trainee1@demo.kakehashi.example": trainee_pages, ids["focal_user"]: focal,
            OBSERVER_EMAIL: observer_pages, "": public}


def _ensure_observer(app) -> None:
    """A ministry observer granted the first programme (the demo data has none)."""
    from werkzeug.security import generate_password_hash

    from privacy import observer
    from trainees.models import Programme

    with app.app_context():
        if _scalar(select(User).where(User.email == OBSERVER_EMAIL)) is None:
            user = User(email=OBSERVER_EMAIL, display_name="Walk Observer", role="observer",
                        password_hash=generate_password_hash(DEMO_PASSWORD))
            db.session.add(user)
            db.session.flush()
            admin = _scalar(select(User).where(User.role == "admin").order_by(User.id))
            observer.set_grants(user, [_scalar(select(func.min(Programme.id)))], actor=admin)
            db.session.commit()
        db.session.remove()


def _set_locale(app, email: str, locale: str) -> str:
    with app.app_context():
        user = _scalar(select(User).where(User.email == email))
        before, user.locale = user.locale, locale
        db.session.commit()
        db.session.remove()
    return before


def _sign_in(page, url: str, email: str) -> None:
    page.goto(url + "/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit], main form input[type=submit]").first.click()
    page.wait_for_load_state()
    assert "/login" not in page.url, f"{email} could not sign in"


def _audit(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {', '.join(str(n['target']) for n in v['nodes'][:3])}"
            for v in result.response["violations"] if v["impact"] in ("critical", "serious")]


def _walk(live_server, browser, lang: str, pages: dict[str, list[str]],
          viewport: dict) -> tuple[dict, dict, dict, dict, int]:
    """Visit every page of every role: pages that failed to load, axe violations (critical/serious), the texts
    seen on Japanese pages, pages wider than the screen; and how many pages were audited."""
    seen: dict[str, set[str]] = {}
    violations: dict[str, list[str]] = {}
    broken: dict[str, str] = {}
    too_wide: dict[str, int] = {}
    audited = 0
    for email, paths in pages.items():
        context = browser.new_context(viewport=viewport, locale="ja-JP" if lang == "ja" else "en-GB")
        context.set_default_timeout(20000)
        before = _set_locale(live_server.app, email, lang) if email else None
        try:
            page = context.new_page()
            if email:
                _sign_in(page, live_server.url, email)
            for path in paths:
                response = page.goto(live_server.url + path)
                where = f"{email or 'public'} {path}"
                if response is None or response.status >= 400 or page.locator("html").get_attribute("lang") != lang:
                    broken[where] = f"{response and response.status} {page.locator('html').get_attribute('lang')}"
                    continue
                audited += 1
                found = _audit(page)
                if found:
                    violations[where] = found
                width = page.evaluate("() => document.documentElement.scrollWidth")
                if width > viewport["width"]:
                    too_wide[where] = width
                if lang == "ja":
                    seen[where] = {text for _kind, text in page.evaluate(JS_TEXTS)}
        finally:
            context.close()
            if email:
                _set_locale(live_server.app, email, before)
    return broken, violations, seen, too_wide, audited


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_walkthrough_every_page_passes_axe_and_japanese_pages_show_no_english_interface_text(live_server, browser,
                                                                                              lang):
    _ensure_observer(live_server.app)
    broken, violations, seen, too_wide, audited = _walk(live_server, browser, lang, _pages(live_server.app), DESKTOP)
    english: dict[str, list[str]] = {}
    data = _data(live_server.app)  # after the walk: sign-ins and the like are data too
    for where, texts in seen.items():
        bad = sorted({fragment for text in texts for fragment in _english_in(text, data)})
        if bad:
            english[where] = bad
    report = "\n".join([*(f"page: {k}: {v}" for k, v in broken.items()),
                        *(f"axe: {k}: {v}" for k, v in violations.items()),
                        *(f"english: {k}: {v}" for k, v in english.items()),
                        *(f"wider than the window: {k}: {v}px" for k, v in too_wide.items())])
    assert (broken, violations, english, too_wide) == ({}, {}, {}, {}), report
    assert audited >= 95, audited


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_walkthrough_on_a_phone_trainee_and_focal_point_pages_pass_axe_and_fit_the_screen(live_server, browser,
                                                                                          lang):
    """The pages people open on a phone (trainee, focal point, public) at 390 px: axe 0 critical/serious and no
    page wider than the screen (wide tables scroll inside their own region)."""
    _ensure_observer(live_server.app)
    pages = _pages(live_server.app)
    phone_roles = {"trainee1@demo.kakehashi.example", ""} | {k for k, v in pages.items() if "/nominations/my" in v}
    broken, violations, _seen, too_wide, audited = _walk(
        live_server, browser, lang, {k: v for k, v in pages.items() if k in phone_roles}, PHONE)
    report = "\n".join([*(f"page: {k}: {v}" for k, v in broken.items()),
                        *(f"axe: {k}: {v}" for k, v in violations.items()),
                        *(f"wider than the window: {k}: {v}px" for k, v in too_wide.items())])
    assert (broken, violations, too_wide) == ({}, {}, {}), report
    assert audited >= 25, audited


def test_the_english_detector_finds_interface_text_and_leaves_data_alone():
    blob = "Nguyen Thi Lan\nAHRD-2026-TH\nIncident Handler\nA long lesson about incident response and the way a " \
           "CSIRT handles each row of a table."
    data = Data(frozenset(WORD.findall(blob)) - {"row"}, blob)
    assert _english_in("row 3: メール: 形式が正しくありません", data) == ["row 3:"]
    assert _english_in("Nguyen Thi Lan さん", data) == []
    assert _english_in("AHRD-2026-TH · Incident Handler", data) == []
    assert _english_in("CSIRT の PDF を Kakehashi で", data) == []
    assert _english_in("incident response and the way a CSIRT handles", data) == []
    assert _english_in("Save draft", data) == ["Save draft"]
    assert _english_in("ここで Day 2 を表示", data) == ["Day 2"]
