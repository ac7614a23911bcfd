"""Registry of question types (pure logic: no Flask, no database).

A question stores its type key and an *answer spec* (a small JSON-able dict); a trainee's answer is a
*response* (also JSON-able). Each type knows how to check a spec, turn submitted form values into a
response, and score a response as a fraction 0..1.

Specs and responses per type::

    single_choice    spec {"options": [str, ...], "correct": [i]}          response int (option index)
    multiple_choice  spec {"options": [str, ...], "correct": [i, j, ...]}  response sorted [int, ...]
    true_false       spec {"answer": bool}                                 response bool
    numeric          spec {"answer": float, "tolerance": float}            response float
    short_text       spec {"answers": [str, ...]}                          response str

Partial credit (multiple choice only): ``(correct options selected − wrong options selected) / number
of correct options``, floored at 0. Selecting everything therefore never earns full credit: with 2
correct options out of 4, ticking all four scores (2 − 2)/2 = 0; ticking one right one scores 0.5.

Short text matching is case-, width- and space-insensitive: both sides are NFKC-normalised (full-width
letters and digits become ASCII), case-folded, trimmed, and inner runs of white space become one space.

Numeric answers are right when ``|response − answer| ≤ tolerance`` (plus 1e-9 for float rounding);
responses accept a decimal comma ("93,5") and surrounding spaces.
"""

from __future__ import annotations

import json
import math
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any


def N_(message: str) -> str:
    """Mark a message for translation; it is translated where it is shown."""
    return message


class SpecError(ValueError):
    """The answer spec of a question is not valid for its type."""


def normalise_text(value: str) -> str:
    """Width-, case- and space-folded text for short-answer matching."""
    folded = unicodedata.normalize("NFKC", value or "").casefold()
    return " ".join(folded.split())


