"""BaseForm cleans every text field of every form: NUL characters dropped, whitespace trimmed."""

from __future__ import annotations

from sqlalchemy import select
from wtforms import StringField

from accounts.models import User
from core.forms import BaseForm


class _Probe(BaseForm):
    name = StringField()
    other = StringField(filters=[str.upper])


def test_base_form_drops_nul_characters_and_trims_every_text_field(app):
    with app.test_request_context(method="POST", data={"name": "  Ta\x00ro \x00", "other": "\x00ab "}):
        form = _Probe(meta={"csrf": False})
        assert form.name.data == "Taro"
        assert form.other.data == "AB"  # the field's own filters still run, after the cleaning


def test_a_form_outside_the_trainees_feature_stores_no_nul(client, db, login_as):
    login_as("admin")
    response = client.post("/admin/users/new", data={
        "email": "nul.test@example.org", "display_name": "Ai\x00ko \x00", "role": "organiser"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    user = db.session.scalar(select(User).where(User.email == "nul.test@example.org"))
    assert user.display_name == "Aiko"
