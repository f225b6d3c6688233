"""Which unknown matters most: how much of the spread of an end date (or of the count voltooid at a
year end) over the replications comes from each uncertain parameter, and how much is left for the
durations' noise and the parameters' interactions.

With a few dozen replications and twenty-odd parameters a variance-based estimator (RBD-FAST, the
Sobol indices from given data) is mostly noise: on verwachting it ranked a two-week check first. The
standardised rank regression (Iman and Conover; Saltelli et al., Global Sensitivity Analysis, 2008,
ch. 1.2) is stable there: the output's ranks regressed on the Latin hypercube's uniforms, which are
independent, so each squared coefficient (less its sampling variance) is the share of the (rank)
variance that parameter explains on its own and 1 - adjusted R^2 is what none explains. It misses
effects that are not monotone; they land in the rest. Each share comes with the half-width of its
bootstrap 95% interval, and the table says how many replications would bring the widest to 0.05.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from .aggregate import DEELNEMERS_VOLTOOID, LAST_YEAR_COUNTED, VOLTOOID_EIND

REST = "ruis en wisselwerking"  # what no single parameter explains: the noise and the interactions
MIN_REPLICATIONS = 20           # and at least 10 more than there are parameters
TARGET_MARGIN = 0.05            # the precision a planner can act on
BOOTSTRAP = 200
OUTPUTS = ("100% voltooid", DEELNEMERS_VOLTOOID, "95% voltooid",
           *[f"{VOLTOOID_EIND}{year}" for year in range(2020, LAST_YEAR_COUNTED + 1)])
COLUMNS = ["maatstaf", "bron", "aandeel", "marge", "replicaties", "nodig voor marge 0.05"]


def _shares(u: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Each column's share of the (rank) variance of y, then the rest (last). A squared coefficient
    overstates its share by its sampling variance, which with twenty-odd parameters on fifty
    replications would hand a third of the spread to parameters that do nothing: so each share is
    b^2 - se(b)^2 (at least 0, an unbiased estimate of beta^2) and the rest is 1 - adjusted R^2."""
    r = stats.rankdata(y)
    n, k = u.shape
    if np.ptp(r) == 0 or n <= k + 1:
        return np.full(k + 1, np.nan)
    x = np.column_stack([np.ones(n), (u - u.mean(0)) / u.std(0)])
    z = (r - r.mean()) / r.std()
    beta, *_ = np.linalg.lstsq(x, z, rcond=None)
    residual = z - x @ beta
    s2 = (residual**2).sum() / (n - k - 1)
    se2 = s2 * np.diag(np.linalg.pinv(x.T @ x))[1:]
    adjusted_r2 = 1 - s2 / (z**2).sum() * (n - 1)
    return np.append(np.maximum(beta[1:] ** 2 - se2, 0.0), float(np.clip(1 - adjusted_r2, 0.0, 1.0)))


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
