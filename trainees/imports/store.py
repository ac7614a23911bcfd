"""Uploaded import files kept between the preview and the confirmation.

A file is stored under ``<instance>/imports/<token>.upload`` with its metadata beside it. The token is
random (never a client-supplied path), is bound to the user and the cohort, expires, and is deleted
once the import is confirmed. Expired uploads are purged whenever a new one is saved.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")


class StaleUpload(Exception):
    """The token is unknown, expired, or belongs to another user or cohort."""


@dataclass(frozen=True)
class StoredUpload:
    token: str
    data: bytes
    filename: str
    skip_invalid: bool


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _lifetime() -> float:
    return float(current_app.config.get("IMPORT_UPLOAD_MINUTES", 60)) * 60


def _write_private(path: Path, content: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)


def save_upload(data: bytes, filename: str, user_id: int, cohort_id: int, skip_invalid: bool) -> str:
    """Keep an uploaded file for the confirmation step; returns its token."""
    purge_expired()
    token = secrets.token_urlsafe(32)
    folder = _folder()
    _write_private(folder / f"{token}.upload", data)
    meta = {"user_id": user_id, "cohort_id": cohort_id, "filename": filename, "skip_invalid": bool(skip_invalid),
            "created": time.time()}
    _write_private(folder / f"{token}.json", json.dumps(meta).encode())
    return token


def load_upload(token: str | None, user_id: int, cohort_id: int) -> StoredUpload:
    """The stored file for this token, user and cohort; StaleUpload if there is none (or it expired)."""
    if not token or not TOKEN_PATTERN.fullmatch(token):
        raise StaleUpload(token)
    folder = _folder()
    try:
        meta = json.loads((folder / f"{token}.json").read_text())
        if meta.get("user_id") != user_id or meta.get("cohort_id") != cohort_id:
            raise StaleUpload(token)
        if time.time() - float(meta.get("created", 0)) > _lifetime():
            delete_upload(token)
            raise StaleUpload(token)
        data = (folder / f"{token}.upload").read_bytes()
    except (OSError, ValueError, TypeError):
        raise StaleUpload(token) from None
    return StoredUpload(token=token, data=data, filename=str(meta.get("filename", "")),
                        skip_invalid=bool(meta.get("skip_invalid")))


def delete_upload(token: str) -> None:
    """Forget a stored upload (after it was imported, or when it expired)."""
    if not TOKEN_PATTERN.fullmatch(token or ""):
        return
    folder = _folder()
    for suffix in (".upload", ".json"):
        (folder / f"{token}{suffix}").unlink(missing_ok=True)


def purge_expired() -> int:
    """Delete uploads older than their lifetime; returns how many were removed."""
    folder = _folder()
    cutoff = time.time() - _lifetime()
    removed = 0
    for path in folder.iterdir():
        if path.suffix in (".upload", ".json") and TOKEN_PATTERN.fullmatch(path.stem):
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink(missing_ok=True)
                    removed += path.suffix == ".json"
            except OSError:
                continue
    return removed
