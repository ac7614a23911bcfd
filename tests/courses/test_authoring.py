"""Organiser authoring over HTTP: courses, modules, lessons with preview and attachments, the question
bank, GIFT import/export, quiz builder, assignments and new editions — with audit records."""

import io

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from core import filestore
from core.audit import AuditEvent
from core.filestore import StoredFile
from courses.models import Course, CourseAssignment, Lesson, Module, Question, Quiz
from tests import factories
from tests.courses.builders import enrolled, lessons, quiz, sample_course

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _audit(db, action):
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


def test_course_module_lesson_crud_with_preview(client, db, login_as):
    login_as("organiser")
    r = client.post("/courses/new", data={"code": "CSIRT-X", "title": "CSIRT basics", "track": "CSIRT",
                                          "edition": "2026", "language": "en", "summary": "S"})
    assert r.status_code == 302
    course = db.session.scalar(select(Course).where(Course.code == "CSIRT-X"))
    dup = client.post("/courses/new", data={"code": "csirt-x", "title": "Again", "track": "CSIRT", "edition": "2026",
                                            "language": "en"})
    assert dup.status_code == 200 and "already has this code and edition" in dup.get_data(as_text=True)
    for title in ("First", "Second"):
        client.post(f"/courses/{course.id}/modules/new", data={"title": title})
    modules = list(db.session.scalars(select(Module).where(Module.course_id == course.id).order_by(Module.position)))
    assert [m.title for m in modules] == ["First", "Second"]
    client.post(f"/courses/modules/{modules[1].id}/move/up")
    db.session.expire_all()
    assert [m.title for m in db.session.get(Course, course.id).modules] == ["Second", "First"]

    body = "# Hi\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1))"
    preview = client.post(f"/courses/modules/{modules[0].id}/lessons/new",
                          data={"title": "L1", "minutes": "12", "body_md": body, "preview": "Preview"})
    page = preview.get_data(as_text=True).split('id="preview-title"')[1]
    assert preview.status_code == 200 and "<h1>Hi</h1>" in page
    assert "<script>alert" not in page and "onerror=" not in page and 'href="javascript' not in page
    assert db.session.scalar(select(func.count()).select_from(Lesson)) == 0  # preview saves nothing
    saved = client.post(f"/courses/modules/{modules[0].id}/lessons/new",
                        data={"title": "L1", "minutes": "12", "body_md": body})
    assert saved.status_code == 302
    lesson = db.session.scalar(select(Lesson))
    assert "<script" not in lesson.body_html and "<h1>Hi</h1>" in lesson.body_html
    bad = client.post(f"/courses/lessons/{lesson.id}/edit", data={"title": "", "minutes": "0", "body_md": ""})
    assert bad.status_code == 200 and "field-errors" in bad.get_data(as_text=True) or "errors" in bad.get_data(
        as_text=True)
    assert _audit(db, "course.create") == 1 and _audit(db, "course.lesson_create") == 1
    assert _audit(db, "course.module_move") == 1


