"""Capacity schedules: a scenario's steps and linear ramps, with what the measures add to them
(versterking.engine.measures), turned into dated whole-slot changes."""

from __future__ import annotations

import math
from bisect import bisect_right
from datetime import date

from ..calendar import days_since
from ..domain import SLOT_STEPS
from ..inputs.blocks import Resource
from ..inputs.scenario import Scenario
from .distributions import mean_of
from .growth import DAYS_A_MONTH, DAYS_A_YEAR, GrowthRule
from .measures import capacity_ramps, extra_capacity


def capacity_changes(resource: Resource, start: date) -> list[tuple[float, int]]:
    """(day, capacity) pairs: the first at day 0, then one per change. Ramps move in whole slots,
    at most once a day, so a ramp costs at most one event per day."""
    spec, factor = resource.capacity, resource.factor
    if not isinstance(spec, list):
        return [(0.0, round(spec * factor))]
    points: list[tuple[float, float]] = []  # (day, exact value) in date order
    value = 0.0
    for change in spec:
        t0, target = days_since(start, change.from_), change.value * factor
        if change.to is None:
            points.append((t0, target))
        else:
            t1 = days_since(start, change.to)
            span = int(t1 - t0)
            for d in range(span + 1):
                points.append((t0 + d, value + (target - value) * d / span))
        value = target
    changes: list[tuple[float, int]] = []
    for t, v in points:
        slots = round(v)
        if t <= 0:
            changes = [(0.0, slots)]
        elif not changes:
            changes = [(0.0, 0), (t, slots)]
        elif slots != changes[-1][1]:
            changes.append((t, slots))
    return changes or [(0.0, 0)]


def resource_changes(sc: Scenario, name: str) -> list[tuple[float, int]]:
    """The schedule a resource follows: the scenario's own, times the factors the measures put on it,
    plus its `extra` slots and the slots the measures add, in whole slots."""
    resource = getattr(sc.resources, name)
    if resource.unit == "adressen per jaar":  # a slot completes 365.25 / slot_days addresses a year
        per_address = slot_days(sc, name) / DAYS_A_YEAR
        resource = resource.model_copy(update={"factor": resource.factor * per_address})
    base = capacity_changes(resource, sc.start)
    added = [resource.extra, *extra_capacity(sc, name)]  # each a schedule of its own, not increments
    extra = _sum([capacity_changes(Resource(capacity=a), sc.start) for a in added if a])
    ramps = capacity_ramps(sc, name)
    if extra == [(0.0, 0)] and not ramps:
        return base
    times = sorted({t for t, _ in base} | {t for t, _ in extra} | {t for ramp in ramps for t in ramp.days})
    base_at, extra_at = step_function(base), step_function(extra)
    changes: list[tuple[float, int]] = []
    for t in times:
        factor = math.prod(ramp.at(t) for ramp in ramps) if ramps else 1.0
        value = base_at(t) * factor + extra_at(t)
        if not changes or round(value) != changes[-1][1]:
            changes.append((t, round(value)))
    return changes


def growth_rule(sc: Scenario, name: str) -> GrowthRule | None:
    """A resource's growth table in days and slots (its ceiling in the unit of its capacity), or None."""
    resource = getattr(sc.resources, name)
    growth = resource.growth
    if growth is None:
        return None
    days = slot_days(sc, name)
    at_most = math.inf if growth.at_most is None else growth.at_most
    if resource.unit == "adressen per jaar":
        at_most *= days / DAYS_A_YEAR
    over_since = math.inf if growth.over_since is None else days_since(sc.start, growth.over_since)
    return GrowthRule(lead_time=growth.lead_time, max_growth=growth.max_growth,
                      backlog=growth.backlog_months * DAYS_A_MONTH, review_days=growth.review_days,
                      at_most=at_most, slot_days=days, over_since=over_since)


def slot_days(sc: Scenario, name: str) -> float:
    """Mean days one address holds a slot of the resource (a wisselwoning: the uitvoering), from the
    durations' means (a measure's factors on them not counted): with Little's law, slots per address a
    year times 365.25."""
    return sum(mean_of(getattr(sc.durations, step)) for step in SLOT_STEPS[name])


def _sum(schedules: list[list[tuple[float, int]]]) -> list[tuple[float, int]]:
    """Several (day, capacity) schedules added up."""
    if len(schedules) <= 1:
        return schedules[0] if schedules else [(0.0, 0)]
    times = sorted({t for s in schedules for t, _ in s})
    at = [step_function(s) for s in schedules]
    return [(t, sum(f(t) for f in at)) for t in times]


def step_function(changes: list[tuple[float, int]]):
    """The capacity in force on day t, for (day, capacity) changes that start on day 0."""
    days = [t for t, _ in changes]
    return lambda t: changes[bisect_right(days, t) - 1][1]
