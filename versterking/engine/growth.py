"""Capacity that grows with the work waiting for it: the operator's review of a line.

From 2020 to 2024 the operator grew what blocked: the builders from about 300 addresses a year to a
thousand and more, the ingenieursbureaus from about 4,000 beoordelingen a year to 5,000 - 7,000
(shared/published/). A resource with a `growth` table does the same: when its line has held more than
some months of work for a lead time, slots are added at each review, at most a yearly share more;
slots left without work go again (contractors leave when the opgave ends). The schedule is the floor.

Plain functions of numbers, no draws: the simulation (engine.resources.follow_schedule) reviews each
part of a resource, the flow model (engine.flow) its one pool per step, and terug redeneren's fastest
path (analyses.target) compounds at the same `most_after`, so the mechanism is written once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

DAYS_A_YEAR = 365.25
DAYS_A_MONTH = DAYS_A_YEAR / 12


def most_after(level: float, max_growth: float, days: float) -> float:
    """The most a capacity of `level` can be `days` later, growing at most `max_growth` a year."""
    return level * (1 + max_growth) ** (days / DAYS_A_YEAR)


@dataclass(frozen=True)
class GrowthRule:
    """A resource's growth table in the engine's units (days, slots)."""

    lead_time: float    # days the line must hold too much work before slots are added
    max_growth: float   # at most this share more a year, compounded over the reviews
    backlog: float      # days of work waiting at the capacity in force above which it grows
    review_days: float  # days between reviews
    at_most: float      # the most slots in all (inf: no ceiling but the work)
    slot_days: float    # mean days an address holds a slot: turns the addresses waiting into work
    over_since: float = math.inf  # day (before the start: negative) the line began to hold too much work

    @property
    def first(self) -> Grown:
        """The state before the first review: nothing grown, the line's history as the table gives it."""
        return Grown(0.0, self.over_since)


@dataclass(frozen=True)
class Grown:
    """What a review leaves: slots above the schedule (a fraction carries over, so a small resource
    grows too), and since when the line has held too much work (inf: it does not now)."""

    extra: float = 0.0
    over_since: float = math.inf

    @property
    def slots(self) -> int:
        return math.floor(self.extra + 1e-9)


def review(rule: GrowthRule, grown: Grown, now: float, scheduled: float, in_use: float,
           waiting: float) -> Grown:
    """The operator looks at the line on day `now`: more slots if it has held more than the backlog for
    the lead time (one review's growth, up to the ceiling); otherwise the grown slots without work go."""
    level = scheduled + grown.extra
    if waiting * rule.slot_days > rule.backlog * max(level, 1.0):
        since = min(grown.over_since, now)
        if now - since < rule.lead_time:
            return Grown(grown.extra, since)
        more = min(most_after(max(level, 1.0), rule.max_growth, rule.review_days), rule.at_most) - scheduled
        return Grown(max(grown.extra, more), since)
    return Grown(max(0.0, min(grown.extra, in_use + waiting - scheduled)))
