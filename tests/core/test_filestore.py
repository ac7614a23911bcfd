"""The one file store: round trip, kinds, rollback leaves no file, size limit, expiry, downloads."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core import filestore
from core.db import utcnow
from core.filestore import StoredFile

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(StoredFile))


def test_round_trip_bytes_and_file_objects(db):
    payload = bytes(range(256)) * 40  # binary, not text: every byte value survives
    key = filestore.put(payload, name="trainees.xlsx", content_type=XLSX, kind="import_preview")
    key2 = filestore.put(io.BytesIO(b"second"), name="b.txt", content_type="text/plain", kind="download")
    db.session.commit()
    db.session.expunge_all()

    blob = filestore.get(key)
    assert blob.data == payload
    assert (blob.name, blob.content_type, blob.kind, blob.size) == ("trainees.xlsx", XLSX, "import_preview",
                                                                    len(payload))
    with filestore.open(key2) as fh:
        assert fh.read() == b"second"
    assert key != key2 and len(key) == 32


def test_kind_must_match_when_asked(db):
    key = filestore.put(b"x", name="x", content_type="text/plain", kind="import_preview")
    assert filestore.get(key, kind="download") is None
    assert filestore.get(key, kind="import_preview").data == b"x"
    with pytest.raises(FileNotFoundError):
        filestore.open(key, kind="download")


def test_missing_and_malformed_keys(db):
    assert filestore.get("nope") is None
    assert filestore.get(None) is None
    assert filestore.get("x" * 500) is None
    with pytest.raises(FileNotFoundError):
        filestore.open("nope")
    assert filestore.delete("nope") is False


def test_rollback_leaves_no_file(db):
    before = _count(db)
    key = filestore.put(b"orphan?", name="a.bin", content_type="application/octet-stream", kind="download")
    assert filestore.get(key) is not None  # visible inside the transaction
    db.session.rollback()
    assert filestore.get(key) is None
    assert _count(db) == before


def test_delete_is_transactional(db):
    key = filestore.put(b"keep", name="a", content_type="text/plain", kind="download")
    db.session.commit()
    assert filestore.delete(key) is True
    db.session.rollback()
    assert filestore.get(key).data == b"keep"
    filestore.delete(key)
    db.session.commit()
    assert filestore.get(key) is None


def test_size_limit(app, db):
    app.config["FILESTORE_MAX_BYTES"] = 10
    try:
        with pytest.raises(filestore.FileTooLarge):
            filestore.put(b"x" * 11, name="big", content_type="text/plain", kind="download")
        with pytest.raises(filestore.FileTooLarge):
            filestore.put(io.BytesIO(b"x" * 11), name="big", content_type="text/plain", kind="download")
        assert filestore.put(b"x" * 10, name="ok", content_type="text/plain", kind="download")
    finally:
        app.config.pop("FILESTORE_MAX_BYTES")


def test_purge_expired(db):
    old = filestore.put(b"old", name="o", content_type="text/plain", kind="download",
                        expires_at=utcnow() - timedelta(minutes=1))
    fresh = filestore.put(b"new", name="n", content_type="text/plain", kind="download",
                          expires_at=utcnow() + timedelta(hours=1))
    forever = filestore.put(b"f", name="f", content_type="text/plain", kind="lesson_attachment")
    assert filestore.purge_expired() == 1
    db.session.expire_all()
    assert filestore.get(old) is None
    assert filestore.get(fresh) and filestore.get(forever)


def test_info_does_not_load_content(db, count_queries):
    key = filestore.put(b"y" * 1000, name="y", content_type="text/plain", kind="download")
    db.session.commit()
    db.session.expunge_all()
    with count_queries() as counter:
        row = filestore.info(key)
    assert counter.count == 1 and "data" not in counter.statements[0].split("FROM")[0]
    assert row.size == 1000


def test_send_is_private_download(app, db):
    key = filestore.put(b"a,b\n", name="report.csv", content_type="text/csv", kind="download")
    with app.test_request_context():
        response = filestore.send(key, kind="download")
        response.direct_passthrough = False
        assert response.get_data() == b"a,b\n"
        assert response.headers["Cache-Control"] == "no-store, private"
        assert "report.csv" in response.headers["Content-Disposition"]
        from werkzeug.exceptions import NotFound
        with pytest.raises(NotFound):
            filestore.send("missing")


def test_content_read_back_by_a_later_request_is_byte_exact(db):
    """After a commit, ``get`` reads the content from the database (on PostgreSQL in binary format)."""
    payload = bytes(range(256)) * 4096 + b"\x00\xff"  # 1 MB, every byte value
    key = filestore.put(payload, name="all.bin", content_type="application/octet-stream", kind="download")
    db.session.commit()
    db.session.expire_all()  # as a later request: nothing of the file in memory
    blob = filestore.get(key, kind="download")
    assert blob.data == payload and blob.size == len(payload) and blob.name == "all.bin"
    assert filestore.get(key, kind="import_preview") is None
    db.session.expire_all()
    with filestore.open(key) as fh:
        assert fh.read() == payload
