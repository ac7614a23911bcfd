"""Exercise models: the scenario library, runs (copies of a scenario for a cohort) and evaluation.

Split by aggregate: ``scenario`` (the library), ``run`` (live play), ``evaluation`` (after play).
"""

from exercises.models.evaluation import ImprovementItem, ObjectiveRating, Observation
from exercises.models.run import (
    ExerciseRun,
    RunInject,
    RunModule,
    RunObjective,
    RunQuestion,
    RunStaff,
    Team,
    TeamMember,
    TeamResponse,
)
from exercises.models.scenario import (
    Attachment,
    Scenario,
    ScenarioInject,
    ScenarioModule,
    ScenarioObjective,
    ScenarioQuestion,
)

__all__ = [
    "Attachment", "ExerciseRun", "ImprovementItem", "ObjectiveRating", "Observation", "RunInject", "RunModule",
    "RunObjective", "RunQuestion", "RunStaff", "Scenario", "ScenarioInject", "ScenarioModule", "ScenarioObjective",
    "ScenarioQuestion", "Team", "TeamMember", "TeamResponse",
]