def test_lesson_attachment_checks_and_access(client, db, login_as, app, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    p = enrolled(pre_post=False)
    stranger = enrolled(course=p.course)  # another cohort with the same course, different assignment
    lesson = lessons(p.course)[0]
    organiser = login_as("organiser")
    url = f"/courses/lessons/{lesson.id}/attachment"
    fake = client.post(url, data={"attachment": (io.BytesIO(b"MZ\x90\x00 not a pdf"), "notes.pdf")})
    assert fake.status_code == 302
    assert "does not match" in client.get(f"/courses/lessons/{lesson.id}/edit").get_data(as_text=True)
    exe = client.post(url, data={"attachment": (io.BytesIO(b"MZ"), "tool.exe")})
    assert exe.status_code == 302
    assert "not accepted" in client.get(f"/courses/lessons/{lesson.id}/edit").get_data(as_text=True)
    monkeypatch.setitem(app.config, "COURSE_ATTACHMENT_MAX_BYTES", 20)
    client.post(url, data={"attachment": (io.BytesIO(PDF), "big.pdf")})
    assert "larger than" in client.get(f"/courses/lessons/{lesson.id}/edit").get_data(as_text=True)
    monkeypatch.setitem(app.config, "COURSE_ATTACHMENT_MAX_BYTES", 5 * 1024 * 1024)
    client.post(url, data={"attachment": (io.BytesIO(PDF), "../../handout.pdf")})
    db.session.expire_all()
    lesson = db.session.get(Lesson, lesson.id)
    assert lesson.attachment_name == "handout.pdf" and lesson.attachment_size == len(PDF)
    blob = filestore.get(lesson.attachment_key, kind="lesson_attachment")
    assert blob.data == PDF and blob.content_type == "application/pdf" and blob.name == "handout.pdf"
    assert list(tmp_path.iterdir()) == []  # in the database's file store, nothing on this machine's disk
    admin_copy = client.get(f"/courses/lessons/{lesson.id}/attachment/file")
    assert admin_copy.data == PDF and admin_copy.mimetype == "application/pdf"
    assert admin_copy.headers["Content-Disposition"] == "attachment; filename=handout.pdf"
    assert admin_copy.headers["Cache-Control"] == "no-store, private"
    admin_copy.close()
    client.post("/logout")
    del organiser
    login_as(user=p.user)
    page = client.get(f"/learn/{p.assignment.id}/lessons/{lesson.id}").get_data(as_text=True)
    assert f'href="/learn/{p.assignment.id}/lessons/{lesson.id}/file">Download: handout.pdf</a>' in page
    got = client.get(f"/learn/{p.assignment.id}/lessons/{lesson.id}/file")
    assert got.status_code == 200 and got.data == PDF and "attachment" in got.headers["Content-Disposition"]
    got.close()
    assert client.get(f"/learn/{stranger.assignment.id}/lessons/{lesson.id}/file").status_code == 404
    assert client.get(f"/courses/lessons/{lesson.id}/attachment/file").status_code == 403
    client.post("/logout")
    login_as(user=stranger.user)  # has a pre-test to take first: the file stays locked
    assert client.get(f"/learn/{stranger.assignment.id}/lessons/{lesson.id}/file").status_code == 404
    assert client.get(f"/learn/{p.assignment.id}/lessons/{lesson.id}/file").status_code == 404


def _stored(db, kind="lesson_attachment") -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(StoredFile).where(StoredFile.kind == kind))


def test_a_failed_commit_leaves_no_attachment_file(client, db, login_as, app, tmp_path, monkeypatch):
    """The old code wrote instance/course_files/<file> before the commit: a failed commit left an orphan."""
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    lesson = lessons(sample_course())[0]
    db.session.commit()
    login_as("organiser")

    def database_went_away(session):
        raise RuntimeError("the database went away during the commit")

    event.listen(Session, "before_commit", database_went_away)
    try:
        with pytest.raises(RuntimeError, match="went away"):
            client.post(f"/courses/lessons/{lesson.id}/attachment",
                        data={"attachment": (io.BytesIO(PDF), "handout.pdf")})
    finally:
        event.remove(Session, "before_commit", database_went_away)
    db.session.rollback()
    assert _stored(db) == 0  # no file in the store …
    assert list(tmp_path.iterdir()) == []  # … and none on disk
    assert db.session.get(Lesson, lesson.id).attachment_key is None


def test_replacing_removing_and_copying_attachments_keep_no_stray_files(client, db, login_as):
    course = sample_course()
    lesson = lessons(course)[0]
    db.session.commit()
    login_as("organiser")
    url = f"/courses/lessons/{lesson.id}/attachment"
    client.post(url, data={"attachment": (io.BytesIO(PDF), "one.pdf")})
    client.post(url, data={"attachment": (io.BytesIO(b"plain text"), "two.txt")})
    assert _stored(db) == 1  # the replaced file went with the same commit
    db.session.expire_all()
    first_key = db.session.get(Lesson, lesson.id).attachment_key
    got = client.get(f"/courses/lessons/{lesson.id}/attachment/file")
    assert got.data == b"plain text" and got.mimetype == "text/plain"
    assert got.headers["Content-Disposition"] == "attachment; filename=two.txt"  # never inline
    got.close()
    r = client.post(f"/courses/{course.id}/edition", data={"edition": "2027"})
    assert r.status_code == 302, r.get_data(as_text=True)[-2000:]
    copy = db.session.scalar(select(Course).where(Course.edition == "2027"))
    copied = next(le for m in copy.modules for le in m.lessons if le.key == lesson.key)
    assert copied.attachment_key not in (None, first_key) and _stored(db) == 2
    assert filestore.get(copied.attachment_key).data == b"plain text"
    client.post(f"/courses/lessons/{lesson.id}/attachment/delete", data={"confirm": "y"})
    db.session.expire_all()
    assert db.session.get(Lesson, lesson.id).attachment_key is None and _stored(db) == 1
    assert filestore.get(copied.attachment_key).data == b"plain text"  # the copy keeps its own file


