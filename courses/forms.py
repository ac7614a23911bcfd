"""Forms for course authoring, the question bank, quizzes, GIFT import, editions and assignments."""

from __future__ import annotations

import re
from functools import lru_cache
from types import MappingProxyType

from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from core.forms import BaseForm
from core.i18n import _l, current_locale
from courses.grading import FEEDBACK_POLICIES, QUIZ_KINDS
from courses.models import TRACKS
from courses.question_types import TYPE_KEYS, parse_number

TYPE_LABELS = {"single_choice": _l("Single choice"), "multiple_choice": _l("Multiple choice"),
               "true_false": _l("True / false"), "numeric": _l("Numeric"), "short_text": _l("Short text")}
KIND_LABELS = {"practice": _l("Practice"), "module_test": _l("Module test"), "pre_test": _l("Pre-test"),
               "post_test": _l("Post-test")}
FEEDBACK_LABELS = {"immediate": _l("Immediately (practice)"), "after_submit": _l("After submission"),
                   "after_close": _l("After the due date"), "never": _l("Score only")}
TRACK_LABELS = {"ISMS": "ISMS", "CSIRT": "CSIRT", "other": _l("Other")}
DIFFICULTY_LABELS = {1: _l("Easy"), 2: _l("Medium"), 3: _l("Hard")}


@lru_cache(maxsize=16)
def _kind_labels(locale: str) -> MappingProxyType:
    return MappingProxyType({kind: str(label) for kind, label in KIND_LABELS.items()})


def kind_labels() -> MappingProxyType:
    """:data:`KIND_LABELS` as text in the page's language, translated once per language (a pure label table:
    the catalogues do not change while the app runs); the trainee outline shows one per quiz."""
    return _kind_labels(str(current_locale()))


def split_tags(text: str | None) -> list[str]:
    """Tags from a comma- or space-separated field."""
    return [t for t in re.split(r"[\s,]+", text or "") if t]


class ConfirmForm(BaseForm):
    """An empty form carrying only the CSRF token (deletes, moves, start, complete)."""


class CourseForm(BaseForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40)])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    track = SelectField(_l("Track"), choices=[(t, TRACK_LABELS[t]) for t in TRACKS])
    edition = StringField(_l("Edition"), validators=[Optional(), Length(max=120)],
                          description=_l("e.g. ISO/IEC 27001:2022 incl. Amd 1:2024"))
    language = SelectField(_l("Language"), choices=[("en", "English"), ("ja", "日本語"), ("other", _l("Other"))])
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=4000)])
    is_published = BooleanField(_l("Published (visible to trainees of assigned cohorts)"))
    submit = SubmitField(_l("Save"))

    def data_dict(self) -> dict:
        return {k: getattr(self, k).data or ("" if k != "is_published" else False)
                for k in ("code", "title", "track", "edition", "language", "summary", "is_published")}


