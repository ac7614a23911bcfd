"""Forms for programmes, cohorts, sessions, enrolments, attendance, organisations and trainees.

Choices are callables so that names come in the user's language on every request. Rules that need the
database (unique codes, dates inside the cohort, legal status changes) live in the services; their
``ServiceError`` is shown next to the field of the same name.
"""

from __future__ import annotations

import re
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional, ValidationError

from core.forms import BaseForm
from core.i18n import _, _l
from core.refdata import (
    GENDERS,
    MODALITIES,
    country_choices,
    gender_name,
    modality_name,
    org_type_choices,
    sector_choices,
)
from trainees.display import (
    ATTENDANCE_NAMES,
    COHORT_STATUS_NAMES,
    SESSION_TYPE_NAMES,
    current_lang,
    language_choices,
)
from trainees.models import COHORT_STATUSES, SESSION_TYPES
from trainees.status import STATUSES, allowed_targets, status_name

#: Targets for which the organiser must say why (auditors ask "why was X not completed?").
REASON_REQUIRED = ("rejected", "withdrawn", "no_show", "incomplete")
#: Statuses with no way out (the status machine offers no transition from them).
FINAL_STATUSES = tuple(s for s in STATUSES if not allowed_targets(s))


# --- choices (evaluated per request, in the user's language) -----------------------------------

def _countries():
    return country_choices(current_lang())


def _countries_optional():
    return [("", _("— none —")), *country_choices(current_lang())]


def _countries_to_choose():
    return [("", _("— choose —")), *country_choices(current_lang())]


def _countries_same_as_nationality():
    return [("", _("— same as nationality —")), *country_choices(current_lang())]


def _sectors():
    return sector_choices(current_lang())


def _sectors_to_choose():
    return [("", _("— choose —")), *sector_choices(current_lang())]


def _org_types():
    return org_type_choices(current_lang())


def _org_types_to_choose():
    return [("", _("— choose —")), *org_type_choices(current_lang())]


def _genders():
    return [(g, gender_name(g, current_lang())) for g in GENDERS]


def _modalities():
    return [(m, modality_name(m, current_lang())) for m in MODALITIES]


def _cohort_statuses():
    return [(s, str(COHORT_STATUS_NAMES[s])) for s in COHORT_STATUSES]


def _session_types():
    return [(s, str(SESSION_TYPE_NAMES[s])) for s in SESSION_TYPES]


def enrolment_status_choices(statuses=STATUSES):
    return [(s, status_name(s, current_lang())) for s in statuses]


def attendance_choices():
    return [(s, str(name)) for s, name in ATTENDANCE_NAMES.items()]


# --- fields -------------------------------------------------------------------------------------

class IsoDateField(DateField):
    """``<input type=date>``; a value that is not YYYY-MM-DD gets a message saying so."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(_("Enter the date as YYYY-MM-DD, for example 2024-06-03.")) from exc


class IsoTimeField(TimeField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(_("Enter the time as HH:MM, for example 09:30.")) from exc


class OptionalInt(IntegerField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(_("Enter a whole number.")) from exc


_FY_LINE = re.compile(r"^\s*(?:FY)?\s*(\d{4})\s*(?:年度)?\s*[:：\-–—=,]?\s*(.*?)\s*$", re.IGNORECASE)


def parse_organiser_history(text: str) -> list[tuple[int, str]]:
    """Lines like ``2012: HIDA`` / ``FY2017 AOTS`` → [(2012, 'HIDA'), (2017, 'AOTS')]; ValueError on bad lines."""
    entries = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        match = _FY_LINE.match(line)
        if not match or not match.group(2):
            raise ValueError(_("Line %(n)d: write a fiscal year and a name, for example “2017: AOTS”.", n=number))
        fy = int(match.group(1))
        if not 1950 <= fy <= 2100:
            raise ValueError(_("Line %(n)d: %(fy)d is not a plausible fiscal year.", n=number, fy=fy))
        if any(fy == seen for seen, _name in entries):
            raise ValueError(_("Line %(n)d: FY%(fy)d is listed twice.", n=number, fy=fy))
        entries.append((fy, match.group(2)))
    return entries


# --- programmes ----------------------------------------------------------------------------------

class ProgrammeForm(BaseForm):
    code = StringField(_l("Code"), validators=[DataRequired(message=_l("A programme code is required.")),
                                                Length(max=40)])
    name = StringField(_l("Name"), validators=[DataRequired(message=_l("Give the programme's name.")),
                                                Length(max=300)])
    funder = StringField(_l("Funder"), validators=[Optional(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    organiser_history = TextAreaField(_l("Organiser name by fiscal year"))
    submit = SubmitField(_l("Save programme"))

    def validate_organiser_history(self, field):
        try:
            self.organiser_entries = parse_organiser_history(field.data)
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc


class ProgrammeEditForm(ProgrammeForm):
    code = None  # a programme's code identifies it in reports and the CLI: not editable


class ProgrammeLogoForm(BaseForm):
    """Upload or replace the programme's logo (checked by content in the service, not by extension)."""

    logo = FileField(_l("Logo (PNG or JPEG, at most 1 MB)"), render_kw={"accept": "image/png,image/jpeg"})
    upload = SubmitField(_l("Upload logo"))


