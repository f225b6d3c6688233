"""Durations drawn by inverse CDF from uniforms, so one uniform per address and step couples runs:
a scenario that changes a distribution's parameters still gives each address 'the same luck'
(common random numbers)."""

from __future__ import annotations

import numpy as np
from scipy import stats

from ..inputs.blocks import Empirical, Exponential, Fixed, Gamma, Lognormal, Triangular


def from_uniforms(spec, u: np.ndarray) -> np.ndarray:
    """Map uniforms in [0, 1) to durations (days) with the distribution `spec`."""
    u = np.asarray(u, dtype=float)
    match spec:
        case Fixed(value=value):
            return np.full(u.shape, float(value))
        case Exponential(mean=mean):
            return -mean * np.log1p(-u)
        case Lognormal(mean=mean, sd=sd):
            sigma2 = np.log1p((sd / mean) ** 2)
            return stats.lognorm.ppf(u, s=np.sqrt(sigma2), scale=mean * np.exp(-sigma2 / 2))
        case Gamma(mean=mean, sd=sd):
            return stats.gamma.ppf(u, a=(mean / sd) ** 2, scale=sd**2 / mean)
        case Triangular(low=low, mode=mode, high=high):
            return stats.triang.ppf(u, c=(mode - low) / (high - low), loc=low, scale=high - low)
        case Empirical(values=values, weights=weights):
            order = np.argsort(values, kind="stable")
            vals = np.asarray(values, dtype=float)[order]
            w = np.ones(len(vals)) if weights is None else np.asarray(weights, float)[order]
            cdf = np.cumsum(w) / w.sum()
            return vals[np.minimum(np.searchsorted(cdf, u, side="right"), len(vals) - 1)]
    raise TypeError(f"unknown duration spec {spec!r}")


def mean_of(spec) -> float:
    """Expected duration in days (for the throughput a capacity implies)."""
    match spec:
        case Fixed(value=value):
            return float(value)
        case Exponential(mean=mean) | Lognormal(mean=mean) | Gamma(mean=mean):
            return float(mean)
        case Triangular(low=low, mode=mode, high=high):
            return (low + mode + high) / 3.0
        case Empirical(values=values, weights=weights):
            w = np.ones(len(values)) if weights is None else np.asarray(weights, float)
            return float(np.dot(values, w) / w.sum())
    raise TypeError(f"unknown duration spec {spec!r}")


def scaled(duration, factor: float):
    """A duration distribution with its mean and spread stretched by `factor`, in tenths of a day
    (as the calibrated file writes them, so that it replays exactly what the fit saw)."""
    d = duration.model_dump(by_alias=True)
    for key in ("mean", "sd", "value", "low", "mode", "high"):
        if key in d:
            d[key] = round(d[key] * factor, 1)
    if "values" in d:
        d["values"] = [round(v * factor, 1) for v in d["values"]]
    return type(duration).model_validate(d)
