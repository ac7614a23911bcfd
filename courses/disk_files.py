"""Move lesson attachments from the old ``instance/course_files/`` folder into the file store.

Until the file store (``core.filestore``), a lesson's attachment was a file ``<hex>.<ext>`` in
``instance/course_files/`` (or ``COURSE_FILES_DIR``), named in ``lessons.attachment_path``. Run once
after upgrading, on one machine that still has that folder::

    flask courses import-attachments              # default folder: <instance>/course_files
    flask courses import-attachments --dir /srv/old/course_files --keep

Each file is put into the store and the lesson's column is set to the new key in one commit per
file; only then is the file removed from disk (``--keep`` leaves it). A second run finds nothing to
do. Lessons whose file is missing keep their old value and are listed (their download answers 404,
as it did before); the organiser uploads the file again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from core import filestore
from core.extensions import db
from courses.models import Lesson
from courses.services import ATTACHMENT_KIND


@dataclass
class DiskImport:
    moved: int = 0
    already: int = 0
    missing: list[int] = field(default_factory=list)  # lesson ids whose file was not found


def default_folder(app) -> Path:
    return Path(app.config.get("COURSE_FILES_DIR") or Path(app.instance_path) / "course_files")


def import_attachments(folder: Path, *, keep: bool = False) -> DiskImport:
    """Copy every lesson attachment still on disk into the store (commits once per file)."""
    result = DiskImport()
    ids = list(db.session.scalars(select(Lesson.id).where(Lesson.attachment_key.is_not(None)).order_by(Lesson.id)))
    for lesson_id in ids:
        lesson = db.session.get(Lesson, lesson_id)
        old = lesson.attachment_key
        if filestore.info(old, kind=ATTACHMENT_KIND) is not None:
            result.already += 1
            continue
        path = folder / old
        if Path(old).name != old or not path.is_file():  # never follow a path out of the folder
            result.missing.append(lesson_id)
            continue
        lesson.attachment_key = filestore.put(path.read_bytes(), name=lesson.attachment_name or old,
                                              content_type=lesson.attachment_type or "application/octet-stream",
                                              kind=ATTACHMENT_KIND)
        db.session.commit()
        result.moved += 1
        if not keep:
            path.unlink(missing_ok=True)
    db.session.commit()
    return result
