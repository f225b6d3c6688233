"""The rules of the waiting lines: the order in which a resource serves the addresses waiting for it,
and what a measure gives an address it takes out of the planvorming line."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple


class WaitKey(NamedTuple):
    """An address's place in a waiting line: the smaller key is served first. Work already under way
    on the peildatum goes first (`fresh` is False), then the scenario's rule: risk first (`profile`,
    then the longest waiting) or first come, first served (`profile` 0 for everyone)."""

    fresh: bool    # not yet under way
    profile: int   # index into domain.PROFILES under risk_first; 0 under fifo
    since: float   # waiting since (day)
    address: int


def service_order(rule: str, profiles: list[int]) -> Callable[[int, float, bool], WaitKey]:
    """The key of address `a` waiting since `since` (`resuming`: under way on the peildatum), under
    `rule` ("risk_first" or "fifo"); `profiles` is each address's risk profile index. Plain Python
    numbers: heap comparisons of numpy scalars cost several times more."""
    if rule == "risk_first":
        return lambda a, since, resuming: WaitKey(not resuming, profiles[a], float(since), a)
    return lambda a, since, resuming: WaitKey(not resuming, 0, float(since), a)


@dataclass(frozen=True)
class HandOver:
    """What a planvorming request yields instead of a slot when a measure (domain.HANDED_OVER_BY) takes
    the address straight to execution: the Bedrijfsbureau prepares it (no capacity limit) and, for
    batch 1581, the owner may first choose a new beoordeling."""

    by: int             # domain.BOUWIMPULS or domain.BATCH_1581
    preparation: float  # days
    reassess: bool
