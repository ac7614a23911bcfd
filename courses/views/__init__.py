"""Routes of the courses blueprint, one module per area (authoring, analytics, the trainee portal)."""

from courses.blueprint import bp
from courses.views import analytics, authoring, portal  # noqa: F401 - routes register on import

__all__ = ["bp"]
