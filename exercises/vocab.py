"""Controlled vocabularies of the exercises feature (codes are stored; names are for display)."""

from __future__ import annotations

from core.i18n import _l

TLP_MARKINGS = ("CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED")
TLP_HELP = {
    "CLEAR": _l("Disclosure is not limited."),
    "GREEN": _l("Limited disclosure: the participants' community."),
    "AMBER": _l("Limited disclosure: participants' organisations and their clients on a need-to-know basis."),
    "AMBER+STRICT": _l("Limited disclosure: the participants' organisations only."),
    "RED": _l("For the eyes and ears of the individual recipients only."),
}

#: NIST Cybersecurity Framework 2.0 functions.
CSF_FUNCTIONS = {
    "GV": _l("Govern"), "ID": _l("Identify"), "PR": _l("Protect"),
    "DE": _l("Detect"), "RS": _l("Respond"), "RC": _l("Recover"),
}

#: FIRST CSIRT Services Framework v2.1 services (BRIEF §3.1); kept in English like the framework.
FIRST_SERVICES = {
    "5.1": "Monitoring and detection", "5.2": "Event analysis",
    "6.1": "Incident report acceptance", "6.2": "Incident analysis",
    "6.3": "Artifact and forensic evidence analysis", "6.4": "Mitigation and recovery",
    "6.5": "Incident coordination", "6.6": "Crisis management support",
    "7.1": "Vulnerability discovery/research", "7.2": "Vulnerability report intake",
    "7.3": "Vulnerability analysis", "7.4": "Vulnerability coordination",
    "7.5": "Vulnerability disclosure", "7.6": "Vulnerability response",
    "8.1": "Data acquisition", "8.2": "Analysis and synthesis", "8.3": "Communication",
    "9.1": "Awareness building", "9.2": "Training and education", "9.3": "Exercises",
    "9.4": "Technical and policy advisory",
}

CHANNELS = {
    "phone": _l("Phone call"), "email": _l("E-mail"), "alert": _l("Monitoring / SIEM alert"),
    "ticket": _l("Ticket"), "news": _l("News media"), "social": _l("Social media"),
    "letter": _l("Official letter"), "in_person": _l("In person"), "handout": _l("Handout / report"),
    "advisory": _l("Advisory"), "meeting": _l("Meeting"), "other": _l("Other"),
}

INJECT_STATUSES = {"scheduled": _l("scheduled"), "released": _l("released"), "skipped": _l("skipped")}

RUN_STATUS_NAMES = {
    "draft": _l("draft"), "ready": _l("ready"), "running": _l("running"), "paused": _l("paused"),
    "ended": _l("ended"), "evaluated": _l("evaluated"),
}

STAFF_ROLE_NAMES = {
    "facilitator": _l("Facilitator"), "controller": _l("Controller"),
    "evaluator": _l("Evaluator"), "observer": _l("Observer"),
}

RESPONSE_KINDS = {"response": _l("Response"), "decision": _l("Decision")}

OBSERVATION_KINDS = {"strength": _l("Strength"), "improvement": _l("Area for improvement")}

#: HSEEP ratings (BRIEF §4.1).
RATINGS = {
    "P": _l("P — performed without challenges"),
    "S": _l("S — performed with some challenges"),
    "M": _l("M — performed with major challenges"),
    "U": _l("U — unable to be performed"),
}

#: Capability elements of an improvement-plan item.
POETE = {
    "planning": _l("Planning"), "organisation": _l("Organisation"), "equipment": _l("Equipment"),
    "training": _l("Training"), "exercise": _l("Exercise"),
}

IMPROVEMENT_STATUSES = {"open": _l("open"), "in_progress": _l("in progress"), "done": _l("done")}

TEAM_MODES = {"nationality": _l("one team per nationality"), "organisation": _l("one team per organisation")}
