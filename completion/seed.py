"""Demo data for completion: the built-in survey templates."""

from completion.services import ensure_default_templates


def seed_completion() -> list[str]:
    """Create the built-in survey templates (idempotent)."""
    ensure_default_templates()
    return []
