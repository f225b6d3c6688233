"""Counting addresses: whole-number splits that add up exactly, and what an inflow brings."""

from __future__ import annotations

import numpy as np


def inflow_mix(flow) -> dict[tuple[str, str], int]:
    """Addresses per (risk profile, owner type) an inflow of evenly spread arrivals brings."""
    cells = [(p, o) for p in flow.risk_profile for o in flow.owner_type]
    parts = apportion([flow.risk_profile[p] * flow.owner_type[o] for p, o in cells], flow.addresses)
    return dict(zip(cells, parts.tolist(), strict=True))


def added_later(inflows) -> dict[tuple[str, str], int]:
    total: dict[tuple[str, str], int] = {}
    for flow in inflows:
        for cell, n in inflow_mix(flow).items():
            total[cell] = total.get(cell, 0) + n
    return total


def apportion(weights, total: int) -> np.ndarray:
    """Split `total` in proportion to `weights` into whole numbers (largest remainder; ties go to
    the first), so that the parts add up exactly."""
    w = np.asarray(weights, dtype=float)
    if total == 0 or w.sum() == 0:
        return np.zeros(len(w), dtype=int)
    exact = w * total / w.sum()
    parts = np.floor(exact).astype(int)
    short = total - parts.sum()
    parts[np.argsort(-(exact - parts), kind="stable")[:short]] += 1
    return parts