def test_question_form_all_types_and_errors(client, db, login_as):
    course = sample_course()
    login_as("organiser")
    url = f"/courses/{course.id}/questions/new"
    base = {"text": "Pick", "difficulty": "2", "module_id": "0", "tags": "topic:x, iso27001:5.1", "tf_answer": "true"}
    r = client.post(url, data={**base, "key": "new-1", "qtype": "multiple_choice", "options": "* A\nB\n* C"})
    assert r.status_code == 302
    q = db.session.scalar(select(Question).where(Question.key == "new-1"))
    assert q.spec == {"options": ["A", "B", "C"], "correct": [0, 2]} and q.tags == ["iso27001:5.1", "topic:x"]
    r = client.post(url, data={**base, "key": "new-2", "qtype": "single_choice", "options": "* A\n* B"})
    assert r.status_code == 200 and "exactly one correct option" in r.get_data(as_text=True)
    r = client.post(url, data={**base, "key": "new-3", "qtype": "numeric", "numeric_answer": "abc"})
    assert r.status_code == 200 and "numeric answer" in r.get_data(as_text=True)
    r = client.post(url, data={**base, "key": "t-001", "qtype": "true_false"})
    assert r.status_code == 200 and "has the key t-001" in r.get_data(as_text=True)
    r = client.post(url, data={**base, "key": "new-4", "qtype": "numeric", "numeric_answer": "7,5", "tolerance": "0.5"})
    assert db.session.scalar(select(Question.spec).where(Question.key == "new-4")) == {"answer": 7.5, "tolerance": 0.5}
    r = client.post(url, data={**base, "key": "new-5", "qtype": "short_text", "answers": "SoA\nstatement of app"})
    assert db.session.scalar(select(Question.spec).where(Question.key == "new-5")) == {
        "answers": ["SoA", "statement of app"]}
    prev = client.post(url, data={**base, "qtype": "single_choice", "options": "* Yes\nNo", "preview": "Preview",
                                  "text": "Is <script>x</script> **bold**?"})
    assert "<strong>bold</strong>" in prev.get_data(as_text=True) and "<script>x" not in prev.get_data(as_text=True)
    listing = client.get(f"/courses/{course.id}/questions?tag=topic:x").get_data(as_text=True)
    assert "new-1" in listing and "t-001" not in listing
    edit = client.get(f"/courses/questions/{q.id}/edit").get_data(as_text=True)
    assert "* A" in edit and "topic:x" in edit
    assert client.get(f"/courses/questions/{q.id}").status_code == 200
    assert client.post(f"/courses/questions/{q.id}/delete").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Question).where(Question.key == "new-1")) == 0


