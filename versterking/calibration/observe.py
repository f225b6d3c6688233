"""Observation operators: what SodM 2020 would have counted in a run, in the shape of its tables.

They read a replay of history (a run from a reconstructed peildatum, see
versterking.inputs.embedded) the way the published figures were counted. "Planvorming gestart"
counts from the start of the uitvoeringsplan, in every period: until 2019 tabel 2.2 counted
"project vastgesteld" instead (SodM 2020 par. 2.1), but reading that as the versterkingsbesluit
cannot be squared with the 2020 figures (3,217 vastgesteld by the end of 2019, yet only 1,764 past
the uitvoeringsplan on 17 Jul 2020: tabel 2.1 with par. 3.8), so both are taken as the same moment;
what the redefinition added to the count in Q1 2020 is not published and is reported as a break
(versterking.calibration.targets.BREAKS).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from ..calendar import days_since
from ..domain import (
    BEOORDELING,
    CUMULATIVE,
    NOG_NIET_GESTART,
    OPNAME,
    PLANVORMING,
    PROFILES,
    S_UITVOERING,
    TOTAAL,
    VERSTERKT,
    VOLTOOID,
)
from ..engine.flow import DT, FlowResult
from ..engine.result import RunResult
from ..runs.tables import PRODUCTION, areas, state_before

PHASES = tuple(PRODUCTION)
# the milestone from which an address held at the start has passed each phase
PASSED = {"opgenomen": OPNAME, "beoordeeld": BEOORDELING, "planvorming gestart": PLANVORMING,
          "project uitgevoerd": VOLTOOID}


def _before(r: RunResult, day: date) -> float:
    """Simulation time at the start of `day`."""
    return days_since(r.scenario.start, day)


def _cumulative(r: RunResult, phase: str, t: float) -> int:
    """Addresses that completed `phase` before time t (the moment tabel 2.2 counts, as in
    versterking.runs.tables.PRODUCTION), counting what was held at the start."""
    kind, step = PRODUCTION[phase]
    times = (r.ended if kind == "ended" else r.started)[:, step]
    return int(((times < t) | (r.held >= PASSED[phase])).sum())


def production(r: RunResult, periods: pd.DataFrame) -> pd.DataFrame:
    """Completions per phase in each period (rows with `period`, `first_day`, `last_day`), as tabel
    2.2 counted them; periods must lie within the run."""
    rows = []
    for _, p in periods.iterrows():
        t0, t1 = _before(r, p["first_day"]), _before(r, p["last_day"]) + 1.0
        for phase in PHASES:
            rows.append((phase, p["period"], _cumulative(r, phase, t1) - _cumulative(r, phase, t0)))
    return pd.DataFrame(rows, columns=["phase", "period", "addresses"])


def mean_waiting(r: RunResult, resource: str, periods: pd.DataFrame) -> np.ndarray:
    """Time-averaged waiting line of `resource` in each period (0: it was short of work)."""
    edges = [_before(r, p) for p in periods["first_day"]] + [_before(r, periods["last_day"].iloc[-1]) + 1]
    integrals = areas(r.monitors[resource], np.array(edges))
    return integrals[:, 2] / np.diff(edges)


def stock(r: RunResult, day: date) -> pd.DataFrame:
    """Cumulative counts per risk profile at the end of `day`: the shape of tabel 2.1."""
    t = _before(r, day) + 1.0
    profile = r.addresses["risk_profile"].to_numpy()
    arrived = r.reached[:, NOG_NIET_GESTART] < t
    rows = []
    for name in (*PROFILES, TOTAAL):
        mask = arrived if name == TOTAAL else arrived & (profile == name)
        sub = _subset(r, mask)
        counts = [int(mask.sum())] + [_cumulative(sub, phase, t) for phase in PHASES]
        rows += [(name, milestone, n) for milestone, n in zip(CUMULATIVE, counts, strict=True)]
    return pd.DataFrame(rows, columns=["risk_profile", "milestone", "addresses"])


class _subset:
    """The arrays of a RunResult restricted to some addresses (what _cumulative reads)."""

    def __init__(self, r: RunResult, mask: np.ndarray) -> None:
        self.ended, self.started, self.held = r.ended[mask], r.started[mask], r.held[mask]


def durations(r: RunResult, day: date) -> pd.DataFrame:
    """Mean days between milestones for the three groups of tabel 2.4, at the end of `day`. Only
    intervals whose both ends are known count: a milestone held at the replay's start has its date,
    earlier ones are unknown (`addresses` says how many intervals the mean rests on)."""
    t = _before(r, day) + 1.0
    held = r.held
    when = np.where(r.reached < t, r.reached, np.nan)
    known = np.column_stack([held <= k for k in range(6)])  # date of milestone k known
    opname = np.where(known[:, OPNAME], when[:, OPNAME], np.nan)
    beoordeling = np.where(known[:, BEOORDELING], when[:, BEOORDELING], np.nan)
    plan = np.where(known[:, PLANVORMING], when[:, PLANVORMING], np.nan)
    done = r.ended[:, S_UITVOERING]
    uitgevoerd = np.where((held < VOLTOOID) & (done < t), done, np.nan)
    state = state_before(r.reached, t)
    is_done = (state == VOLTOOID) & ~np.isnan(r.ended[:, S_UITVOERING]) | (held == VOLTOOID)
    groups = {
        "gehele traject doorlopen": is_done,
        "in planvorming gestart": (state >= PLANVORMING) & ~is_done,
        "tot en met beoordeling gereed": state == BEOORDELING,
    }
    intervals = {
        "opname -> beoordeling gereed": beoordeling - opname,
        "beoordeling gereed -> planvorming gestart": plan - beoordeling,
        "planvorming gestart -> uitvoering gereed": uitgevoerd - plan,
    }
    rows = []
    for group, mask in groups.items():
        for name, days in intervals.items():
            d = days[mask & ~np.isnan(days)]
            rows.append((group, name, float(d.mean()) if len(d) else np.nan, len(d)))
    return pd.DataFrame(rows, columns=["category", "interval", "days", "addresses"])


# -- the same counts from the flow model (the fit's search runs on it: versterking.calibration.fit) ------


def _flow_at(f: FlowResult, series: np.ndarray, t: float) -> np.ndarray:
    """A cumulative series of the flow model at time t (a row holds what reached it by the end of its
    step), interpolated between steps so that the counts move smoothly with the parameters."""
    return np.array([np.interp(t, f.days + DT, s) for s in np.atleast_2d(series.T)]).squeeze()


def _flow_profiles(f: FlowResult) -> dict[str, np.ndarray]:
    """(rows, profiles) per tabel 2.1 milestone. The flow model keeps versterkt as a total: per profile
    it is taken in proportion to voltooid; met the norm, an address counts as beoordeeld, not uitgevoerd."""
    voltooid = f.reached[:, VOLTOOID]
    with np.errstate(invalid="ignore", divide="ignore"):
        built = np.nan_to_num(f.tally[VERSTERKT] / voltooid.sum(axis=1))
    uitgevoerd = voltooid * built[:, None]
    return {"werkvoorraad": f.reached[:, NOG_NIET_GESTART], "opname gereed": f.reached[:, OPNAME],
            "beoordeling gereed": f.reached[:, BEOORDELING] + voltooid - uitgevoerd,
            "planvorming gestart": f.reached[:, PLANVORMING], "uitvoering gereed": uitgevoerd}


def flow_production(f: FlowResult, periods: pd.DataFrame) -> pd.DataFrame:
    """`production` from the flow model. Its planvorming starts where the simulation's voorbereiden
    starts, not its uitvoeringsplan: the fit corrects such differences by the simulation's own counts."""
    series = {"opgenomen": f.reached[:, OPNAME].sum(axis=1), "beoordeeld": f.tally["eerste beoordeling"],
              "planvorming gestart": f.reached[:, PLANVORMING].sum(axis=1),
              "project uitgevoerd": f.tally[VERSTERKT]}
    rows = []
    for _, p in periods.iterrows():
        t0, t1 = days_since(f.start, p["first_day"]), days_since(f.start, p["last_day"]) + 1.0
        rows += [(phase, p["period"], float(_flow_at(f, s, t1) - _flow_at(f, s, t0)))
                 for phase, s in series.items()]
    return pd.DataFrame(rows, columns=["phase", "period", "addresses"])


def flow_mean_waiting(f: FlowResult, resource: str, periods: pd.DataFrame) -> np.ndarray:
    """`mean_waiting` from the flow model: its line after the starts, averaged over the steps of each
    period."""
    line = f.waiting[resource]
    out = []
    for first, last in zip(periods["first_day"], periods["last_day"], strict=True):
        t0, t1 = days_since(f.start, first), days_since(f.start, last) + 1.0
        inside = (f.days >= t0) & (f.days < t1)
        out.append(float(line[inside].mean()) if inside.any() else float(np.interp(t0, f.days, line)))
    return np.array(out)


def flow_stock(f: FlowResult, day: date) -> pd.DataFrame:
    """`stock` from the flow model."""
    t = days_since(f.start, day) + 1.0
    rows = []
    for milestone, series in _flow_profiles(f).items():
        counts = _flow_at(f, series, t)
        rows += [(name, milestone, float(n)) for name, n in zip((*PROFILES, TOTAAL), [*counts, counts.sum()],
                                                                strict=True)]
    return pd.DataFrame(rows, columns=["risk_profile", "milestone", "addresses"])
