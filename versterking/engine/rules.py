"""The rules of the waiting lines: the order in which a resource serves the addresses waiting for it,
and what a measure gives an address it takes out of the planvorming line.

The order is the scenario's list of criteria (domain.ORDER_CRITERIA), compared one after the
other: the agreed prioritisation in the uitvoering (SodM 2020 par. 3.8: I most severe measures, II
longest waiting, III hardship cases, IV logical clusters), the risk profile and the local plans (LPA).
Every criterion but the waiting time is fixed per address before the run, so each is folded into one
integer rank; the key compares (under way, rank before the waiting time, waiting since, rank after it,
address), which is as cheap on the heap as the old two-rule key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

WAITING = "waiting"


class WaitKey(NamedTuple):
    """An address's place in a waiting line: the smaller key is served first. Work already under way
    on the peildatum goes first (`fresh` is False), then the scenario's criteria."""

    fresh: bool    # not yet under way
    rank: int      # the criteria before the waiting time, as one rank
    since: float   # waiting since (day)
    tie: int       # the criteria after the waiting time, as one rank
    address: int


@dataclass(frozen=True)
class Attributes:
    """What the criteria compare, per address (smaller is served first in each)."""

    risk: np.ndarray      # index into domain.PROFILES
    lpa: np.ndarray       # LPA year; addresses in no plan after every plan
    severity: np.ndarray  # minus the measures' severity (known once the advice is given)
    hardship: np.ndarray  # 0 a hardship case (schrijnend), 1 not
    cluster: np.ndarray   # rank of the address's treintje phase


def ranks(columns: list[np.ndarray], n: int) -> np.ndarray:
    """Dense rank of each address under the columns compared in order (0 for every address when
    there are none)."""
    if not columns:
        return np.zeros(n, np.int64)
    order = np.lexsort(columns[::-1])
    stacked = np.stack(columns)[:, order]
    new = np.r_[True, (np.diff(stacked, axis=1) != 0).any(axis=0)]
    out = np.empty(n, np.int64)
    out[order] = np.cumsum(new) - 1
    return out


def service_order(criteria: tuple[str, ...], attributes: Attributes, advice_known: bool
                  ) -> Callable[..., WaitKey]:
    """The key of address `a` waiting since `since` (`resuming`: under way on the peildatum).
    `advice_known`: the line serves addresses with a versterkingsadvies (planvorming, uitvoering), so
    the severity of their measures counts; before it nobody knows it and it is left out. The local
    plans count only before it: LPA2019 and LPA2020 plan opname and beoordeling, no uitvoering
    (SodM 2020 par. 3.7). Plain Python numbers: heap comparisons of numpy scalars cost several times
    more."""
    k = criteria.index(WAITING)
    n = len(attributes.risk)
    inert = "lpa" if advice_known else "severity"

    def rank(names: tuple[str, ...]) -> list[int]:
        used = [getattr(attributes, c) for c in names if c != inert]
        return ranks(used, n).tolist()

    before, after = rank(criteria[:k]), rank(criteria[k + 1:])

    def key(a: int, since: float, *, resuming: bool = False) -> WaitKey:
        return WaitKey(not resuming, before[a], float(since), after[a], a)

    return key


def phase_ranks(phase: np.ndarray, urgency: np.ndarray) -> np.ndarray:
    """Per address, the rank of its treintje phase: phases go in the order of their most urgent
    member (smallest `urgency`), so a street leaves when its first resident's turn comes."""
    if len(phase) == 0:
        return np.zeros(0, np.int64)
    first = np.full(phase.max() + 1, np.iinfo(np.int64).max)
    np.minimum.at(first, phase, urgency)
    return np.argsort(np.argsort(first, kind="stable"), kind="stable")[phase]  # ties: phase order


@dataclass(frozen=True)
class HandOver:
    """What a planvorming request yields instead of a slot when a measure (domain.HANDED_OVER_BY) takes
    the address straight to execution: the Bedrijfsbureau prepares it (no capacity limit) and, for
    batch 1581, the owner may first choose a new beoordeling."""

    by: int             # domain.BOUWIMPULS or domain.BATCH_1581
    preparation: float  # days
    reassess: bool
