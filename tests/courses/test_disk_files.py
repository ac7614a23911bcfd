"""``flask courses import-attachments``: lesson attachments from the old instance folder into the store."""

from sqlalchemy import func, select

from core import filestore
from core.filestore import StoredFile
from courses.models import Lesson
from tests.courses.builders import enrolled, lessons

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def test_old_files_move_into_the_store_once(app, db, client, login_as, tmp_path):
    folder = tmp_path / "course_files"
    folder.mkdir()
    (folder / "0123abcd.pdf").write_bytes(PDF)
    (tmp_path / "secret.txt").write_text("outside the folder")
    p = enrolled(pre_post=False)
    first, second, third = lessons(p.course)[:3]
    first.attachment_key, first.attachment_name, first.attachment_type = "0123abcd.pdf", "handout.pdf", \
        "application/pdf"
    first.attachment_size = len(PDF)
    second.attachment_key, second.attachment_name = "gone.pdf", "lost.pdf"
    third.attachment_key, third.attachment_name = "../secret.txt", "x.txt"
    db.session.commit()
    ids = first.id, second.id, third.id

    out = app.test_cli_runner().invoke(args=["courses", "import-attachments", "--dir", str(folder)])
    assert out.exit_code == 0, out.output
    assert "moved: 1, already in the store: 0, missing: 2" in out.output
    assert f"missing file for lesson {ids[1]}" in out.output and f"missing file for lesson {ids[2]}" in out.output
    assert not (folder / "0123abcd.pdf").exists() and (tmp_path / "secret.txt").exists()
    db.session.expire_all()
    moved = db.session.get(Lesson, ids[0])
    blob = filestore.get(moved.attachment_key, kind="lesson_attachment")
    assert (blob.data, blob.name, blob.content_type) == (PDF, "handout.pdf", "application/pdf")

    login_as(user=p.user)
    got = client.get(f"/learn/{p.assignment.id}/lessons/{ids[0]}/file")
    assert got.status_code == 200 and got.data == PDF
    assert got.headers["Content-Disposition"] == "attachment; filename=handout.pdf"
    got.close()

    again = app.test_cli_runner().invoke(args=["courses", "import-attachments", "--dir", str(folder)])
    assert "moved: 0, already in the store: 1, missing: 2" in again.output
    assert db.session.scalar(select(func.count()).select_from(StoredFile)) == 1


def test_keep_leaves_the_files_and_a_missing_folder_is_fine(app, db, tmp_path):
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "aa.txt").write_bytes(b"hello")
    p = enrolled(pre_post=False)
    lesson = lessons(p.course)[0]
    lesson.attachment_key, lesson.attachment_name, lesson.attachment_type = "aa.txt", "a.txt", "text/plain"
    db.session.commit()
    out = app.test_cli_runner().invoke(args=["courses", "import-attachments", "--dir", str(folder), "--keep"])
    assert "moved: 1" in out.output and (folder / "aa.txt").read_bytes() == b"hello"
    none = app.test_cli_runner().invoke(args=["courses", "import-attachments", "--dir", str(tmp_path / "nope")])
    assert none.exit_code == 0 and "nothing to move" in none.output
