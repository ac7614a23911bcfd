"""Uploaded import files kept between the preview and the confirmation — in the one file store.

An upload is a ``stored_files`` row of kind ``import_preview`` (:mod:`core.filestore`), so every
application instance sees it and nothing waits on one machine's disk. Its key (random, never a
client-supplied path) is the token of the confirmation form; the row is bound to the user
(``owner_id``) and the cohort (``meta``), expires after ``IMPORT_UPLOAD_MINUTES`` (checked when it is
loaded, and removed by :func:`purge_expired` — the hourly cleanup job and every new upload), and is
deleted in the same transaction as the confirmed import. None of these functions commits: the
calling route's unit of work does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app

from core import filestore
from core.db import utcnow

KIND = "import_preview"
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{32}")
CONTENT_TYPE = "application/octet-stream"  # never served back; only read by the importer


class StaleUpload(Exception):
    """The token is unknown, expired, or belongs to another user or cohort."""


@dataclass(frozen=True)
class StoredUpload:
    token: str
    data: bytes
    filename: str
    skip_invalid: bool


def _lifetime() -> timedelta:
    return timedelta(minutes=float(current_app.config.get("IMPORT_UPLOAD_MINUTES", 60)))


def save_upload(data: bytes, filename: str, user_id: int, cohort_id: int, skip_invalid: bool) -> str:
    """Keep an uploaded file for the confirmation step; returns its token (the caller commits)."""
    purge_expired()
    return filestore.put(data, name=filename or "upload", content_type=CONTENT_TYPE, kind=KIND,
                         owner_id=user_id, expires_at=utcnow() + _lifetime(),
                         meta={"cohort_id": cohort_id, "skip_invalid": bool(skip_invalid)})


def load_upload(token: str | None, user_id: int, cohort_id: int) -> StoredUpload:
    """The stored file for this token, user and cohort; StaleUpload if there is none (or it expired)."""
    if not token or not TOKEN_PATTERN.fullmatch(token):
        raise StaleUpload(token)
    blob = filestore.get(token, kind=KIND)
    if blob is None or blob.owner_id != user_id or (blob.meta or {}).get("cohort_id") != cohort_id:
        raise StaleUpload(token)
    now = utcnow()
    if (blob.expires_at and blob.expires_at <= now) or blob.created_at + _lifetime() <= now:
        raise StaleUpload(token)  # left for purge_expired (this request may not commit)
    return StoredUpload(token=token, data=blob.data, filename=blob.name,
                        skip_invalid=bool((blob.meta or {}).get("skip_invalid")))


def delete_upload(token: str) -> None:
    """Forget a stored upload (in the caller's transaction: with the import it confirmed)."""
    if TOKEN_PATTERN.fullmatch(token or ""):
        filestore.delete(token)


def purge_expired() -> int:
    """Delete expired files of the store (import previews and any other kind); returns how many."""
    return filestore.purge_expired()
