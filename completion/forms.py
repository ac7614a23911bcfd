"""Forms for completion rules, surveys, action plans, certificates and supervisor acknowledgement."""

from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, ValidationError

from core.forms import BaseForm
from core.i18n import _l


class PolicyForm(BaseForm):
    min_attendance_pct = IntegerField(_l("Minimum attendance of required sessions (%)"),
                                      validators=[Optional(), NumberRange(0, 100)])
    min_post_test_pct = IntegerField(_l("Minimum post-test score (%)"), validators=[Optional(), NumberRange(0, 100)])
    require_courses = BooleanField(_l("All assigned e-learning courses completed"))
    require_exercise = BooleanField(_l("Took part in an exercise of this cohort"))
    require_action_plan = BooleanField(_l("Action plan submitted"))
    submit = SubmitField(_l("Save rules"))


class FinaliseForm(BaseForm):
    reason = StringField(_l("Reason recorded in each trainee's history"), validators=[DataRequired(), Length(max=300)],
                         default="Completion rules reviewed by the programme office")
    submit = SubmitField(_l("Review completion decisions"))
    confirm = SubmitField(_l("Confirm and update the enrolments"))


class SurveyCreateForm(BaseForm):
    template_id = SelectField(_l("Questionnaire"), coerce=int)
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    opens_on = DateField(_l("Opens on"), validators=[DataRequired(message=_l("Give a date as YYYY-MM-DD."))])
    closes_on = DateField(_l("Closes on"), validators=[DataRequired(message=_l("Give a date as YYYY-MM-DD."))])
    anonymous = BooleanField(_l("Anonymous (answers cannot be linked to a trainee)"), default=True)
    submit = SubmitField(_l("Create survey"))


class FollowupForm(BaseForm):
    submit = SubmitField(_l("Schedule 3-, 6- and 12-month follow-ups"))


def _iso_date(form, field):
    """A milestone date must be a real calendar date written YYYY-MM-DD (the error shows at the field)."""
    from datetime import date

    value = (field.data or "").strip()
    if value:
        try:
            date.fromisoformat(value)
        except ValueError:
            raise ValidationError(_l("Write the date as YYYY-MM-DD, e.g. 2026-03-31.")) from None


class MilestoneForm(Form):
    text = StringField(_l("Milestone"), validators=[Optional(), Length(max=500)])
    due = StringField(_l("Due (YYYY-MM-DD)"), validators=[Optional(), Length(max=10), _iso_date])


class ActionPlanForm(BaseForm):
    title = StringField(_l("Title of your plan"), validators=[DataRequired(), Length(max=200)])
    goals = TextAreaField(_l("Goals: what will you change in your organisation?"), validators=[Length(max=8000)])
    milestones = FieldList(FormField(MilestoneForm), min_entries=4, max_entries=8)
    supervisor_name = StringField(_l("Supervisor's name"), validators=[Optional(), Length(max=200)])
    supervisor_email = StringField(_l("Supervisor's e-mail"), validators=[Optional(), Email(), Length(max=254)])
    save = SubmitField(_l("Save draft"))
    send = SubmitField(_l("Submit and send to my supervisor"))


class AcknowledgeForm(BaseForm):
    comment = TextAreaField(_l("Comment (optional)"), validators=[Length(max=4000)])
    submit = SubmitField(_l("I acknowledge this action plan"))


class IssueForm(BaseForm):
    kind = SelectField(_l("Certificate"), choices=[("completion", _l("Completion (completed trainees)")),
                                                   ("attendance", _l("Attendance (completed or incomplete)"))])
    submit = SubmitField(_l("Issue certificates"))


class RevokeForm(BaseForm):
    reason = StringField(_l("Reason for revocation"), validators=[DataRequired(), Length(max=500)])
    submit = SubmitField(_l("Revoke certificate"))


class AnswerForm(BaseForm):
    """Carries the CSRF token of a survey page; the answers are read item by item."""

    submit = SubmitField(_l("Send my answers"))