def test_gift_import_view_reports_problems_and_export_round_trips(client, db, login_as):
    course = sample_course()
    login_as("organiser")
    text = ("::g1::Which? {=Right ~Wrong}\n\n::bad::Match {=a -> b}\n\n// [tag:topic:gift]\n"
            "::g2::2+2? {#4}\n\n::t-003::Updated TF text {T}")
    r = client.post(f"/courses/{course.id}/questions/import", data={"text": text})
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "2 created, 1 updated, 1 not imported" in page and "Matching" in page
    assert db.session.scalar(select(Question.text).where(Question.key == "t-003",
                                                         Question.course_id == course.id)) == "Updated TF text"
    upload = client.post(f"/courses/{course.id}/questions/import",
                         data={"file": (io.BytesIO(b"\xff\xfe bad"), "x.gift")})
    assert "not UTF-8" in upload.get_data(as_text=True)
    exported = client.get(f"/courses/{course.id}/questions/export.gift")
    assert exported.status_code == 200 and ".gift" in exported.headers["Content-Disposition"]
    before = {(q.key, q.qtype, q.text, str(q.spec), q.explanation, tuple(q.tags), q.difficulty)
              for q in db.session.scalars(select(Question).where(Question.course_id == course.id))}
    other = factories_course(db)
    client.post(f"/courses/{other.id}/questions/import", data={"text": exported.get_data(as_text=True)})
    after = {(q.key, q.qtype, q.text, str(q.spec), q.explanation, tuple(q.tags), q.difficulty)
             for q in db.session.scalars(select(Question).where(Question.course_id == other.id))}
    assert after == before and len(after) == 10
    filtered = client.get(f"/courses/{course.id}/questions/export.gift?tag=topic:gift").get_data(as_text=True)
    assert "[id:g2]" in filtered and "[id:g1]" not in filtered



def test_gift_import_of_a_repeated_name_keeps_both_questions_and_reimports_in_place(db):
    from courses import services

    course = sample_course()
    text = "::Same:: First {T}\n\n::Same:: Second {F}"
    created, updated, problems = services.import_gift(course, text)
    assert (created, updated, problems) == (2, 0, [])
    rows = lambda: sorted(db.session.execute(select(Question.key, Question.text).where(  # noqa: E731
        Question.course_id == course.id, Question.key.like("Same%"))).all())
    assert rows() == [("Same", "First"), ("Same-2", "Second")]
    assert services.import_gift(course, text)[:2] == (0, 2)
    assert rows() == [("Same", "First"), ("Same-2", "Second")]

def factories_course(db):
    from courses import services

    return services.create_course({"code": "COPY", "title": "Copy", "track": "other"})


def test_quiz_builder_and_settings(client, db, login_as):
    course = sample_course()
    login_as("organiser")
    r = client.post(f"/courses/{course.id}/quizzes/new", data={
        "title": "Practice A", "kind": "practice", "module_id": "0", "pass_mark": "70", "feedback": "immediate",
        "selection": "fixed", "time_limit_minutes": "0", "max_attempts": "0", "random_count": "0"})
    assert r.status_code == 302
    new = db.session.scalar(select(Quiz).where(Quiz.title == "Practice A"))
    ids = [q.id for q in db.session.scalars(select(Question).where(Question.course_id == course.id)
                                            .order_by(Question.key).limit(3))]
    client.post(f"/courses/quizzes/{new.id}/add", data={"question_id": [str(i) for i in ids] + ["999999", "x"]})
    db.session.expire_all()
    new = db.session.get(Quiz, new.id)
    assert [i.question_id for i in new.items] == ids
    client.post(f"/courses/quizzes/{new.id}/items/{new.items[2].id}/move/up")
    client.post(f"/courses/quizzes/{new.id}/items/{new.items[0].id}/remove")
    db.session.expire_all()
    assert [i.question_id for i in db.session.get(Quiz, new.id).items] == [ids[2], ids[1]]
    page = client.get(f"/courses/quizzes/{new.id}?tag=first:6.1").get_data(as_text=True)
    assert "t-005" in page and "t-001" not in page.split("Add from the bank")[1]
    bad = client.post(f"/courses/quizzes/{new.id}/edit", data={
        "title": "Practice A", "kind": "practice", "module_id": "0", "pass_mark": "70", "feedback": "immediate",
        "selection": "random", "random_count": "9", "random_tag": "topic:tlp"})
    assert bad.status_code == 200 and "Only 1 questions" in bad.get_data(as_text=True)


