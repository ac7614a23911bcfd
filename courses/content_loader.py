"""Load seed courses from ``courses/content/<slug>/course.toml`` (+ ``lessons/*.md``) into the database.

The format is the contract in docs/content-format.md. Loading is idempotent: a course is matched by
``(code, edition)``, a module by its number, a lesson by its file name, a question and a quiz by their
``key``; existing rows are updated in place, missing ones created, and nothing else is touched (rows an
organiser added stay). A quiz's chosen questions are set to exactly the list in the file; attempts keep
the questions they drew. A file with any error is reported (path: message) and not loaded at all, while
other courses still load. Zero course folders is fine.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import undefer

from core import audit
from core.extensions import db
from core.richtext import render
from courses.grading import FEEDBACK_POLICIES, QUIZ_KINDS
from courses.models import TRACKS, Course, Lesson, Module, Question, Quiz, QuizQuestion
from courses.question_types import TYPE_KEYS, SpecError, check_spec

CONTENT_DIR = Path(__file__).resolve().parent / "content"


class ContentError(ValueError):
    """A course folder does not follow the content format; ``problems`` lists every issue found."""

    def __init__(self, path: Path, problems: list[str]):
        super().__init__(f"{path}: " + "; ".join(problems))
        self.path = path
        self.problems = problems


@dataclass
class LoadResult:
    code: str
    created: bool
    course_id: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    def line(self) -> str:
        verb = "created" if self.created else "updated"
        parts = ", ".join(f"{n} {kind}" for kind, n in self.counts.items())
        return f"course {self.code} {verb}: {parts}"


def _spec(raw: dict) -> dict:
    qtype = raw.get("type")
    if qtype in ("single_choice", "multiple_choice"):
        return {"options": raw.get("options"), "correct": raw.get("correct")}
    if qtype == "true_false":
        return {"answer": raw.get("answer")}
    if qtype == "numeric":
        return {"answer": raw.get("answer"), "tolerance": raw.get("tolerance", 0.0)}
    return {"answers": raw.get("answers")}


def read_course(folder: Path) -> dict:
    """Parse and validate one course folder; raise ContentError listing every problem."""
    path = folder / "course.toml"
    problems: list[str] = []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ContentError(path, [str(exc)]) from None
    for name in ("code", "title"):
        if not str(data.get(name, "")).strip():
            problems.append(f"missing {name}")
    if data.get("track", "other") not in TRACKS:
        problems.append(f"track must be one of {', '.join(TRACKS)}")
    modules = data.get("modules", [])
    numbers = set()
    for m in modules:
        number = m.get("number")
        if not isinstance(number, int) or number < 1 or number in numbers:
            problems.append(f"module number {number!r} is missing, not positive or repeated")
            continue
        numbers.add(number)
        if not m.get("title"):
            problems.append(f"module {number}: missing title")
        files = set()
        for lesson in m.get("lessons", []):
            name = lesson.get("file", "")
            if not name or "/" in name or "\\" in name or name in files:
                problems.append(f"module {number}: lesson file {name!r} is missing, repeated or not a plain name")
                continue
            files.add(name)
            lesson_path = folder / "lessons" / name
            if not lesson_path.is_file():
                problems.append(f"module {number}: lesson file lessons/{name} not found")
            else:
                lesson["_body"] = lesson_path.read_text(encoding="utf-8")
            if not lesson.get("title"):
                problems.append(f"lesson {name}: missing title")
            minutes = lesson.get("minutes", 10)
            if not isinstance(minutes, int) or not 1 <= minutes <= 600:
                problems.append(f"lesson {name}: minutes must be a whole number from 1 to 600")
    keys = set()
    for q in data.get("questions", []):
        key = q.get("key")
        label = f"question {key!r}"
        if not key or key in keys:
            problems.append(f"{label}: key missing or repeated")
            continue
        keys.add(key)
        if q.get("type") not in TYPE_KEYS:
            problems.append(f"{label}: type must be one of {', '.join(TYPE_KEYS)}")
            continue
        if not str(q.get("text", "")).strip():
            problems.append(f"{label}: missing text")
        try:
            q["_spec"] = check_spec(q["type"], _spec(q))
        except SpecError as exc:
            problems.append(f"{label}: {exc}")
        if q.get("difficulty", 2) not in (1, 2, 3):
            problems.append(f"{label}: difficulty must be 1, 2 or 3")
        module = q.get("module", 0)
        if module and module not in numbers:
            problems.append(f"{label}: module {module} does not exist")
        if not isinstance(q.get("tags", []), list):
            problems.append(f"{label}: tags must be a list")
    quiz_keys = set()
    for quiz in data.get("quizzes", []):
        key = quiz.get("key")
        label = f"quiz {key!r}"
        if not key or key in quiz_keys:
            problems.append(f"{label}: key missing or repeated")
            continue
        quiz_keys.add(key)
        if quiz.get("kind") not in QUIZ_KINDS:
            problems.append(f"{label}: kind must be one of {', '.join(QUIZ_KINDS)}")
        if quiz.get("feedback", "after_submit") not in FEEDBACK_POLICIES:
            problems.append(f"{label}: feedback must be one of {', '.join(FEEDBACK_POLICIES)}")
        if not quiz.get("title"):
            problems.append(f"{label}: missing title")
        module = quiz.get("module", 0)
        if module and module not in numbers:
            problems.append(f"{label}: module {module} does not exist")
        unknown = [k for k in quiz.get("questions", []) if k not in keys]
        if unknown:
            problems.append(f"{label}: unknown questions {', '.join(map(str, unknown))}")
        if not quiz.get("questions") and not quiz.get("random_count"):
            problems.append(f"{label}: no questions")
        if not 0 <= quiz.get("pass_mark", 60) <= 100:
            problems.append(f"{label}: pass_mark must be 0..100")
    if problems:
        raise ContentError(path, problems)
    return data


def _set(obj, **values) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _flush(pending: list[bool]) -> None:
    """Flush, remembering whether there was anything to write."""
    session = db.session
    pending.append(bool(session.new or session.deleted
                        or any(session.is_modified(obj) for obj in session.dirty)))
    session.flush()


def load_course(folder: Path) -> LoadResult:
    """Create or update one course from its folder (flushes; the caller commits)."""
    data = read_course(folder)
    code, edition = data["code"].strip(), str(data.get("edition", "")).strip()
    course = db.session.scalar(select(Course).where(Course.code == code, Course.edition == edition))
    created = course is None
    pending: list[bool] = []  # whether any flush wrote something
    if created:
        course = Course(code=code, edition=edition, title=data["title"], is_published=True)
        db.session.add(course)
    _set(course, title=data["title"], track=data.get("track", "other"), summary=data.get("summary", ""),
         language=data.get("language", "en"))
    _flush(pending)
    counts = {"modules": 0, "lessons": 0, "questions": 0, "quizzes": 0}
    modules = {m.key: m for m in db.session.scalars(select(Module).where(Module.course_id == course.id))}
    by_number: dict[int, Module] = {}
    for m in data.get("modules", []):
        key = f"m{m['number']}"
        module = modules.get(key)
        if module is None:
            module = Module(course_id=course.id, key=key, title=m["title"])
            db.session.add(module)
            _flush(pending)
        _set(module, title=m["title"], summary=m.get("summary", ""), position=m["number"])
        by_number[m["number"]] = module
        counts["modules"] += 1
        lessons = {lesson.key: lesson for lesson in db.session.scalars(
            select(Lesson).where(Lesson.module_id == module.id).options(undefer(Lesson.body_md),
                                                                         undefer(Lesson.body_html)))}
        for position, raw in enumerate(m.get("lessons", []), start=1):
            lesson = lessons.get(raw["file"])
            if lesson is None:
                lesson = Lesson(module_id=module.id, key=raw["file"], title=raw["title"])
                db.session.add(lesson)
            if lesson.body_md != raw["_body"] or not lesson.body_html:
                lesson.body_md, lesson.body_html = raw["_body"], render(raw["_body"])
            _set(lesson, title=raw["title"], minutes=raw.get("minutes", 10), position=position,
                 tags=list(raw.get("tags", [])))
            counts["lessons"] += 1
    _flush(pending)
    questions = {q.key: q for q in db.session.scalars(select(Question).where(Question.course_id == course.id))}
    for raw in data.get("questions", []):
        question = questions.get(raw["key"])
        if question is None:
            question = Question(course_id=course.id, key=raw["key"], qtype=raw["type"], text=raw["text"],
                                spec=raw["_spec"])
            db.session.add(question)
            questions[raw["key"]] = question
        module = by_number.get(raw.get("module", 0))
        _set(question, qtype=raw["type"], text=raw["text"], spec=raw["_spec"], explanation=raw.get("explanation", ""),
             difficulty=raw.get("difficulty", 2), module_id=module.id if module else None)
        question.set_tags(raw.get("tags", []))
        counts["questions"] += 1
    _flush(pending)
    quizzes = {q.key: q for q in db.session.scalars(select(Quiz).where(Quiz.course_id == course.id))}
    for position, raw in enumerate(data.get("quizzes", []), start=1):
        quiz = quizzes.get(raw["key"])
        if quiz is None:
            quiz = Quiz(course_id=course.id, key=raw["key"], title=raw["title"])
            db.session.add(quiz)
        module = by_number.get(raw.get("module", 0))
        random_count = raw.get("random_count", 0)
        _set(quiz, title=raw["title"], kind=raw["kind"], module_id=module.id if module else None, position=position,
             pass_mark=raw.get("pass_mark", 60), max_attempts=raw.get("max_attempts", 0),
             time_limit_minutes=raw.get("time_limit_minutes", 0), shuffle=bool(raw.get("shuffle", False)),
             feedback=raw.get("feedback", "after_submit"), instructions=raw.get("instructions", ""),
             selection="random" if random_count else "fixed", random_count=random_count,
             random_tag=raw.get("random_tag", ""))
        wanted = [questions[k].id for k in raw.get("questions", [])]
        if [item.question_id for item in quiz.items] != wanted:
            quiz.items.clear()
            _flush(pending)
            quiz.items.extend(QuizQuestion(question_id=qid, position=i) for i, qid in enumerate(wanted, start=1))
        counts["quizzes"] += 1
    _flush(pending)
    result = LoadResult(code=f"{code} ({edition})" if edition else code, created=created, course_id=course.id,
                        counts=counts)
    if any(pending):  # a re-load of unchanged content writes nothing, not even an audit event
        audit.record("course.content_load", obj=course, summary=result.line())
    return result


def course_folders(base: Path | None = None) -> list[Path]:
    base = base or CONTENT_DIR
    if not base.is_dir():
        return []
    return sorted(p for p in base.iterdir() if (p / "course.toml").is_file())


def load_all(base: Path | None = None) -> tuple[list[LoadResult], list[ContentError]]:
    """Load every course folder under ``base``; a broken folder is reported and skipped (its savepoint
    rolled back), the others load."""
    results, errors = [], []
    for folder in course_folders(base):
        try:
            with db.session.begin_nested():
                results.append(load_course(folder))
        except ContentError as exc:
            errors.append(exc)
    return results, errors
