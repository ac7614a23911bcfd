"""Routes of the exercises blueprint, one module per area (library, runs, console, play, evaluation)."""

from exercises.blueprint import bp
from exercises.views import console, evaluation, library, play, runs  # noqa: F401 - routes register on import

__all__ = ["bp"]