# --- cohorts and sessions ----------------------------------------------------------------------

def _int_or_none(value):
    """Coerce a select's value to an int; the empty "— choose —" option gives None."""
    if value in (None, ""):
        return None
    return int(value)


class CohortForm(BaseForm):
    programme_id = SelectField(_l("Programme"), coerce=_int_or_none, validate_choice=False,
                               validators=[DataRequired(message=_l("Choose a programme."))])
    code = StringField(_l("Code"), validators=[DataRequired(message=_l("A cohort code is required.")),
                                                Length(max=40)])
    title = StringField(_l("Title"), validators=[DataRequired(message=_l("Give the course title.")),
                                                  Length(max=300)])
    modality = SelectField(_l("Modality"), choices=_modalities)
    host_country = SelectField(_l("Host country"), choices=_countries_optional)
    city = StringField(_l("City"), validators=[Optional(), Length(max=120)])
    venue = StringField(_l("Venue"), validators=[Optional(), Length(max=200)])
    start_date = IsoDateField(_l("Start date"), validators=[InputRequired(message=_l("Give a start date."))])
    end_date = IsoDateField(_l("End date"), validators=[InputRequired(message=_l("Give an end date."))])
    language = SelectField(_l("Language"), choices=language_choices)
    capacity = OptionalInt(_l("Capacity (seats)"), validators=[
        Optional(), NumberRange(min=1, message=_l("Capacity must be at least 1 (or left empty)."))])
    status = SelectField(_l("Status"), choices=_cohort_statuses)
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])
    submit = SubmitField(_l("Save cohort"))

    def validate_end_date(self, field):
        # checked here as well as in the service, so that it is reported together with the other fields' errors
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError(_("The end date is before the start date."))

    def values(self) -> dict:
        return {
            "code": self.code.data, "title": self.title.data, "modality": self.modality.data,
            "host_country": self.host_country.data or None, "city": self.city.data or "",
            "venue": self.venue.data or "", "start_date": self.start_date.data, "end_date": self.end_date.data,
            "language": self.language.data, "capacity": self.capacity.data, "status": self.status.data,
            "notes": self.notes.data or "",
        }


