"""Forms of the exercises feature (all subclass core.forms.BaseForm, so CSRF is on)."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from core.forms import BaseForm
from core.i18n import _l
from core.refdata import sector_choices
from exercises.lifecycle import STAFF_ROLES
from exercises.vocab import (
    CHANNELS,
    CSF_FUNCTIONS,
    FIRST_SERVICES,
    IMPROVEMENT_STATUSES,
    OBSERVATION_KINDS,
    POETE,
    RATINGS,
    RESPONSE_KINDS,
    STAFF_ROLE_NAMES,
    TEAM_MODES,
    TLP_MARKINGS,
)
from trainees.display import current_lang


def int_or_none(value):
    """Coerce a select value to int, '' (or None) to None."""
    if value in (None, "", "None"):
        return None
    return int(value)


def _position():
    return IntegerField(_l("Order"), validators=[Optional(), NumberRange(min=1, max=999)],
                        description=_l("Leave empty to add at the end."))


class ScenarioForm(BaseForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    summary = TextAreaField(_l("Summary (shown to players as the opening situation; Markdown)"),
                            validators=[Length(max=20000)])
    sector_code = SelectField(_l("Sector"), choices=[], validators=[Optional()])
    threat_type = StringField(_l("Threat type"), validators=[Length(max=120)])
    tlp = SelectField(_l("TLP marking"), choices=[(t, f"TLP:{t}") for t in TLP_MARKINGS], default="AMBER")
    t0_clock = StringField(_l("Clock time of T+00:00 on Day 1"), default="09:00",
                           validators=[DataRequired(), Length(max=5)])
    submit = SubmitField(_l("Save scenario"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sector_code.choices = [("", _l("— not sector-specific —")), *sector_choices(current_lang())]


class ObjectiveForm(BaseForm):
    text = TextAreaField(_l("Objective"), validators=[DataRequired(), Length(max=2000)])
    csf_function = SelectField(_l("NIST CSF 2.0 function"), validators=[Optional()],
                               choices=[("", _l("— none —"))] + [(k, f"{k} — {v}") for k, v in CSF_FUNCTIONS.items()])
    first_service = SelectField(_l("FIRST CSIRT service"), validators=[Optional()],
                                choices=[("", _l("— none —"))] + [(k, f"{k} {v}") for k, v in FIRST_SERVICES.items()])
    position = _position()
    submit = SubmitField(_l("Save objective"))


class ModuleForm(BaseForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    scenario_start = StringField(_l("Scenario time at the start"), validators=[Length(max=40)],
                                 description=_l("For example T+00:00 or Day 2 09:00."))
    planned_minutes = IntegerField(_l("Planned duration (minutes)"),
                                   validators=[Optional(), NumberRange(min=1, max=1440)])
    situation = TextAreaField(_l("Situation update (shown to players when the module opens; Markdown)"),
                              validators=[Length(max=20000)])
    position = _position()
    submit = SubmitField(_l("Save module"))


class InjectForm(BaseForm):
    module_id = SelectField(_l("Module"), coerce=int_or_none, choices=[], validators=[Optional()])
    position = _position()
    scenario_time = StringField(_l("Scenario time"), validators=[DataRequired(), Length(max=40)],
                                description=_l("T+02:00 (hours after T+00:00), T-3 days, or Day 2 09:00."))
    planned_offset_minutes = IntegerField(
        _l("Planned release (minutes after the run starts)"), validators=[Optional(), NumberRange(min=0, max=10080)],
        description=_l("Released automatically at this running time. Leave empty to release by hand only."))
    channel = SelectField(_l("Channel"), choices=list(CHANNELS.items()), default="email")
    from_persona = StringField(_l("From (persona)"), validators=[Length(max=200)])
    audience = StringField(_l("To / audience"), validators=[Length(max=200)])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("Message (Markdown)"), validators=[Length(max=20000)])
    expected_actions = TextAreaField(
        _l("Expected actions (staff only)"), validators=[Length(max=20000)],
        description=_l("One per line, optionally starting with the responsible role: “CSIRT lead: isolate the "
                       "affected segment”. Players never see these."))
    contingency = BooleanField(_l("Contingency inject (released by hand only, if play stalls)"))
    attachment = FileField(_l("Attachment (PDF, PNG, JPEG, text or CSV, up to 5 MB)"))
    remove_attachment = BooleanField(_l("Remove the current attachment"))
    submit = SubmitField(_l("Save inject"))


class QuestionForm(BaseForm):
    module_id = SelectField(_l("Module"), coerce=int_or_none, choices=[], validators=[Optional()])
    text = TextAreaField(_l("Discussion question"), validators=[DataRequired(), Length(max=2000)])
    position = _position()
    submit = SubmitField(_l("Save question"))


class DeleteForm(BaseForm):
    submit = SubmitField(_l("Delete"))


class MselImportForm(BaseForm):
    file = FileField(_l("MSEL workbook (.xlsx)"), validators=[FileRequired()])
    replace = BooleanField(_l("Replace all injects of this scenario with the workbook's rows"),
                           validators=[DataRequired(message=_l("Tick the box to confirm the replacement."))])
    submit = SubmitField(_l("Import"))


class RunCreateForm(BaseForm):
    cohort_id = SelectField(_l("Cohort"), coerce=int_or_none, choices=[], validators=[DataRequired()])
    title = StringField(_l("Title"), validators=[Length(max=300)],
                        description=_l("Leave empty for “scenario title — cohort code”."))
    stall_minutes = IntegerField(_l("Warn when a team is silent for (minutes)"), default=10,
                                 validators=[DataRequired(), NumberRange(min=1, max=240)])
    submit = SubmitField(_l("Create run"))


class RunSettingsForm(BaseForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    stall_minutes = IntegerField(_l("Warn when a team is silent for (minutes)"),
                                 validators=[DataRequired(), NumberRange(min=1, max=240)])
    submit = SubmitField(_l("Save"))


def placeholder_form(names: list[str], values: dict[str, str], hints: dict[str, str]):
    """A form with one text field per placeholder found in the run's text."""

    class PlaceholderForm(BaseForm):
        submit = SubmitField(_l("Save values"))

    for name in names:
        setattr(PlaceholderForm, f"ph_{name}", StringField("{" + name + "}", validators=[Length(max=200)],
                                                           default=values.get(name, ""),
                                                           description=hints.get(name, "")))
    return PlaceholderForm


