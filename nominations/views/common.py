"""Helpers shared by the nomination views."""

from __future__ import annotations

from datetime import date

from flask import abort, current_app, request
from flask_login import current_user

from core import filestore
from nominations import services


def me():
    return current_user._get_current_object() if current_user.is_authenticated else None


def today() -> date:
    return date.today()


def _uploaded(upload) -> bool:
    return upload is not None and bool(getattr(upload, "filename", ""))


def store_upload(upload, field: str) -> str | None:
    """Store an uploaded PDF/DOCX (inside the unit of work); its file-store key, or None without a file.

    A refused file raises ``ServiceError`` on ``field``.
    """
    if not _uploaded(upload):
        return None
    limit = current_app.config.get("NOMINATION_UPLOAD_MAX_BYTES")
    owner = getattr(me(), "id", None)
    return services.store_document(upload.filename, upload.stream.read(limit + 1), field=field, owner_id=owner)


def question_answers(call, form_data) -> dict[int, str]:
    return {q.id: (form_data.get(f"q_{q.id}") or "")[:5000] for q in call.questions if q.kind != "file"}


def question_files(call) -> dict[int, str]:
    """Store the documents answering the call's ``file`` questions (inside the unit of work)."""
    keys = {}
    for q in call.questions:
        if q.kind == "file":
            key = store_upload(request.files.get(f"q_{q.id}"), f"q_{q.id}")
            if key:
                keys[q.id] = key
    return keys


def send_document(key: str | None):
    """A stored endorsement or CV as a download only: never inline, never cached (``no-store, private``)."""
    if not key:
        abort(404)
    response = filestore.send(key, kind=services.DOCUMENT_KIND, as_attachment=True, private=True)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