class ModuleForm(BaseForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Save"))


class LessonForm(BaseForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    minutes = IntegerField(_l("Estimated minutes"), default=10, validators=[DataRequired(), NumberRange(1, 600)])
    body_md = TextAreaField(_l("Text (Markdown)"), validators=[Optional(), Length(max=200_000)])
    preview = SubmitField(_l("Preview"))
    submit = SubmitField(_l("Save"))


class AttachmentForm(BaseForm):
    attachment = FileField(_l("Attachment (PDF, Word, Excel, PowerPoint, PNG, JPEG or text; at most 5 MB)"))
    submit = SubmitField(_l("Upload"))


class QuestionForm(BaseForm):
    key = StringField(_l("Key"), validators=[Optional(), Length(max=80)],
                      description=_l("A stable identifier; left empty, one is generated."))
    qtype = SelectField(_l("Type"), choices=[(k, TYPE_LABELS[k]) for k in TYPE_KEYS])
    module_id = SelectField(_l("Module it tests"), coerce=int, choices=[(0, "—")])
    text = TextAreaField(_l("Question (Markdown)"), validators=[DataRequired(), Length(max=8000)])
    options = TextAreaField(_l("Options (choice types): one per line; start each correct one with *"),
                            validators=[Optional(), Length(max=8000)])
    tf_answer = SelectField(_l("Answer (true/false)"), choices=[("true", _l("True")), ("false", _l("False"))])
    numeric_answer = StringField(_l("Answer (numeric)"), validators=[Optional(), Length(max=40)])
    tolerance = StringField(_l("Tolerance (numeric, ±)"), validators=[Optional(), Length(max=40)])
    answers = TextAreaField(_l("Accepted answers (short text): one per line"), validators=[Optional(),
                                                                                           Length(max=4000)])
    explanation = TextAreaField(_l("Explanation (shown as feedback)"), validators=[Optional(), Length(max=8000)])
    difficulty = SelectField(_l("Difficulty"), coerce=int, choices=[(k, v) for k, v in DIFFICULTY_LABELS.items()],
                             default=2)
    tags = StringField(_l("Tags"), validators=[Optional(), Length(max=1000)],
                       description=_l("Separated by spaces or commas, e.g. iso27001:A.5.7 first:6.1 topic:tlp"))
    preview = SubmitField(_l("Preview"))
    submit = SubmitField(_l("Save"))

    def spec(self) -> dict:
        """The answer spec from the type-specific fields (validated by the service)."""
        qtype = self.qtype.data
        if qtype in ("single_choice", "multiple_choice"):
            options, correct = [], []
            for line in (self.options.data or "").splitlines():
                line = line.strip()
                if not line:
                    continue
                if line.startswith("*"):
                    correct.append(len(options))
                    line = line[1:].strip()
                options.append(line)
            return {"options": options, "correct": correct}
        if qtype == "true_false":
            return {"answer": self.tf_answer.data == "true"}
        if qtype == "numeric":
            return {"answer": parse_number(self.numeric_answer.data), "tolerance": parse_number(self.tolerance.data)
                    if (self.tolerance.data or "").strip() else 0.0}
        return {"answers": [a.strip() for a in (self.answers.data or "").splitlines() if a.strip()]}

    def fill_from(self, question) -> None:
        spec = question.spec
        self.key.data, self.qtype.data, self.text.data = question.key, question.qtype, question.text
        self.module_id.data = question.module_id or 0
        self.explanation.data, self.difficulty.data = question.explanation, question.difficulty
        self.tags.data = " ".join(question.tags)
        if "options" in spec:
            self.options.data = "\n".join(("* " if i in spec["correct"] else "") + o
                                          for i, o in enumerate(spec["options"]))
        if question.qtype == "true_false":
            self.tf_answer.data = "true" if spec["answer"] else "false"
        if question.qtype == "numeric":
            self.numeric_answer.data, self.tolerance.data = f"{spec['answer']:g}", f"{spec.get('tolerance', 0):g}"
        if question.qtype == "short_text":
            self.answers.data = "\n".join(spec["answers"])

    def fields_dict(self) -> dict:
        return {"key": self.key.data, "qtype": self.qtype.data, "text": self.text.data, "spec": self.spec(),
                "explanation": self.explanation.data or "", "difficulty": self.difficulty.data,
                "module_id": self.module_id.data or None}


class QuizForm(BaseForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    key = StringField(_l("Key"), validators=[Optional(), Length(max=80)])
    kind = SelectField(_l("Kind"), choices=[(k, KIND_LABELS[k]) for k in QUIZ_KINDS])
    module_id = SelectField(_l("Module"), coerce=int, choices=[(0, "—")])
    instructions = TextAreaField(_l("Instructions (Markdown)"), validators=[Optional(), Length(max=4000)])
    time_limit_minutes = IntegerField(_l("Time limit in minutes (0 = none)"), default=0,
                                      validators=[Optional(), NumberRange(0, 600)])
    max_attempts = IntegerField(_l("Maximum attempts (0 = unlimited)"), default=0,
                                validators=[Optional(), NumberRange(0, 100)])
    pass_mark = IntegerField(_l("Pass mark (%)"), default=60, validators=[Optional(), NumberRange(0, 100)])
    shuffle = BooleanField(_l("Shuffle questions and options for each attempt"))
    feedback = SelectField(_l("Feedback"), choices=[(k, FEEDBACK_LABELS[k]) for k in FEEDBACK_POLICIES],
                           default="after_submit")
    selection = RadioField(_l("Questions"), choices=[("fixed", _l("Chosen questions, in order")),
                                                     ("random", _l("Drawn at random for each attempt"))],
                           default="fixed")
    random_count = IntegerField(_l("Number of questions to draw"), default=0,
                                validators=[Optional(), NumberRange(0, 200)])
    random_tag = StringField(_l("Draw from questions tagged (empty = the whole bank)"),
                             validators=[Optional(), Length(max=80)])
    submit = SubmitField(_l("Save"))

    def fields_dict(self) -> dict:
        return {"title": self.title.data, "key": self.key.data, "kind": self.kind.data,
                "module_id": self.module_id.data or None, "instructions": self.instructions.data or "",
                "time_limit_minutes": self.time_limit_minutes.data or 0, "max_attempts": self.max_attempts.data or 0,
                "pass_mark": self.pass_mark.data if self.pass_mark.data is not None else 60,
                "shuffle": bool(self.shuffle.data), "feedback": self.feedback.data, "selection": self.selection.data,
                "random_count": self.random_count.data or 0, "random_tag": (self.random_tag.data or "").strip()}


class GiftImportForm(BaseForm):
    file = FileField(_l("GIFT file (.gift or .txt, UTF-8)"))
    text = TextAreaField(_l("…or paste GIFT text"), validators=[Optional(), Length(max=2_000_000)])
    submit = SubmitField(_l("Import"))


class EditionForm(BaseForm):
    edition = StringField(_l("New edition label"), validators=[DataRequired(), Length(max=120)])
    submit = SubmitField(_l("Create the new edition"))


class AssignmentForm(BaseForm):
    cohort_id = SelectField(_l("Cohort"), coerce=int, choices=[])
    opens_on = DateField(_l("Opens on"), validators=[Optional()])
    due_on = DateField(_l("Due on"), validators=[Optional()])
    pre_test_id = SelectField(_l("Pre-test"), coerce=int, choices=[(0, "—")])
    post_test_id = SelectField(_l("Post-test"), coerce=int, choices=[(0, "—")])
    submit = SubmitField(_l("Save"))
