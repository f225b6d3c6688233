"""The calibration: what SodM's tables would have counted in a replay of history (observation
operators), the published targets, the fit, and its report."""
