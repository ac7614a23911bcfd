"""Routes of the courses blueprint, one module per area (authoring, analytics, the trainee portal, preview as
trainee, the gradebook)."""

from courses.blueprint import bp
from courses.views import analytics, authoring, gradebook, portal, preview  # noqa: F401 - routes register on import

__all__ = ["bp"]
