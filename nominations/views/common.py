"""Helpers shared by the nomination views."""

from __future__ import annotations

from datetime import date

from flask import Response, current_app, flash
from flask_login import current_user

from core.errors import ServiceError
from core.i18n import _
from nominations import services
from nominations.models import StoredFile


def me():
    return current_user._get_current_object() if current_user.is_authenticated else None


def today() -> date:
    return date.today()


def show_error(form, exc: ServiceError, default: str) -> None:
    field = getattr(form, exc.field or "", None) if form is not None else None
    if field is not None and hasattr(field, "errors") and isinstance(field.errors, list):
        field.errors.append(exc.message)
    else:
        flash(exc.message, "error")


def upload_from(form_field) -> StoredFile | None:
    """Store the uploaded endorsement of a form field, if any (ServiceError when refused)."""
    upload = form_field.data
    if upload is None or not getattr(upload, "filename", ""):
        return None
    limit = current_app.config.get("NOMINATION_UPLOAD_MAX_BYTES")
    data = upload.stream.read(limit + 1)
    return services.store_document(upload.filename, data)


def question_answers(call, form_data) -> dict[int, str]:
    return {q.id: (form_data.get(f"q_{q.id}") or "")[:5000] for q in call.questions}


def attachment(stored: StoredFile) -> Response:
    """Send a stored document as a download only: never inline, never cached."""
    response = Response(stored.data, mimetype=stored.content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{stored.filename}"'
    response.headers["Cache-Control"] = "no-store, private"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def flash_refused(exc: ServiceError) -> None:
    flash(exc.message or _("Nothing was saved."), "error")
