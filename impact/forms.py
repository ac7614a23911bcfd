"""Forms of the impact feature (answer fields of an assessment are rendered from the instrument)."""

from wtforms import DateField, EmailField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from core.forms import BaseForm
from core.i18n import _l

DATE_MESSAGE = _l("Give a date as YYYY-MM-DD.")


class RequestForm(BaseForm):
    instrument_id = SelectField(_l("Instrument"), coerce=int)
    kind = SelectField(_l("Kind"), choices=[("baseline", _l("Baseline")), ("followup", _l("Follow-up"))])
    months = IntegerField(_l("Follow-up after (months from the end of the cohort)"), default=12,
                          validators=[Optional(), NumberRange(1, 60)])
    due_date = DateField(_l("Due date (empty: 4 weeks from today, or the follow-up date)"),
                         validators=[Optional()])
    submit = SubmitField(_l("Request assessments"))


class AnswerForm(BaseForm):
    """CSRF and the profile; the level of each item comes from radio groups named ``item-<id>``."""

    size = SelectField(_l("Size of the organisation"), validators=[Optional()])
    name = StringField(_l("Your name (recorded with the answers)"), validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("Submit the assessment"))


class InviteForm(BaseForm):
    email = EmailField(_l("Your colleague's e-mail address"),
                       validators=[DataRequired(), Length(max=254), Email()])
    submit = SubmitField(_l("E-mail the link to a colleague"))


class OutcomeForm(BaseForm):
    kind = SelectField(_l("Outcome"))
    occurred_on = DateField(_l("Date"), validators=[DataRequired(message=DATE_MESSAGE)])
    trainee_id = SelectField(_l("Trainee"), coerce=int)
    organisation_id = SelectField(_l("Organisation"), coerce=int)
    audience = IntegerField(_l("People trained (for “Became a trainer”)"), validators=[Optional(), NumberRange(0)])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Add outcome"))


class CostForm(BaseForm):
    category = SelectField(_l("Category"))
    description = StringField(_l("Description"), validators=[Optional(), Length(max=300)])
    amount = StringField(_l("Amount"), validators=[DataRequired(), Length(max=30)])
    currency = StringField(_l("Currency"), default="JPY", validators=[DataRequired(), Length(max=3)])
    rate = StringField(_l("Rate used (yen per unit; 1 for JPY)"), default="1", validators=[Optional(), Length(max=30)])
    fiscal_year = IntegerField(_l("Fiscal year (shared costs)"), validators=[Optional(), NumberRange(2000, 2100)])
    submit = SubmitField(_l("Add cost line"))


class DeleteForm(BaseForm):
    submit = SubmitField(_l("Delete"))


class MyOutcomeForm(BaseForm):
    kind = SelectField(_l("Outcome"))
    occurred_on = DateField(_l("Date"), validators=[DataRequired(message=DATE_MESSAGE)])
    audience = IntegerField(_l("People trained (for “Became a trainer”)"), validators=[Optional(), NumberRange(0)])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Report outcome"))
