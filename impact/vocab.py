"""Fixed, extendable code lists of the impact feature (append new codes; never rename old ones)."""

from __future__ import annotations

from core.i18n import _l

#: Outcome kinds (code → label). ``trainer`` carries an audience count.
OUTCOME_KINDS: dict[str, object] = {
    "csirt_established": _l("CSIRT established"),
    "joined_apcert": _l("Joined APCERT"),
    "joined_first": _l("Joined FIRST"),
    "isms_certified": _l("ISMS certification obtained"),
    "policy_adopted": _l("Policy adopted"),
    "trainer": _l("Became a trainer"),
    "promoted": _l("Promoted"),
}

#: Cost categories of a budget line.
COST_CATEGORIES: dict[str, object] = {
    "travel": _l("Travel"),
    "accommodation": _l("Accommodation"),
    "per_diem": _l("Per diem"),
    "venue": _l("Venue"),
    "interpretation": _l("Interpretation"),
    "instructors": _l("Instructors"),
    "materials": _l("Materials"),
    "other": _l("Other"),
}

ASSESSMENT_KIND_LABELS: dict[str, object] = {"baseline": _l("Baseline"), "followup": _l("Follow-up")}

ORG_SIZE_LABELS: dict[str, object] = {
    "1-49": _l("1–49 staff"), "50-299": _l("50–299 staff"), "300-999": _l("300–999 staff"),
    "1000+": _l("1,000 staff or more"),
}

#: Minimum number of peer organisations (same country and sector) before a position is shown.
MIN_PEERS = 5


def organisation_label(name: str, country: str | None) -> str:
    """``name (CC)`` for the impact tables, unless the name already ends with that ``(CC)``.

    Demo and imported organisation names often carry their country ("National Cyber Security Agency (KH)");
    appending it again read "… (KH) (KH)". Another country's code in the name is kept and suffixed.
    """
    if not country:
        return name
    suffix = f"({country})"
    return name if name.rstrip().upper().endswith(suffix.upper()) else f"{name} {suffix}"