class SessionForm(BaseForm):
    title = StringField(_l("Title"), validators=[DataRequired(message=_l("Give the session a title.")),
                                                  Length(max=300)])
    date = IsoDateField(_l("Date"), validators=[InputRequired(message=_l("Give the session's date."))])
    start_time = IsoTimeField(_l("Starts at"), validators=[Optional()])
    end_time = IsoTimeField(_l("Ends at"), validators=[Optional()])
    timezone = StringField(_l("Time zone"), default="Asia/Tokyo", render_kw={"list": "timezones"},
                           validators=[DataRequired(message=_l("Give a time zone such as Asia/Tokyo.")),
                                       Length(max=60)])
    session_type = SelectField(_l("Type"), choices=_session_types)
    venue = StringField(_l("Venue"), validators=[Optional(), Length(max=200)])
    attendance_required = BooleanField(_l("Attendance is taken"), default=True)
    submit = SubmitField(_l("Save session"))

    #: The cohort the session belongs to (set by the view) so that its dates are checked with the other fields.
    cohort = None

    def validate_date(self, field):
        cohort = self.cohort
        if cohort is not None and field.data and not cohort.start_date <= field.data <= cohort.end_date:
            raise ValidationError(_("The session date must be within the cohort's dates (%(start)s – %(end)s).",
                                    start=cohort.start_date.isoformat(), end=cohort.end_date.isoformat()))

    def validate_end_time(self, field):
        if field.data and self.start_time.data and field.data <= self.start_time.data:
            raise ValidationError(_("The session ends before it starts."))

    def validate_timezone(self, field):
        try:
            ZoneInfo(field.data)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValidationError(_("Unknown time zone. Use a name such as Asia/Tokyo or Asia/Bangkok.")) from exc

    def values(self) -> dict:
        return {
            "title": self.title.data, "date": self.date.data, "start_time": self.start_time.data,
            "end_time": self.end_time.data, "timezone": self.timezone.data,
            "session_type": self.session_type.data, "venue": self.venue.data or "",
            "attendance_required": self.attendance_required.data,
        }


class ConfirmForm(BaseForm):
    """A POST button with a CSRF token (deletions, merges, lock/unlock)."""

    submit = SubmitField(_l("Confirm"))


# --- enrolments --------------------------------------------------------------------------------

class EnrolExistingForm(BaseForm):
    trainee_id = IntegerField(validators=[DataRequired()])
    status = SelectField(_l("Initial status"), choices=enrolment_status_choices, default="nominated")


class TraineeFieldsMixin:
    family_name = StringField(_l("Family name (as in passport)"), validators=[Optional(), Length(max=200)])
    given_names = StringField(_l("Given names"), validators=[
        DataRequired(message=_l("Given names are required (put a single name here).")), Length(max=200)])
    native_name = StringField(_l("Name in native script"), validators=[Optional(), Length(max=200)])
    email = EmailField(_l("E-mail"), validators=[DataRequired(message=_l("An e-mail address is required.")),
                                                 Email(message=_l("This is not a valid e-mail address.")),
                                                 Length(max=254)])
    gender = SelectField(_l("Gender"), choices=_genders, default="NS")
    nationality = SelectField(_l("Nationality"), choices=_countries_to_choose,
                              validators=[DataRequired(message=_l("Choose a nationality."))])
    job_title = StringField(_l("Job title"), validators=[Optional(), Length(max=200)])
    date_of_birth = IsoDateField(_l("Date of birth"), validators=[Optional()])
    organisation = StringField(_l("Organisation"), validators=[
        DataRequired(message=_l("An organisation name is required.")), Length(max=300)])
    organisation_country = SelectField(_l("Organisation country"), choices=_countries_same_as_nationality)
    # needed only when the organisation is new (the view asks for them then); an existing one keeps its own
    sector = SelectField(_l("Sector"), choices=_sectors_to_choose, validators=[Optional()])
    org_type = SelectField(_l("Organisation type"), choices=_org_types_to_choose, validators=[Optional()])

    def organisation_values(self) -> tuple[str, str, str, str]:
        """(name, country, sector, org type) for ``get_or_create_organisation``; country defaults to nationality."""
        return (self.organisation.data, self.organisation_country.data or self.nationality.data,
                self.sector.data, self.org_type.data)

    def trainee_values(self) -> dict:
        return {
            "family_name": self.family_name.data or "", "given_names": self.given_names.data,
            "native_name": self.native_name.data or "", "email": self.email.data, "gender": self.gender.data,
            "nationality": self.nationality.data, "job_title": self.job_title.data or "",
            "date_of_birth": self.date_of_birth.data,
        }


class NewTraineeForm(TraineeFieldsMixin, BaseForm):
    """A new person (and their organisation, if new); on a cohort page also their initial status."""

    status = SelectField(_l("Initial status"), choices=enrolment_status_choices, default="nominated")
    submit = SubmitField(_l("Add trainee"))


class TraineeForm(TraineeFieldsMixin, BaseForm):
    submit = SubmitField(_l("Save trainee"))


