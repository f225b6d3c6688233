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

from .growth import GrowthRule, review
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
    (wisselwoningen: only an address about to start uitvoering asks for one). With a verdeelsleutel
    there is a pool per gemeente, and a pool may be asked by several builder lines."""

    def __init__(self, env: simpy.Environment, name: str, capacity: int) -> None:
        self.env, self.name, self.capacity, self.in_use = env, name, capacity, 0
        self.monitor = Monitor()
        self.owners: list[Resource] = []
        # requests of the owners that need a unit and have not got one, and of those the ones their
        # owner has a free slot for (a true shortage); per owner, and in total
        self._reported: dict[int, tuple[int, int]] = {}
        self.waiting = self.short = 0
        self._last: tuple | None = None

    @property
    def held_up(self) -> int:
        """Addresses waiting for a unit of this pool (the work its growth follows)."""
        return self.waiting

    def take(self, units: int = 1) -> None:
        self.in_use += units

    def give_back(self, units: int = 1) -> None:
        self.in_use -= units

    def set_capacity(self, capacity: int) -> None:
        self.capacity = capacity
        self.offer()
        self.record()

    def offer(self) -> None:
        """Units may have come free: the owners try in the order of their first request for one."""
        if len(self.owners) == 1:
            self.owners[0].dispatch()
            return
        heads = [(owner.first_for(self), k) for k, owner in enumerate(self.owners)]
        for _, k in sorted(head for head in heads if head[0] is not None):
            self.owners[k].dispatch()

    def report(self, owner: Resource, waiting: int, short: int) -> None:
        before = self._reported.get(id(owner), (0, 0))
        self._reported[id(owner)] = (waiting, short)
        self.waiting += waiting - before[0]
        self.short += short - before[1]
        self.record()

    def record(self) -> None:
        state = (self.in_use, self.capacity, self.waiting, self.short)
        if state != self._last:  # a builder line reports on every dispatch; keep the changes only
            self._last = state
            self.monitor.record(self.env.now, *state)


class Request(simpy.Event):
    """Slots asked of a Resource: fires when they are granted. As a context manager it gives them back
    when its block ends, as simpy.Resource's requests do (`with line.request(key) as slot: yield slot`),
    but not for a request withdrawn from the line (a measure took the address elsewhere: no slot was
    held) nor when the block ends because the run stopped with the work under way (GeneratorExit)."""

    def __init__(self, resource: Resource, units: int, companion_units: int, pool: int) -> None:
        super().__init__(resource.env)
        self.resource, self.units, self.companion_units, self.pool = resource, units, companion_units, pool
        self.withdrawn = False

    def __enter__(self) -> Request:
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        if exc_type is None and not self.withdrawn:
            self.resource.release(self.units, self.companion_units, self.pool)


class Resource:
    """Concurrent work slots served in key order (smallest key first); keys must be unique."""

    def __init__(
        self, env: simpy.Environment, name: str, capacity: int, companions: list[Pool] | None = None
    ) -> None:
        self.env, self.name, self.capacity, self.in_use = env, name, capacity, 0
        self.companions = companions or []
        for pool in self.companions:
            pool.owners.append(self)
        self._pool_index = {id(pool): k for k, pool in enumerate(self.companions)}
        self._plain: list = []  # heap of (key, units, companion units, event)
        # the same, per companion pool, for requests that also need units of that pool
        self._joint: list[list] = [[] for _ in self.companions]
        self.monitor = Monitor()
        self._plain_units = 0  # slots asked for by the requests in each line, kept as they change
        self._joint_units = [0] * len(self.companions)

    @property
    def waiting(self) -> int:
        """Slots asked for by requests in line (a cluster's block counts each of its addresses)."""
        return self._plain_units + sum(self._joint_units)

    @property
    def held_up(self) -> int:
        """Slots asked for in line that wait for this resource, not for a companion pool's unit (as
        its monitor counts them: the work its growth follows)."""
        rows = self.monitor.rows
        return rows[-1][3] if rows else 0

    def request(self, key: WaitKey, units: int = 1, companion_units: int = 0, pool: int = 0) -> Request:
        """An event that fires when `units` slots (and `companion_units` of companion pool `pool`)
        are granted together; a cluster asks for several at once."""
        granted = Request(self, units, companion_units, pool)
        if companion_units:
            heappush(self._joint[pool], (key, units, companion_units, granted))
            self._joint_units[pool] += units
        else:
            heappush(self._plain, (key, units, companion_units, granted))
            self._plain_units += units
        self.dispatch()
        return granted

    def release(self, units: int = 1, companion_units: int = 0, pool: int = 0) -> None:
        self.in_use -= units
        if companion_units:
            self.companions[pool].give_back(companion_units)
            if len(self.companions[pool].owners) > 1:  # another builder line may be waiting for it
                self.companions[pool].offer()
        self.dispatch()

    def first_for(self, pool: Pool) -> WaitKey | None:
        """The key of the first request in line that needs a unit of `pool`."""
        line = self._joint[self._pool_index[id(pool)]]
        return line[0][0] if line else None

    def waiting_keys(self) -> list[WaitKey]:
        """The keys of the single-slot line."""
        return [entry[0] for entry in self._plain]

    def withdraw(self, choose: Callable[[list[WaitKey]], list[WaitKey]]) -> list[tuple[WaitKey, Request]]:
        """Take waiting requests out of line (a measure sends those addresses elsewhere). `choose`
        gets the keys of the single-slot line in service order and returns those to take; their
        (key, event) pairs come back unfired, for the caller to fire."""
        line = sorted(self._plain, key=lambda entry: entry[0])
        taken = set(choose([entry[0] for entry in line]))
        self._plain = [entry for entry in line if entry[0] not in taken]  # sorted is a heap
        out = [(entry[0], entry[3]) for entry in line if entry[0] in taken]
        for _, request in out:
            request.withdrawn = True
        self._plain_units -= sum(entry[1] for entry in line if entry[0] in taken)
        self.dispatch()
        return out

    def set_capacity(self, capacity: int) -> None:
        """Lowering capacity stops new starts until running work has drained below it."""
        self.capacity = capacity
        self.dispatch()

    def dispatch(self) -> None:
        """Start the first request in key order that can go: one that needs companion units its
        pool cannot give is passed over; one that needs more slots than are free holds the line
        (so a large cluster is not overtaken for ever by single addresses)."""
        plain, joint, pools = self._plain, self._joint, self.companions
        if not pools:  # the lines of opname, beoordeling and planvorming: the hot path, kept short
            while plain and self.in_use + plain[0][1] <= self.capacity:
                units, granted = plain[0][1], heappop(plain)[3]
                self.in_use += units
                self._plain_units -= units
                granted.succeed()
            self.monitor.record(self.env.now, self.in_use, self.capacity, self._plain_units)
            return
        while True:
            heap, p = (plain, -1) if plain else (None, -1)
            for k, line in enumerate(joint):
                if line and pools[k].capacity - pools[k].in_use >= line[0][2] and (
                        heap is None or line[0][0] < heap[0][0]):
                    heap, p = line, k
            if heap is None:
                break
            _, units, companion_units, granted = heap[0]
            if self.in_use + units > self.capacity:
                break
            heappop(heap)
            self.in_use += units
            if p >= 0:
                self._joint_units[p] -= units
                pools[p].take(companion_units)
            else:
                self._plain_units -= units
            granted.succeed()
        # Each waiting address is counted at the resource that holds it up: while a pool cannot
        # serve the first request that needs it, the addresses behind it wait for the pool. Free
        # slots go to the blocked pools' first requests in key order, so the shortage never counts
        # more addresses than there are free slots.
        free = max(self.capacity - self.in_use, 0)
        if len(pools) == 1:
            line, pool = joint[0], pools[0]
            waiting = self._joint_units[0] if line and pool.capacity - pool.in_use < line[0][2] else 0
            self.monitor.record(self.env.now, self.in_use, self.capacity, self.waiting - waiting)
            pool.report(self, waiting, min(waiting, free))
            return
        blocked = sorted((line[0][0], k) for k, line in enumerate(joint)
                         if line and pools[k].capacity - pools[k].in_use < line[0][2])
        waiting, short = [0] * len(pools), [0] * len(pools)
        for _, k in blocked:
            waiting[k] = self._joint_units[k]
            short[k] = min(waiting[k], free)
            free -= short[k]
        self.monitor.record(self.env.now, self.in_use, self.capacity, self.waiting - sum(waiting))
        for k, pool in enumerate(pools):
            pool.report(self, waiting[k], short[k])


def follow_schedule(env: simpy.Environment, target: Resource | Pool, changes: list[tuple[float, int]],
                    growth: GrowthRule | None = None):
    """SimPy process: apply each dated capacity change to `target`; with a growth rule, also review its
    line every `review_days` and keep the slots grown above the schedule (engine.growth)."""
    if growth is None:
        for t, capacity in changes:
            if t > env.now:
                yield env.timeout(t - env.now)
            target.set_capacity(capacity)
        return
    grown, scheduled, k, review_at = growth.first, 0, 0, growth.review_days
    while True:
        is_review = k == len(changes) or changes[k][0] > review_at
        t = review_at if is_review else changes[k][0]
        if t > env.now:
            yield env.timeout(t - env.now)
        if is_review:
            before = grown.slots
            grown = review(growth, grown, env.now, scheduled, target.in_use, target.held_up)
            review_at += growth.review_days
            if grown.slots == before:
                continue
        else:
            scheduled = changes[k][1]
            k += 1
        target.set_capacity(scheduled + grown.slots)
