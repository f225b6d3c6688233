"""A resource divided over groups of addresses by a verdeelsleutel (SodM 2020 par. 3.7: NCG divides
capacity over the gemeenten; the gemeenten hold the wisselwoningen; the corporaties build with their
own contractors): one part per group, each following its share of the resource's schedule and serving
only its own group's addresses. An undivided resource is one part that serves everyone."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..inputs.blocks import Split
from ..inputs.counts import apportion


@dataclass
class Divided:
    name: str
    parts: list                  # a Resource or Pool per group
    groups: tuple[str, ...]      # the group each part serves ("" when undivided)
    of: np.ndarray               # the part that serves each address
    schedules: list[list[tuple[float, int]]]  # (day, slots) per part

    def __post_init__(self) -> None:
        self._of = self.of.tolist()  # list lookups are faster than numpy's in the event loop

    def part(self, a: int) -> int:
        return self._of[a]

    def serving(self, a: int):
        return self.parts[self._of[a]]


def divide(name: str, split: Split | None, addresses: pd.DataFrame, to_finish: np.ndarray,
           schedule: list[tuple[float, int]], make) -> Divided:
    """The parts of a resource, made by `make(name, capacity)`. With shares "werkvoorraad" each group's
    share is its part of the addresses still to finish at the start."""
    n = len(addresses)
    if split is None:
        return Divided(name, [make(name, 0)], ("",), np.zeros(n, np.int64), [schedule])
    column = addresses[split.by].astype(str)
    if split.shares == "werkvoorraad":
        groups = tuple(sorted(column.unique()))
        of = pd.Categorical(column, categories=groups).codes.astype(np.int64)
        weights = np.bincount(of[to_finish], minlength=len(groups)).astype(float)
    else:
        groups = tuple(sorted(split.shares))
        of = pd.Categorical(column, categories=groups).codes.astype(np.int64)
        if (of < 0).any():  # the loader checks this against the werkvoorraad; inflow draws from it
            missing = sorted(set(column[of < 0]))
            raise ValueError(f"resources.{name}.split.shares: no share for {split.by} {', '.join(missing)}")
        weights = np.array([split.shares[g] for g in groups])
    parts = [make(f"{name}/{g}", 0) for g in groups]
    return Divided(name, parts, groups, of, part_schedules(schedule, weights))


def part_schedules(schedule: list[tuple[float, int]], weights: np.ndarray) -> list[list[tuple[float, int]]]:
    """Each change of the whole split in whole slots that add up to it (largest remainder)."""
    out: list[list[tuple[float, int]]] = [[] for _ in weights]
    for t, capacity in schedule:
        for part, slots in zip(out, apportion(weights, capacity).tolist(), strict=True):
            if not part or part[-1][1] != slots:
                part.append((t, slots))
    return out


def merged_monitor(arrays: list[np.ndarray]) -> np.ndarray:
    """The whole resource's (t, in use, capacity, waiting, short) from its parts' records: each
    part's changes added in time order."""
    if len(arrays) == 1:
        return arrays[0]
    arrays = [a for a in arrays if len(a)]
    if not arrays:
        return np.zeros((0, 5))
    t = np.concatenate([a[:, 0] for a in arrays])
    deltas = np.concatenate([np.diff(a[:, 1:], axis=0, prepend=np.zeros((1, 4))) for a in arrays])
    order = np.argsort(t, kind="stable")
    return np.column_stack([t[order], np.cumsum(deltas[order], axis=0)])
