"""Forms of the nomination round (the candidate form reuses the trainee-record fields)."""

from __future__ import annotations

import re

from flask_wtf.file import FileField
from wtforms import (
    EmailField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, ValidationError

from core.forms import BaseForm
from core.i18n import _, _l
from core.refdata import country_choices, country_codes, org_type_choices, sector_choices
from nominations.models import ENGLISH_LEVELS, JOB_AREAS, QUESTION_KINDS
from trainees.display import current_lang
from trainees.forms import IsoDateField, TraineeFieldsMixin

ENGLISH_NAMES = {"basic": _l("Basic"), "intermediate": _l("Intermediate"), "advanced": _l("Advanced"),
                 "fluent": _l("Fluent")}
JOB_AREA_NAMES = {"policy": _l("Policy"), "incident_response": _l("Incident response"), "soc": _l("SOC"),
                  "forensics": _l("Forensics"), "ot_security": _l("OT security"), "isms": _l("ISMS"),
                  "management": _l("Management"), "other": _l("Other")}


def _english(empty_label):
    return lambda: [("", empty_label), *((k, ENGLISH_NAMES[k]) for k in ENGLISH_LEVELS)]


def _job_areas():
    return [(k, JOB_AREA_NAMES[k]) for k in JOB_AREAS]


class CallForm(BaseForm):
    cohort_id = SelectField(_l("Cohort"), coerce=int, validate_choice=True)
    title = StringField(_l("Title"), validators=[DataRequired(message=_l("A title is required.")), Length(max=300)])
    info_en = TextAreaField(_l("General Information (English)"), validators=[DataRequired(), Length(max=20000)])
    info_ja = TextAreaField(_l("General Information (Japanese, optional)"), validators=[Optional(), Length(max=20000)])
    joining_instructions = TextAreaField(_l("Joining instructions (sent with acceptance letters)"),
                                         validators=[Optional(), Length(max=5000)])
    opens_on = IsoDateField(_l("Opens on"), validators=[DataRequired()])
    closes_on = IsoDateField(_l("Closes on"), validators=[DataRequired()])
    quotas = StringField(_l("Quota per country"), validators=[Optional(), Length(max=500)])
    total_quota = IntegerField(_l("Total quota"), validators=[Optional(), NumberRange(min=0, max=10000)])
    min_age = IntegerField(_l("Minimum age"), validators=[Optional(), NumberRange(min=0, max=120)])
    max_age = IntegerField(_l("Maximum age"), validators=[Optional(), NumberRange(min=0, max=120)])
    min_experience_years = IntegerField(_l("Minimum years of experience"),
                                        validators=[Optional(), NumberRange(min=0, max=60)])
    job_areas = SelectMultipleField(_l("Accepted job areas (none = all)"), choices=_job_areas)
    min_english = SelectField(_l("Minimum English level"), choices=_english(_l("— no minimum —")))
    org_types = SelectMultipleField(_l("Accepted organisation types (none = all)"),
                                    choices=lambda: org_type_choices(current_lang()))
    sectors = SelectMultipleField(_l("Accepted sectors (none = all)"), choices=lambda: sector_choices(current_lang()))
    questions = TextAreaField(_l("The call's own questions"), validators=[Optional(), Length(max=5000)])
    submit = SubmitField(_l("Save call"))

    def parsed_quotas(self) -> dict[str, int]:
        """``VN=2, TH=3`` → {"VN": 2, "TH": 3}; raises ValidationError naming the bad part."""
        result: dict[str, int] = {}
        for part in filter(None, (p.strip() for p in re.split(r"[,;\n]", self.quotas.data or ""))):
            m = re.fullmatch(r"([A-Za-z]{2})\s*[=:]\s*(\d{1,4})", part)
            if not m or m.group(1).upper() not in country_codes():
                raise ValidationError(_("“%(part)s” is not a quota like VN=2.", part=part))
            result[m.group(1).upper()] = int(m.group(2))
        return result

    def validate_quotas(self, field):
        self.parsed_quotas()

    def parsed_questions(self) -> list[dict]:
        """One question a line: ``kind: prompt`` or ``choice: prompt | option; option`` (``*`` = required)."""
        result = []
        for line in filter(None, (ln.strip() for ln in (self.questions.data or "").splitlines())):
            kind, sep, rest = line.partition(":")
            kind = kind.strip().lower()
            required = kind.endswith("*")
            kind = kind.rstrip("*").strip()
            if not sep or kind not in QUESTION_KINDS or not rest.strip():
                raise ValidationError(_("“%(line)s”: start with text:, choice:, yes_no: or file:.", line=line))
            prompt, _bar, options = rest.partition("|")
            choices = [o.strip() for o in options.split(";") if o.strip()]
            if kind == "choice" and len(choices) < 2:
                raise ValidationError(_("“%(line)s”: a choice needs two options after |.", line=line))
            result.append({"kind": kind, "prompt": prompt.strip()[:500], "choices": choices, "required": required})
        return result

    def validate_questions(self, field):
        self.parsed_questions()

    def call_values(self) -> dict:
        return {k: getattr(self, k).data for k in (
            "title", "info_en", "info_ja", "joining_instructions", "opens_on", "closes_on", "total_quota",
            "min_age", "max_age", "min_experience_years", "job_areas", "min_english", "org_types", "sectors")} | {
            "info_ja": self.info_ja.data or "", "joining_instructions": self.joining_instructions.data or ""}


class FocalPointForm(BaseForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    display_name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    country = SelectField(_l("Country"), choices=lambda: country_choices(current_lang()))
    organisation = StringField(_l("Organisation (optional)"), validators=[Optional(), Length(max=300)])
    locale = SelectField(_l("Language"), choices=[("en", "English"), ("ja", "日本語")])
    submit = SubmitField(_l("Invite focal point"))


class CandidateForm(TraineeFieldsMixin, BaseForm):
    """The trainee-record fields plus what the eligibility rules look at."""

    experience_years = IntegerField(_l("Years of experience"), validators=[Optional(), NumberRange(min=0, max=60)])
    job_area = SelectField(_l("Job area"), choices=lambda: [("", _("— choose —")), *_job_areas()])
    english_level = SelectField(_l("English level"), choices=_english(_l("— choose —")))
    locale = SelectField(_l("Language for letters"), choices=[("en", "English"), ("ja", "日本語")])
    submit = SubmitField(_l("Submit"))

    def validate_sector(self, field):
        if not field.data:
            raise ValidationError(_("Choose a sector."))

    def validate_org_type(self, field):
        if not field.data:
            raise ValidationError(_("Choose an organisation type."))

    def candidate_values(self) -> dict:
        values = self.trainee_values()
        values.update(organisation_name=self.organisation.data.strip(),
                      organisation_country=self.organisation_country.data or self.nationality.data,
                      sector=self.sector.data, org_type=self.org_type.data,
                      experience_years=self.experience_years.data, job_area=self.job_area.data or "",
                      english_level=self.english_level.data or "", locale=self.locale.data)
        return values


class NominateForm(CandidateForm):
    rank = IntegerField(_l("Your rank for this candidate (1 = first)"),
                        validators=[Optional(), NumberRange(min=1, max=999)])
    endorsement = FileField(_l("Endorsement letter (PDF or DOCX)"))
    submit = SubmitField(_l("Nominate"))


class EndorseForm(BaseForm):
    rank = IntegerField(_l("Rank (1 = first)"), validators=[Optional(), NumberRange(min=1, max=999)])
    endorsement = FileField(_l("Endorsement letter (PDF or DOCX)"))
    submit = SubmitField(_l("Save and endorse"))


class DecisionForm(BaseForm):
    decision = SelectField(_l("Decision"), choices=[("accepted", _l("Accept")), ("waitlisted", _l("Waitlist")),
                                                    ("rejected", _l("Reject"))])
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Decide"))


class DuplicateForm(BaseForm):
    decision = SelectField(_l("Is this the same person?"), choices=[("merge", _l("Same person (merge)")),
                                                                    ("different", _l("Different person"))])
    submit = SubmitField(_l("Save"))


class ScoreForm(BaseForm):
    relevance = IntegerField(_l("Relevance"), validators=[DataRequired(), NumberRange(min=1, max=5)])
    experience = IntegerField(_l("Experience"), validators=[DataRequired(), NumberRange(min=1, max=5)])
    motivation = IntegerField(_l("Motivation"), validators=[DataRequired(), NumberRange(min=1, max=5)])
    submit = SubmitField(_l("Save scores"))


class NominationFileForm(BaseForm):
    file = FileField(_l("Spreadsheet (.xlsx or .csv, this call's template)"))
    submit = SubmitField(_l("Nominate everyone in the file"))
