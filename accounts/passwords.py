"""Password policy: minimum length, not a common password, not the account's own e-mail."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from core.i18n import _

_LIST = Path(__file__).with_name("common_passwords.txt")


@cache
def common_passwords() -> frozenset[str]:
    """The bundled list of frequently used passwords, lower-cased."""
    lines = _LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def password_problems(password: str, email: str = "", min_length: int = 10) -> list[str]:
    """Human-readable reasons why a password is refused (empty when acceptable)."""
    problems: list[str] = []
    if len(password) < min_length:
        problems.append(_("Use at least %(n)d characters.", n=min_length))
    lowered = password.lower()
    if lowered in common_passwords():
        problems.append(_("This password is too common; choose one that is harder to guess."))
    local = email.split("@", 1)[0].lower()
    if local and len(local) >= 3 and local in lowered:
        problems.append(_("Do not use your e-mail address in the password."))
    return problems
