"""core.db.one_of / nullable_one_of: the one CHECK-constraint helper; its SQL text must not change (the
migrations hold it), so every model's constraint is compared with the text the migrations were made from."""

from __future__ import annotations

from sqlalchemy import CheckConstraint

from core.db import nullable_one_of, one_of
from core.extensions import db


def test_text_is_exactly_the_historic_form():
    assert one_of("status", ("a", "b")) == "status in ('a', 'b')"
    assert nullable_one_of("mode", ("auto", "manual")) == "mode is null or mode in ('auto', 'manual')"


def test_every_model_check_uses_the_same_form(app):
    texts = [str(c.sqltext) for table in db.metadata.sorted_tables for c in table.constraints
             if isinstance(c, CheckConstraint) and " in (" in str(c.sqltext)]
    assert texts  # trainees, courses, exercises and completion all declare some
    for text in texts:
        column = text.split(" ", 1)[0]
        values = text.rsplit(" in (", 1)[1].rstrip(")")
        values = tuple(v.strip().strip("'") for v in values.split(","))
        assert text in (one_of(column, values), nullable_one_of(column, values)), text


def test_in_values_is_in_with_one_plain_parameter_per_value(db):
    from sqlalchemy import select

    from core.db import in_values
    from tests import factories
    from trainees.models import Enrolment

    trainee = factories.trainee()
    for status in ("confirmed", "nominated", "completed", "withdrawn"):
        factories.enrolment(trainee, factories.cohort(), status=status)
    db.session.commit()
    wanted = ("confirmed", "completed", "incomplete")
    fixed = select(Enrolment.id).where(in_values(Enrolment.status, wanted)).order_by(Enrolment.id)
    plain = select(Enrolment.id).where(Enrolment.status.in_(wanted)).order_by(Enrolment.id)
    assert db.session.scalars(fixed).all() == db.session.scalars(plain).all() != []
    compiled = fixed.compile(db.engine)
    assert "POSTCOMPILE" not in str(compiled)  # three plain parameters, not one "expanding" parameter
    assert [p for p in compiled.binds.values() if p.expanding] == []


def test_plain_rows_read_what_the_orm_would_read_pending_changes_included(db):
    """``plain_rows`` skips the ORM's execution layer but not its autoflush: a list page read after a change in
    the same transaction (e.g. the cohort list's paging and seat counts) shows the change; inside
    ``no_autoflush`` nothing is flushed, as with the ORM."""
    from sqlalchemy import func, select

    from core.extensions import plain_rows
    from tests import factories
    from trainees.models import Organisation

    count = select(func.count()).select_from(Organisation)
    before = plain_rows(count, {}).scalar_one()
    db.session.add(Organisation(name="Pending Org", name_key="pending org", country="TH", sector_code="ICT",
                                org_type="government"))
    with db.session.no_autoflush:
        assert plain_rows(count, {}).scalar_one() == before
        assert db.session.scalar(count) == before  # the ORM agrees
    assert plain_rows(count, {}).scalar_one() == before + 1
    assert db.session.scalar(count) == before + 1
    factories.organisation("Another")  # (the factories commit or flush as they do; still counted)
    assert plain_rows(count, {}).scalar_one() == db.session.scalar(count) == before + 2
