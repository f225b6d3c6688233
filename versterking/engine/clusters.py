"""Clusters ("treintjes") that start uitvoering together: the members of a cluster that need
uitvoering wait for each other, then ask for their builder slots and wisselwoningen as one block."""

from __future__ import annotations

import numpy as np
import pandas as pd
import simpy

from .resources import Resource
from .rules import WaitKey


class ClusterGate:
    """Holds the members of a cluster until all that will need uitvoering are ready, then asks for
    their slots as one block, ordered by its most urgent member. A cluster larger than the smallest
    capacity still to come is split into blocks that fit it, so a block can always start once
    capacity is there."""

    def __init__(self, env: simpy.Environment, cluster_ids: pd.Series, may_need_uitvoering: np.ndarray,
                 bouwcapaciteit: Resource, limits: dict[str, list[tuple[float, int]]]) -> None:
        self.env, self.bouwcapaciteit, self.limits = env, bouwcapaciteit, limits
        self.cluster, _ = pd.factorize(cluster_ids)
        # members that may still need uitvoering; one that turns out not to (meets the norm, no
        # beoordeling needed, handed over to a measure) leaves, and the rest may then go
        self.expected = np.bincount(self.cluster[may_need_uitvoering],
                                    minlength=self.cluster.max() + 1 if len(self.cluster) else 0)
        self.ready: dict[int, list] = {}

    def _smallest_capacity_to_come(self, name: str) -> int:
        now = self.env.now
        changes = self.limits[name]
        current = [c for t, c in changes if t <= now][-1:]
        future = [c for t, c in changes if t > now]
        positive = [c for c in current + future if c > 0]
        return min(positive) if positive else 1

    def arrive(self, a: int, key: WaitKey, wisselwoning: int) -> simpy.Event:
        mine = self.env.event()
        c = self.cluster[a]
        members = self.ready.setdefault(c, [])
        members.append((key, wisselwoning, mine))
        self._go_if_complete(c)
        return mine

    def leave(self, a: int) -> None:
        c = self.cluster[a]
        self.expected[c] -= 1
        self._go_if_complete(c)

    def _go_if_complete(self, c: int) -> None:
        members = self.ready.get(c)
        if members and len(members) == self.expected[c]:
            del self.ready[c]
            self._ask(sorted(members, key=lambda x: x[0]))

    def _ask(self, members: list) -> None:
        max_units = self._smallest_capacity_to_come("bouwcapaciteit")
        max_wissel = self._smallest_capacity_to_come("wisselwoningen")
        block: list = []
        for member in members:
            wissel = sum(w for _, w, _ in block) + member[1]
            if block and (len(block) + 1 > max_units or wissel > max_wissel):
                self._request(block)
                block = []
            block.append(member)
        self._request(block)

    def _request(self, block: list) -> None:
        granted = self.bouwcapaciteit.request(block[0][0], len(block), sum(w for _, w, _ in block))
        events = [ev for _, _, ev in block]
        granted.callbacks.append(lambda _: [ev.succeed() for ev in events])