def parse_number(value: Any) -> float | None:
    """A float from a response value ("93", "93.5", "93,5", " 1e3 "), or None if it is not a number."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip().replace(" ", "")
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            return None
    return number if math.isfinite(number) else None


class QuestionType(ABC):
    """Base class: subclasses set ``key`` and implement the four abstract methods."""

    key = ""
    has_options = False

    @abstractmethod
    def check_spec(self, spec: Mapping) -> dict:
        """Return a cleaned copy of ``spec`` or raise SpecError."""
        ...

    @abstractmethod
    def response_from_values(self, values: Sequence[str]) -> Any:
        """Turn submitted form values (strings) into a response (None when nothing was answered)."""
        ...

    @abstractmethod
    def score(self, spec: Mapping, response: Any) -> float:
        """The fraction 0..1 earned by ``response``."""
        ...

    @abstractmethod
    def correct_response(self, spec: Mapping) -> Any:
        """A response that earns full credit (for feedback pages and demo data)."""
        ...


def _options(spec: Mapping) -> list[str]:
    options = spec.get("options")
    if not isinstance(options, list) or len(options) < 2:
        raise SpecError(N_("A choice question needs at least two options."))
    cleaned = [str(o).strip() for o in options]
    if any(not o for o in cleaned):
        raise SpecError(N_("Options must not be empty."))
    if len(set(cleaned)) != len(cleaned):
        raise SpecError(N_("Two options have the same text."))
    return cleaned


def _indices(spec: Mapping, n_options: int) -> list[int]:
    correct = spec.get("correct")
    if not isinstance(correct, list) or not correct:
        raise SpecError(N_("Mark at least one option as correct."))
    if any(isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < n_options for i in correct):
        raise SpecError(N_("A correct option number is out of range."))
    return sorted(set(correct))


def _index(value: Any, n_options: int | None = None) -> int | None:
    try:
        index = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    if index < 0 or (n_options is not None and index >= n_options):
        return None
    return index


class SingleChoice(QuestionType):
    key = "single_choice"
    has_options = True

    def check_spec(self, spec):
        options = _options(spec)
        correct = _indices(spec, len(options))
        if len(correct) != 1:
            raise SpecError(N_("A single-choice question has exactly one correct option."))
        return {"options": options, "correct": correct}

    def response_from_values(self, values):
        return _index(values[0]) if values else None

    def score(self, spec, response):
        return 1.0 if response is not None and response in spec["correct"] else 0.0

    def correct_response(self, spec):
        return spec["correct"][0]


class MultipleChoice(QuestionType):
    key = "multiple_choice"
    has_options = True

    def check_spec(self, spec):
        options = _options(spec)
        return {"options": options, "correct": _indices(spec, len(options))}

    def response_from_values(self, values):
        chosen = sorted({i for i in (_index(v) for v in values) if i is not None})
        return chosen or None

    def score(self, spec, response):
        if not response:
            return 0.0
        correct = set(spec["correct"])
        chosen = set(response)
        earned = len(chosen & correct) - len(chosen - correct)
        return max(0.0, earned / len(correct))

    def correct_response(self, spec):
        return list(spec["correct"])


class TrueFalse(QuestionType):
    key = "true_false"

    def check_spec(self, spec):
        answer = spec.get("answer")
        if not isinstance(answer, bool):
            raise SpecError(N_("A true/false question needs the answer true or false."))
        return {"answer": answer}

    def response_from_values(self, values):
        if not values:
            return None
        value = str(values[0]).strip().lower()
        if value in ("true", "t", "1", "yes"):
            return True
        if value in ("false", "f", "0", "no"):
            return False
        return None

    def score(self, spec, response):
        return 1.0 if isinstance(response, bool) and response == spec["answer"] else 0.0

    def correct_response(self, spec):
        return spec["answer"]


class Numeric(QuestionType):
    key = "numeric"

    def check_spec(self, spec):
        answer = parse_number(spec.get("answer"))
        if answer is None:
            raise SpecError(N_("A numeric question needs a numeric answer."))
        tolerance = parse_number(spec.get("tolerance", 0) or 0)
        if tolerance is None or tolerance < 0:
            raise SpecError(N_("The tolerance must be zero or a positive number."))
        return {"answer": answer, "tolerance": tolerance}

    def response_from_values(self, values):
        return parse_number(values[0]) if values and str(values[0]).strip() else None

    def score(self, spec, response):
        number = parse_number(response)
        if number is None:
            return 0.0
        return 1.0 if abs(number - spec["answer"]) <= spec.get("tolerance", 0.0) + 1e-9 else 0.0

    def correct_response(self, spec):
        return spec["answer"]


class ShortText(QuestionType):
    key = "short_text"

    def check_spec(self, spec):
        answers = spec.get("answers")
        if not isinstance(answers, list):
            raise SpecError(N_("A short-text question needs at least one accepted answer."))
        cleaned = [str(a).strip() for a in answers if str(a).strip()]
        if not cleaned:
            raise SpecError(N_("A short-text question needs at least one accepted answer."))
        return {"answers": cleaned}

    def response_from_values(self, values):
        text = str(values[0]).strip() if values else ""
        return text[:500] or None

    def score(self, spec, response):
        if not isinstance(response, str) or not response.strip():
            return 0.0
        accepted = {normalise_text(a) for a in spec["answers"]}
        return 1.0 if normalise_text(response) in accepted else 0.0

    def correct_response(self, spec):
        return spec["answers"][0]


TYPES: dict[str, QuestionType] = {t.key: t for t in (SingleChoice(), MultipleChoice(), TrueFalse(), Numeric(),
                                                     ShortText())}
TYPE_KEYS = tuple(TYPES)
CHOICE_TYPES = tuple(k for k, t in TYPES.items() if t.has_options)


def get_type(key: str) -> QuestionType:
    try:
        return TYPES[key]
    except KeyError:
        raise SpecError(N_("Unknown question type.")) from None


def check_spec(qtype: str, spec: Mapping) -> dict:
    """A cleaned spec for a question of type ``qtype`` (raises SpecError)."""
    return get_type(qtype).check_spec(spec)


def dump_response(response: Any) -> str | None:
    """Canonical JSON text of a response (so equal responses group together in SQL)."""
    if response is None:
        return None
    return json.dumps(response, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def load_response(text: str | None) -> Any:
    if text is None or text == "":
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None
