"""Small pure helpers for inject fields shared by forms, services and the MSEL import/export."""

from __future__ import annotations

import re

_BULLET = re.compile(r"^\s*(?:[-*•・]|\d+[.)])\s+")
_ROLE = re.compile(r"^([^:.;!?]{1,60}?)\s*[:：]\s+(.+)$")

#: English names and common words accepted for each channel code (MSEL cells, forms).
_CHANNEL_WORDS = {
    "phone": ("phone", "phone call", "call", "telephone"),
    "email": ("email", "e-mail", "mail"),
    "alert": ("alert", "siem", "siem alert", "monitoring", "monitoring alert", "monitoring / siem alert", "edr"),
    "ticket": ("ticket", "helpdesk"),
    "news": ("news", "news media", "tv", "press", "media"),
    "social": ("social", "social media", "social post", "twitter", "x"),
    "letter": ("letter", "official letter", "regulator letter"),
    "in_person": ("in person", "in_person", "walk-in", "walk in", "visit"),
    "handout": ("handout", "handout / report", "report", "log extract"),
    "advisory": ("advisory", "bulletin"),
    "meeting": ("meeting", "briefing", "board meeting"),
    "other": ("other",),
}


def parse_expected_actions(text: str | None) -> list[dict[str, str]]:
    """One action per line, optionally "Role: action" → [{"role": …, "action": …}]; blank lines ignored."""
    actions = []
    for line in (text or "").splitlines():
        line = _BULLET.sub("", line).strip()
        if not line:
            continue
        match = _ROLE.match(line)
        if match:
            actions.append({"role": match.group(1).strip(), "action": match.group(2).strip()})
        else:
            actions.append({"role": "", "action": line})
    return actions


def format_expected_actions(actions: list[dict] | None) -> str:
    """The inverse of ``parse_expected_actions``: "Role: action" lines."""
    lines = []
    for item in actions or []:
        role, action = (item.get("role") or "").strip(), (item.get("action") or "").strip()
        lines.append(f"{role}: {action}" if role else action)
    return "\n".join(lines)


def resolve_channel(text: str | None) -> str | None:
    """A channel code from a code or a common word ('e-mail', 'SIEM alert'…); None if unknown."""
    key = " ".join((text or "").casefold().replace("_", " ").split())
    if not key:
        return None
    for code, words in _CHANNEL_WORDS.items():
        if key == code.replace("_", " ") or key in words:
            return code
    return None


_TRUE = {"yes", "y", "true", "1", "x", "✓", "はい", "contingency"}
_FALSE = {"no", "n", "false", "0", "", "いいえ", "-"}


def parse_flag(value) -> bool | None:
    """True/False for yes/no-like cells (Excel booleans too); None if the value is not understood."""
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, int | float):
        return bool(value) if value in (0, 1) else None
    key = str(value).strip().casefold()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    return None
