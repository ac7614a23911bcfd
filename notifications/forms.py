"""Forms: e-mail frequency, a cohort's reminder policy, an announcement."""

from __future__ import annotations

from wtforms import BooleanField, DateTimeLocalField, IntegerField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from core.forms import BaseForm
from core.i18n import _l


class EmailFrequencyForm(BaseForm):
    email_frequency = RadioField(_l("E-mail me"), choices=[
        ("each", _l("for each notification")),
        ("daily", _l("once a day, a digest")),
        ("none", _l("never (security messages such as password links are still sent)")),
    ], validators=[InputRequired()])
    submit = SubmitField(_l("Save"))


class ReminderPolicyForm(BaseForm):
    enabled = BooleanField(_l("Send reminders"))
    days_before_due = IntegerField(_l("Days before a due date or a survey's closing"),
                                   validators=[InputRequired(), NumberRange(0, 60)])
    nonrespondent_after_days = IntegerField(_l("First reminder to non-respondents, days after the survey opens"),
                                            validators=[InputRequired(), NumberRange(1, 120)])
    nonrespondent_every_days = IntegerField(_l("Then every (days)"), validators=[InputRequired(), NumberRange(1, 60)])
    nonrespondent_max = IntegerField(_l("At most (reminders per survey)"),
                                     validators=[InputRequired(), NumberRange(0, 10)])
    submit = SubmitField(_l("Save"))


class AnnouncementForm(BaseForm):
    subject = StringField(_l("Subject"), validators=[InputRequired(), Length(max=200)])
    body = TextAreaField(_l("Message"), validators=[InputRequired(), Length(max=10000)])
    audience = RadioField(_l("Send to"), default="all", choices=[
        ("all", _l("every trainee of the cohort")),
        ("not_answered", _l("trainees who have not yet answered an open survey")),
    ], validators=[InputRequired()])
    send_at = DateTimeLocalField(_l("Send at (UTC; leave empty to send now)"), format="%Y-%m-%dT%H:%M",
                                 validators=[Optional()])
    preview = SubmitField(_l("Preview"))
    send = SubmitField(_l("Send"))
