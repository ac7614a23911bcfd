"""Moodle GIFT import and export of questions (pure logic: no Flask, no database).

Supported on import:

* multiple choice, one right answer: ``{=right ~wrong ~wrong}`` → ``single_choice``
* multiple answers with weights: ``{~%50%a ~%50%b ~%-100%c}`` → ``multiple_choice`` (options with a
  positive weight are the correct ones)
* true/false: ``{T}``, ``{TRUE}``, ``{F}``, ``{FALSE}``
* numeric: ``{#3.5:0.1}``, ranges ``{#1..5}``, several answers ``{#=3:0 =%50%3:1}`` (the first one worth
  full credit is used)
* short answer: ``{=statement of applicability =soa}`` → ``short_text``
* ``//`` comment lines, with Moodle's ``// [id:…]`` and ``// [tag:…]`` conventions (and our own
  ``// [difficulty:1-3]``); ``::title::``; per-answer feedback ``#…`` and general feedback ``####…``
  (the general feedback, or failing that the right answer's feedback, becomes the explanation);
  ``[markdown]``/``[plain]``/``[html]``/``[moodle]`` format prefixes; ``$CATEGORY:`` lines (ignored);
  escapes ``\\~ \\= \\# \\{ \\} \\: \\n``; "missing word" questions (text after the answers).

Matching (``->``), essay (``{}``) and description questions (no answer block) are reported per question
as unsupported; nothing is imported for them and the other questions still are.

Export writes every question in a form this parser (and Moodle) reads back: multiple-choice weights are
``100/c`` for each of the c correct options and ``−100/c`` for each wrong one, which is exactly the
partial-credit rule of ``question_types`` (Moodle also floors the sum at 0).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from courses.question_types import N_, SpecError, check_spec

SPECIALS = "~=#{}:"
_META = re.compile(r"^//\s*\[(id|tag|difficulty):(.*)\]\s*$", re.I)
_KEY_OK = re.compile(r"[^A-Za-z0-9._:-]+")


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
    out = []
    for ch in text:
        if ch in SPECIALS:
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            continue
        else:
            out.append(ch)
    return "".join(out)


def unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt in SPECIALS:
                out.append(nxt)
                i += 2
                continue
            if nxt == "n":
                out.append("\n")
                i += 2
                continue
        out.append(ch)
        i += 1
    return "".join(out)


def _find(text: str, token: str, start: int = 0) -> int:
    """Index of the first unescaped ``token`` in ``text`` at or after ``start``, or -1."""
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(token, i):
            return i
        i += 1
    return -1


def _split_items(block: str) -> list[tuple[str, str]]:
    """Split an answer block at unescaped ``~``/``=`` into (marker, raw text) pairs."""
    items: list[tuple[str, str]] = []
    current: list[str] | None = None
    marker = ""
    i = 0
    while i < len(block):
        ch = block[i]
        if ch == "\\" and i + 1 < len(block):
            if current is not None:
                current.append(block[i:i + 2])
            i += 2
            continue
        if ch in "~=":
            if current is not None:
                items.append((marker, "".join(current)))
            marker, current = ch, []
        elif current is not None:
            current.append(ch)
        elif not ch.isspace():
            raise ValueError(N_("Answers must start with = or ~."))
        i += 1
    if current is not None:
        items.append((marker, "".join(current)))
    return items


def _weight_and_feedback(raw: str) -> tuple[float | None, str, str]:
    raw = raw.strip()
    weight = None
    m = re.match(r"^%(-?\d+(?:\.\d+)?)%", raw)
    if m:
        weight = float(m.group(1))
        raw = raw[m.end():]
    cut = _find(raw, "#")
    feedback = ""
    if cut >= 0:
        feedback = unescape(raw[cut + 1:]).strip()
        raw = raw[:cut]
    return weight, unescape(raw).strip(), feedback


# --- parsing ----------------------------------------------------------------------------------------

def _blocks(text: str):
    """Yield (first line number, metadata dict, question text) for each blank-line separated block."""
    meta: dict = {"tags": []}
    lines: list[str] = []
    start = 0
    for number, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        stripped = line.strip()
        if not stripped:
            if lines:
                yield start, meta, "\n".join(lines)
                meta, lines = {"tags": []}, []
            continue
        if stripped.startswith("//"):
            m = _META.match(stripped)
            if m:
                kind, value = m.group(1).lower(), m.group(2).strip()
                if kind == "tag":
                    meta["tags"].append(value)
                else:
                    meta[kind] = value
            continue
        if stripped.startswith("$CATEGORY:") and not lines:
            continue
        if not lines:
            start = number
        lines.append(line)
    if lines:
        yield start, meta, "\n".join(lines)


def _slug(title: str) -> str | None:
    key = _KEY_OK.sub("-", title.strip()).strip("-")[:80]
    return key or None


def _title_of(block: str) -> str:
    body = block.strip()
    end = _find(body, "::", 2) if body.startswith("::") else -1
    return unescape(body[2:end]).strip() if end > 0 else ""


def _parse_block(block: str) -> tuple[str, ParsedQuestion]:
    title = ""
    body = block.strip()
    if body.startswith("::"):
        end = _find(body, "::", 2)
        if end < 0:
            raise ValueError(N_("The title is not closed with ::."))
        title = unescape(body[2:end]).strip()
        body = body[end + 2:].strip()
    open_at = _find(body, "{")
    if open_at < 0:
        raise _Unsupported(N_("Description items (no answer block) are not supported."))
    close_at = _find(body, "}", open_at + 1)
    if close_at < 0:
        raise ValueError(N_("The answer block is not closed with }."))
    before, block_text, after = body[:open_at], body[open_at + 1:close_at], body[close_at + 1:]
    if _find(after, "{") >= 0:
        raise _Unsupported(N_("Questions with several answer blocks (cloze) are not supported."))
    before = re.sub(r"^\[(markdown|plain|html|moodle)\]", "", before.strip(), flags=re.I)
    stem = unescape(before).strip()
    tail = unescape(after).strip()
    if tail:
        stem = f"{stem} _____ {tail}".strip()
    if not stem:
        raise ValueError(N_("The question text is empty."))
    qtype, spec, explanation = _parse_answers(block_text)
    return title, ParsedQuestion(qtype=qtype, text=stem, spec=spec, explanation=explanation, title=title)


def _parse_answers(block: str) -> tuple[str, dict, str]:
    general = ""
    cut = _find(block, "####")
    if cut >= 0:
        general = unescape(block[cut + 4:]).strip()
        block = block[:cut]
    stripped = block.strip()
    if not stripped:
        raise _Unsupported(N_("Essay questions are not supported."))
    if stripped.startswith("#"):
        return _parse_numeric(stripped[1:], general)
    head = stripped.split("#", 1)[0].strip().upper()
    if head in ("T", "TRUE", "F", "FALSE"):
        parts = [unescape(p).strip() for p in stripped.split("#")[1:]]
        explanation = general or (parts[1] if len(parts) > 1 else "")
        return "true_false", {"answer": head.startswith("T")}, explanation
    items = [(marker, *_weight_and_feedback(raw)) for marker, raw in _split_items(block)]
    if any("->" in text for _m, _w, text, _f in items):
        raise _Unsupported(N_("Matching questions are not supported."))
    if not items:
        raise ValueError(N_("No answers were found."))
    markers = {m for m, *_ in items}
    texts = [t for _m, _w, t, _f in items]
    if markers == {"="}:
        return "short_text", {"answers": texts}, general or items[0][3]
    if "=" in markers:
        correct = [i for i, (m, *_rest) in enumerate(items) if m == "="]
        if len(correct) != 1:
            raise ValueError(N_("A multiple-choice question may mark only one answer with =; "
                                "use ~%50% weights for several right answers."))
        return "single_choice", {"options": texts, "correct": correct}, general or items[correct[0]][3]
    weighted = [i for i, (_m, w, _t, _f) in enumerate(items) if w is not None and w > 0]
    if not weighted:
        raise ValueError(N_("No answer is marked right (use = or a positive %weight%)."))
    penalties = any(w is not None and w < 0 for _m, w, _t, _f in items)
    if len(weighted) == 1 and items[weighted[0]][1] == 100 and not penalties:
        return "single_choice", {"options": texts, "correct": weighted}, general or items[weighted[0]][3]
    return "multiple_choice", {"options": texts, "correct": weighted}, general


def _parse_numeric(block: str, general: str) -> tuple[str, dict, str]:
    candidates = []
    if _find(block, "=") >= 0:
        for _marker, raw in _split_items(block):
            weight, text, _fb = _weight_and_feedback(raw)
            candidates.append((100.0 if weight is None else weight, text))
    else:
        _w, text, _fb = _weight_and_feedback(block)
        candidates.append((100.0, text))
    for weight, text in candidates:
        if weight < 100:
            continue
        text = text.replace(" ", "")
        try:
            if ".." in text:
                low, high = (float(x) for x in text.split("..", 1))
                return "numeric", {"answer": (low + high) / 2, "tolerance": abs(high - low) / 2}, general
            if ":" in text:
                answer, tolerance = text.split(":", 1)
                return "numeric", {"answer": float(answer), "tolerance": abs(float(tolerance))}, general
            return "numeric", {"answer": float(text), "tolerance": 0.0}, general
        except ValueError:
            raise ValueError(N_("The numeric answer is not a number.")) from None
    raise ValueError(N_("No numeric answer is worth full credit."))


def parse(text: str) -> GiftResult:
    """Parse GIFT text into questions and per-question problems (never raises on bad input)."""
    questions: list[ParsedQuestion] = []
    problems: list[GiftProblem] = []
    for number, (line, meta, block) in enumerate(_blocks(text), start=1):
        title = _title_of(block)
        try:
            title, question = _parse_block(block)
            question.spec = check_spec(question.qtype, question.spec)
        except (ValueError, SpecError) as exc:
            snippet = title or block.strip().splitlines()[0][:60]
            problems.append(GiftProblem(number, snippet, str(exc), line))
            continue
        question.key = _slug(meta.get("id") or "") or _slug(question.title)
        question.tags = [t for t in dict.fromkeys(meta["tags"]) if t]
        try:
            question.difficulty = min(3, max(1, int(meta.get("difficulty", 2))))
        except ValueError:
            question.difficulty = 2
        questions.append(question)
    return GiftResult(questions, problems)


# --- export ------------------------------------------------------------------------------------------

def _num(value: float) -> str:
    text = f"{value:.5f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def export_question(key: str, qtype: str, text: str, spec: dict, explanation: str = "",
                    tags: list[str] | None = None, difficulty: int = 2) -> str:
    """One question in GIFT (with ``// [id:]``, ``// [tag:]`` and ``// [difficulty:]`` comment lines)."""
    lines = [f"// [id:{key}]"] + [f"// [tag:{t}]" for t in tags or []] + [f"// [difficulty:{difficulty}]"]
    general = f"\n####{escape(explanation)}" if explanation else ""
    head = f"::{escape(key)}::[markdown]{escape(text)}"
    if qtype == "single_choice":
        answers = "\n".join(("=" if i in spec["correct"] else "~") + escape(o) for i, o in enumerate(spec["options"]))
        body = f"{{\n{answers}{general}\n}}"
    elif qtype == "multiple_choice":
        n = len(spec["correct"])
        right, wrong = _num(100 / n), _num(-100 / n)
        answers = "\n".join(f"~%{right if i in spec['correct'] else wrong}%{escape(o)}"
                            for i, o in enumerate(spec["options"]))
        body = f"{{\n{answers}{general}\n}}"
    elif qtype == "true_false":
        body = "{" + ("T" if spec["answer"] else "F") + general + "}"
    elif qtype == "numeric":
        body = f"{{#{_num(spec['answer'])}:{_num(spec.get('tolerance', 0.0))}{general}}}"
    elif qtype == "short_text":
        body = "{" + " ".join("=" + escape(a) for a in spec["answers"]) + general + "}"
    else:  # pragma: no cover - every registered type is handled above
        raise ValueError(qtype)
    return "\n".join(lines) + "\n" + head + body


def export(questions) -> str:
    """GIFT text for an iterable of objects/dicts with key, qtype, text, spec, explanation, tags, difficulty."""
    chunks = []
    for q in questions:
        get = q.get if isinstance(q, dict) else (lambda name, q=q: getattr(q, name))
        chunks.append(export_question(get("key"), get("qtype"), get("text"), get("spec"),
                                      get("explanation") or "", list(get("tags") or []), get("difficulty") or 2))
    return "\n\n".join(chunks) + "\n"
