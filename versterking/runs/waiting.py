"""Where each gemeente's addresses wait, year by year: the binding resource per gemeente.

The lines are shared (or divided by a verdeelsleutel), so a resource's own monitor cannot say whose
addresses stand in it. This counts from the addresses' logged times instead: for every gemeente and
year, the mean number of its addresses in each line (time-weighted). An address that needs a
wisselwoning and waits for uitvoering counts at the wisselwoningen while its pool has none free, at
the builders otherwise."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from ..calendar import days_since
from ..domain import (
    HERBEOORDELING,
    KLASSIEK,
    S_BEOORDELING,
    S_OPNAME,
    S_UITVOERING,
    S_VOORBEREIDEN,
    TYPOLOGIE,
)
from ..engine.result import RunResult

GEEN = "geen"  # no line holds on average one of the gemeente's addresses


def bottlenecks_per_gemeente(r: RunResult) -> pd.DataFrame:
    """Per gemeente and year: the resource whose line held most of its addresses (on average over
    the year), and how many; "geen" below one address."""
    start = r.scenario.start
    years = list(range(start.year, start.year + int(r.end_time // 365.25) + 2))
    edges = [max(days_since(start, date(y, 1, 1)), 0.0) for y in years] + [
        days_since(start, date(years[-1] + 1, 1, 1))]
    edges = np.minimum(np.array(edges), r.end_time)
    gemeente, names = pd.factorize(r.addresses["gemeente"])
    lines = _lines(r)
    rows = []
    for year, lo, hi in zip(years, edges[:-1], edges[1:], strict=True):
        if hi <= lo:
            continue
        mean = {line: np.bincount(gemeente, weights=days(lo, hi), minlength=len(names)) / (hi - lo)
                for line, days in lines.items()}
        for g, name in enumerate(names):
            top = max(sorted(mean), key=lambda line: mean[line][g])
            rows.append((name, year, top if mean[top][g] >= 1 else GEEN, mean[top][g]))
    return pd.DataFrame(rows, columns=["gemeente", "jaar", "knelpunt", "wachtrij"])


def _overlap(begin: np.ndarray, end: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Days each span [begin, end) lies within [lo, hi) (NaN begin: none; NaN end: still waiting)."""
    b = np.where(np.isnan(begin), np.inf, begin)
    e = np.where(np.isnan(end), np.inf, end)
    return np.clip(np.minimum(e, hi) - np.maximum(b, lo), 0.0, None)


def _lines(r: RunResult) -> dict:
    """Per resource, a function of a window [lo, hi) giving each address's days in its line then.
    A reassessed address's first beoordeling is not counted (a few hundred, batch 1581)."""
    q, s = r.queued, r.started
    on_ib = np.isin(r.route, [KLASSIEK, TYPOLOGIE, HERBEOORDELING])
    planned = np.fmin.reduce(s[:, S_VOORBEREIDEN:S_UITVOERING], axis=1)
    joined, left = q[:, S_UITVOERING], s[:, S_UITVOERING]

    def span(begin, end):
        return lambda lo, hi: _overlap(begin, end, lo, hi)

    lines = {
        "opnamecapaciteit": span(q[:, S_OPNAME], s[:, S_OPNAME]),
        "ingenieursbureaus": span(np.where(on_ib, q[:, S_BEOORDELING], np.nan), s[:, S_BEOORDELING]),
        "planvorming": span(q[:, S_VOORBEREIDEN], planned),
        "bouwcapaciteit": span(joined, left),
    }
    house = _waiting_for_a_house(r, joined, left)
    if house is not None:
        lines["wisselwoningen"] = house
        lines["bouwcapaciteit"] = lambda lo, hi: _overlap(joined, left, lo, hi) - house(lo, hi)
    return lines


def _waiting_for_a_house(r: RunResult, joined: np.ndarray, left: np.ndarray):
    """The days in a window that addresses needing a wisselwoning waited for uitvoering while their
    pool (their gemeente's, under a verdeelsleutel) had none free; None if none needs one."""
    needs = r.needs_wisselwoning & ~np.isnan(joined)
    if not needs.any():
        return None
    parts = r.part_monitors.get("wisselwoningen")
    monitors = list(parts.values()) if parts else [r.monitors["wisselwoningen"]]
    part_of = (pd.Categorical(r.addresses["gemeente"].astype(str), categories=list(parts)).codes
               if parts else np.zeros(len(joined), int))
    end = np.where(np.isnan(left), np.inf, left)
    full = [_full_time(m) for m in monitors]

    def days(lo: float, hi: float) -> np.ndarray:
        out = np.zeros(len(joined))
        for k, f in enumerate(full):
            mine = needs & (part_of == k)
            a, b = np.maximum(joined[mine], lo), np.minimum(end[mine], hi)
            out[mine] = np.where(b > a, f(b) - f(a), 0.0)
        return out
    return days


def _full_time(m: np.ndarray):
    """F(t): the days up to t the pool had no unit free (in use >= capacity), piecewise linear."""
    if not len(m):
        return lambda x: np.zeros(len(x))
    t = m[:, 0]
    keep = np.append(t[1:] != t[:-1], True)
    t, full = t[keep], (m[keep, 1] >= m[keep, 2]).astype(float)
    cum = np.concatenate([[0.0], np.cumsum(full[:-1] * np.diff(t))])

    def at(x: np.ndarray) -> np.ndarray:
        i = np.clip(np.searchsorted(t, x, side="right") - 1, 0, len(t) - 1)
        return np.where(x < t[0], 0.0, cum[i] + full[i] * (x - t[i]))
    return at
