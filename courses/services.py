"""Organiser write operations: courses, modules, lessons (with attachments), the question bank, quizzes,
GIFT import, new editions and cohort assignments.

Services take model objects and plain values, ``flush()`` and never commit, record an audit event for
every write, and raise ``ServiceError`` (message, field) when a rule is broken — before writing anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, exists, func, select

from core import audit, filestore
from core.errors import ServiceError
from core.extensions import db
from core.i18n import _
from core.richtext import render
from core.spreadsheets import XLSX_MIME
from courses import gift
from courses.grading import FEEDBACK_POLICIES, QUIZ_KINDS
from courses.models import (
    TRACKS,
    Answer,
    Attempt,
    Course,
    CourseAssignment,
    Lesson,
    Module,
    Question,
    Quiz,
    QuizQuestion,
)
from courses.question_types import TYPE_KEYS, SpecError, check_spec

COURSE_FIELDS = ("code", "title", "track", "summary", "edition", "language", "is_published")
LESSON_FIELDS = ("title", "body_md", "minutes")
QUIZ_FIELDS = ("key", "title", "instructions", "kind", "module_id", "time_limit_minutes", "max_attempts", "pass_mark",
               "shuffle", "feedback", "selection", "random_count", "random_tag")
QUESTION_FIELDS = ("key", "qtype", "text", "spec", "explanation", "difficulty", "module_id")

#: Attachment types accepted for lessons: extension → (MIME type, leading bytes or None).
ATTACHMENT_TYPES = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    "xlsx": (XLSX_MIME, (b"PK\x03\x04",)),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", (b"PK\x03\x04",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "txt": ("text/plain", None),
}


def _snap(obj, fields: Iterable[str]) -> dict:
    return {f: getattr(obj, f) for f in fields}


def _apply(obj, fields: dict, allowed: Iterable[str]) -> tuple[dict, dict]:
    allowed = tuple(allowed)
    before = _snap(obj, [f for f in allowed if f in fields])
    for name, value in fields.items():
        if name in allowed:
            setattr(obj, name, value)
    return audit.diff(before, _snap(obj, [f for f in allowed if f in fields]))


def _next_position(column, *where) -> int:
    return (db.session.scalar(select(func.max(column)).where(*where)) or 0) + 1


def _swap(items: list, obj, direction: str) -> bool:
    """Move ``obj`` one place up or down in ``items`` (renumbering positions 1..n)."""
    index = items.index(obj)
    target = index - 1 if direction == "up" else index + 1
    if target < 0 or target >= len(items):
        return False
    items[index], items[target] = items[target], items[index]
    for position, item in enumerate(items, start=1):
        item.position = position
    return True


# --- courses -------------------------------------------------------------------------------------

def _check_course(code: str, title: str, track: str, edition: str, course_id: int | None = None) -> None:
    if not code:
        raise ServiceError(_("Enter a course code."), "code")
    if not title:
        raise ServiceError(_("Enter a title."), "title")
    if track not in TRACKS:
        raise ServiceError(_("Choose a track."), "track")
    clash = db.session.scalar(select(Course.id).where(func.upper(Course.code) == code.upper(),
                                                      Course.edition == edition, Course.id != (course_id or 0)))
    if clash:
        raise ServiceError(_("Another course already has this code and edition."), "code")


def create_course(fields: dict, actor=None) -> Course:
    fields = {**{"summary": "", "edition": "", "language": "en", "track": "other", "is_published": False}, **fields}
    _check_course(fields["code"], fields["title"], fields["track"], fields["edition"])
    course = Course(**{k: fields[k] for k in COURSE_FIELDS if k in fields})
    db.session.add(course)
    db.session.flush()
    audit.record("course.create", obj=course, summary=course.label, after=_snap(course, COURSE_FIELDS), actor=actor)
    return course


def update_course(course: Course, fields: dict, actor=None) -> Course:
    merged = {**_snap(course, COURSE_FIELDS), **fields}
    _check_course(merged["code"], merged["title"], merged["track"], merged["edition"], course.id)
    before, after = _apply(course, fields, COURSE_FIELDS)
    db.session.flush()
    if after:
        audit.record("course.update", obj=course, summary=course.label, before=before, after=after, actor=actor)
    return course


def delete_course(course: Course, actor=None) -> None:
    if db.session.scalar(select(exists().where(CourseAssignment.course_id == course.id))):
        raise ServiceError(_("This course is assigned to a cohort; remove the assignments first."))
    if db.session.scalar(select(exists().where(Attempt.quiz_id == Quiz.id, Quiz.course_id == course.id))):
        raise ServiceError(_("Trainees have taken quizzes of this course; it cannot be deleted."))
    audit.record("course.delete", obj=course, summary=course.label, before=_snap(course, COURSE_FIELDS), actor=actor)
    db.session.execute(delete(QuizQuestion).where(QuizQuestion.quiz_id.in_(
        select(Quiz.id).where(Quiz.course_id == course.id))))
    db.session.execute(delete(Quiz).where(Quiz.course_id == course.id))
    for question in db.session.scalars(select(Question).where(Question.course_id == course.id)):
        db.session.delete(question)
    _delete_lesson_files(Module.course_id == course.id)
    db.session.delete(course)
    db.session.flush()


# --- modules and lessons -------------------------------------------------------------------------

def create_module(course: Course, title: str, summary: str = "", key: str | None = None, actor=None) -> Module:
    if not title:
        raise ServiceError(_("Enter a title."), "title")
    module = Module(course_id=course.id, title=title, summary=summary, key=key,
                    position=_next_position(Module.position, Module.course_id == course.id))
    db.session.add(module)
    db.session.flush()
    audit.record("course.module_create", obj=module, summary=f"{course.label}: {title}", actor=actor)
    return module


def update_module(module: Module, title: str, summary: str, actor=None) -> Module:
    if not title:
        raise ServiceError(_("Enter a title."), "title")
    before, after = _apply(module, {"title": title, "summary": summary}, ("title", "summary"))
    db.session.flush()
    if after:
        audit.record("course.module_update", obj=module, summary=title, before=before, after=after, actor=actor)
    return module


def delete_module(module: Module, actor=None) -> None:
    used = db.session.scalar(select(exists().where(Attempt.quiz_id == Quiz.id, Quiz.module_id == module.id)))
    if used:
        raise ServiceError(_("Trainees have taken a quiz of this module; it cannot be deleted."))
    audit.record("course.module_delete", obj=module, summary=module.title, actor=actor)
    for quiz in db.session.scalars(select(Quiz).where(Quiz.module_id == module.id)):
        db.session.delete(quiz)
    _delete_lesson_files(Module.id == module.id)
    db.session.delete(module)
    db.session.flush()


def move_module(module: Module, direction: str, actor=None) -> bool:
    moved = _swap(list(module.course.modules), module, direction)
    if moved:
        audit.record("course.module_move", obj=module, summary=f"{module.title} {direction}", actor=actor)
        db.session.flush()
    return moved


def _lesson_fields(fields: dict) -> dict:
    if not fields.get("title"):
        raise ServiceError(_("Enter a title."), "title")
    minutes = fields.get("minutes", 10)
    if minutes is None or not 1 <= int(minutes) <= 600:
        raise ServiceError(_("Estimated minutes must be between 1 and 600."), "minutes")
    return fields


def create_lesson(module: Module, fields: dict, actor=None) -> Lesson:
    fields = _lesson_fields({"minutes": 10, "body_md": "", **fields})
    lesson = Lesson(module_id=module.id, position=_next_position(Lesson.position, Lesson.module_id == module.id),
                    title=fields["title"], body_md=fields["body_md"], body_html=render(fields["body_md"]),
                    minutes=fields["minutes"], key=fields.get("key"), tags=list(fields.get("tags") or []))
    db.session.add(lesson)
    db.session.flush()
    audit.record("course.lesson_create", obj=lesson, summary=lesson.title, actor=actor)
    return lesson


def update_lesson(lesson: Lesson, fields: dict, actor=None) -> Lesson:
    fields = _lesson_fields({**_snap(lesson, LESSON_FIELDS), **fields})
    before, after = _apply(lesson, fields, LESSON_FIELDS)
    lesson.body_html = render(lesson.body_md)
    if "tags" in fields:
        lesson.tags = list(fields["tags"])
    db.session.flush()
    if after:
        audit.record("course.lesson_update", obj=lesson, summary=lesson.title,
                     before={k: v for k, v in before.items() if k != "body_md"} | ({"body_md": "…"} if
                                                                                   "body_md" in before else {}),
                     after={k: v for k, v in after.items() if k != "body_md"} | ({"body_md": "…"} if
                                                                                 "body_md" in after else {}),
                     actor=actor)
    return lesson


def delete_lesson(lesson: Lesson, actor=None) -> None:
    audit.record("course.lesson_delete", obj=lesson, summary=lesson.title, actor=actor)
    filestore.delete(lesson.attachment_key)
    db.session.delete(lesson)
    db.session.flush()


def move_lesson(lesson: Lesson, direction: str, actor=None) -> bool:
    moved = _swap(list(lesson.module.lessons), lesson, direction)
    if moved:
        audit.record("course.lesson_move", obj=lesson, summary=f"{lesson.title} {direction}", actor=actor)
        db.session.flush()
    return moved


ATTACHMENT_KIND = "lesson_attachment"


def _delete_lesson_files(where) -> None:
    """Remove the stored attachments of the lessons of the modules matching ``where`` (same transaction)."""
    for key in list(db.session.scalars(select(Lesson.attachment_key).join(Module)
                                       .where(where, Lesson.attachment_key.is_not(None)))):
        filestore.delete(key)


def set_attachment(lesson: Lesson, filename: str, data: bytes, actor=None) -> Lesson:
    """Store an uploaded file for a lesson after checking its size, extension and leading bytes.

    The file goes into the file store in the caller's transaction: a failed commit leaves no file.
    """
    limit = current_app.config.get("COURSE_ATTACHMENT_MAX_BYTES", 5 * 1024 * 1024)
    name = Path(filename or "").name.strip()
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in ATTACHMENT_TYPES:
        raise ServiceError(_("This file type is not accepted. Use PDF, Word, Excel, PowerPoint, PNG, JPEG or "
                             "plain text."), "attachment")
    if not data:
        raise ServiceError(_("The file is empty."), "attachment")
    if len(data) > limit:
        raise ServiceError(_("The file is larger than %(mb)s MB.", mb=round(limit / 1048576, 1)), "attachment")
    mime, magic = ATTACHMENT_TYPES[ext]
    if magic and not any(data.startswith(m) for m in magic):
        raise ServiceError(_("The file content does not match its .%(ext)s extension.", ext=ext), "attachment")
    if magic is None:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise ServiceError(_("A .txt attachment must be UTF-8 text."), "attachment") from None
    stored = filestore.put(data, name=name[:200], content_type=mime, kind=ATTACHMENT_KIND)
    filestore.delete(lesson.attachment_key)
    lesson.attachment_name, lesson.attachment_key = name[:200], stored
    lesson.attachment_type, lesson.attachment_size = mime, len(data)
    db.session.flush()
    audit.record("course.lesson_attach", obj=lesson, summary=f"{lesson.title}: {name}", actor=actor)
    return lesson


def remove_attachment(lesson: Lesson, actor=None) -> None:
    if lesson.attachment_key:
        audit.record("course.lesson_detach", obj=lesson, summary=f"{lesson.title}: {lesson.attachment_name}",
                     actor=actor)
        filestore.delete(lesson.attachment_key)
        lesson.attachment_name = lesson.attachment_key = lesson.attachment_type = None
        lesson.attachment_size = None
        db.session.flush()


# --- question bank -------------------------------------------------------------------------------

def _new_key(course: Course, prefix: str = "q") -> str:
    taken = set(db.session.scalars(select(Question.key).where(Question.course_id == course.id)))
    n = len(taken) + 1
    while f"{prefix}-{n:03d}" in taken:
        n += 1
    return f"{prefix}-{n:03d}"


def _check_question(course: Course, fields: dict, question_id: int | None = None) -> dict:
    if fields.get("qtype") not in TYPE_KEYS:
        raise ServiceError(_("Choose a question type."), "qtype")
    if not (fields.get("text") or "").strip():
        raise ServiceError(_("Enter the question text."), "text")
    try:
        fields["spec"] = check_spec(fields["qtype"], fields.get("spec") or {})
    except SpecError as exc:
        raise ServiceError(_(str(exc)), "spec") from None
    difficulty = fields.get("difficulty") or 2
    if difficulty not in (1, 2, 3):
        raise ServiceError(_("Difficulty is 1, 2 or 3."), "difficulty")
    key = (fields.get("key") or "").strip() or _new_key(course)
    if db.session.scalar(select(Question.id).where(Question.course_id == course.id, Question.key == key,
                                                   Question.id != (question_id or 0))):
        raise ServiceError(_("Another question of this course has the key %(key)s.", key=key), "key")
    module_id = fields.get("module_id")
    if module_id and not db.session.scalar(select(Module.id).where(Module.id == module_id,
                                                                   Module.course_id == course.id)):
        raise ServiceError(_("Choose a module of this course."), "module_id")
    return {**fields, "key": key, "difficulty": difficulty, "module_id": module_id or None}


def create_question(course: Course, fields: dict, tags: Iterable[str] = (), actor=None, audit_it=True) -> Question:
    fields = _check_question(course, {"explanation": "", **fields})
    question = Question(course_id=course.id, **{k: fields[k] for k in QUESTION_FIELDS if k in fields})
    question.set_tags(tags)
    db.session.add(question)
    db.session.flush()
    if audit_it:
        audit.record("course.question_create", obj=question, summary=f"{course.label}: {question.key}", actor=actor)
    return question


def update_question(question: Question, fields: dict, tags: Iterable[str] | None = None, actor=None,
                    audit_it=True) -> Question:
    fields = _check_question(question_course(question), {**_snap(question, QUESTION_FIELDS), **fields}, question.id)
    before_tags = question.tags
    before, after = _apply(question, fields, QUESTION_FIELDS)
    if tags is not None:
        question.set_tags(tags)
        if question.tags != before_tags:
            before["tags"], after["tags"] = before_tags, question.tags
    db.session.flush()
    if after and audit_it:
        audit.record("course.question_update", obj=question, summary=question.key, before=before, after=after,
                     actor=actor)
    return question


def question_course(question: Question) -> Course:
    return db.session.get(Course, question.course_id)


def delete_question(question: Question, actor=None) -> None:
    if db.session.scalar(select(exists().where(Answer.question_id == question.id))):
        raise ServiceError(_("Trainees have answered this question; it cannot be deleted (make a new edition "
                             "to retire it)."))
    audit.record("course.question_delete", obj=question, summary=question.key, actor=actor)
    db.session.execute(delete(QuizQuestion).where(QuizQuestion.question_id == question.id))
    db.session.delete(question)
    db.session.flush()


def import_gift(course: Course, text: str, actor=None) -> tuple[int, int, list[gift.GiftProblem]]:
    """Import GIFT questions into a course bank: a question whose key exists is updated, others are
    created. Returns (created, updated, problems); problem questions are skipped, never half-written."""
    result = gift.parse(text or "")
    created = updated = 0
    problems = list(result.problems)
    existing = {q.key: q for q in db.session.scalars(select(Question).where(Question.course_id == course.id))}
    for number, parsed in enumerate(result.questions, start=1):
        fields = {"qtype": parsed.qtype, "text": parsed.text, "spec": parsed.spec, "explanation": parsed.explanation,
                  "difficulty": parsed.difficulty, "key": parsed.key}
        try:
            with db.session.begin_nested():
                if parsed.key and parsed.key in existing:
                    update_question(existing[parsed.key], fields, parsed.tags, actor=actor, audit_it=False)
                    updated += 1
                else:
                    question = create_question(course, fields, parsed.tags, actor=actor, audit_it=False)
                    existing[question.key] = question
                    created += 1
        except ServiceError as exc:
            problems.append(gift.GiftProblem(number, parsed.title or parsed.text[:60], exc.message))
    audit.record("course.gift_import", obj=course, summary=f"{course.label}: {created} created, {updated} updated, "
                                                           f"{len(problems)} problems", actor=actor)
    return created, updated, problems


# --- quizzes -------------------------------------------------------------------------------------

def _check_quiz(course: Course, fields: dict, quiz_id: int | None = None) -> dict:
    if not fields.get("title"):
        raise ServiceError(_("Enter a title."), "title")
    if fields.get("kind") not in QUIZ_KINDS:
        raise ServiceError(_("Choose a kind of quiz."), "kind")
    if fields.get("feedback") not in FEEDBACK_POLICIES:
        raise ServiceError(_("Choose a feedback policy."), "feedback")
    if not 0 <= (fields.get("pass_mark") or 0) <= 100:
        raise ServiceError(_("The pass mark is a percentage from 0 to 100."), "pass_mark")
    for name in ("time_limit_minutes", "max_attempts", "random_count"):
        if (fields.get(name) or 0) < 0:
            raise ServiceError(_("Enter zero or a positive number."), name)
    if fields.get("selection") == "random":
        if not fields.get("random_count"):
            raise ServiceError(_("Say how many questions to draw."), "random_count")
        available = db.session.scalar(available_for_tag(course, fields.get("random_tag") or ""))
        if available < fields["random_count"]:
            raise ServiceError(_("Only %(n)s questions of this course have that tag.", n=available), "random_tag")
    module_id = fields.get("module_id")
    if module_id and not db.session.scalar(select(Module.id).where(Module.id == module_id,
                                                                   Module.course_id == course.id)):
        raise ServiceError(_("Choose a module of this course."), "module_id")
    key = (fields.get("key") or "").strip()
    if not key:
        key = f"quiz-{_next_position(Quiz.id, Quiz.course_id == course.id)}"
    if db.session.scalar(select(Quiz.id).where(Quiz.course_id == course.id, Quiz.key == key,
                                               Quiz.id != (quiz_id or 0))):
        raise ServiceError(_("Another quiz of this course has the key %(key)s.", key=key), "key")
    return {**fields, "key": key, "module_id": module_id or None}


def available_for_tag(course: Course, tag: str):
    """A scalar query: how many questions of ``course`` carry ``tag`` (all of them for an empty tag)."""
    from courses.models import QuestionTag

    query = select(func.count(Question.id)).where(Question.course_id == course.id)
    if tag:
        query = query.where(Question.id.in_(select(QuestionTag.question_id).where(QuestionTag.tag == tag)))
    return query


def create_quiz(course: Course, fields: dict, actor=None) -> Quiz:
    defaults = {"kind": "practice", "feedback": "after_submit", "selection": "fixed", "pass_mark": 60,
                "time_limit_minutes": 0, "max_attempts": 0, "random_count": 0, "random_tag": "", "shuffle": False,
                "instructions": ""}
    fields = _check_quiz(course, {**defaults, **fields})
    quiz = Quiz(course_id=course.id, **{k: fields[k] for k in QUIZ_FIELDS if k in fields},
                position=_next_position(Quiz.position, Quiz.course_id == course.id))
    db.session.add(quiz)
    db.session.flush()
    audit.record("course.quiz_create", obj=quiz, summary=f"{course.label}: {quiz.title}", actor=actor)
    return quiz


def update_quiz(quiz: Quiz, fields: dict, actor=None) -> Quiz:
    fields = _check_quiz(quiz.course, {**_snap(quiz, QUIZ_FIELDS), **fields}, quiz.id)
    before, after = _apply(quiz, fields, QUIZ_FIELDS)
    db.session.flush()
    if after:
        audit.record("course.quiz_update", obj=quiz, summary=quiz.title, before=before, after=after, actor=actor)
    return quiz


def delete_quiz(quiz: Quiz, actor=None) -> None:
    if db.session.scalar(select(exists().where(Attempt.quiz_id == quiz.id))):
        raise ServiceError(_("Trainees have attempted this quiz; it cannot be deleted."))
    audit.record("course.quiz_delete", obj=quiz, summary=quiz.title, actor=actor)
    db.session.delete(quiz)
    db.session.flush()


def add_quiz_questions(quiz: Quiz, question_ids: Iterable[int], actor=None) -> int:
    """Append bank questions (of the quiz's course) to a fixed quiz; ones already in it are skipped."""
    present = {item.question_id for item in quiz.items}
    wanted = [qid for qid in dict.fromkeys(question_ids) if qid not in present]
    valid = set(db.session.scalars(select(Question.id).where(Question.id.in_(wanted),
                                                             Question.course_id == quiz.course_id)))
    position = max((item.position for item in quiz.items), default=0)
    added = 0
    for qid in wanted:
        if qid in valid:
            position += 1
            quiz.items.append(QuizQuestion(question_id=qid, position=position))
            added += 1
    if added:
        db.session.flush()
        audit.record("course.quiz_add_questions", obj=quiz, summary=f"{quiz.title}: +{added}", actor=actor)
    return added


def remove_quiz_question(quiz: Quiz, item_id: int, actor=None) -> None:
    item = next((i for i in quiz.items if i.id == item_id), None)
    if item is None:
        raise ServiceError(_("That question is not in this quiz."))
    quiz.items.remove(item)
    for position, other in enumerate(quiz.items, start=1):
        other.position = position
    db.session.flush()
    audit.record("course.quiz_remove_question", obj=quiz, summary=f"{quiz.title}: −{item.question_id}", actor=actor)


def move_quiz_question(quiz: Quiz, item_id: int, direction: str, actor=None) -> bool:
    item = next((i for i in quiz.items if i.id == item_id), None)
    if item is None:
        raise ServiceError(_("That question is not in this quiz."))
    moved = _swap(list(quiz.items), item, direction)
    if moved:
        db.session.flush()
        audit.record("course.quiz_move_question", obj=quiz, summary=f"{quiz.title}: {item.question_id} {direction}",
                     actor=actor)
    return moved


# --- editions ------------------------------------------------------------------------------------

def new_edition(course: Course, edition: str, actor=None) -> Course:
    """Copy a course (modules, lessons, questions with tags, quizzes) into a new unpublished edition.
    Assignments, attempts and progress stay with the old edition, so past scores never change."""
    edition = (edition or "").strip()
    if not edition:
        raise ServiceError(_("Name the new edition."), "edition")
    _check_course(course.code, course.title, course.track, edition)
    copy = Course(code=course.code, title=course.title, track=course.track, summary=course.summary, edition=edition,
                  language=course.language, is_published=False, previous_edition_id=course.id)
    db.session.add(copy)
    module_map: dict[int, Module] = {}
    for module in course.modules:
        new_module = Module(position=module.position, key=module.key, title=module.title, summary=module.summary)
        copy.modules.append(new_module)
        module_map[module.id] = new_module
        for lesson in module.lessons:
            new_module.lessons.append(Lesson(
                position=lesson.position, key=lesson.key, title=lesson.title, body_md=lesson.body_md,
                body_html=lesson.body_html, minutes=lesson.minutes, tags=list(lesson.tags or []),
                attachment_name=lesson.attachment_name, attachment_type=lesson.attachment_type,
                attachment_size=lesson.attachment_size, attachment_key=_copy_file(lesson.attachment_key)))
    db.session.flush()
    question_map: dict[int, Question] = {}
    for question in db.session.scalars(select(Question).where(Question.course_id == course.id)):
        new_q = Question(course_id=copy.id, key=question.key, qtype=question.qtype, text=question.text,
                         spec=dict(question.spec), explanation=question.explanation, difficulty=question.difficulty,
                         module_id=module_map[question.module_id].id if question.module_id in module_map else None)
        new_q.set_tags(question.tags)
        db.session.add(new_q)
        question_map[question.id] = new_q
    db.session.flush()
    for quiz in db.session.scalars(select(Quiz).where(Quiz.course_id == course.id)):
        new_quiz = Quiz(course_id=copy.id, **{k: getattr(quiz, k) for k in QUIZ_FIELDS if k != "module_id"},
                        position=quiz.position,
                        module_id=module_map[quiz.module_id].id if quiz.module_id in module_map else None)
        new_quiz.items = [QuizQuestion(question_id=question_map[item.question_id].id, position=item.position)
                          for item in quiz.items]
        db.session.add(new_quiz)
    db.session.flush()
    audit.record("course.new_edition", obj=copy, summary=f"{course.label} → {copy.label}", actor=actor)
    return copy


def _copy_file(key: str | None) -> str | None:
    """A copy of a lesson attachment for a new edition (each lesson owns its file; deleting one keeps the other)."""
    blob = filestore.get(key, kind=ATTACHMENT_KIND)
    if blob is None:
        return None
    return filestore.put(blob.data, name=blob.name, content_type=blob.content_type, kind=ATTACHMENT_KIND)


# --- cohort assignments --------------------------------------------------------------------------

def _check_assignment(course: Course, opens_on: date | None, due_on: date | None, pre_test_id, post_test_id) -> None:
    if opens_on and due_on and due_on < opens_on:
        raise ServiceError(_("The due date must not be before the opening date."), "due_on")
    for field, quiz_id in (("pre_test_id", pre_test_id), ("post_test_id", post_test_id)):
        if quiz_id and not db.session.scalar(select(Quiz.id).where(Quiz.id == quiz_id, Quiz.course_id == course.id)):
            raise ServiceError(_("Choose a quiz of this course."), field)
    if pre_test_id and pre_test_id == post_test_id:
        raise ServiceError(_("The pre-test and the post-test must be different quizzes."), "post_test_id")


def assign_course(cohort, course: Course, opens_on: date | None = None, due_on: date | None = None,
                  pre_test_id: int | None = None, post_test_id: int | None = None, actor=None) -> CourseAssignment:
    if db.session.scalar(select(CourseAssignment.id).where(CourseAssignment.cohort_id == cohort.id,
                                                           CourseAssignment.course_id == course.id)):
        raise ServiceError(_("This course is already assigned to that cohort."), "cohort_id")
    _check_assignment(course, opens_on, due_on, pre_test_id, post_test_id)
    assignment = CourseAssignment(cohort_id=cohort.id, course_id=course.id, opens_on=opens_on, due_on=due_on,
                                  pre_test_id=pre_test_id or None, post_test_id=post_test_id or None)
    db.session.add(assignment)
    db.session.flush()
    audit.record("course.assign", obj=assignment, summary=f"{course.label} → {cohort.code}", actor=actor)
    return assignment


def update_assignment(assignment: CourseAssignment, opens_on, due_on, pre_test_id, post_test_id,
                      actor=None) -> CourseAssignment:
    _check_assignment(assignment.course, opens_on, due_on, pre_test_id, post_test_id)
    fields = {"opens_on": opens_on, "due_on": due_on, "pre_test_id": pre_test_id or None,
              "post_test_id": post_test_id or None}
    before, after = _apply(assignment, fields, tuple(fields))
    db.session.flush()
    if after:
        audit.record("course.assignment_update", obj=assignment, before=before, after=after, actor=actor,
                     summary=f"{assignment.course.label} → {assignment.cohort.code}")
    return assignment


def delete_assignment(assignment: CourseAssignment, actor=None) -> None:
    if db.session.scalar(select(exists().where(Attempt.assignment_id == assignment.id))):
        raise ServiceError(_("Trainees of this cohort have taken quizzes of the course; the assignment stays."))
    audit.record("course.unassign", obj=assignment, summary=f"{assignment.course.label} → {assignment.cohort.code}",
                 actor=actor)
    db.session.delete(assignment)
    db.session.flush()
