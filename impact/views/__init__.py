"""Routes of the impact blueprint: organiser (assessments, outcomes, costs) and portal (answering)."""

from impact.blueprint import bp
from impact.views import organiser, portal  # noqa: F401 - routes register on import

__all__ = ["bp"]
