"""Moodle GIFT import and export of questions (pure logic: no Flask, no database).

The parser follows Moodle's own GIFT importer (``question/format/gift/format.php``) step by step, so a
file imports here with the same answers, weights and feedback as in Moodle:

* Questions are separated by blank lines. ``//`` comment lines are set aside; in them ``[id:…]`` (the
  first one) and every ``[tag:…]`` count, several on one line too, with ``\\]`` for a literal ``]``
  (plus our own ``[difficulty:1-3]``). A block starting with ``$CATEGORY:`` is skipped.
* Escapes: ``\\\\`` is a backslash; ``\\: \\# \\= \\{ \\} \\~`` the character itself; ``\\n`` a line break.
  Any other backslash stays as it is.
* ``::name::`` names the question (the name gives the key unless an ``[id:]`` does). As in Moodle, a name
  repeated in one file still imports every question: the later ones get numbered keys (``name-2``…), so
  none overwrites another; an ``[id:]`` repeated in one file is refused for the later question.
* The answer block is the text from the first ``{`` to the first ``}``. Text after it ("missing word")
  puts ``_____`` where the block was. Each text piece may start with a format tag ``[moodle]``,
  ``[html]``, ``[plain]`` or ``[markdown]``, which is removed (stems are stored as Markdown, which
  passes HTML through the sanitiser).
* Type, in Moodle's order: no block → description; ``{}`` → essay; ``{#…}`` → numeric; any ``~`` →
  multiple choice (*one* answer if some answer starts with ``=``, several otherwise); ``=`` with ``->``
  → matching; ``T``/``TRUE``/``F``/``FALSE`` (capitals, before any ``#``) → true/false; anything else →
  short answer.
* Weights ``%50%``/``%-100%`` (Moodle's pattern: 1–2 integer digits, optional decimals) follow ``~`` in
  multiple choice and ``=`` in short answers and numbers; ``=`` in multiple choice is always 100 %.
  ``#`` starts an answer's feedback, ``####`` the general feedback (it becomes the explanation). A
  true/false block may carry ``#feedback when wrong#feedback when right``; a numeric block
  ``~#feedback`` for any other number.
* Numbers: ``3``, ``3:0.5`` (tolerance), ``1..5`` (range), several ``=%50%3:2 =%100%3:0`` answers.

Essay, matching, description and several answer blocks are reported per question as unsupported;
nothing is imported for them and the other questions still are.

Export writes each question in the form Moodle writes it back (``// [id:…] [tag:…]`` comment,
``::key::[markdown]text{…}``), escapes ``\\ ~ = # { } :`` and line breaks, writes numbers exactly
(``9.5e-07``), and writes weights only where they differ from the plain rule, so every imported question
reads back unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from courses.question_types import N_, SpecError, check_spec

SPECIALS = "~=#{}:"
_KEY_OK = re.compile(r"[^A-Za-z0-9._:-]+")
_ID = re.compile(r"\[id:((?:\\\]|[^\]\x00-\x1f\x7f])+)\]")
_TAG = re.compile(r"\[tag:((?:\\\]|[^\]<>\x00-\x1f\x7f])+)\]")
_DIFFICULTY = re.compile(r"\[difficulty:\s*(\d+)\s*\]", re.I)
_WEIGHT = re.compile(r"^%-*([0-9]{1,2})\.?([0-9]*)%")
_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
FORMATS = ("moodle", "html", "plain", "markdown")

# Escaped characters are swapped for private-use placeholders before the structure is read (as Moodle
# swaps them for "&&058;" etc.) and swapped back in each text piece.
_ESCAPES = {":": "\ue001", "#": "\ue002", "=": "\ue003", "{": "\ue004", "}": "\ue005", "~": "\ue006",
            "n": "\ue007"}
_BACKSLASH = "\ue000"
_RESTORE = {v: ("\n" if k == "n" else k) for k, v in _ESCAPES.items()}


@dataclass
class ParsedQuestion:
    qtype: str
    text: str
    spec: dict
    explanation: str = ""
    key: str | None = None
    title: str = ""
    tags: list[str] = field(default_factory=list)
    difficulty: int = 2


@dataclass
class GiftProblem:
    """A question that could not be imported: its number in the file (1-based), title and reason."""

    number: int
    title: str
    message: str
    line: int = 0


@dataclass
class GiftResult:
    questions: list[ParsedQuestion]
    problems: list[GiftProblem]


class _Unsupported(ValueError):
    pass


# --- escaping --------------------------------------------------------------------------------------

def escape(text: str) -> str:
    """GIFT text for ``text`` (Moodle's ``repchar``): backslash, ``~=#{}:`` and line breaks escaped."""
    out = []
    for ch in text:
        if ch == "\\" or ch in SPECIALS:
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            continue
        else:
            out.append(ch)
    return "".join(out)


def _protect(text: str) -> str:
    text = text.translate({ord(c): None for c in (_BACKSLASH, *_ESCAPES.values())})
    text = text.replace("\\\\", _BACKSLASH)
    for ch, placeholder in _ESCAPES.items():
        text = text.replace("\\" + ch, placeholder)
    return text.replace(_BACKSLASH, "\\")


def _restore(text: str) -> str:
    return "".join(_RESTORE.get(ch, ch) for ch in text)


def unescape(text: str) -> str:
    return _restore(_protect(text))


def _piece(text: str, trimmed: bool = True) -> str:
    """One text piece: an optional leading format tag removed, escapes restored, trimmed. Moodle looks for
    the tag before trimming only in the general feedback (``#### [html]x`` keeps ``[html]``): ``trimmed=False``."""
    if trimmed:
        text = text.strip()
    if text.startswith("["):
        end = text.find("]")
        if end > 0 and text[1:end] in FORMATS:
            text = text[end + 1:]
    return _restore(text).strip()


def _split_feedback(raw: str) -> tuple[str, str]:
    text, _sep, feedback = raw.partition("#")
    return _piece(text), _piece(feedback)


def _weight(raw: str) -> tuple[float | None, str]:
    """(fraction, rest) for an answer starting with a Moodle weight ``%…%``, else (None, raw)."""
    if not _WEIGHT.match(raw):
        return None, raw
    body = raw[1:]
    end = body.find("%")
    number = body[:end]
    sign = -1.0 if number.startswith("-") else 1.0
    return sign * float(number.lstrip("-") or 0) / 100.0, body[end + 1:]


def _head(items: list[str]) -> list[str]:
    """Moodle drops the text before the first separator when it is blank."""
    if items:
        items[0] = items[0].strip()
        if not items[0]:
            items.pop(0)
    return items


# --- parsing ----------------------------------------------------------------------------------------

def comment_meta(comments: str) -> tuple[str, list[str], int | None]:
    """(id, tags, difficulty) declared in a question's ``//`` comment lines."""
    m = _ID.search(comments)
    idnumber = m.group(1).strip().replace("\\]", "]") if m else ""
    tags = [t.strip().replace("\\]", "]") for t in _TAG.findall(comments)]
    d = _DIFFICULTY.search(comments)
    return idnumber, [t for t in tags if t], int(d.group(1)) if d else None


def _blocks(text: str):
    """Yield (first line number, comment text, question text) for each blank-line separated block."""
    comments: list[str] = []
    lines: list[str] = []
    start = 0
    for number, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        stripped = line.strip()
        if not stripped:
            if lines:
                yield start, "\n".join(comments), "\n".join(lines)
            comments, lines = [], []
            continue
        if stripped.startswith("//"):
            comments.append(stripped)
            continue
        if not lines:
            start = number
        lines.append(line)
    if lines:
        yield start, "\n".join(comments), "\n".join(lines)


def _slug(title: str) -> str | None:
    key = _KEY_OK.sub("-", title.strip()).strip("-")[:80]
    return key or None


def _title_of(block: str) -> str:
    body = _protect(block.strip())
    if body.startswith("::"):
        end = body.find("::", 2)
        if end > 0:
            return _restore(body[2:end]).strip()
    return ""


def _parse_block(block: str) -> ParsedQuestion:
    text = _protect(block.strip())
    title = ""
    if text.startswith("::"):
        text = text[2:]
        end = text.find("::")
        if end >= 0:
            title = _restore(text[:end]).strip()
            text = text[end + 2:].strip()
    start, finish = text.find("{"), text.find("}")
    if start < 0 and finish < 0:
        raise _Unsupported(N_("Description items (no answer block) are not supported."))
    if start < 0 or finish < 0 or finish < start:
        raise ValueError(N_("The answer block is not closed with }."))
    answers = text[start + 1:finish].strip()
    if text.endswith("}") and finish == len(text) - 1:
        stem = text[:start]
    else:
        stem = text[:start] + "_____" + text[finish + 1:]
    if "{" in stem or "}" in stem:
        raise _Unsupported(N_("Questions with several answer blocks (cloze) are not supported."))
    general = ""
    cut = answers.rfind("####")
    if cut >= 0:
        general = _piece(answers[cut + 4:], trimmed=False)
        answers = answers[:cut].strip()
    stem = _piece(stem)
    if not stem:
        raise ValueError(N_("The question text is empty."))
    qtype, spec = _parse_answers(answers)
    return ParsedQuestion(qtype=qtype, text=stem, spec=spec, explanation=general, title=title)


def _parse_answers(answers: str) -> tuple[str, dict]:
    if answers == "":
        raise _Unsupported(N_("Essay questions are not supported."))
    if answers.startswith("#"):
        return "numeric", _parse_numeric(answers[1:])
    if "~" in answers:
        return _parse_choice(answers)
    if "=" in answers and "->" in answers:
        raise _Unsupported(N_("Matching questions are not supported."))
    check = answers.split("#", 1)[0].strip() if answers.find("#") > 0 else answers
    if check in ("T", "TRUE", "F", "FALSE"):
        bits = answers.split("#", 2) + ["", ""]
        wrong, right = _piece(bits[1]), _piece(bits[2])
        value = check.startswith("T")
        return "true_false", {"answer": value, "feedback_true": right if value else wrong,
                              "feedback_false": wrong if value else right}
    items = _head(answers.split("="))
    if not items:
        raise ValueError(N_("No answers were found."))
    texts, weights, feedback = [], [], []
    for raw in items:
        weight, rest = _weight(raw.strip())
        text, fb = _split_feedback(rest)
        texts.append(text)
        weights.append(1.0 if weight is None else weight)
        feedback.append(fb)
    return "short_text", {"answers": texts, "weights": weights, "feedback": feedback}


def _parse_choice(answers: str) -> tuple[str, dict]:
    single = "=" in answers
    items = _head(answers.replace("=", "~=").split("~"))
    if len(items) < 2:
        raise ValueError(N_("A choice question needs at least two options."))
    options, weights, feedback = [], [], []
    for raw in items:
        raw = raw.strip()
        if raw.startswith("="):
            weight, raw = 1.0, raw[1:]
        else:
            weight, raw = _weight(raw)
            weight = 0.0 if weight is None else weight
        text, fb = _split_feedback(raw)
        options.append(text)
        weights.append(weight)
        feedback.append(fb)
    spec = {"options": options, "weights": weights, "feedback": feedback}
    return ("single_choice" if single else "multiple_choice"), spec


def _number(text: str) -> float:
    text = text.strip()
    if not _NUMBER.match(text):
        raise ValueError(N_("The numeric answer is not a number."))
    return float(text)


def _parse_numeric(answers: str) -> dict:
    wrong = ""
    pos = answers.find("~")
    if pos >= 0:
        wrong = _split_feedback(answers[pos:])[1]
        answers = answers[:pos]
    items = _head(answers.split("="))
    if not items:
        raise ValueError(N_("No numeric answer was found."))
    rows = []
    for raw in items:
        weight, rest = _weight(raw.strip())
        text, fb = _split_feedback(rest)
        if text.find("..") > 0:
            low, high = (_number(x) for x in text.split("..", 1))
            value = (low + high) / 2
            tolerance = high - value
        elif text.find(":") > 0:
            value_text, tolerance_text = text.split(":", 1)
            value, tolerance = _number(value_text), _number(tolerance_text)
        else:
            value, tolerance = _number(text), 0.0
        rows.append({"answer": value, "tolerance": abs(tolerance), "weight": 1.0 if weight is None else weight,
                     "feedback": fb})
    best = max(rows, key=lambda r: r["weight"])
    return {"answer": best["answer"], "tolerance": best["tolerance"], "answers": rows, "wrong_feedback": wrong}


def _free_key(seen: dict, base: str | None) -> str | None:
    """``base``, or ``base-2``, ``base-3``… the first one no earlier question of the file has taken."""
    key, n = base, 1
    while key and key in seen:
        n += 1
        key = f"{base}-{n}"
    return key


def parse(text: str) -> GiftResult:
    """Parse GIFT text into questions and per-question problems (never raises on bad input)."""
    questions: list[ParsedQuestion] = []
    problems: list[GiftProblem] = []
    seen: dict[str, tuple[bool, ParsedQuestion]] = {}  # key -> (from an [id:], question)
    number = 0
    for line, comments, block in _blocks(text or ""):
        if block.strip().startswith("$CATEGORY:"):
            continue
        number += 1
        title = _title_of(block)
        try:
            question = _parse_block(block)
            question.spec = check_spec(question.qtype, question.spec)
        except (ValueError, SpecError) as exc:
            snippet = title or block.strip().splitlines()[0][:60]
            problems.append(GiftProblem(number, snippet, str(exc), line))
            continue
        idnumber, tags, difficulty = comment_meta(comments)
        question.key = _slug(idnumber)
        if question.key:
            earlier = seen.get(question.key)
            if earlier is not None and earlier[0]:
                problems.append(GiftProblem(number, question.title or question.key, N_(
                    "Another question in this file has the same id; this one was not imported."), line))
                continue
            if earlier is not None:  # an earlier question only took this key from its name: it moves on
                earlier[1].key = _free_key(seen, _slug(earlier[1].title))
                seen[earlier[1].key] = earlier
            seen[question.key] = (True, question)
        elif question.title:
            # Moodle imports every question even when names repeat; the later one gets a numbered key
            # (the same on every import of the file) instead of overwriting the earlier one.
            question.key = _free_key(seen, _slug(question.title))
            if question.key:
                seen[question.key] = (False, question)
        question.tags = list(dict.fromkeys(tags))
        question.difficulty = min(3, max(1, difficulty)) if difficulty is not None else 2
        questions.append(question)
    return GiftResult(questions, problems)


# --- export ------------------------------------------------------------------------------------------

def _num(value: float) -> str:
    """A number written exactly (shortest text that reads back as the same float)."""
    text = repr(float(value))
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


def _pct(fraction: float) -> str:
    return _num(round(fraction * 100, 5))


def _text(text: str) -> str:
    """An escaped text piece; a leading ``[html]``-like tag that is content gets an explicit format tag."""
    out = escape(text)
    if out.startswith("[") and out[1:].split("]", 1)[0] in FORMATS:
        out = "[markdown]" + out
    return out


def _fb(text: str) -> str:
    return f"#{_text(text)}" if text else ""


def _choice(spec: dict, single: bool) -> list[str]:
    n = len(spec["options"])
    feedback = spec.get("feedback") or [""] * n
    weights = spec.get("weights")
    if weights is None:
        c = len(spec["correct"])
        weights = ([1.0 if i in spec["correct"] else 0.0 for i in range(n)] if single
                   else [1.0 / c if i in spec["correct"] else -1.0 / c for i in range(n)])
    lines, marked = [], False
    for option, weight, fb in zip(spec["options"], weights, feedback, strict=True):
        if single and weight == 1.0 and not marked:
            prefix, marked = "=", True
        elif weight == 0.0 and not _WEIGHT.match(option):
            prefix = "~"
        else:
            prefix = f"~%{_pct(weight)}%"
        lines.append(f"\t{prefix}{_text(option)}{_fb(fb)}")
    return lines


def export_question(key: str, qtype: str, text: str, spec: dict, explanation: str = "",
                    tags: list[str] | None = None, difficulty: int = 2) -> str:
    """One question in GIFT, preceded by a ``// [id:…] [tag:…]`` and a ``// [difficulty:…]`` comment."""
    meta = [f"[id:{key.replace(']', chr(92) + ']')}]"] + [f"[tag:{t.replace(']', chr(92) + ']')}]"
                                                        for t in tags or []]
    lines = ["// " + " ".join(meta), f"// [difficulty:{difficulty}]"]
    general = f"####{_text(explanation)}" if explanation else ""
    head = f"::{escape(key)}::[markdown]{escape(text)}"
    if qtype in ("single_choice", "multiple_choice"):
        body = _choice(spec, qtype == "single_choice")
    elif qtype == "true_false":
        value = spec["answer"]
        right = spec.get("feedback_true" if value else "feedback_false", "")
        wrong = spec.get("feedback_false" if value else "feedback_true", "")
        fb = (f"#{_text(wrong)}" if wrong or right else "") + (f"#{_text(right)}" if right else "")
        return "\n".join(lines) + "\n" + head + "{" + ("TRUE" if value else "FALSE") + fb + general + "}"
    elif qtype == "numeric":
        rows = spec.get("answers")
        if not rows:
            body = [f"\t={_num(spec['answer'])}:{_num(spec.get('tolerance', 0.0))}"]
        else:
            body = [f"\t=%{_pct(r['weight'])}%{_num(r['answer'])}:{_num(r.get('tolerance', 0.0))}"
                    f"{_fb(r.get('feedback'))}" for r in rows]
        if spec.get("wrong_feedback"):
            body.append(f"\t~#{_text(spec['wrong_feedback'])}")
        if general:
            body.append("\t" + general)
        return "\n".join(lines) + "\n" + head + "{#\n" + "\n".join(body) + "\n}"
    elif qtype == "short_text":
        n = len(spec["answers"])
        weights = spec.get("weights") or [1.0] * n
        feedback = spec.get("feedback") or [""] * n
        body = []
        for answer, weight, fb in zip(spec["answers"], weights, feedback, strict=True):
            prefix = "=" if weight == 1.0 and not answer.startswith("%") else f"=%{_pct(weight)}%"
            body.append(f"\t{prefix}{_text(answer)}{_fb(fb)}")
        if n == 1 and "->" in body[0]:
            # '=' with '->' would read as matching; a lone answer needs no '=' (GIFT has no escape for '>')
            body[0] = "\t" + body[0][2:]
    else:  # pragma: no cover - every registered type is handled above
        raise ValueError(qtype)
    if general:
        body.append("\t" + general)
    return "\n".join(lines) + "\n" + head + "{\n" + "\n".join(body) + "\n}"


def export(questions) -> str:
    """GIFT text for an iterable of objects/dicts with key, qtype, text, spec, explanation, tags, difficulty."""
    chunks = []
    for q in questions:
        get = q.get if isinstance(q, dict) else (lambda name, q=q: getattr(q, name))
        chunks.append(export_question(get("key"), get("qtype"), get("text"), get("spec"),
                                      get("explanation") or "", list(get("tags") or []), get("difficulty") or 2))
    return "\n\n".join(chunks) + "\n"
