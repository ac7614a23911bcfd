"""The content loader turns course.toml + lesson files into rows, idempotently, and reports bad files."""

import shutil

from sqlalchemy import func, select

from courses.content_loader import CONTENT_DIR, ContentError, load_all, load_course, read_course
from courses.models import Course, Lesson, Question, QuestionTag, Quiz, QuizQuestion
from tests.courses.builders import SAMPLE, quiz


def _counts(db):
    return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in
                 (Course, Lesson, Question, QuestionTag, Quiz, QuizQuestion))


def test_loads_sample_course(db):
    result = load_course(SAMPLE)
    assert result.created
    assert result.counts == {"modules": 2, "lessons": 3, "questions": 8, "quizzes": 4}
    course = db.session.get(Course, result.course_id)
    assert (course.code, course.edition, course.track, course.is_published) == ("TEST-F", "2026 test", "ISMS", True)
    assert [m.title for m in course.modules] == ["Assets and risk", "Incident handling"]
    lesson = course.modules[0].lessons[0]
    assert lesson.title == "Information assets" and lesson.minutes == 12 and lesson.tags == ["iso27001:4.1"]
    assert "<table>" in lesson.body_html and "<strong>information asset</strong>" in lesson.body_html
    q = db.session.scalar(select(Question).where(Question.key == "t-002"))
    assert q.spec == {"options": ["Confidentiality", "Integrity", "Auditability", "Availability"], "correct": [0, 1, 3]}
    assert q.tags == ["iso27001:4.1", "topic:cia"] and q.module_id == course.modules[0].id
    pre = quiz(course, "t-pre")
    assert (pre.kind, pre.max_attempts, pre.time_limit_minutes, pre.feedback) == ("pre_test", 1, 30, "after_close")
    assert [i.question.key for i in pre.items] == ["t-001", "t-002", "t-005", "t-006"]
    assert quiz(course, "t-m2").module_id == course.modules[1].id


def test_loading_twice_changes_nothing(db):
    load_course(SAMPLE)
    before = _counts(db)
    second = load_course(SAMPLE)
    assert not second.created
    assert _counts(db) == before


def test_reload_updates_in_place(db, tmp_path):
    folder = tmp_path / "c"
    shutil.copytree(SAMPLE, folder)
    first = load_course(folder)
    text = (folder / "course.toml").read_text().replace('title = "Information assets"', 'title = "Assets, revised"')
    text = text.replace('questions = ["t-001", "t-002", "t-005", "t-006"]', 'questions = ["t-006", "t-001"]')
    (folder / "course.toml").write_text(text)
    second = load_course(folder)
    assert second.course_id == first.course_id
    course = db.session.get(Course, first.course_id)
    db.session.expire_all()
    assert course.modules[0].lessons[0].title == "Assets, revised"
    assert [i.question.key for i in quiz(course, "t-pre").items] == ["t-006", "t-001"]


def test_bad_file_reports_every_problem_and_loads_nothing(db, tmp_path):
    folder = tmp_path / "broken"
    shutil.copytree(SAMPLE, folder)
    text = (folder / "course.toml").read_text()
    text = text.replace('correct = [1]', 'correct = [7]').replace('type = "numeric"', 'type = "essay"', 1)
    text = text.replace('"t-003", "t-004", "t-007", "t-008"]', '"t-003", "nope"]')
    (folder / "course.toml").write_text(text)
    (folder / "lessons" / "02-01-triage.md").unlink()
    try:
        read_course(folder)
        raise AssertionError("expected ContentError")
    except ContentError as exc:
        joined = " | ".join(exc.problems)
    assert "t-001" in joined and "out of range" in joined
    assert "t-004" in joined and "type must be" in joined
    assert "unknown questions nope" in joined
    assert "lessons/02-01-triage.md not found" in joined
    results, errors = load_all(tmp_path)
    assert results == [] and len(errors) == 1
    assert db.session.scalar(select(func.count()).select_from(Course)) == 0


def test_load_all_on_empty_or_missing_folder(db, tmp_path):
    assert load_all(tmp_path) == ([], [])
    assert load_all(tmp_path / "missing") == ([], [])


def test_shipped_content_loads_if_present(db):
    """Whatever the content helper ships in courses/content must load without errors."""
    results, errors = load_all(CONTENT_DIR)
    assert errors == []
    for result in results:
        assert result.counts["questions"] > 0


def test_cli_load_content(runner, tmp_path):
    shutil.copytree(SAMPLE, tmp_path / "sample")
    result = runner.invoke(args=["courses", "load-content", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "course TEST-F (2026 test) created" in result.output
    assert "loaded: 1, errors: 0" in result.output
    bad = runner.invoke(args=["courses", "load-content", "--dir", str(tmp_path / "nope")])
    assert bad.exit_code != 0 and "not a folder" in bad.output
