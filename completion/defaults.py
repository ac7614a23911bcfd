"""Built-in survey templates, written for Kakehashi (Kirkpatrick level 1 reaction; level 3 follow-up)."""

from core.i18n import _l

REACTION_KEY = "reaction-default"
FOLLOWUP_KEY = "followup-default"

AGREE_SCALE_NOTE = _l("1 = strongly disagree … 5 = strongly agree")

REACTION_ITEMS = [
    ("likert", _l("The course objectives were clear to me from the start."), None),
    ("likert", _l("The content matched the work I do in my organisation."), None),
    ("likert", _l("I can apply what I learned when I return to my job."), None),
    ("likert", _l("Discussions and group work helped me learn from other participants."), None),
    ("likert", _l("Practical parts (exercises, visits, hands-on labs) were worth the time they took."), None),
    ("likert", _l("The lecturers explained difficult topics well."), None),
    ("likert", _l("I now understand how organisations in Japan approach this topic."), None),
    ("likert", _l("Overall, I am satisfied with this training."), None),
    ("single_choice", _l("How will you use what you learned?"),
     [_l("Directly, as taught"), _l("After adapting it to my country"), _l("As background reference only")]),
    ("text", _l("What should we change for the next group?"), None),
]

#: the title the seeder and the survey form suggest
DEFAULT_SURVEY_TITLE = _l("End-of-course survey")

FOLLOWUP_ITEMS = [
    ("single_choice", _l("How far has your action plan progressed?"),
     [_l("Not started"), _l("Started"), _l("Partly implemented"), _l("Fully implemented")]),
    ("likert", _l("Since the training I have been able to apply what I learned."), None),
    ("likert", _l("My supervisor supports the changes in my action plan."), None),
    ("text", _l("What has helped or blocked you? (budget, equipment, local conditions, …)"), None),
]


_builtin: frozenset[str] | None = None


def builtin_text(text: str) -> str:
    """A built-in survey text (stored in English, so that the stored survey does not depend on who created
    it) in the reader's language; any text an organiser wrote is returned as it is. Template filter
    ``builtin``."""
    global _builtin
    if _builtin is None:
        from flask_babel import force_locale

        lazies = [DEFAULT_SURVEY_TITLE, AGREE_SCALE_NOTE]
        for _kind, text_l, options in REACTION_ITEMS + FOLLOWUP_ITEMS:
            lazies += [text_l, *(options or [])]
        with force_locale("en"):
            _builtin = frozenset(str(item) for item in lazies)
    if isinstance(text, str) and text in _builtin:
        from core.i18n import _

        return _(text)
    return text
