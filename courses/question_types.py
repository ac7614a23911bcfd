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

Optional keys, written only when they differ from the defaults (so a plain spec stays plain), carry
what Moodle's GIFT format can express:

* ``weights`` (choice and short-text types): one fraction −1..1 per option/answer, rounded to 7 decimals
  like Moodle's ``fraction``. Single choice scores the chosen option's weight (floored at 0); multiple
  choice the sum of the chosen options' weights, clamped to 0..1; short text the weight of the first
  accepted answer that matches.
* ``feedback`` (choice and short-text types): one text per option/answer, shown for the chosen one.
* ``feedback_true`` / ``feedback_false`` (true/false): shown when the trainee answered true / false.
* ``answers`` (numeric): ``[{"answer", "tolerance", "weight", "feedback"}, ...]``; the first answer
  whose range contains the response gives its weight; ``answer``/``tolerance`` then repeat the first
  full-credit one. ``wrong_feedback``: shown when no answer matches.

Short-text answers follow Moodle: ``*`` is a wildcard (any run of characters) and ``\\*`` a literal star.

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
import re
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


WEIGHT_DECIMALS = 7


def _weights(spec: Mapping, n: int) -> list[float] | None:
    """The cleaned per-option weights of ``spec`` (fractions −1..1), or None when it has none."""
    weights = spec.get("weights")
    if weights is None:
        return None
    if not isinstance(weights, list) or len(weights) != n:
        raise SpecError(N_("Give one weight per answer."))
    cleaned = []
    for w in weights:
        number = parse_number(w)
        if number is None or not -1.0 - 1e-9 <= number <= 1.0 + 1e-9:
            raise SpecError(N_("Answer weights must be between -100 and 100 per cent."))
        cleaned.append(round(number, WEIGHT_DECIMALS) + 0.0)
    return cleaned


def _feedback(spec: Mapping, n: int) -> list[str] | None:
    feedback = spec.get("feedback")
    if feedback is None:
        return None
    if not isinstance(feedback, list) or len(feedback) != n:
        raise SpecError(N_("Give one feedback text per answer."))
    cleaned = [str(f or "").strip() for f in feedback]
    return cleaned if any(cleaned) else None


def _with_extras(spec: dict, weights: list[float] | None, default: list[float], feedback: list[str] | None) -> dict:
    if weights is not None and any(abs(w - d) > 1e-7 for w, d in zip(weights, default, strict=True)):
        spec["weights"] = weights
    if feedback:
        spec["feedback"] = feedback
    return spec


def _clamp(value: float) -> float:
    return min(1.0, max(0.0, value))


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
        weights = _weights(spec, len(options))
        if weights is not None:
            best = max(weights)
            if best <= 0:
                raise SpecError(N_("Mark at least one option as correct."))
            correct = [i for i, w in enumerate(weights) if w == best]
        else:
            correct = _indices(spec, len(options))
            if len(correct) != 1:
                raise SpecError(N_("A single-choice question has exactly one correct option."))
        # several right options need their weights spelled out (the plain form has exactly one)
        default = ([1.0 if i in correct else 0.0 for i in range(len(options))] if len(correct) == 1
                   else [2.0] * len(options))
        return _with_extras({"options": options, "correct": correct}, weights, default,
                            _feedback(spec, len(options)))

    def response_from_values(self, values):
        return _index(values[0]) if values else None

    def score(self, spec, response):
        if response is None or isinstance(response, bool) or not isinstance(response, int):
            return 0.0
        weights = spec.get("weights")
        if weights is not None:
            return _clamp(weights[response]) if 0 <= response < len(weights) else 0.0
        return 1.0 if response in spec["correct"] else 0.0

    def correct_response(self, spec):
        return spec["correct"][0]