def test_assignment_and_new_edition_views(client, db, login_as):
    course = sample_course()
    cohort = factories.cohort()
    login_as("organiser")
    page = client.get(f"/courses/{course.id}/assign").get_data(as_text=True)
    assert f'<option selected value="{quiz(course, "t-pre").id}">' in page
    same = client.post(f"/courses/{course.id}/assign", data={
        "cohort_id": cohort.id, "pre_test_id": quiz(course, "t-pre").id, "post_test_id": quiz(course, "t-pre").id})
    assert "must be different" in same.get_data(as_text=True)
    r = client.post(f"/courses/{course.id}/assign", data={
        "cohort_id": cohort.id, "opens_on": "2026-04-01", "due_on": "2026-05-01",
        "pre_test_id": quiz(course, "t-pre").id, "post_test_id": quiz(course, "t-post").id})
    assert r.status_code == 302
    assignment = db.session.scalar(select(CourseAssignment))
    assert (assignment.pre_test_id, str(assignment.due_on)) == (quiz(course, "t-pre").id, "2026-05-01")
    r = client.post(f"/courses/assignments/{assignment.id}/edit", data={"due_on": "2026-03-01", "opens_on":
                                                                       "2026-04-01", "pre_test_id": "0",
                                                                       "post_test_id": "0"})
    assert "must not be before" in r.get_data(as_text=True)
    r = client.post(f"/courses/{course.id}/edition", data={"edition": "2027"})
    assert r.status_code == 302
    copy = db.session.scalar(select(Course).where(Course.edition == "2027"))
    assert copy.previous_edition_id == course.id
    assert client.get(f"/courses/{copy.id}").status_code == 200
    assert "TEST-F" in client.get("/courses/?q=test").get_data(as_text=True)
    blocked = client.post(f"/courses/{course.id}/delete")
    assert blocked.status_code == 302 and db.session.get(Course, course.id) is not None
    copy_id = copy.id
    assert client.post(f"/courses/{copy_id}/delete").status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Course).where(Course.id == copy_id)) == 0
    assert _audit(db, "course.new_edition") == 1 and _audit(db, "course.assign") == 1


def test_pages_render_for_organiser(client, db, login_as):
    p = enrolled()
    course = p.course
    login_as("organiser")
    module = course.modules[0]
    lesson = lessons(course)[0]
    for url in ("/courses/", "/courses/new", f"/courses/{course.id}", f"/courses/{course.id}/edit",
                f"/courses/{course.id}/edition", f"/courses/{course.id}/modules/new",
                f"/courses/modules/{module.id}/edit", f"/courses/modules/{module.id}/lessons/new",
                f"/courses/lessons/{lesson.id}/edit", f"/courses/{course.id}/questions",
                f"/courses/{course.id}/questions/new", f"/courses/{course.id}/questions/import",
                f"/courses/{course.id}/quizzes/new", f"/courses/quizzes/{quiz(course, 't-pre').id}",
                f"/courses/quizzes/{quiz(course, 't-pre').id}/edit", f"/courses/{course.id}/assign",
                f"/courses/assignments/{p.assignment.id}/edit", "/courses/progress",
                f"/courses/assignments/{p.assignment.id}/progress", "/courses/gain"):
        response = client.get(url)
        assert response.status_code == 200, url
    assert client.get("/courses/999999").status_code == 404


def test_deleting_a_lesson_module_or_course_deletes_its_stored_files(client, db, login_as):
    course = Course(code="DEL-1", title="To delete", track="CSIRT", edition="2026", language="en")
    db.session.add(course)
    course.modules = [Module(position=i, title=f"M{i}") for i in (1, 2)]
    for i, module in enumerate(course.modules):
        module.lessons = [Lesson(position=j, title=f"L{i}{j}") for j in (1, 2)]
    db.session.commit()
    course_id = course.id
    login_as("organiser")
    ids = [le.id for m in course.modules for le in m.lessons]
    for lesson_id in ids:
        client.post(f"/courses/lessons/{lesson_id}/attachment", data={"attachment": (io.BytesIO(PDF), "a.pdf")})
    assert _stored(db) == 4
    assert client.post(f"/courses/lessons/{ids[0]}/delete").status_code == 302
    assert _stored(db) == 3
    module_id = db.session.get(Lesson, ids[2]).module_id
    assert client.post(f"/courses/modules/{module_id}/delete").status_code == 302
    assert _stored(db) == 1
    assert client.post(f"/courses/{course_id}/delete").status_code == 302
    db.session.expire_all()
    assert db.session.get(Course, course_id) is None and _stored(db) == 0
