"""Capacity schedules: a scenario's steps and linear ramps, and the measures that change them,
turned into dated integer changes."""

from __future__ import annotations

from bisect import bisect_right
from datetime import date
from typing import TYPE_CHECKING

from .blocks import Resource
from .calendar import days_since

if TYPE_CHECKING:
    from .scenario import Scenario


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
    """The schedule a resource follows: the scenario's own, times the crisisaanpak's factor, plus
    its `extra` slots and the Bouwimpuls's extra bouwcapaciteit, in whole slots."""
    resource = getattr(sc.resources, name)
    base = capacity_changes(resource, sc.start)
    added = [resource.extra]  # each a schedule of its own: steps to a value, not increments
    bouwimpuls = sc.measures.get("bouwimpuls")
    if name == "bouwcapaciteit" and bouwimpuls is not None:
        added.append(bouwimpuls.capacity)
    extra = _sum([capacity_changes(Resource(capacity=a), sc.start) for a in added if a])
    ramp = _factor_ramp(sc, name)
    if extra == [(0.0, 0)] and ramp is None:
        return base
    times = sorted({t for t, _ in base} | {t for t, _ in extra} | set(ramp.days if ramp else ()))
    base_at, extra_at = step_function(base), step_function(extra)
    changes: list[tuple[float, int]] = []
    for t in times:
        value = base_at(t) * (ramp.at(t) if ramp else 1.0) + extra_at(t)
        if not changes or round(value) != changes[-1][1]:
            changes.append((t, round(value)))
    return changes


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


class _Ramp:
    """A factor: 1 before t0, linear to `factor` at t1, then `factor`; sampled once a day."""

    def __init__(self, t0: float, t1: float, factor: float) -> None:
        self.t0, self.t1, self.factor = t0, t1, factor
        self.days = [max(t0 + d, 0.0) for d in range(int(t1 - t0) + 1)]

    def at(self, t: float) -> float:
        if t < self.t0:
            return 1.0
        if t >= self.t1:
            return self.factor
        return 1.0 + (self.factor - 1.0) * (t - self.t0) / (self.t1 - self.t0)


def _factor_ramp(sc: Scenario, name: str) -> _Ramp | None:
    crisis = sc.measures.get("crisisaanpak")
    if crisis is None or name not in crisis.factors:
        return None
    t0 = days_since(sc.start, crisis.from_)
    t1 = days_since(sc.start, crisis.to) if crisis.to is not None else t0
    return _Ramp(t0, t1, crisis.factors[name])
