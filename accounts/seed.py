"""Demo accounts for ``seed-demo`` (idempotent)."""

from __future__ import annotations

from werkzeug.security import generate_password_hash

from accounts.models import User
from accounts.services import find_user_by_email
from core.extensions import db

DEMO_PASSWORD = "kakehashi-demo-2026"  # noqa: S105 - documented demo credential

DEMO_USERS = [
    ("admin@demo.kakehashi.example", "Aiko Admin", "admin"),
    ("organiser@demo.kakehashi.example", "Oda Organiser", "organiser"),
    ("trainee1@demo.kakehashi.example", "Nguyen Thi Lan", "trainee"),
    ("trainee2@demo.kakehashi.example", "Somchai Phan", "trainee"),
    ("trainee3@demo.kakehashi.example", "Budi Santoso", "trainee"),
]


def seed_accounts() -> list[str]:
    """Create the demo admin, organiser and three trainees if missing; return sign-in lines."""
    for email, name, role in DEMO_USERS:
        if find_user_by_email(email) is None:
            db.session.add(User(email=email, display_name=name, role=role,
                                password_hash=generate_password_hash(DEMO_PASSWORD)))
    db.session.flush()
    lines = [f"Demo sign-ins (password for all: {DEMO_PASSWORD}):"]
    lines += [f"  {role:<10} {email}" for email, _name, role in DEMO_USERS]
    return lines