#: The status-change forms' labels, shared with the cohort page's bulk box as it is shown before any change
#: (``BulkStatusBox``), which is written out without binding a form.
STATUS_LABELS = {
    "target": _l("New status"),
    "reason": _l("Reason"),
    "confirm_final": _l("I understand that rejected, withdrawn and no-show cannot be undone"),
    "bulk_submit": _l("Apply to selected"),
}


class StatusChangeForm(BaseForm):
    # The offered choices are the legal targets; anything else POSTed is refused by the service.
    target = SelectField(STATUS_LABELS["target"], validate_choice=False,
                         validators=[DataRequired(message=_l("Choose the new status."))])
    # no Optional: validate_reason must run
    reason = TextAreaField(STATUS_LABELS["reason"], validators=[Length(max=2000)])
    submit = SubmitField(_l("Change status"))

    def validate_reason(self, field):
        if self.target.data in REASON_REQUIRED and not (field.data or "").strip():
            raise ValidationError(_("Say why the enrolment becomes %(status)s.",
                                    status=status_name(self.target.data, current_lang())))


class BulkStatusForm(StatusChangeForm):
    enrolment_ids = SelectMultipleField(_l("Participants"), coerce=int, validate_choice=False)  # labelled: an
    # unlabelled field makes WTForms translate its name, and Flask-WTF loads its catalogue from disk for that
    confirm_final = BooleanField(STATUS_LABELS["confirm_final"])
    submit = SubmitField(STATUS_LABELS["bulk_submit"])

    def validate_enrolment_ids(self, field):
        if not field.data:
            raise ValidationError(_("Tick at least one participant."))

    def validate_confirm_final(self, field):
        # a final status has no way back, and a bulk change can reach many people at once
        if self.target.data in FINAL_STATUSES and not field.data:
            raise ValidationError(_("%(status)s is final and cannot be undone: tick the box to confirm.",
                                    status=status_name(self.target.data, current_lang())))


def bulk_target_choices() -> list[tuple[str, str]]:
    """The bulk box's status menu: nothing chosen, then every status (illegal changes are skipped and reported)."""
    return [("", _("— choose —")), *enrolment_status_choices()]


class BulkStatusBox(NamedTuple):
    """The cohort page's bulk-status box as shown: blank on the page itself, or a refused ``BulkStatusForm``'s
    choice, reason, tick and errors. The page is shown far more often than a change is refused, and binding the
    form (six fields and a CSRF field) was about a tenth of the page's own time for a box that shows nothing
    of it; the labels are the form's (``STATUS_LABELS``)."""

    choices: list[tuple[str, str]]
    target: str | None = None
    reason: str = ""
    confirm_final: bool = False
    errors: tuple[str, ...] = ()
    selected: frozenset[int] = frozenset()
    labels: dict = STATUS_LABELS

    @classmethod
    def blank(cls) -> BulkStatusBox:
        return cls(bulk_target_choices())

    @classmethod
    def of(cls, form: BulkStatusForm) -> BulkStatusBox:
        """The box showing a submitted form: its values, and its errors field by field in the form's order."""
        return cls(form.target.choices, form.target.data, form.reason.data or "", bool(form.confirm_final.data),
                   tuple(e for errors in form.errors.values() for e in errors),
                   frozenset(form.enrolment_ids.data or ()) if form.errors else frozenset())


class AttendanceForm(BaseForm):
    save = SubmitField(_l("Save attendance"))
    all_present = SubmitField(_l("Mark the rest present and save"))


# --- organisations ----------------------------------------------------------------------------

class OrganisationForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(message=_l("An organisation name is required.")),
                                                Length(max=300)])
    country = SelectField(_l("Country"), choices=_countries)
    sector_code = SelectField(_l("Sector"), choices=_sectors)
    org_type = SelectField(_l("Organisation type"), choices=_org_types)
    is_international = BooleanField(_l("International or regional organisation"))
    submit = SubmitField(_l("Save organisation"))

    def values(self) -> dict:
        return {"name": " ".join(self.name.data.split()), "country": self.country.data,
                "sector_code": self.sector_code.data, "org_type": self.org_type.data,
                "is_international": self.is_international.data}
