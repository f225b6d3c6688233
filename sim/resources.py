"""Capacity-limited resources with priority waiting lines, dated capacity schedules and
time-weighted monitoring.

Why not simpy.Resource: its waiting line is a list (cost grows superlinearly with tens of thousands
waiting), it cannot lower capacity without losing work, and it cannot hold a second resource
(a wisselwoning) for the same work. Here each waiting line is a heap, a capacity decrease takes
effect as running work finishes, and a request may need one unit of a companion Pool as well.
"""

from __future__ import annotations

from heapq import heappop, heappush

import numpy as np
import simpy


class Monitor:
    """State after every change: (time, in use, capacity, waiting). Integrate, don't sample."""

    def __init__(self) -> None:
        self.rows: list[tuple[float, int, int, int]] = []

    def record(self, t: float, in_use: int, capacity: int, waiting: int) -> None:
        self.rows.append((t, in_use, capacity, waiting))

    def as_array(self) -> np.ndarray:
        return np.array(self.rows, dtype=float).reshape(-1, 4)


class Pool:
    """Units held alongside another resource's work, with no waiting line of their own
    (wisselwoningen: only an address about to start uitvoering asks for one)."""

    def __init__(self, env: simpy.Environment, name: str, capacity: int) -> None:
        self.env, self.name, self.capacity, self.in_use = env, name, capacity, 0
        self.monitor = Monitor()
        self.waiting = 0  # requests of the owner that need a unit and have not got one
        self.owner: Resource | None = None

    def free(self) -> bool:
        return self.in_use < self.capacity

    def take(self) -> None:
        self.in_use += 1

    def give_back(self) -> None:
        self.in_use -= 1

    def set_capacity(self, capacity: int) -> None:
        self.capacity = capacity
        if self.owner is not None:
            self.owner.dispatch()
        self.record()

    def record(self) -> None:
        self.monitor.record(self.env.now, self.in_use, self.capacity, self.waiting)


class Resource:
    """Concurrent work slots served in key order (smallest key first); keys must be unique."""

    def __init__(
        self, env: simpy.Environment, name: str, capacity: int, companion: Pool | None = None
    ) -> None:
        self.env, self.name, self.capacity, self.in_use = env, name, capacity, 0
        self.companion = companion
        if companion is not None:
            companion.owner = self
        self._plain: list = []  # heap of (key, event)
        self._joint: list = []  # heap of (key, event) for requests that also need a companion unit
        self.monitor = Monitor()

    @property
    def waiting(self) -> int:
        return len(self._plain) + len(self._joint)

    def request(self, key: tuple, with_companion: bool = False) -> simpy.Event:
        """An event that fires when a slot (and a companion unit if asked) is granted."""
        granted = self.env.event()
        heappush(self._joint if with_companion else self._plain, (key, granted))
        self.dispatch()
        return granted

    def release(self, with_companion: bool = False) -> None:
        self.in_use -= 1
        if with_companion:
            self.companion.give_back()
        self.dispatch()

    def set_capacity(self, capacity: int) -> None:
        """Lowering capacity stops new starts until running work has drained below it."""
        self.capacity = capacity
        self.dispatch()

    def dispatch(self) -> None:
        plain, joint, pool = self._plain, self._joint, self.companion
        while self.in_use < self.capacity:
            if joint and pool.free() and (not plain or joint[0][0] < plain[0][0]):
                _, granted = heappop(joint)
                pool.take()
            elif plain:
                _, granted = heappop(plain)
            else:
                break
            self.in_use += 1
            granted.succeed()
        self.monitor.record(self.env.now, self.in_use, self.capacity, self.waiting)
        if pool is not None:
            pool.waiting = len(joint)
            pool.record()


def follow_schedule(env: simpy.Environment, target: Resource | Pool, changes: list[tuple[float, int]]):
    """SimPy process: apply each dated capacity change to `target`."""
    for t, capacity in changes:
        if t > env.now:
            yield env.timeout(t - env.now)
        target.set_capacity(capacity)
