"""Routes of the trainees blueprint, one module per area: programmes, cohorts, participants, sessions and
attendance, organisations, people (trainees) and the trainee portal with invitations."""

from trainees.blueprint import bp
from trainees.views import (  # noqa: F401 - routes register on import
    cohorts,
    organisations,
    participants,
    people,
    portal,
    programmes,
    sessions,
)

__all__ = ["bp"]
