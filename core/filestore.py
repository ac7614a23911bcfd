"""The one store for uploaded and generated files: in the database, inside the request's transaction.

Every file a request needs later — an import preview waiting for confirmation, a lesson or inject
attachment, a ministry template, a generated download — goes through this module, never to the
instance folder. The rows live in ``stored_files`` (a binary column), so every application instance
sees the same files, they are backed up with everything else, and a rolled-back request leaves no
orphan behind: ``put`` only adds a row to the current session and flushes; the caller's one commit
makes it permanent (or its rollback removes it).

Interface (all take and return plain values; none commits)::

    from core import filestore

    key = filestore.put(data, name="trainees.xlsx", content_type=XLSX, kind="import_preview",
                        owner_id=current_user.id, expires_at=utcnow() + timedelta(hours=2),
                        meta={"cohort_id": 7})                   # small JSON-able facts, optional
    blob = filestore.get(key, kind="import_preview")     # StoredBlob or None (missing, wrong kind)
    with filestore.open(key) as fh: ...                  # a binary file object; FileNotFoundError
    filestore.delete(key)                                # True if a file was removed
    filestore.send(key, kind="download")                 # a Flask download response (or 404)
    filestore.purge_expired()                            # delete files past ``expires_at``

``data`` is ``bytes`` or a readable binary file object (a Werkzeug ``FileStorage`` works). ``kind``
says what the file is for (a short word such as ``import_preview``, ``lesson_attachment``,
``inject_attachment``, ``ministry_template``, ``download``); ``get``/``open``/``send`` can insist on
it, so a key of one kind cannot be used to read a file of another. Keys are random (URL-safe, 32
characters) and never reused. ``FILESTORE_MAX_BYTES`` (default 50 MB) bounds a single file.

The blob column is loaded only when the content is asked for (``get``/``open``/``send``), so
listing files (``info``) stays cheap; on PostgreSQL (psycopg) it is fetched in binary format.

Kinds in use: ``import_preview`` (trainees/imports/store.py), ``lesson_attachment``
(courses/services.py), ``inject_attachment`` (exercises: ``Attachment.file_key``),
``report_filled_form`` (reports/views.py), ``programme_logo`` (``Programme.logo_key``,
trainees/services.py). The README's "Where files live" lists them.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

from flask import abort, current_app, has_app_context, send_file
from sqlalchemy import JSON, ForeignKey, LargeBinary, String, select
from sqlalchemy import delete as sql_delete
from sqlalchemy.orm import Mapped, mapped_column, undefer

from core.db import as_utc, utcnow
from core.extensions import db

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
KEY_BYTES = 24  # 32 URL-safe characters


class FileTooLarge(ValueError):
    """The file is larger than ``FILESTORE_MAX_BYTES``."""


class StoredFile(db.Model):
    """One stored file: its bytes and what is needed to hand it back."""

    __tablename__ = "stored_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(255))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(index=True)
    meta: Mapped[dict | None] = mapped_column(JSON)  # small facts the owning feature checks (e.g. a cohort id)
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)


@dataclass(frozen=True)
class StoredBlob:
    """A file read back from the store (plain values: safe to use after the session closes)."""

    key: str
    kind: str
    name: str
    content_type: str
    size: int
    sha256: str
    owner_id: int | None
    created_at: datetime
    expires_at: datetime | None
    data: bytes
    meta: dict | None = None

    def open(self) -> BinaryIO:
        return io.BytesIO(self.data)


def _max_bytes() -> int:
    if has_app_context():
        return int(current_app.config.get("FILESTORE_MAX_BYTES") or DEFAULT_MAX_BYTES)
    return DEFAULT_MAX_BYTES


def _read(data: bytes | bytearray | memoryview | BinaryIO, limit: int) -> bytes:
    if isinstance(data, bytes | bytearray | memoryview):
        content = bytes(data)
    else:
        stream = getattr(data, "stream", data)  # werkzeug FileStorage
        if hasattr(stream, "seek"):
            with contextlib.suppress(OSError, ValueError):
                stream.seek(0)
        content = stream.read(limit + 1)
    if len(content) > limit:
        raise FileTooLarge(f"file larger than {limit} bytes")
    return content


def put(
    data: bytes | BinaryIO,
    *,
    name: str,
    content_type: str,
    kind: str,
    owner_id: int | None = None,
    expires_at: datetime | None = None,
    meta: dict | None = None,
) -> str:
    """Add a file to the current transaction and return its key (the caller commits)."""
    content = _read(data, _max_bytes())
    key = secrets.token_urlsafe(KEY_BYTES)
    row = StoredFile(
        key=key,
        kind=kind,
        name=(name or "file")[:255],
        content_type=content_type or "application/octet-stream",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        owner_id=owner_id,
        expires_at=expires_at,
        meta=dict(meta) if meta else None,
        data=content,
    )
    db.session.add(row)
    db.session.flush()
    return key


def _row(key: str | None, kind: str | None, *, with_data: bool) -> StoredFile | None:
    if not key or not isinstance(key, str) or len(key) > 64:
        return None
    stmt = select(StoredFile).where(StoredFile.key == key)
    if kind is not None:
        stmt = stmt.where(StoredFile.kind == kind)
    if with_data:
        stmt = stmt.options(undefer(StoredFile.data))
    return db.session.scalars(stmt).first()


def _blob(row: StoredFile, data: bytes | None = None) -> StoredBlob:
    return StoredBlob(
        key=row.key, kind=row.kind, name=row.name, content_type=row.content_type, size=row.size,
        sha256=row.sha256, owner_id=row.owner_id, created_at=as_utc(row.created_at),
        expires_at=as_utc(row.expires_at), data=bytes(row.data) if data is None else data,
        meta=dict(row.meta) if row.meta else None,
    )


def _binary_connection():
    """On PostgreSQL with psycopg 3: the session's own DBAPI connection (it sees this transaction's
    files), to fetch content in binary format — the text format sends bytea hex-encoded, and decoding
    5 MB of hex costs ~8x the CPU (bench/attachment_bench.py). None on other databases."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql" and connection.dialect.driver == "psycopg":
        return connection.connection.driver_connection
    return None


