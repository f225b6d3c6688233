"""Which unknown matters most: how much of the spread of an end date (or of the count voltooid at a
year end) over the replications comes from each uncertain parameter, as its first-order Sobol index
estimated from the replications themselves (RBD-FAST on the Latin hypercube's draws, SALib), and how
much is left for the durations' noise and the parameters' interactions.

An estimate from a few dozen replications is rough: each index comes with the half-width of its
bootstrap 95% interval, and the table says how many replications would bring the widest to 0.05.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
from SALib.analyze import rbd_fast

from .aggregate import LAST_YEAR_COUNTED, VOLTOOID_EIND

REST = "ruis en wisselwerking"  # what no single parameter explains: the noise and the interactions
MIN_REPLICATIONS = 20           # below this RBD-FAST's estimate says nothing
TARGET_MARGIN = 0.05            # the precision a planner can act on
OUTPUTS = ("100% voltooid", "95% voltooid",
           *[f"{VOLTOOID_EIND}{year}" for year in range(2020, LAST_YEAR_COUNTED + 1)])
COLUMNS = ["maatstaf", "bron", "aandeel", "marge", "replicaties", "nodig voor marge 0.05"]


def first_order(u: np.ndarray, y: np.ndarray, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """First-order indices of y (n) on the columns of u (n x k uniforms), and their margins."""
    n, k = u.shape
    problem = {"num_vars": k, "names": [f"x{i}" for i in range(k)], "bounds": [[0.0, 1.0]] * k}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = rbd_fast.analyze(problem, u, y, M=4 if n >= 40 else 2, num_resamples=200,
                                   seed=seed % 2**32)
    return np.asarray(result["S1"], float), np.asarray(result["S1_conf"], float)


def decompose(per_replication: pd.DataFrame, u: pd.DataFrame | None, horizon_day: float,
              seed: int = 0) -> pd.DataFrame:
    """Per output (OUTPUTS that vary) one row per parameter and one for the rest. A date not reached
    before the horizon counts as the horizon. Empty without parameters or with too few replications."""
    if u is None or len(u) < MIN_REPLICATIONS:
        return pd.DataFrame(columns=COLUMNS)
    wide = per_replication.pivot_table(index="replicatie", columns="maatstaf", values="waarde",
                                       aggfunc="first", dropna=False).sort_index()
    x = u.to_numpy(float)
    rows = []
    for output in OUTPUTS:
        if output not in wide:
            continue
        y = wide[output].fillna(horizon_day).to_numpy(float)
        if np.ptp(y) == 0:
            continue
        s1, margin = first_order(x, y, seed)
        known = margin[np.isfinite(margin)]
        widest = float(known.max()) if len(known) else np.nan  # NaN: the bootstrap had no spread
        needed = math.ceil(len(y) * (widest / TARGET_MARGIN) ** 2) if widest > TARGET_MARGIN else len(y)
        for name, share, m in zip(u.columns, s1, margin, strict=True):
            rows.append((output, name, float(share), float(m), len(y), needed))
        rest = 1.0 - float(np.clip(s1, 0.0, 1.0).sum())
        rows.append((output, REST, max(rest, 0.0), widest, len(y), needed))
    return pd.DataFrame(rows, columns=COLUMNS)


def ranking(table: pd.DataFrame, output: str = "100% voltooid") -> pd.DataFrame:
    """The parameters of one output, the largest share first (the rest last)."""
    mine = table[table["maatstaf"] == output]
    params = mine[mine["bron"] != REST].sort_values("aandeel", ascending=False, kind="stable")
    return pd.concat([params, mine[mine["bron"] == REST]], ignore_index=True)
