"""One unit of work per request: the only place a route commits or rolls back.

Services ``flush()`` and raise :class:`core.errors.ServiceError` when the input breaks a rule; a
route never writes ``db.session.commit()`` / ``rollback()`` or ``except ServiceError`` itself. It
wraps the service call in :func:`unit_of_work` (modelled on Indico's ``RH.process()``):

- the block ends normally (or ``return``\\ s from inside) → **commit once**, then flash ``success``
  and whatever the block queued with ``work.flash(message, category)``;
- a ``ServiceError`` → **roll back**, show its message next to the form field it names (or next to
  ``field``, the form's default field for errors), else flash it; the error is swallowed and
  ``work.ok`` is False, so the route falls through to re-render its form;
- any other exception (``abort(404)``, a database error, a bug) → **roll back** and re-raise, so the
  error pages of :mod:`core.errors` answer.

Example (a form page)::

    from core.uow import unit_of_work

    form = ProgrammeForm()
    if form.validate_on_submit():
        with unit_of_work(form, field="code") as work:
            programme = services.create_programme(form.data_dict(), actor=current_user)
            work.success = _("Programme %(code)s created.", code=programme.code)
            return redirect(url_for("trainees.programme_detail", programme_id=programme.id))
    return render_template("trainees/programme_form.html", form=form)  # shows the field error

Example (a button that posts, no form to show errors on; the message is flashed)::

    if run_service(lambda: services.delete_course(course, actor=current_user),
                   success=_("Course deleted.")).ok:
        return redirect(url_for("courses.course_list"))
    return redirect(url_for("courses.course_detail", course_id=course.id))

Writes on a GET (a lesson view recorded, due injects released) use the same block; such a side
effect must be idempotent (a repeated GET changes nothing more) and say so where it happens.

One request commits at most once through this module; a second commit in the same request raises
``RuntimeError`` while testing (``TESTING``), so the suite catches a route that commits twice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, flash, g, has_request_context

from core.errors import ServiceError
from core.extensions import db

__all__ = ["UnitOfWork", "unit_of_work", "run_service", "show_service_error"]


def show_service_error(exc: ServiceError, form=None, field: str | None = None, field_prefix: str = "") -> None:
    """Put ``exc``'s message next to the form field it names, else next to ``field``, else flash it.

    The one way a service's message reaches the user (formerly four helpers in four features).
    ``field_prefix``: the form names the service's fields with a prefix (e.g. ``ph_`` + placeholder name).
    """
    if form is not None and not hasattr(form, "_fields") and hasattr(form, "errors"):
        form.errors = [*form.errors, exc.message]  # a single field: every message goes there
        return
    fields = getattr(form, "_fields", None) or {}
    target = fields.get(field_prefix + exc.field) if exc.field else None
    if target is None and field is not None:
        target = fields.get(field)
    if target is None:
        flash(exc.message, "error")
        return
    target.errors = [*target.errors, exc.message]


class UnitOfWork:
    """Context manager returned by :func:`unit_of_work`; ``ok``, ``error`` and ``success`` after the block."""

    def __init__(self, form=None, field: str | None = None, success: str | None = None, field_prefix: str = ""):
        self.form = form
        self.field = field
        self.field_prefix = field_prefix
        self.success = success
        self.error: ServiceError | None = None
        self.ok = False
        self._messages: list[tuple[str, str]] = []

    def flash(self, message: str, category: str = "success") -> None:
        """Flash ``message`` after the commit (in order, after ``success``); dropped if the work fails."""
        self._messages.append((message, category))

    def __enter__(self) -> UnitOfWork:
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is None:
            try:
                _count_commit()
                db.session.commit()
            except BaseException:
                db.session.rollback()
                raise
            self.ok = True
            if self.success:
                flash(self.success, "success")
            for message, category in self._messages:
                flash(message, category)
            return False
        db.session.rollback()
        if issubclass(exc_type, ServiceError):
            self.error = exc
            show_service_error(exc, self.form, self.field, self.field_prefix)
            return True  # handled: the route goes on to show its form again
        return False


def unit_of_work(form=None, field: str | None = None, *, success: str | None = None,
                 field_prefix: str = "") -> UnitOfWork:
    """Run the ``with`` block as the request's one transaction (see the module docstring).

    ``form``: where a ``ServiceError`` naming one of its fields is shown; ``field``: the form's field
    for errors that name none (or a field the form lacks); without either the message is flashed.
    ``form`` may also be a single field (``form.text``): every message is shown there.
    ``success``: flashed after the commit (the block may set ``work.success`` instead).
    ``field_prefix``: prepended to the field a ``ServiceError`` names, for forms whose field names
    carry a prefix (one field per placeholder ``X`` named ``ph_X``).
    """
    return UnitOfWork(form, field, success, field_prefix)


class Outcome:
    """What :func:`run_service` returns: ``ok``, the function's ``result`` and the ``error`` if any."""

    __slots__ = ("ok", "result", "error")

    def __init__(self, ok: bool, result: Any = None, error: ServiceError | None = None):
        self.ok, self.result, self.error = ok, result, error

    def __bool__(self) -> bool:
        return self.ok


def run_service(fn: Callable[[], Any], form=None, field: str | None = None, *,
                success: str | None = None) -> Outcome:
    """``fn()`` in a :func:`unit_of_work`; for one-line writes (buttons, confirmations)."""
    result = None
    with unit_of_work(form, field, success=success) as work:
        result = fn()
    return Outcome(work.ok, result if work.ok else None, work.error)


def _count_commit() -> None:
    """Refuse a second commit in one request while testing: one unit of work per request."""
    if not has_request_context():
        return
    done = g.get("_uow_commits", 0)
    if done and current_app.config.get("TESTING"):
        raise RuntimeError("a request committed twice: one unit of work per request (core/uow.py)")
    g._uow_commits = done + 1