def get(key: str | None, *, kind: str | None = None) -> StoredBlob | None:
    """The file under ``key`` (of ``kind`` if given), or None when there is none."""
    raw = _binary_connection()
    if raw is None:
        row = _row(key, kind, with_data=True)
        return None if row is None else _blob(row)
    row = _row(key, kind, with_data=False)
    if row is None:
        return None
    if "data" in row.__dict__:  # put by this session: already in memory
        return _blob(row)
    with raw.cursor(binary=True) as cursor:
        cursor.execute("SELECT data FROM stored_files WHERE id = %s", (row.id,))
        found = cursor.fetchone()
    return None if found is None else _blob(row, bytes(found[0]))


def info(key: str | None, *, kind: str | None = None) -> StoredFile | None:
    """The file's row without its content (name, size, type, owner), or None."""
    return _row(key, kind, with_data=False)


def open(key: str | None, *, kind: str | None = None) -> BinaryIO:  # noqa: A001 - the interface's name
    """A binary file object with the file's content; ``FileNotFoundError`` when there is none."""
    blob = get(key, kind=kind)
    if blob is None:
        raise FileNotFoundError(key)
    return blob.open()


def delete(key: str | None) -> bool:
    """Remove the file under ``key`` in the current transaction; True if there was one."""
    row = _row(key, None, with_data=False)
    if row is None:
        return False
    db.session.delete(row)
    db.session.flush()
    return True


def purge_expired(now: datetime | None = None) -> int:
    """Delete every file whose ``expires_at`` has passed; returns how many (the caller commits)."""
    now = now or utcnow()
    result = db.session.execute(
        sql_delete(StoredFile).where(StoredFile.expires_at.is_not(None), StoredFile.expires_at < now)
    )
    return result.rowcount or 0


def send(key: str | None, *, kind: str | None = None, as_attachment: bool = True,
         download_name: str | None = None, private: bool = True):
    """A download response for the stored file, or a 404 when there is none.

    Private files (the default) are sent with ``Cache-Control: no-store, private``.
    """
    blob = get(key, kind=kind)
    if blob is None:
        abort(404)
    response = send_file(
        blob.open(), mimetype=blob.content_type, as_attachment=as_attachment,
        download_name=download_name or blob.name, etag=blob.sha256, max_age=0,
    )
    if private:
        response.headers["Cache-Control"] = "no-store, private"
    return response

