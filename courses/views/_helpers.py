"""Small view helpers shared by the courses views."""

from __future__ import annotations

from flask import flash

from core.errors import ServiceError
from core.i18n import _


def show_error(form, exc: ServiceError) -> None:
    """Put a service error next to its field, or flash it when it concerns no field of the form."""
    field = form._fields.get(exc.field) if exc.field and form is not None else None
    if field is not None:
        field.errors = [*field.errors, exc.message] if isinstance(field.errors, list) else [exc.message]
    else:
        flash(exc.message, "error")


def saved() -> None:
    flash(_("Saved."), "success")
