"""Calibration: fit the replay of history (scenarios/replay-2018.toml) to the published figures
(versterking.calibration.targets).

Parameters: the throughput of opname, ingenieursbureaus, planvorming and bouw in each period of
tabel 2.2 from 2018 on (addresses a year; the capacity in slots follows by Little's law, as a step
schedule), and one scale factor per phase on the mean (and sd) of its durations. Objective: half the
sum of squared residuals, each the gap divided by what the tolerance allows, so that |residual| <= 1
is exactly "within tolerance":

  tabel 2.2, per phase and period:   (sim - pub) / (10% of max(pub, 100))
  tabel 2.1, per profile, milestone: (sim - pub) / max(3% of pub, 25 addresses)
  tabel 2.4, cells with >= 30 known intervals in the replay: (sim - pub) / (15% of pub)
  a weak pull of each duration scale towards 1: log(scale) / log(4)

Cells that are breaks in the published series (BREAKS, REVISED, the 2020 redefinition) are shown
in the report with the reason and are not part of the objective or the check.

Method (see `fit`), space mapping: the search runs on the flow model (versterking.engine.flow,
a tenth of a second to the peildatum), corrected to the simulation: each count both make gets the
simulation's difference from it at the last point found, and, for the duration scales, the difference
of their slopes there (three simulations); the simulation then runs the point the corrected flow
model finds, and the next round corrects there, until a round no longer improves the simulated fit.
The simulation only corrects and confirms: some ten evaluations of it, against about 350 a fit when
it searched itself (22.7 min on 2 cores for fit and backtest; now 2.4 - 2.7, docs/background/performance.md).
The search: the duration scales by scipy.optimize.minimize (Powell, bounded) on the whole objective;
inside each trial the throughputs by a damped fixed-point iteration on the tabel 2.2 cells, which is
well posed because each period's throughput mostly drives its own cell. (A gradient method,
least_squares, stalled on the simulation: with whole slots and long lags the objective is too rough
for finite differences.) Every simulation runs the same replications with the same seeds (common
random numbers), so the objective changes only through the parameters. Tabel 2.4 is the
simulation's alone (the flow model keeps no addresses to time); all its cells are breaks today, so
the search sees the whole objective.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from ..calendar import days_since
from ..domain import PROFILES, SLOT_STEPS
from ..engine.distributions import mean_of, scaled
from ..engine.flow import flow
from ..engine.result import RunResult
from ..errors import InputError
from ..inputs.blocks import CapacityChange
from ..inputs.loader import LoadedScenario, load_scenario
from ..inputs.population import load_population
from ..inputs.scenario import Scenario
from ..runs import backends, spine
from . import observe
from .targets import BREAKS, PEILDATUM, REVISED, REVISED_PERIODS, Targets, compare, load_targets

FITTED = {  # resource -> the tabel 2.2 phase its capacity drives
    "opnamecapaciteit": "opgenomen",
    "ingenieursbureaus": "beoordeeld",
    "planvorming": "planvorming gestart",
    "bouwcapaciteit": "project uitgevoerd",
}
# Duration scale -> the steps it stretches (times the replay's means, between 0.1 and 4). The
# uitvoering is not scaled: its 372 days follow from the published stock by Little's law (324 in
# uitvoering on 17 Jul 2020 at 318 uitgevoerd a year, replay-2018.toml), which the quarterly counts
# cannot identify (work in hand carries from quarter to quarter; a free scale ran off to 37 or
# 866 days depending on the start).
SCALED = {
    "opname": ("opname",),
    "beoordeling": ("beoordeling",),
    "planvorming": ("planvorming_voorbereiden", "uitvoeringsplan_opstellen", "versterkingsbesluit"),
}
SCALE_BOUNDS = (0.1, 4.0)
PACE_QUARTERS = 4     # "current pace": what the last four quarters (the periods in them) delivered


# -- parameters ------------------------------------------------------------------------------


@dataclass
class Problem:
    """A replay to fit: its scenario, the periods whose capacities are free, and the targets.

    Parameters are logarithms of (a) the throughput each fitted resource can deliver in each
    period, in addresses a year, and (b) one scale per phase on its durations. The capacity in
    slots follows by Little's law (throughput x mean duration), so that stretching a duration
    leaves the throughput alone and changes only the lag and the work in progress: the fit stays
    well conditioned."""

    base: Scenario
    population: pd.DataFrame
    targets: Targets
    fit_until: date                  # last day of the data the fit may see
    replications: int = 3
    names: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self.periods = self.targets.periods[self.targets.periods["last_day"] <= self.fit_until]
        self.names = [f"{r}|{p}" for r in FITTED for p in self.periods["period"]]
        self.names += [f"duur|{s}" for s in SCALED]

    def start_values(self) -> np.ndarray:
        """Throughput as published in each period (at least 10 a year); duration scales 1."""
        prod = self.targets.production.set_index(["phase", "period"])["addresses"]
        days = np.array([(last - first).days + 1 for first, last in
                         zip(self.periods["first_day"], self.periods["last_day"], strict=True)])
        rates = [max(prod[(FITTED[r], p)] * 365.0 / d, 10.0)
                 for r in FITTED for p, d in zip(self.periods["period"], days, strict=True)]
        return np.log(np.array(rates + [1.0] * len(SCALED)))

    def durations(self, x: np.ndarray):
        scales = np.exp(x[-len(SCALED):])
        durations = self.base.durations.model_copy(deep=True)
        for factor, steps in zip(scales, SCALED.values(), strict=True):
            for step in steps:
                setattr(durations, step, scaled(getattr(durations, step), float(factor)))
        return durations

    def slot_days(self, x: np.ndarray) -> dict[str, float]:
        """Mean days one slot of each fitted resource is held (its steps' mean durations)."""
        durations = self.durations(x)
        return {r: sum(mean_of(getattr(durations, s)) for s in SLOT_STEPS[r]) for r in FITTED}

    def slots(self, x: np.ndarray) -> dict[str, np.ndarray]:
        """Capacity per fitted resource and period, in whole slots (at least one)."""
        rates = np.exp(x[: -len(SCALED)]).reshape(len(FITTED), len(self.periods))
        return {r: np.maximum(np.round(rates[i] * days / 365.0), 1.0)
                for i, (r, days) in enumerate(self.slot_days(x).items())}

    def scenario(self, x: np.ndarray | None, until: date, pace: tuple | None = None,
                 seed: int | None = None) -> Scenario:
        """The replay with parameters x (None: as the file gives it), run to `until`; from
        `pace` = (from, {resource: slots}) on, the fitted resources keep those capacities."""
        update: dict = {"horizon": until,
                        "seed": self.base.seed if seed is None else seed,
                        "inflow": [f.model_copy(update={"to": min(f.to, until)})
                                   for f in self.base.inflow if f.from_ < until]}
        if x is not None:
            resources = self.base.resources.model_copy(deep=True)
            for r, slots in self.slots(x).items():
                steps = [CapacityChange(**{"from": first, "value": float(v)})
                         for first, v in zip(self.periods["first_day"], slots, strict=True)]
                if pace is not None:
                    steps.append(CapacityChange(**{"from": pace[0], "value": pace[1][r]}))
                getattr(resources, r).capacity = steps
            update |= {"resources": resources, "durations": self.durations(x)}
        return self.base.model_copy(update=update)

    def pace(self, x: np.ndarray, table: pd.DataFrame) -> dict[str, int]:
        """The current pace as slots: the completions of the last PACE_QUARTERS quarters of the fit
        (published; the replay's where the published figure is a break, i.e. the redefinition's
        Q1 2020), per year, times the fitted mean duration (Little's law). Measured on completions
        rather than on the fitted slots, which zigzag where work in hand carries over."""
        last = self.periods["last_day"].iloc[-1]
        start = (pd.Timestamp(last) - pd.DateOffset(months=3 * PACE_QUARTERS)).date()
        inside = self.periods[self.periods["last_day"] > start]
        days = (last - inside["first_day"].min()).days + 1
        slot_days = self.slot_days(x)
        prod = table[table["table"] == "tabel 2.2"].set_index(["key1", "key2"])
        out = {}
        for r, phase in FITTED.items():
            done = sum(prod.loc[(phase, p), "simulated" if ("tabel 2.2", phase, p) in BREAKS
                                else "published"] for p in inside["period"])
            out[r] = max(int(round(done / days * slot_days[r])), 1)
        return out


# -- evaluation ------------------------------------------------------------------------------


def _tables(periods: pd.DataFrame, until: date, production: Callable, waiting: Callable,
            stock: Callable) -> list[pd.DataFrame]:
    """What the fit compares with tabel 2.2 and 2.1, counted by `production(periods)`,
    `waiting(resource, periods)` and `stock(day)` (of a run, or of the flow model)."""
    periods = periods[periods["last_day"] <= until]
    frames = [production(periods).assign(table="tabel 2.2")
              .rename(columns={"period": "key2", "phase": "key1"})]
    for resource, phase in FITTED.items():  # for the fit: was the resource short of work?
        frames.append(pd.DataFrame({"table": "wachtrij", "key1": phase, "key2": periods["period"],
                                    "addresses": waiting(resource, periods)}))
    if until >= PEILDATUM:
        # who the 2020 redefinition could add: adviezen not yet in the uitvoeringsplan on 1 Jan 2020
        stock_2019 = stock(date(2019, 12, 31)).set_index(["risk_profile", "milestone"])["addresses"]
        pool = [stock_2019[(p, "beoordeling gereed")] - stock_2019[(p, "planvorming gestart")]
                for p in PROFILES]
        frames.append(pd.DataFrame({"table": "advies 2020", "key1": list(PROFILES), "key2": "",
                                    "addresses": pool}))
        frames.append(stock(PEILDATUM).assign(table="tabel 2.1")
                      .rename(columns={"risk_profile": "key1", "milestone": "key2"}))
    return frames


def _long(frames: list[pd.DataFrame], replication: int) -> pd.DataFrame:
    out = pd.concat(frames, ignore_index=True).rename(columns={"addresses": "value"})
    return out.assign(replication=replication)


def _observe(periods: pd.DataFrame, until: date, r: RunResult, replication: spine.Replication
             ) -> pd.DataFrame:
    """A spine reducer: what the fit compares with the published tables, from one run to `until`."""
    frames = _tables(periods, until, partial(observe.production, r), partial(observe.mean_waiting, r),
                     partial(observe.stock, r))
    if until >= PEILDATUM:
        d = observe.durations(r, PEILDATUM).rename(columns={"category": "key1", "interval": "key2",
                                                            "addresses": "intervals"})
        frames.append(d.rename(columns={"days": "addresses"}).assign(table="tabel 2.4"))
    return _long(frames, replication.index)


@dataclass
class Evaluator:
    """Runs the replications of parameter vectors, in parallel (versterking.runs.spine), always
    with the same seeds."""

    problem: Problem
    workers: int | None = None

    def observe(self, xs: list, until: date, pace: tuple | None = None) -> list:
        """Per parameter vector: the observations of every replication, long format."""
        p, reps = self.problem, range(self.problem.replications)
        # the 2020 fit's seeds (the base's + i, not the spine's replication seeds), kept so that
        # `calibrate` reproduces the shipped gekalibreerd.toml; a refit may move to the spine's
        jobs = [spine.Replication(p.scenario(x, until, pace, seed=p.base.seed + rep), rep)
                for x in xs for rep in reps]
        runs: list = [None] * len(jobs)
        for i, run in spine.run(jobs, partial(_observe, p.targets.periods, until), p.population,
                                self.workers):
            runs[i] = run
        n = len(reps)
        return [pd.concat(runs[i * n:(i + 1) * n], ignore_index=True) for i in range(len(xs))]


KEYS = ["table", "key1", "key2"]
CORRECTED = ("tabel 2.2", "tabel 2.1", "advies 2020")  # the counts both models share (not the lines)
SLOPE_STEP = 0.2  # log of a duration scale: the step of the correction's slopes (x 1.22)
IMPROVED = 0.02   # a round that lowers the simulated objective less than this (and no cell) ends the fit
TRUST = 0.5       # after the first round the scales move at most this far (log: x 1.65) from the last


@dataclass
class FlowModel:
    """The flow model (versterking.engine.flow) in the Evaluator's place, corrected to the simulation
    (space mapping): every count both make gets the simulation's difference from it at one point x_k,
    plus, in the duration scales, the difference of their slopes there times the distance from x_k. The
    throughputs move both models alike; the scales do not (a longer beoordeling splits differently over
    the risk profiles when the flow model serves them in their order). Its lines (wachtrij) are its own."""

    problem: Problem
    evaluations: int = 0
    at: np.ndarray | None = None               # the duration scales (logs) of x_k
    correction: pd.Series | None = None        # by (table, key1, key2)
    slopes: pd.DataFrame | None = None         # by (table, key1, key2), a column per scale

    def observe(self, xs: list, until: date, pace: tuple | None = None) -> list:
        return [self._corrected(self._counts(x, until, pace), x) for x in xs]

    def _counts(self, x: np.ndarray, until: date, pace: tuple | None = None) -> pd.DataFrame:
        p = self.problem
        self.evaluations += 1
        sc = p.scenario(x, until, pace)
        f = flow(sc, p.population, days_since(sc.start, until) + 1.0)
        return _long(_tables(p.targets.periods, until, partial(observe.flow_production, f),
                             partial(observe.flow_mean_waiting, f), partial(observe.flow_stock, f)), 0)

    def _corrected(self, obs: pd.DataFrame, x: np.ndarray) -> pd.DataFrame:
        if self.correction is None:
            return obs
        keys = pd.MultiIndex.from_frame(obs[KEYS])
        shift = self.correction + self.slopes @ (x[-len(SCALED):] - self.at)
        # a count stays a count (a large negative correction meets a small count)
        return obs.assign(value=np.maximum(obs["value"] + shift.reindex(keys).fillna(0.0).to_numpy(), 0.0))

    def correct(self, evaluator: Evaluator, x: np.ndarray, until: date, simulated: pd.DataFrame) -> None:
        """Correct to the simulation at x (`simulated`: its observations there), and to its slopes in
        the duration scales (one simulation a scale, SLOPE_STEP further)."""
        steps = [x + SLOPE_STEP * np.eye(len(x))[-len(SCALED) + j] for j in range(len(SCALED))]
        sims = [simulated, *evaluator.observe(steps, until)]
        diffs = []
        for point, sim in zip([x, *steps], sims, strict=True):
            sim = sim[sim["table"].isin(CORRECTED)].groupby(KEYS, sort=False)["value"].mean()
            own = self._counts(point, until).set_index(KEYS)["value"]
            diffs.append((sim - own.reindex(sim.index)).dropna())
        self.at, self.correction = x[-len(SCALED):].copy(), diffs[0]
        self.slopes = pd.concat([(d - diffs[0]) / SLOPE_STEP for d in diffs[1:]], axis=1).fillna(0.0)
        self.slopes.columns = range(len(SCALED))


def residuals(table: pd.DataFrame, x: np.ndarray) -> np.ndarray:
    prior = x[-len(SCALED):] / math.log(4.0)
    return np.concatenate([np.nan_to_num(table["residual"].to_numpy(float)), prior])


# -- fitting ---------------------------------------------------------------------------------


@dataclass
class Fit:
    x: np.ndarray
    table: pd.DataFrame
    evaluations: int          # of the simulation (each `replications` runs)
    cost: float
    flow_evaluations: int = 0
    rounds: int = 0


def fit(problem: Problem, evaluator: Evaluator, outer_evaluations: int = 40, inner_iterations: int = 8,
        rounds: int = 4, log=print) -> Fit:
    """Space mapping: search (`search`) on the flow model, corrected by the simulation's difference from
    it at the point the last round found; simulate the new point; stop when a round no longer improves the
    simulated fit (fewest cells outside tolerance, then the objective). The first round searches on the
    flow model as it is, from the published throughputs. The simulation only corrects and confirms."""
    until, surrogate = problem.fit_until, FlowModel(problem)
    x, best, simulations = problem.start_values(), None, 0
    for k in range(1, rounds + 1):
        reach = math.inf if k == 1 else TRUST  # a corrected surrogate holds near where it was corrected
        x = search(problem, surrogate, x, outer_evaluations, inner_iterations, reach, log=lambda _: None).x
        simulated = evaluator.observe([x], until)[0]
        simulations += 1
        table = compare(simulated, problem.targets)
        r = residuals(table, x)
        score = (int((~table["ok"]).sum()), 0.5 * float(r @ r))
        log(f"  ronde {k}: doelfunctie {score[1]:9.1f} in de simulatie, {score[0]} cellen buiten tolerantie "
            f"({surrogate.evaluations} runs van het stroommodel)")
        improved = best is None or score[0] < best[0][0] or (
            score[0] == best[0][0] and score[1] < (1 - IMPROVED) * best[0][1])
        if best is None or score < best[0]:
            best = (score, x, table)
        if not improved:
            break  # the correction no longer helps: the simulation's noise is as large as the gain
        surrogate.correct(evaluator, x, until, simulated)
        simulations += len(SCALED)
    (_, cost), x, table = best
    return Fit(x, table, simulations, cost, surrogate.evaluations, k)


def search(problem: Problem, evaluator, x0: np.ndarray, outer_evaluations: int = 40,
           inner_iterations: int = 8, reach: float = math.inf, log=print) -> Fit:
    """From x0, on any evaluator (the simulation, or the flow model), the scales within `reach` of x0's:
    duration scales by scipy.optimize.minimize (Powell, bounded) on the whole objective; for each trial
    of the scales the throughputs by damped fixed-point iteration: every period's throughput is
    multiplied by (published / simulated)^0.8 of its tabel 2.2 cell, at most x2 a step, and not raised
    where the resource had no waiting line (short of work, more capacity would only pile up a burst
    later); warm-started from the best throughputs so far. At the end the throughputs are iterated once
    more, four times as long, at the best scales, with sign steps that grow while a cell stays on one
    side (Rprop): a throughput below the work already in hand has no effect, and proportional steps
    crawl across such flat stretches. The best iterate is the one with the fewest cells outside
    tolerance, then the lowest objective."""
    until = problem.fit_until
    n_rates = len(problem.names) - len(SCALED)
    lo, hi = math.log(1.0), math.log(100_000.0)
    cells = [(FITTED[r], p) for r in FITTED for p in problem.periods["period"]]
    # a break period keeps the throughput of the period before it (see BREAKS)
    tied = [i for i, (phase, period) in enumerate(cells)
            if ("tabel 2.2", phase, period) in BREAKS and period != problem.periods["period"].iloc[0]]
    state = {"rates": x0[:n_rates].copy(), "evaluations": 0, "best": None}

    def evaluate(x: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame, float]:
        obs = evaluator.observe([x], until)[0]
        table = compare(obs, problem.targets)
        state["evaluations"] += 1
        r = residuals(table, x)
        return obs, table, 0.5 * float(r @ r)

    def gaps(obs: pd.DataFrame, table: pd.DataFrame) -> np.ndarray:
        """Per fitted cell log(simulated / published); 0 where more capacity could not help."""
        t = table[table["table"] == "tabel 2.2"].set_index(["key1", "key2"])
        sim = np.array([t.loc[c, "simulated"] for c in cells])
        pub = np.array([t.loc[c, "published"] for c in cells])
        queue = obs[obs["table"] == "wachtrij"].groupby(["key1", "key2"])["value"].mean()
        waiting = np.array([queue[c] for c in cells])
        for phase in REVISED:  # held to the 2019 total (compare's merged row): one gap for its periods
            if (phase, "2019") in t.index:
                idx = [i for i, c in enumerate(cells) if c[0] == phase and c[1] in REVISED_PERIODS]
                sim[idx], pub[idx] = t.loc[(phase, "2019"), "simulated"], t.loc[(phase, "2019"), "published"]
        gap = np.log((sim + 20.0) / (pub + 20.0))
        # short of work: more capacity would not help, so do not raise it
        return np.where((gap < 0) & (waiting < 1.0), 0.0, gap)

    def inner(scales: np.ndarray, iterations: int = inner_iterations, adaptive: bool = False) -> float:
        rates = state["rates"].copy()
        best = None
        step, previous = np.full(len(cells), 0.2), np.zeros(len(cells))
        for _ in range(iterations):
            x = np.r_[rates, scales]
            obs, table, cost = evaluate(x)
            score = (int((~table["ok"]).sum()), cost)
            if best is None or score < best[0]:
                best = (score, x, table, rates)
            gap = gaps(obs, table)
            if adaptive:  # sign steps that grow while the sign holds (Rprop): crosses flat stretches
                moving = np.abs(gap) > 0.01
                step = np.where(np.sign(gap) == np.sign(previous), np.minimum(step * 1.5, 1.0),
                                np.maximum(step * 0.5, 0.01))
                rates = rates - np.where(moving, np.sign(gap) * step, 0.0)
                previous = np.where(moving, gap, 0.0)
            else:
                rates = rates - np.clip(0.8 * gap, -0.7, 0.7)
            rates = np.clip(rates, lo, hi)
            rates[tied] = rates[np.array(tied, dtype=int) - 1]
        score, x, table, rates = best
        state["rates"] = rates
        if state["best"] is None or score < state["best"][0]:
            state["best"] = (score, x, table)
        log(f"  duurschalen {np.round(np.exp(scales), 3).tolist()}: doelfunctie {score[1]:9.1f}, "
            f"{score[0]} buiten tolerantie ({state['evaluations']} evaluaties)")
        return score[1]

    low, high = np.log(SCALE_BOUNDS)
    bounds = [(max(low, s - reach), min(high, s + reach)) for s in x0[n_rates:]]
    minimize(inner, x0[n_rates:], method="Powell", bounds=bounds,
             options={"maxfev": outer_evaluations, "xtol": 0.05, "ftol": 1e-3})
    # polish: the throughputs once more, longer and with adaptive steps, at the best scales found
    state["rates"] = state["best"][1][:n_rates]
    inner(state["best"][1][n_rates:], 4 * inner_iterations, adaptive=True)
    (_, cost), x, table = state["best"]
    return Fit(x, table, state["evaluations"], cost)


def load_replay(path: str | Path) -> tuple[LoadedScenario, pd.DataFrame]:
    loaded = load_scenario(path)
    return loaded, load_population(loaded)


# -- the calibrated scenario file --------------------------------------------------------------


def calibrated_toml(problem: Problem, x: np.ndarray, table: pd.DataFrame, extends: str,
                    header: str) -> str:
    """The fitted parameters as a scenario that extends the replay: a step schedule per resource
    (each step with the throughput it implies and the published figure), then the current pace."""
    prod = problem.targets.production.set_index(["phase", "period"])["addresses"]
    slots = problem.slots(x)
    durations = problem.durations(x)
    rates = np.exp(x[: -len(SCALED)]).reshape(len(FITTED), len(problem.periods))
    last = problem.periods["last_day"].iloc[-1]
    pace = problem.pace(x, table)
    lines = [header.rstrip(), "", f'extends = "{extends}"', 'name = "gekalibreerd"',
             'description = "Historie 2018 - 17 jul 2020 met gekalibreerde capaciteit en doorlooptijden"',
             ""]
    for i, (r, phase) in enumerate(FITTED.items()):
        lines += [f"[resources.{r}]",
                  f"# fitted slots per tabel 2.2 period ({phase}); from {PEILDATUM} on the current pace:",
                  f"# the completions of the last {PACE_QUARTERS} quarters (tabel 2.2) times the mean "
                  "duration",
                  "capacity = ["]
        for j, (_, p) in enumerate(problem.periods.iterrows()):
            lines.append(f'  {{ from = {p["first_day"]}, value = {int(slots[r][j])} }},  # {p["period"]}: '
                         f'{rates[i, j]:,.0f} a year; published {prod[(phase, p["period"])]:,} '
                         f'in the period')
        lines.append(f"  {{ from = {max(PEILDATUM, last)}, value = {pace[r]} }},  # huidig tempo")
        lines += ["]", ""]
    lines.append("[durations]")
    lines.append(f"# {extends}'s durations times the scale of their phase fitted to SodM 2020 tabel 2.1, "
                 "2.2 and 2.4 (versterking calibrate)")
    scales = dict(zip(SCALED, np.exp(x[-len(SCALED):]), strict=True))
    for phase, steps in SCALED.items():
        for step in steps:
            spec = getattr(durations, step).model_dump(by_alias=True)
            body = ", ".join(f'{k} = "{v}"' if isinstance(v, str) else f"{k} = {_number(v)}"
                             for k, v in spec.items())
            lines.append(f"{step} = {{ {body} }}  # x {scales[phase]:.3f}")
    return "\n".join(lines) + "\n"


def _number(v) -> str:
    if isinstance(v, list):
        return "[" + ", ".join(_number(u) for u in v) + "]"
    return f"{round(float(v), 1):g}"


# -- the whole job -----------------------------------------------------------------------------


@dataclass
class Calibration:
    problem: Problem
    fit: Fit
    backtest: pd.DataFrame      # every cell, fit on data to 2019 and forecast to PEILDATUM


BACKTEST_UNTIL = date(2019, 12, 31)


METHODS = ("stroommodel", "simulatie")  # space mapping (`fit`), or the search on the simulation alone


def calibrate(replay: str | Path, data: Path | None = None, replications: int = 4, workers: int | None = None,
              max_iterations: int = 40, method: str = METHODS[0], log=print) -> Calibration:
    """Fit the replay (a file or a library name) to the published figures (`data`: a folder of them;
    default the package's), and backtest the fit on the data to the end of 2019. `method` "simulatie":
    the search on the simulation alone, as the shipped gekalibreerd.toml was made (about 25 minutes on
    2 cores; the refit by space mapping holds the same cells with other durations, see
    docs/background/calibration.md, and is not yet carried through the 2020 scenarios). The two fits are
    independent: with the flow model they run side by side (with `workers` above 1), each on one core."""
    if method not in METHODS:
        raise InputError(f"--method: {method!r} is not a calibration method; allowed: {', '.join(METHODS)}")
    loaded, population = load_replay(replay)
    targets = load_targets(loaded.scenario.start, data)
    full = Problem(loaded.scenario, population, targets, PEILDATUM, replications)
    early = Problem(loaded.scenario, population, targets, BACKTEST_UNTIL, replications)
    log(f"fit op alle gegevens t/m {PEILDATUM} ({len(full.names)} parameters, {replications} replicaties "
        f"per simulatie); backtest: fit op gegevens t/m {BACKTEST_UNTIL}, voorspelling t/m {PEILDATUM}")
    jobs = [(full, "fit", False), (early, "backtest", True)]
    # the flow model's search is serial: the two fits side by side, one core each; the simulation's
    # search runs its replications in parallel: one fit after the other, on every worker
    side_by_side = method == "stroommodel"
    job = partial(_fit_job, max_iterations, method, 1 if side_by_side else workers, log)
    done = dict(backends.run_tasks(job, jobs, workers=min(workers or 2, 2) if side_by_side else 1))
    (result, _), (_, obs) = done[0], done[1]
    backtest = compare(obs, targets, adjust_2020=False)
    backtest["sample"] = np.where((backtest["table"] == "tabel 2.2") & backtest["key2"].isin(
        [*early.periods["period"], "2019"]), "in", "uit")
    return Calibration(full, result, backtest)


def _fit_job(max_iterations: int, method: str, workers: int | None, log, job: tuple[Problem, str, bool],
             _shared=None) -> tuple[Fit, pd.DataFrame | None]:
    """One of calibrate's fits; with `forecast`, then its forecast to the peildatum at the pace it found."""
    problem, name, forecast = job
    evaluator = Evaluator(problem, workers)
    named = lambda line: log(f"  {name}:{line[1:]}")  # noqa: E731 (the two fits log side by side)
    if method == "simulatie":
        result = search(problem, evaluator, problem.start_values(), max_iterations, log=named)
    else:
        result = fit(problem, evaluator, max_iterations, log=named)
    if not forecast:
        return result, None
    pace = (date(problem.fit_until.year + 1, 1, 1), problem.pace(result.x, result.table))
    return result, evaluator.observe([result.x], PEILDATUM, pace)[0]


def check(scenario: str | Path = "gekalibreerd", data: Path | None = None, replications: int = 4,
          workers: int | None = None) -> pd.DataFrame:
    """A calibrated scenario (default: the shipped one), replayed as it is, against every target."""
    loaded, population = load_replay(scenario)
    targets = load_targets(loaded.scenario.start, data)
    problem = Problem(loaded.scenario, population, targets, PEILDATUM, replications)
    return compare(Evaluator(problem, workers).observe([None], PEILDATUM)[0], targets)