class MultipleChoice(QuestionType):
    key = "multiple_choice"
    has_options = True

    def check_spec(self, spec):
        options = _options(spec)
        weights = _weights(spec, len(options))
        if weights is not None:
            correct = [i for i, w in enumerate(weights) if w > 0]
            if not correct:
                raise SpecError(N_("Mark at least one option as correct."))
        else:
            correct = _indices(spec, len(options))
        n = len(correct)
        default = [1.0 / n if i in correct else -1.0 / n for i in range(len(options))]
        return _with_extras({"options": options, "correct": correct}, weights, default,
                            _feedback(spec, len(options)))

    def response_from_values(self, values):
        chosen = sorted({i for i in (_index(v) for v in values) if i is not None})
        return chosen or None

    def score(self, spec, response):
        if not response:
            return 0.0
        weights = spec.get("weights")
        if weights is not None:
            chosen = {i for i in response if isinstance(i, int) and 0 <= i < len(weights)}
            return _clamp(sum(weights[i] for i in chosen))
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
        cleaned = {"answer": answer}
        for key in ("feedback_true", "feedback_false"):
            text = str(spec.get(key) or "").strip()
            if text:
                cleaned[key] = text
        return cleaned

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
        cleaned: dict = {"answer": answer, "tolerance": tolerance}
        answers = spec.get("answers")
        if answers:
            if not isinstance(answers, list):
                raise SpecError(N_("A numeric question needs a numeric answer."))
            rows = []
            for row in answers:
                if not isinstance(row, Mapping):
                    raise SpecError(N_("A numeric question needs a numeric answer."))
                value, tol = parse_number(row.get("answer")), parse_number(row.get("tolerance", 0) or 0)
                weight = parse_number(row.get("weight", 1))
                if value is None:
                    raise SpecError(N_("A numeric question needs a numeric answer."))
                if tol is None or tol < 0:
                    raise SpecError(N_("The tolerance must be zero or a positive number."))
                if weight is None or not -1.0 - 1e-9 <= weight <= 1.0 + 1e-9:
                    raise SpecError(N_("Answer weights must be between -100 and 100 per cent."))
                rows.append({"answer": value, "tolerance": tol, "weight": round(weight, WEIGHT_DECIMALS) + 0.0,
                             "feedback": str(row.get("feedback") or "").strip()})
            best = max(r["weight"] for r in rows)
            if best <= 0:
                raise SpecError(N_("No numeric answer earns credit."))
            first = next(r for r in rows if r["weight"] == best)
            cleaned = {"answer": first["answer"], "tolerance": first["tolerance"]}
            if len(rows) > 1 or rows[0]["weight"] != 1.0 or rows[0]["feedback"]:
                cleaned["answers"] = rows
        wrong = str(spec.get("wrong_feedback") or "").strip()
        if wrong:
            cleaned["wrong_feedback"] = wrong
        return cleaned

    def response_from_values(self, values):
        return parse_number(values[0]) if values and str(values[0]).strip() else None

    def score(self, spec, response):
        number = parse_number(response)
        if number is None:
            return 0.0
        for row in spec.get("answers") or ():
            if abs(number - row["answer"]) <= row.get("tolerance", 0.0) + 1e-9:
                return _clamp(row.get("weight", 1.0))
        if spec.get("answers"):
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
        weights = _weights(spec, len(answers))
        feedback = _feedback(spec, len(answers))
        keep = [i for i, a in enumerate(answers) if str(a).strip()]
        cleaned = [str(answers[i]).strip() for i in keep]
        if not cleaned:
            raise SpecError(N_("A short-text question needs at least one accepted answer."))
        weights = [weights[i] for i in keep] if weights is not None else None
        feedback = [feedback[i] for i in keep] if feedback is not None else None
        if weights is not None and max(weights) <= 0:
            raise SpecError(N_("No accepted answer earns credit."))
        return _with_extras({"answers": cleaned}, weights, [1.0] * len(cleaned), feedback if feedback and any(feedback)
                            else None)

    def response_from_values(self, values):
        text = str(values[0]).strip() if values else ""
        return text[:500] or None

    def score(self, spec, response):
        if not isinstance(response, str) or not response.strip():
            return 0.0
        index = matching_answer(spec["answers"], response)
        if index is None:
            return 0.0
        weights = spec.get("weights")
        return _clamp(weights[index]) if weights else 1.0

    def correct_response(self, spec):
        weights = spec.get("weights") or [1.0] * len(spec["answers"])
        answer = spec["answers"][weights.index(max(weights))]
        if _pattern(answer) is None:
            return answer.replace("\\*", "*")
        return re.sub(r"(\\\*)|\*", lambda m: "*" if m.group(1) else "", answer) or "x"


def _pattern(answer: str) -> re.Pattern | None:
    """A regular expression for a short-text answer with Moodle's ``*`` wildcard, or None without one."""
    if "*" not in answer.replace("\\*", ""):
        return None
    parts = re.split(r"(\\\*|\*)", normalise_text(answer))
    regex = "".join(".*" if p == "*" else re.escape("*") if p == "\\*" else re.escape(p) for p in parts)
    return re.compile(regex, re.S)


def matching_answer(answers: Sequence[str], response: str) -> int | None:
    """The index of the first accepted answer that ``response`` matches (normalised; ``*`` wildcard)."""
    folded = normalise_text(response)
    for i, answer in enumerate(answers):
        pattern = _pattern(answer)
        if pattern is not None:
            if pattern.fullmatch(folded):
                return i
        elif normalise_text(answer.replace("\\*", "*")) == folded:
            return i
    return None


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


EXTRA_KEYS = ("weights", "feedback", "feedback_true", "feedback_false", "answers", "wrong_feedback")


def keep_extras(old: Mapping, new: Mapping, qtype: str) -> dict:
    """``new`` plus the weights/feedback of ``old`` when the editor left the plain part unchanged.

    The question form edits options, right answers and numbers only; saving it must not silently drop
    the weights and per-answer feedback an imported GIFT question carries."""
    merged = dict(new)
    if qtype == "numeric":
        same = (parse_number(old.get("answer")), parse_number(old.get("tolerance") or 0)) == (
            parse_number(new.get("answer")), parse_number(new.get("tolerance") or 0))
    else:
        core = {"single_choice": ("options", "correct"), "multiple_choice": ("options", "correct"),
                "true_false": ("answer",), "short_text": ("answers",)}.get(qtype, ())
        same = all(old.get(k) == new.get(k) for k in core)
    if same:
        merged.update({k: old[k] for k in EXTRA_KEYS if k in old and k not in new})
    return merged


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
