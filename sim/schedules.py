"""Capacity schedules: a scenario's steps and linear ramps turned into dated integer changes."""

from __future__ import annotations

from datetime import date

from .blocks import Resource
from .calendar import days_since


def capacity_changes(resource: Resource, start: date) -> list[tuple[float, int]]:
    """(day, capacity) pairs: the first at day 0, then one per change. Ramps move in whole slots,
    at most once a day, so a ramp costs at most one event per day."""
    spec = resource.capacity
    if not isinstance(spec, list):
        return [(0.0, round(spec))]
    points: list[tuple[float, float]] = []  # (day, exact value) in date order
    value = 0.0
    for change in spec:
        t0 = days_since(start, change.from_)
        if change.to is None:
            points.append((t0, change.value))
        else:
            t1 = days_since(start, change.to)
            span = int(t1 - t0)
            for d in range(span + 1):
                points.append((t0 + d, value + (change.value - value) * d / span))
        value = change.value
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
