"""core/uow.py: one commit per request, a ServiceError rolled back and shown, anything else rolled back."""

from __future__ import annotations

import pytest
from flask import get_flashed_messages
from sqlalchemy import select
from werkzeug.exceptions import NotFound
from wtforms import StringField

from core.errors import ServiceError
from core.forms import BaseForm
from core.uow import run_service, show_service_error, unit_of_work
from trainees.models import Programme


class _Form(BaseForm):
    code = StringField()
    name = StringField()


def _add(code: str) -> Programme:
    programme = Programme(code=code, name=f"Programme {code}")
    from core.extensions import db
    db.session.add(programme)
    db.session.flush()
    return programme


def _codes(db) -> list[str]:
    db.session.rollback()  # look at what was committed, not at pending objects
    return list(db.session.scalars(select(Programme.code).where(Programme.code.like("UOW-%"))))


def test_block_commits_once_and_flashes_success(app, db):
    with app.test_request_context("/", method="POST"):
        with unit_of_work(success="Saved.") as work:
            _add("UOW-1")
        assert work.ok and work.error is None
        assert get_flashed_messages(with_categories=True) == [("success", "Saved.")]
    assert _codes(db) == ["UOW-1"]


def test_return_inside_the_block_still_commits(app, db):
    def route():
        with unit_of_work() as work:
            _add("UOW-2")
            work.success = "Made UOW-2."
            return "redirect"
        return "form again"

    with app.test_request_context("/", method="POST"):
        assert route() == "redirect"
        assert get_flashed_messages() == ["Made UOW-2."]
    assert _codes(db) == ["UOW-2"]


def test_service_error_rolls_back_and_goes_to_the_named_field(app, db):
    with app.test_request_context("/", method="POST"):
        form = _Form(meta={"csrf": False})
        with unit_of_work(form, field="code", success="Saved.") as work:
            _add("UOW-3")
            raise ServiceError("That name is taken.", "name")
        assert not work.ok and work.error.message == "That name is taken."
        assert form.name.errors == ["That name is taken."] and not form.code.errors
        assert get_flashed_messages() == []  # no success message, no flash: the message is at the field
    assert _codes(db) == []


def test_service_error_without_a_known_field_goes_to_the_default_field(app, db):
    with app.test_request_context("/", method="POST"):
        form = _Form(meta={"csrf": False})
        with unit_of_work(form, field="code"):
            raise ServiceError("Broken rule.", "no_such_field")
        assert form.code.errors == ["Broken rule."]


def test_field_prefix_maps_the_services_field_to_the_forms(app, db):
    class _Prefixed(BaseForm):
        ph_COUNTRY = StringField()
        submit = StringField()

    with app.test_request_context("/", method="POST"):
        form = _Prefixed(meta={"csrf": False})
        with unit_of_work(form, "submit", field_prefix="ph_"):
            raise ServiceError("At most 200 characters.", "COUNTRY")
        assert form.ph_COUNTRY.errors == ["At most 200 characters."] and not form.submit.errors
        with unit_of_work(form, "submit", field_prefix="ph_"):
            raise ServiceError("Only before the start.", "status")  # names no field of the form
        assert form.submit.errors == ["Only before the start."]


def test_service_error_without_a_form_is_flashed(app, db):
    with app.test_request_context("/", method="POST"):
        outcome = run_service(lambda: (_add("UOW-4"), _raise("Not allowed now.")), success="Done.")
        assert not outcome and outcome.result is None
        assert get_flashed_messages(with_categories=True) == [("error", "Not allowed now.")]
    assert _codes(db) == []


def test_form_without_default_field_flashes_errors_naming_no_field(app, db):
    with app.test_request_context("/", method="POST"):
        form = _Form(meta={"csrf": False})
        show_service_error(ServiceError("General problem."), form)
        assert get_flashed_messages() == ["General problem."]
        assert not form.code.errors and not form.name.errors


def test_run_service_returns_the_result(app, db):
    with app.test_request_context("/", method="POST"):
        outcome = run_service(lambda: _add("UOW-5").code, success="Done.")
        assert outcome.ok and outcome.result == "UOW-5"
    assert _codes(db) == ["UOW-5"]


@pytest.mark.parametrize("error", [NotFound(), ValueError("bug")])
def test_any_other_exception_rolls_back_and_propagates(app, db, error):
    with app.test_request_context("/", method="POST"):
        with pytest.raises(type(error)), unit_of_work(success="Saved."):
            _add("UOW-6")
            raise error
        assert get_flashed_messages() == []
    assert _codes(db) == []


def test_a_second_commit_in_one_request_is_refused_while_testing(app, db):
    with app.test_request_context("/", method="POST"):
        with unit_of_work():
            _add("UOW-7")
        with pytest.raises(RuntimeError, match="committed twice"), unit_of_work():
            _add("UOW-8")
    assert _codes(db) == ["UOW-7"]


def _raise(message: str):
    raise ServiceError(message)


def test_queued_messages_follow_success_after_the_commit_and_vanish_on_error(app, db):
    with app.test_request_context("/", method="POST"):
        with unit_of_work(success="Saved.") as work:
            work.flash("Over capacity.", "warning")
        assert get_flashed_messages(with_categories=True) == [("success", "Saved."), ("warning", "Over capacity.")]
    with app.test_request_context("/", method="POST"):
        with unit_of_work(success="Saved.") as work:
            work.flash("Over capacity.", "warning")
            raise ServiceError("No.")
        assert get_flashed_messages(with_categories=True) == [("error", "No.")]


def test_a_single_field_takes_every_message(app, db):
    with app.test_request_context("/", method="POST"):
        form = _Form(meta={"csrf": False})
        with unit_of_work(form.code):
            raise ServiceError("Shown at the code.", "name")
        assert form.code.errors == ["Shown at the code."] and not form.name.errors