class TeamsForm(BaseForm):
    mode = RadioField(_l("Form teams"), choices=list(TEAM_MODES.items()), default="nationality")
    submit = SubmitField(_l("Form teams (replaces the current teams)"))


class TeamAddForm(BaseForm):
    name = StringField(_l("Team name"), validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("Add team"))


class TeamRenameForm(BaseForm):
    name = StringField(_l("Team name"), validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("Rename"))


class MemberMoveForm(BaseForm):
    trainee_id = HiddenField(validators=[DataRequired()])
    team_id = SelectField(_l("Team"), coerce=int_or_none, choices=[], validators=[Optional()])
    submit = SubmitField(_l("Move"))


class StaffForm(BaseForm):
    user_id = SelectField(_l("Organiser"), coerce=int_or_none, choices=[], validators=[DataRequired()])
    role = SelectField(_l("Role"), choices=[(r, STAFF_ROLE_NAMES[r]) for r in STAFF_ROLES])
    submit = SubmitField(_l("Assign"))


class ActionForm(BaseForm):
    action = HiddenField(validators=[DataRequired()])


class AdhocForm(BaseForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("Message (Markdown)"), validators=[Length(max=20000)])
    channel = SelectField(_l("Channel"), choices=list(CHANNELS.items()), default="other")
    from_persona = StringField(_l("From (persona)"), validators=[Length(max=200)])
    audience = StringField(_l("To / audience"), validators=[Length(max=200)])
    scenario_time = StringField(_l("Scenario time"), validators=[Length(max=40)],
                                description=_l("Leave empty to use the scenario time now."))
    team_id = SelectField(_l("Send to"), coerce=int_or_none, choices=[], validators=[Optional()])
    submit = SubmitField(_l("Release ad-hoc inject now"))


class ModuleOpenForm(BaseForm):
    module_id = SelectField(_l("Module"), coerce=int_or_none, choices=[], validators=[DataRequired()])
    submit = SubmitField(_l("Show this module's situation"))


class ResponseForm(BaseForm):
    inject_id = HiddenField()
    kind = SelectField(_l("Type"), choices=list(RESPONSE_KINDS.items()), default="response")
    text = TextAreaField(_l("Your team's response"), validators=[DataRequired(), Length(max=5000)])
    decision_owner = StringField(_l("Decided by (role)"), validators=[Length(max=200)])
    submit = SubmitField(_l("Send"))


class ObservationForm(BaseForm):
    kind = RadioField(_l("Kind"), choices=list(OBSERVATION_KINDS.items()), validators=[DataRequired()])
    objective_id = SelectField(_l("Objective"), coerce=int_or_none, choices=[], validators=[Optional()])
    inject_id = SelectField(_l("Inject"), coerce=int_or_none, choices=[], validators=[Optional()])
    team_id = SelectField(_l("Team"), coerce=int_or_none, choices=[], validators=[Optional()])
    text = TextAreaField(_l("Observation"), validators=[DataRequired(), Length(max=5000)])
    submit = SubmitField(_l("Record observation"))


def ratings_form(keys: list[tuple[int, int | None]], current: dict):
    """A form with a rating select and a rationale box per (objective, team-or-overall)."""

    class RatingsForm(BaseForm):
        submit = SubmitField(_l("Save ratings"))

    choices = [("", _l("— not rated —"))] + list(RATINGS.items())
    for objective_id, team_id in keys:
        suffix = f"{objective_id}_{team_id or 'all'}"
        row = current.get((objective_id, team_id))
        setattr(RatingsForm, f"rating_{suffix}", SelectField(_l("Rating"), choices=choices,
                                                             default=row.rating if row else ""))
        setattr(RatingsForm, f"rationale_{suffix}", TextAreaField(_l("Rationale"), validators=[Length(max=5000)],
                                                                  default=row.rationale if row else ""))
    return RatingsForm


class HotwashForm(BaseForm):
    notes = TextAreaField(_l("Hot-wash notes"), validators=[Length(max=20000)])
    submit = SubmitField(_l("Save notes"))


class ImprovementForm(BaseForm):
    objective_id = SelectField(_l("Objective"), coerce=int_or_none, choices=[], validators=[Optional()])
    issue = TextAreaField(_l("Issue / area for improvement"), validators=[DataRequired(), Length(max=5000)])
    corrective_action = TextAreaField(_l("Corrective action"), validators=[DataRequired(), Length(max=5000)])
    poete = SelectField(_l("Capability element (POETE)"), choices=list(POETE.items()))
    owner_organisation = StringField(_l("Owner organisation"), validators=[Length(max=300)])
    point_of_contact = StringField(_l("Point of contact"), validators=[Length(max=200)])
    due_date = DateField(_l("Due date"), validators=[Optional()])
    status = SelectField(_l("Status"), choices=list(IMPROVEMENT_STATUSES.items()), default="open")
    submit = SubmitField(_l("Save item"))
