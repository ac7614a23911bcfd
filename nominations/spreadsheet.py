"""Nominating from a spreadsheet: a template for one call (the trainee import template's columns plus one
column per call question, headed by the question's text) and reading the answers back.

The file is read by the trainee importer (``trainees.imports.reader.parse_file``, through the guarded
workbook reader), with the call's questions as extra columns found by their text (case-, width- and
space-insensitive, as the template's own headers). A ``file`` question (a CV…) cannot come in a
spreadsheet: it has no column, and the focal point attaches the document per candidate afterwards; until
then the candidate is shown as incomplete (:func:`missing_documents`).
"""

from __future__ import annotations

from dataclasses import dataclass

from core.i18n import _
from nominations.models import CallQuestion, Candidate, NominationCall
from trainees.imports.reader import Column, Problem, header_key
from trainees.imports.template import ExtraColumn, build_template

#: Template columns a nomination does not use (a candidate has no enrolment status yet).
LEFT_OUT = ("status",)
YES = frozenset(header_key(w) for w in ("yes", "y", "true", "1", "はい", "有", "あり", "○"))
NO = frozenset(header_key(w) for w in ("no", "n", "false", "0", "いいえ", "無", "なし", "×"))


def _key(question: CallQuestion) -> str:
    return f"question {question.id}"


def answerable(call: NominationCall) -> list[CallQuestion]:
    """The call's questions a spreadsheet can answer (every kind but ``file``)."""
    return [q for q in call.questions if q.kind != "file"]


def file_questions(call: NominationCall) -> list[CallQuestion]:
    return [q for q in call.questions if q.kind == "file"]


def question_columns(call: NominationCall) -> tuple[Column, ...]:
    """Extra reader columns: one per answerable question, found by the question's text."""
    return tuple(Column(_key(q), False, (q.prompt,), 5000) for q in answerable(call))


def _description(question: CallQuestion) -> str:
    if question.kind == "choice":
        return _("The call's question. Answer with one of: %(choices)s.", choices="; ".join(question.choices))
    if question.kind == "yes_no":
        return _("The call's question. Answer yes or no (はい / いいえ also work).")
    return _("The call's question, answered in free text.")


def build_call_template(call: NominationCall) -> bytes:
    """The template for this call (.xlsx): the import template's columns (without ``status``) and the questions
    a spreadsheet can answer (``file`` questions have no column: their documents are attached per candidate)."""
    extra = []
    for q in answerable(call):
        choices = tuple(q.choices) if q.kind == "choice" else ("yes", "no") if q.kind == "yes_no" else ()
        extra.append(ExtraColumn(q.prompt, q.required, _description(q), choices=choices))
    return build_template(leave_out=LEFT_OUT, extra=tuple(extra))


@dataclass
class RowAnswers:
    """A row's answers to the call's questions, and what is wrong with them (``row N: question: message``)."""

    answers: dict[int, str]
    problems: list[str]


def _row(number: int, where: str, message: str) -> str:
    """One problem line in the reader's language (``row N: question: message``), as the importer shows its own."""
    return Problem(where, message).shown(number)


def read_answers(call: NominationCall, row, present: set[str]) -> RowAnswers:
    """The answers of one parsed row: choices and yes/no normalised, required ones checked, by question text."""
    answers: dict[int, str] = {}
    problems: list[str] = []
    for q in answerable(call):
        text = (row.values.get(_key(q)) or "").strip() if _key(q) in present else ""
        if not text:
            if q.required:
                problems.append(_row(row.number, q.prompt, _("an answer is required.")))
            continue
        if q.kind == "choice":
            chosen = next((c for c in q.choices if header_key(c) == header_key(text)), None)
            if chosen is None:
                problems.append(_row(row.number, q.prompt, _("“%(value)s” is not one of: %(choices)s.",
                                                             value=text[:80], choices="; ".join(q.choices))))
                continue
            text = chosen
        elif q.kind == "yes_no":
            key = header_key(text)
            if key not in YES and key not in NO:
                problems.append(_row(row.number, q.prompt, _("answer yes or no.")))
                continue
            text = "yes" if key in YES else "no"
        answers[q.id] = text
    return RowAnswers(answers, problems)


def missing_columns(call: NominationCall, present: set[str]) -> list[str]:
    """File-level problems: a required question whose column is not in the file at all."""
    return [_("The column “%(question)s” (a required question of this call) is missing: download this call's "
              "template.", question=q.prompt) for q in answerable(call) if q.required and _key(q) not in present]


def missing_documents(candidate: Candidate, call: NominationCall | None = None) -> list[CallQuestion]:
    """Required ``file`` questions the candidate has no document for yet (the candidate is incomplete)."""
    call = call or candidate.call
    attached = {a.question_id for a in candidate.answers if a.file_key}
    return [q for q in file_questions(call) if q.required and q.id not in attached]
