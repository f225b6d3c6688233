"""Capacity-limited resources with priority waiting lines, dated capacity schedules and
time-weighted monitoring.

Why not simpy.Resource: its waiting line is a list (cost grows superlinearly with tens of thousands
waiting), it cannot lower capacity without losing work, and it cannot hold a second resource
(a wisselwoning) for the same work. Here each waiting line is a heap, a capacity decrease takes
effect as running work finishes, and a request may need one unit of a companion Pool as well.
"""

from __future__ import annotations

from collections.abc import Callable
from heapq import heappop, heappush

import numpy as np
import simpy

from .rules import WaitKey


class Monitor:
    """State after every change: (time, in use, capacity, waiting, short). Integrate, don't sample.
    `short` is for a companion pool: work that could start now but for a unit of the pool."""

    def __init__(self) -> None:
        self.rows: list[tuple[float, int, int, int, int]] = []

    def record(self, t: float, in_use: int, capacity: int, waiting: int, short: int = 0) -> None:
        self.rows.append((t, in_use, capacity, waiting, short))

    def as_array(self) -> np.ndarray:
        return np.array(self.rows, dtype=float).reshape(-1, 5)


class Pool:
    """Units held alongside another resource's work, with no waiting line of their own
    (wisselwoningen: only an address about to start uitvoering asks for one)."""

    def __init__(self, env: simpy.Environment, name: str, capacity: int) -> None:
        self.env, self.name, self.capacity, self.in_use = env, name, capacity, 0
        self.monitor = Monitor()
        self.waiting = 0  # requests of the owner that need a unit and have not got one
        self.short = 0  # of those, the ones the owner has a free slot for (a true shortage)
        self.owner: Resource | None = None

    def take(self, units: int = 1) -> None:
        self.in_use += units

    def give_back(self, units: int = 1) -> None:
        self.in_use -= units

    def set_capacity(self, capacity: int) -> None:
        self.capacity = capacity
        if self.owner is not None:
            self.owner.dispatch()
        self.record()

    def record(self) -> None:
        self.monitor.record(self.env.now, self.in_use, self.capacity, self.waiting, self.short)


class Resource:
    """Concurrent work slots served in key order (smallest key first); keys must be unique."""

    def __init__(
        self, env: simpy.Environment, name: str, capacity: int, companion: Pool | None = None
    ) -> None:
        self.env, self.name, self.capacity, self.in_use = env, name, capacity, 0
        self.companion = companion
        if companion is not None:
            companion.owner = self
        self._plain: list = []  # heap of (key, units, companion units, event)
        self._joint: list = []  # the same, for requests that also need companion units
        self.monitor = Monitor()
        self._plain_units = 0  # slots asked for by the requests in each line, kept as they change
        self._joint_units = 0

    @property
    def waiting(self) -> int:
        """Slots asked for by requests in line (a cluster's block counts each of its addresses)."""
        return self._plain_units + self._joint_units

    def request(self, key: WaitKey, units: int = 1, companion_units: int = 0) -> simpy.Event:
        """An event that fires when `units` slots (and `companion_units` of the companion pool) are
        granted together; a cluster asks for several at once."""
        granted = self.env.event()
        if companion_units:
            heappush(self._joint, (key, units, companion_units, granted))
            self._joint_units += units
        else:
            heappush(self._plain, (key, units, companion_units, granted))
            self._plain_units += units
        self.dispatch()
        return granted

    def release(self, units: int = 1, companion_units: int = 0) -> None:
        self.in_use -= units
        if companion_units:
            self.companion.give_back(companion_units)
        self.dispatch()

    def withdraw(self, choose: Callable[[list[WaitKey]], list[WaitKey]]) -> list[tuple[WaitKey, simpy.Event]]:
        """Take waiting requests out of line (a measure sends those addresses elsewhere). `choose`
        gets the keys of the single-slot line in service order and returns those to take; their
        (key, event) pairs come back unfired, for the caller to fire."""
        line = sorted(self._plain, key=lambda entry: entry[0])
        taken = set(choose([entry[0] for entry in line]))
        self._plain = [entry for entry in line if entry[0] not in taken]  # sorted is a heap
        out = [(entry[0], entry[3]) for entry in line if entry[0] in taken]
        self._plain_units -= sum(entry[1] for entry in line if entry[0] in taken)
        self.dispatch()
        return out

    def set_capacity(self, capacity: int) -> None:
        """Lowering capacity stops new starts until running work has drained below it."""
        self.capacity = capacity
        self.dispatch()

    def dispatch(self) -> None:
        """Start the first request in key order that can go: one that needs companion units the
        pool cannot give is passed over; one that needs more slots than are free holds the line
        (so a large cluster is not overtaken for ever by single addresses)."""
        plain, joint, pool = self._plain, self._joint, self.companion
        while True:
            joint_ok = bool(joint) and pool.capacity - pool.in_use >= joint[0][2]
            if joint_ok and (not plain or joint[0][0] < plain[0][0]):
                heap = joint
            elif plain:
                heap = plain
            else:
                break
            _, units, companion_units, granted = heap[0]
            if self.in_use + units > self.capacity:
                break
            heappop(heap)
            self.in_use += units
            if companion_units:
                self._joint_units -= units
                pool.take(companion_units)
            else:
                self._plain_units -= units
            granted.succeed()
        # Each waiting address is counted at the resource that holds it up: while the pool cannot
        # serve the first request that needs it, the addresses behind it wait for the pool.
        blocked = 0
        if pool is not None and joint and pool.capacity - pool.in_use < joint[0][2]:
            blocked = self._joint_units
        self.monitor.record(self.env.now, self.in_use, self.capacity, self.waiting - blocked)
        if pool is not None:
            pool.waiting = blocked
            pool.short = min(blocked, max(self.capacity - self.in_use, 0))
            pool.record()


def follow_schedule(env: simpy.Environment, target: Resource | Pool, changes: list[tuple[float, int]]):
    """SimPy process: apply each dated capacity change to `target`."""
    for t, capacity in changes:
        if t > env.now:
            yield env.timeout(t - env.now)
        target.set_capacity(capacity)
