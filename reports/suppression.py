"""Small-cell suppression for published figures (issue 13 item 8: "for publication" downloads).

Every figure that describes fewer than ``k`` people (``PUBLICATION_MIN_PEOPLE``, default 5) is hidden —
*primary* suppression. Hiding it alone is not enough: a row total minus the other cells of the row, or a
column total minus the other rows, would give it back. So each additive relation shown in the workbook
(female + male + other = enrolments of a country; the countries add up to the total; the same for
sectors, cohorts and fiscal years; cumulative enrolments; the same total in several sheets) is checked,
and further cells are hidden — *complementary* suppression — until, in every relation, either nothing is
hidden or at least two cells are, and the hidden cells of a relation add up to more than their number
(so "two hidden cells summing to 2" cannot be read as "1 and 1"). The complement chosen is the
smallest non-zero visible cell of the relation (least information lost). Rates, shares and means are
hidden when a figure they are computed from is hidden or when they describe fewer than ``k`` people.

Every suppressed cell, primary or complementary, reads the same (``LABEL``): different marks would
tell a reader which hidden cells are the small ones and make them recoverable again.

The method is deliberately simple (a greedy heuristic, not an optimal linear program); the tests check
with interval propagation over all relations that no hidden cell can be pinned to one value.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

LABEL = "x"

Key = Hashable


@dataclass
class Grid:
    """The figures of a publication and how they relate."""

    values: dict[Key, float | int | None] = field(default_factory=dict)
    #: how many people a cell describes (None: not a figure about people, e.g. training days)
    people: dict[Key, int | None] = field(default_factory=dict)
    #: (total, members): total == sum(members)
    sums: list[tuple[Key, list[Key]]] = field(default_factory=list)
    #: the same figure shown in several places
    same: list[list[Key]] = field(default_factory=list)
    #: (derived, inputs): a rate or mean computed from the inputs
    derived: list[tuple[Key, list[Key]]] = field(default_factory=list)

    def add(self, key: Key, value, people: int | None) -> Key:
        self.values[key] = value
        self.people[key] = people
        return key


def _count(value) -> int:
    return int(value or 0)


def suppress(grid: Grid, k: int) -> set[Key]:
    """The set of cells to hide in ``grid`` so that nothing about fewer than ``k`` people shows."""
    hidden = {key for key, n in grid.people.items() if n is not None and 0 < n < k}
    changed = True
    while changed:
        changed = False
        for group in grid.same:
            if any(c in hidden for c in group) and not all(c in hidden for c in group):
                hidden.update(group)
                changed = True
        for out, inputs in grid.derived:
            if out not in hidden and any(c in hidden for c in inputs):
                hidden.add(out)
                changed = True
        for total, members in grid.sums:
            cells = [total, *members]
            shown_hidden = [c for c in cells if c in hidden]
            if not shown_hidden:
                continue
            hidden_members = [c for c in members if c in hidden]
            whole = all(not isinstance(grid.values[c], float) for c in cells)
            weak = len(shown_hidden) == 1 or (whole and total not in hidden and sum(
                _count(grid.values[c]) for c in hidden_members) <= len(hidden_members))
            if not weak:
                continue
            candidates = [c for c in members if c not in hidden]
            nonzero = [c for c in candidates if _count(grid.values[c]) > 0]
            pick = min(nonzero or candidates, key=lambda c: _count(grid.values[c]), default=None)
            if pick is None and total not in hidden:
                pick = total
            if pick is not None:
                hidden.add(pick)
                changed = True
    return hidden


def recoverable(grid: Grid, hidden: set[Key], k: int, rounds: int = 50) -> list[Key]:
    """Hidden cells an attacker pins to one value by interval propagation over every relation.

    What the attacker knows of a hidden cell: a whole number, at least 1 when it is not zero (the method
    prefers non-zero complements, so a cautious attacker assumes so) — nothing more, since all hidden
    cells look the same. Used by the tests; also a safety net the workbook checks before it is written."""
    big = 10 ** 9
    low = {c: (min(1, _count(grid.values[c])) if c in hidden else _count(grid.values[c])) for c in grid.values}
    high = {c: (big if c in hidden else _count(grid.values[c])) for c in grid.values}
    relations: list[tuple[Key, list[Key]]] = list(grid.sums)
    for group in grid.same:
        relations += [(group[0], [c]) for c in group[1:]]
    for _ in range(rounds):
        moved = False
        for total, members in relations:
            if any(grid.values[c] is None or isinstance(grid.values[c], float) for c in [total, *members]):
                continue
            lo_sum, hi_sum = sum(low[c] for c in members), sum(high[c] for c in members)
            new_lo, new_hi = max(low[total], lo_sum), min(high[total], hi_sum)
            if (new_lo, new_hi) != (low[total], high[total]):
                low[total], high[total], moved = new_lo, new_hi, True
            for c in members:
                rest_lo, rest_hi = lo_sum - low[c], hi_sum - high[c]
                c_lo, c_hi = max(low[c], low[total] - rest_hi), min(high[c], high[total] - rest_lo)
                if (c_lo, c_hi) != (low[c], high[c]):
                    low[c], high[c], moved = c_lo, c_hi, True
        if not moved:
            break
    return [c for c in hidden if grid.people.get(c) is not None and low[c] == high[c]
            and not isinstance(grid.values[c], float)]


def mask(row: Iterable, keys: Iterable[Key], hidden: set[Key], label: str = LABEL) -> tuple:
    """A table row with the hidden cells replaced by ``label`` (``keys``: the row's cell keys, None = keep)."""
    return tuple(label if key is not None and key in hidden else value for value, key in zip(row, keys, strict=True))
