"""Which unknown matters most: how much of the spread of an end date (or of the count voltooid at a
year end) over the replications comes from each uncertain parameter, and how much is left for the
durations' noise and the parameters' interactions.

With a few dozen replications and twenty-odd parameters a variance-based estimator (RBD-FAST, the
Sobol indices from given data) is mostly noise: on verwachting it ranked a two-week check first. The
standardised rank regression (Iman and Conover; Saltelli et al., Global Sensitivity Analysis, 2008,
ch. 1.2) is stable there: the output's ranks regressed on the Latin hypercube's uniforms, which are
independent, so each squared coefficient is the share of the (rank) variance that parameter explains
on its own and 1 - R^2 is what none explains. It misses effects that are not monotone; R^2 says how much
it caught. Each share comes with the half-width of its bootstrap 95% interval, and the table says how
many replications would bring the widest to 0.05.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from .aggregate import LAST_YEAR_COUNTED, VOLTOOID_EIND

FILE = "decompositie.csv"       # in a results folder
REST = "ruis en wisselwerking"  # what no single parameter explains: the noise and the interactions
MIN_REPLICATIONS = 20           # and at least 10 more than there are parameters
TARGET_MARGIN = 0.05            # the precision a planner can act on
BOOTSTRAP = 200
OUTPUTS = ("100% voltooid", "95% voltooid",
           *[f"{VOLTOOID_EIND}{year}" for year in range(2020, LAST_YEAR_COUNTED + 1)])
COLUMNS = ["maatstaf", "bron", "aandeel", "marge", "replicaties", "nodig voor marge 0.05"]


def _shares(u: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Squared standardised regression coefficients of rank(y) on u, then 1 - R^2 (last)."""
    r = stats.rankdata(y)
    if np.ptp(r) == 0:
        return np.full(u.shape[1] + 1, np.nan)
    x = (u - u.mean(0)) / u.std(0)
    z = (r - r.mean()) / r.std()
    beta, *_ = np.linalg.lstsq(np.column_stack([np.ones(len(z)), x]), z, rcond=None)
    residual = z - np.column_stack([np.ones(len(z)), x]) @ beta
    return np.append(beta[1:] ** 2, (residual**2).sum() / (z**2).sum())


def first_order(u: np.ndarray, y: np.ndarray, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Each column's share of the spread of y and the rest (last), with bootstrap 95% half-widths."""
    shares = _shares(u, y)
    rng = np.random.default_rng(seed)
    samples = (rng.integers(0, len(y), len(y)) for _ in range(BOOTSTRAP))
    boot = np.array([_shares(u[i], y[i]) for i in samples])
    low, high = np.nanquantile(boot, [0.025, 0.975], axis=0)
    return shares, (high - low) / 2


def decompose(per_replication: pd.DataFrame, u: pd.DataFrame | None, horizon_day: float,
              seed: int = 0) -> pd.DataFrame:
    """Per output (OUTPUTS that vary) one row per parameter and one for the rest. A date not reached
    before the horizon counts as the horizon. Empty without parameters or with too few replications."""
    if u is None or len(u) < max(MIN_REPLICATIONS, u.shape[1] + 10):
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
        shares, margin = first_order(x, y, seed)
        known = margin[np.isfinite(margin)]
        widest = float(known.max()) if len(known) else np.nan  # NaN: the bootstrap had no spread
        needed = math.ceil(len(y) * (widest / TARGET_MARGIN) ** 2) if widest > TARGET_MARGIN else len(y)
        for name, share, m in zip([*u.columns, REST], shares, margin, strict=True):
            rows.append((output, name, float(share), float(m), len(y), needed))
    return pd.DataFrame(rows, columns=COLUMNS)


def ranking(table: pd.DataFrame, output: str = "100% voltooid") -> pd.DataFrame:
    """The parameters of one output, the largest share first (the rest last)."""
    mine = table[table["maatstaf"] == output]
    params = mine[mine["bron"] != REST].sort_values("aandeel", ascending=False, kind="stable")
    return pd.concat([params, mine[mine["bron"] == REST]], ignore_index=True)
