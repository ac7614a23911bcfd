"""Pure scoring and cost arithmetic (no Flask, no database) — the figures the tests compute by hand.

Scores
    *Group score* = mean of the levels answered in the group. *Overall* = mean of the group scores
    (each group weighs the same, however many questions it has). Both are on the instrument's own
    scale (ISMS benchmark 1–5, SIM3 0–4). *Change* = follow-up minus baseline, per group and overall.
Peer position
    Among the latest submitted assessments (same instrument key, same country and sector, including
    the organisation itself), the share of peers whose overall score is below the organisation's plus
    half of those equal (a mid-rank percentile). Hidden — None — when fewer than ``MIN_PEERS``.
Costs (all Decimal, JPY)
    ``amount_jpy = amount × rate_to_jpy`` rounded to whole yen (half up). A programme's shared cost
    for a fiscal year is allocated to that programme's cohorts of that year in proportion to their
    person-days (as ``reports.statistics`` counts them); yen are distributed by largest remainder so
    the parts add up exactly to the total. Cohorts with no person-days get nothing; when no cohort
    has person-days the shared cost stays unallocated (reported as such).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

MIN_PEERS = 5
YEN = Decimal(1)


@dataclass(frozen=True)
class Scores:
    groups: dict[str, float]
    overall: float | None
    answered: int


def score(answers: Iterable[tuple[str, int]], group_order: Iterable[str] | None = None) -> Scores:
    """``answers``: (group code, level) pairs. Groups without answers are left out."""
    sums: dict[str, list[int]] = {}
    n = 0
    for group, level in answers:
        entry = sums.setdefault(group, [0, 0])
        entry[0] += level
        entry[1] += 1
        n += 1
    order = list(group_order) if group_order is not None else sorted(sums)
    groups = {g: sums[g][0] / sums[g][1] for g in order if g in sums}
    overall = sum(groups.values()) / len(groups) if groups else None
    return Scores(groups, overall, n)


def change(baseline: Scores | None, followup: Scores | None) -> dict[str, float | None]:
    """Follow-up minus baseline per group, plus ``"overall"``; None where either side is missing."""
    if baseline is None or followup is None:
        return {}
    keys = list(dict.fromkeys([*baseline.groups, *followup.groups]))
    result: dict[str, float | None] = {}
    for k in keys:
        b, f = baseline.groups.get(k), followup.groups.get(k)
        result[k] = None if b is None or f is None else f - b
    result["overall"] = (None if baseline.overall is None or followup.overall is None
                         else followup.overall - baseline.overall)
    return result


def peer_position(own: float, peers: list[float], minimum: int = MIN_PEERS) -> float | None:
    """Mid-rank percentile (0–1) of ``own`` among ``peers`` (which include ``own``); None below ``minimum``."""
    if len(peers) < minimum:
        return None
    below = sum(1 for p in peers if p < own)
    equal = sum(1 for p in peers if p == own)
    return (below + equal / 2) / len(peers)


def to_jpy(amount: Decimal, rate: Decimal) -> Decimal:
    return (Decimal(amount) * Decimal(rate)).quantize(YEN, rounding=ROUND_HALF_UP)


def allocate(total: Decimal, weights: Mapping[int, int]) -> dict[int, Decimal]:
    """Split ``total`` yen over keys in proportion to ``weights`` (largest remainder; parts sum to total)."""
    total = Decimal(total).quantize(YEN, rounding=ROUND_HALF_UP)
    positive = {k: w for k, w in weights.items() if w and w > 0}
    whole = sum(positive.values())
    if not positive or whole == 0:
        return {}
    exact = {k: total * w / whole for k, w in positive.items()}
    parts = {k: v.to_integral_value(rounding="ROUND_FLOOR") for k, v in exact.items()}
    left = int(total - sum(parts.values()))
    for k in sorted(exact, key=lambda k: (-(exact[k] - parts[k]), k))[:left]:
        parts[k] += 1
    return parts


@dataclass(frozen=True)
class UnitCosts:
    total: Decimal
    per_participant: Decimal | None
    per_completed: Decimal | None
    per_person_day: Decimal | None


def unit_costs(total: Decimal, participants: int, completed: int, person_days: int) -> UnitCosts:
    """Per-unit figures, rounded to whole yen (half up); None when the divisor is zero."""

    def per(n: int) -> Decimal | None:
        return (total / n).quantize(YEN, rounding=ROUND_HALF_UP) if n else None

    return UnitCosts(total, per(participants), per(completed), per(person_days))
