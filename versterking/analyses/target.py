"""`versterking target`: terug redeneren. From a target date back to the capacity each resource needs,
year by year, within what the scenario says it can do (a lead time and a maximum growth a year), so
that a milestone falls on or before the date in a given share of the replications.

Method.
 1. A resource's fastest allowed path: no extra until `from` plus its lead time, then steps a year
    apart, each at most `max_growth` more than the year before, never more than `max_extra` extra.
    Its plan at a share s follows that path up to s times the path's last level and holds there: grow
    as fast as the market can, to the level needed. s = 1 everywhere is the most the scenario allows.
 2. The flow model (versterking.engine.flow, at the modes; milliseconds to a tenth of a second an
    evaluation) finds the smallest common s that meets the date, then lowers each resource's s in
    turn, the most expensive per slot first (bisection to 2% or half a slot).
 3. The simulation scales that plan by a factor m (each s times m, at most 1) and finds the smallest m,
    to within 15%, with which at least ceil(confidence x R) of the R search replications meet the date
    (common random numbers; an evaluation stops as soon as its verdict is certain).
 4. A margin: the plan is run on M fresh replications; while fewer than the share asked meet the date,
    every share grows by 10% and the same M are run again (each try stops once its verdict is certain).
 5. The answer is reported on V further replications that neither the search nor the margin saw: the
    share that meets the date, with its 95% Clopper-Pearson interval.
The sizes (R = 10, M = 30, V = 40 by default) and the 15% were chosen on a stylised model of the
search (per replication a lognormal factor at which it meets the date, spread as measured on basis):
against R = 20, M = 40 and 10% they take about a third fewer runs for plans as large and as often
short of the share asked (docs/background/performance.md).
With uncertain parameters every replication draws its own values (one Latin hypercube over all
replications), so the confidence covers both the parameters and the noise.
When the factor reaches s = 1 on the flow model's resources and still misses, while s = 1 everywhere
meets the date (the flow model runs at the modes; a slow draw may need a resource it left out), step 3
is repeated with every resource in the plan, those left out at 2%, and each of those is then dropped
again where the simulation meets the date without it.
When s = 1 everywhere misses the date in the simulation the question is impossible: the answer gives
the earliest date that path reaches, and which resource's limit binds (the flow model with that
limit lifted gains the most).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..calendar import date_at, days_since
from ..domain import COMPLETIONS, DEELNEMERS, RESOURCES, TOTAAL, VOLTOOID
from ..engine.flow import DT, flow
from ..engine.growth import DAYS_A_YEAR, most_after
from ..engine.measures import last_arrival
from ..engine.result import RunResult
from ..engine.schedules import resource_changes, slot_days, step_function
from ..errors import InputError
from ..inputs.blocks import CapacityChange
from ..inputs.loader import LoadedScenario, as_loaded
from ..inputs.population import load_population
from ..inputs.scenario import Scenario
from ..runs import spine
from ..runs.aggregate import late_quantile
from ..runs.tables import share_done_day

DEFAULT_MAX = (100, 1000)  # an allowed maximum: 100x the slots in force, at least 1,000
FLOW_TOLERANCE = 0.02     # the flow model's shares to within 2% (or half a slot)
MARGIN_STEP, MARGIN_TRIES = 1.10, 6
SCALE_TOLERANCE = 1.15     # the simulation's factor m to within 15% (the margin step refines)


@dataclass(frozen=True)
class Question:
    done_by: date
    confidence: float
    milestone: str = "100%"
    replications: int = 10  # in the search
    margin: int = 30        # fresh, for the margin
    verify: int = 40        # fresh again, for the report

    @property
    def label(self) -> str:
        return (f"{COMPLETIONS[self.milestone].label} uiterlijk {self.done_by:%d-%m-%Y} in "
                f"{self.confidence:.0%} van de replicaties")


@dataclass(frozen=True)
class GrowthPath:
    """A resource's fastest allowed growth: the extra slots it may have from each step's day on."""

    name: str
    in_force: int
    steps: tuple[tuple[date, int], ...]
    lead_time: int
    max_growth: float | None
    max_extra: int

    def at(self, s: float) -> list[tuple[date, int]]:
        """The plan at share s: grow along the path as fast as allowed up to s times its last step,
        then hold (whole slots, never decreasing; consecutive equal steps merged)."""
        ceiling = math.ceil(s * self.steps[-1][1] - 1e-9)
        out: list[tuple[date, int]] = []
        for day, x in self.steps:
            x = min(x, ceiling)
            if not out or x != out[-1][1]:
                out.append((day, x))
        return out


@dataclass
class Evaluation:
    model: str                 # "stroommodel" or "simulatie"
    shares: dict[str, float]   # s per resource
    met: int                   # replications that met the date (the flow model: 1 or 0)
    runs: int                  # replications run before the verdict was certain
    feasible: bool


@dataclass
class Answer:
    question: Question
    scenario: Scenario
    start_of_extra: date
    paths: dict[str, GrowthPath]
    plan: dict[str, list[tuple[date, int]]] | None   # None: impossible
    shares: dict[str, float]                          # s per resource of the plan (1: the maximum)
    evaluations: list[Evaluation]
    margin: pd.DataFrame        # per try on the margin set: shares, met, runs (the last is the plan)
    verification: pd.DataFrame  # per fresh replication: seed, day, met (plan, or the maximum)
    contributions: pd.DataFrame  # per resource: the flow model's date without its extra
    slot_days: dict[str, float]  # mean days a slot is held, for addresses a year
    seconds: float
    root: int
    binding: str = ""                 # impossible: the limit that costs the most
    notes: list[str] = field(default_factory=list)
    margin_runs: int = 0

    @property
    def runs(self) -> int:
        """Simulation runs in all: search, margin and report."""
        return (sum(e.runs for e in self.evaluations if e.model == "simulatie") + self.margin_runs
                + len(self.verification))

    @property
    def cost(self) -> float:
        """Weight x extra slot-years up to the date."""
        if self.plan is None:
            return 0.0
        weights, end = self.scenario.target.cost, self.question.done_by
        return sum(weights[n] * slot_years(steps, end) for n, steps in self.plan.items())

    def interval(self) -> tuple[int, int, float, float]:
        """Met, runs, and the 95% Clopper-Pearson interval of the share on fresh replications."""
        met, n = int(self.verification["gehaald"].sum()), len(self.verification)
        ci = stats.binomtest(met, n).proportion_ci(0.95, method="exact")
        return met, n, ci.low, ci.high

    def table(self) -> pd.DataFrame:
        """The plan per resource and step: slots in force from each date, and addresses a year."""
        rows = []
        for name, steps in (self.plan or {}).items():
            for day, extra in steps:
                slots = self.paths[name].in_force + extra
                rows.append({"middel": name, "vanaf": day, "plekken": slots, "extra": extra,
                             "adressen per jaar": round(slots * 365.25 / self.slot_days[name])})
        return pd.DataFrame(rows, columns=["middel", "vanaf", "plekken", "extra", "adressen per jaar"])

    def yearly(self) -> pd.DataFrame:
        """The plan as a planner reads it: per resource and year the slots in force at the year's end
        and the addresses a year they can do (slots x 365 / the days one address holds a slot); where
        the scenario gives a productivity ([target].productivity), the units that takes (rounded up)."""
        rows = []
        productivity = self.scenario.target.productivity
        for name, steps in (self.plan or {}).items():
            path, per_unit = self.paths[name], productivity.get(name)
            for year in range(self.start_of_extra.year, self.question.done_by.year + 1):
                extra = max([x for day, x in steps if day <= date(year, 12, 31)], default=0)
                slots = path.in_force + extra
                a_year = round(slots * 365.25 / self.slot_days[name])
                rows.append({"middel": name, "jaar": year, "plekken": slots, "adressen per jaar": a_year,
                             "eenheid": per_unit.unit if per_unit else "",
                             "eenheden": math.ceil(a_year / per_unit.addresses_a_year - 1e-9) if per_unit
                             else None})
        return pd.DataFrame(rows, columns=["middel", "jaar", "plekken", "adressen per jaar", "eenheid",
                                           "eenheden"])


def slot_years(steps: list[tuple[date, int]], end: date) -> float:
    """Extra slots x years they are in force before `end`."""
    total = 0.0
    for (day, x), nxt in zip(steps, [*steps[1:], (end, 0)], strict=True):
        total += x * max(days_since(day, min(nxt[0], end)), 0.0) / 365.25
    return total


def seek(scenario: LoadedScenario | Scenario | str | Path, question: Question, seed: int | None = None, *,
         extra_from: date | None = None, population: pd.DataFrame | None = None, workers: int | None = None,
         scheduler: str | None = None, log: Callable[[str], Any] = lambda text: None) -> Answer:
    """Terug redeneren for a scenario (loaded, a file, a name from the shipped library, or a Scenario
    with `population`) from root seed `seed` (default: the scenario's): the plan with which the
    question's milestone is reached by its date in its share of the replications. `extra_from`: the
    extra capacity from this date (default: the scenario's target.from, else its start). `log` is
    told of every evaluation. Results do not depend on `workers` or `scheduler`."""
    if isinstance(scenario, Scenario):
        sc = scenario
        if population is None:
            raise InputError("seek: a Scenario object needs its population (or give a LoadedScenario)")
    else:
        loaded = as_loaded(scenario)
        sc = loaded.scenario
        population = load_population(loaded) if population is None else population
    update: dict[str, Any] = {} if seed is None else {"seed": seed}
    if extra_from is not None:
        update["target"] = sc.target.model_copy(update={"from_": extra_from})
    return _Search(sc.model_copy(update=update), population, question, workers, scheduler, log).run()


class _Search:
    def __init__(self, sc: Scenario, population: pd.DataFrame, question: Question,
                 workers: int | None, scheduler: str | None, log) -> None:
        if not sc.start < question.done_by:
            raise InputError(f"--done-by: {question.done_by} is not after the scenario's start {sc.start}")
        if not sc.target.cost:
            raise InputError(f"{sc.name}: target.cost: no resource may grow; give a cost per slot for "
                             "at least one")
        self.sc, self.population, self.q = sc, population, question
        self.workers, self.scheduler, self.log = workers, scheduler, log
        self.start_of_extra = max(sc.target.from_ or sc.start, sc.start)
        self.names = sorted(sc.target.cost, key=lambda n: (-sc.target.cost[n], RESOURCES.index(n)))
        self.paths = {n: fastest_path(sc, n, self.start_of_extra, question.done_by) for n in self.names}
        self.day = days_since(sc.start, question.done_by)
        self.need = math.ceil(question.confidence * question.replications - 1e-9)
        self.evaluations: list[Evaluation] = []
        self.cache: dict[tuple, Evaluation] = {}
        # the uncertain numbers: one Latin hypercube over the search's, the margin's and the report's
        # replications, each replication's scenario made once (every evaluation reuses it)
        n = question.replications + question.margin + question.verify
        self.drawn = spine.replications(sc, n)

    # -- the plan ---------------------------------------------------------------------------------

    def plan(self, shares: dict[str, float], paths: dict[str, GrowthPath] | None = None) -> dict[str, list]:
        paths = paths or self.paths
        return {n: paths[n].at(shares[n]) for n in self.names}

    def flow_day(self, shares: dict[str, float], paths: dict[str, GrowthPath] | None = None,
                 whole: bool = False) -> float:
        """The flow model's day of the milestone: to a week past the date (NaN: later), or, `whole`,
        to the scenario's horizon."""
        goal = COMPLETIONS[self.q.milestone]
        sc = with_plan(self.sc, self.plan(shares, paths))
        result = flow(sc, self.population, horizon_day=None if whole else self.day + 7)
        return result.done_day(goal.percent, goal.group)

    def flow_feasible(self, shares: dict[str, float]) -> bool:
        key = ("flow", *(round(shares[n], 6) for n in self.names))
        if key not in self.cache:
            met = bool(self.flow_day(shares) <= self.day)
            self.cache[key] = Evaluation("stroommodel", dict(shares), int(met), 1, met)
            self.evaluations.append(self.cache[key])
        return self.cache[key].feasible

    def sim_feasible(self, shares: dict[str, float]) -> bool:
        key = ("sim", *(round(shares[n], 6) for n in self.names))
        if key not in self.cache:
            met, runs = self.met(shares, range(self.q.replications), self.need)
            self.cache[key] = Evaluation("simulatie", dict(shares), met, runs, met >= self.need)
            self.evaluations.append(self.cache[key])
            self.log(f"  simulatie {_describe(shares)}: {met} van {runs} gehaald"
                     f"{' (haalbaar)' if met >= self.need else ''}")
        return self.cache[key].feasible

    def met(self, shares: dict[str, float], replications: range, need: int) -> tuple[int, int]:
        """Replications that meet the date, and how many it took, in replication order, for the verdict
        on `need` to be certain (the same counts with any number of workers)."""
        tasks = [self._task(shares, r, horizon=True) for r in replications]
        met = runs = 0
        done: dict[int, float] = {}
        results = spine.run(tasks, self._reducer(), self.population, self.workers, self.scheduler)
        try:
            for i, day in results:
                done[i] = day
                while runs in done:
                    met += bool(done[runs] < self.day + 1)
                    runs += 1
                    if met >= need or runs - met > len(replications) - need:
                        return met, runs
        finally:
            results.close()
        return met, runs

    # -- the search ---------------------------------------------------------------------------------

    def run(self) -> Answer:
        began = time.perf_counter()
        q, names = self.q, self.names
        full = dict.fromkeys(names, 1.0)  # the fastest path everywhere
        notes: list[str] = []
        base = self._flow_plan()

        def scaled(m: float) -> dict[str, float]:
            return {n: min(1.0, m * base[n]) for n in names}

        shares: dict[str, float] | None
        if not any(base.values()) and self.sim_feasible(dict.fromkeys(names, 0.0)):
            shares = dict.fromkeys(names, 0.0)
            notes.append("het doel wordt zonder extra capaciteit al gehaald")
        else:
            m = self._factor(scaled, base)
            shares = None if m is None else scaled(m)
            if shares is None and min(base.values()) < 1.0 and self.sim_feasible(full):
                shares = self._widened(base)
                notes.append("het stroommodel (op de modi) liet een middel weg dat trage trekkingen nodig "
                             "hebben: " + ", ".join(n for n in names if shares[n] and not base[n]))
        margin, margin_runs = pd.DataFrame(), 0
        if shares is not None:
            shares, margin = self._margin(shares)
            margin_runs = int(margin["gedraaid"].sum())
        at = shares if shares is not None else full
        first = q.replications + q.margin
        report = range(first, first + q.verify)
        verification = self._table(at, report, horizon=False)
        answer = Answer(q, self.sc, self.start_of_extra, self.paths,
                        self.plan(at) if shares is not None else None, at, self.evaluations, margin,
                        verification, self._contributions(at) if shares is not None else pd.DataFrame(),
                        {n: slot_days(self.sc, n) for n in names}, 0.0, self.sc.seed,
                        binding=self._binding() if shares is None else "", notes=notes,
                        margin_runs=margin_runs)
        answer.seconds = time.perf_counter() - began
        return answer

    def _flow_plan(self) -> dict[str, float]:
        """Step 2: the least shares the flow model needs (all 1 if even they miss the date)."""
        names = self.names
        if self.flow_feasible(dict.fromkeys(names, 0.0)):
            return dict.fromkeys(names, 0.0)
        if not self.flow_feasible(dict.fromkeys(names, 1.0)):
            return dict.fromkeys(names, 1.0)
        common = self._least(lambda x: dict.fromkeys(names, x), 1.0, max(self._most(n) for n in names))
        shares = dict.fromkeys(names, common)
        for name in names:  # the most expensive first
            if self.flow_feasible(shares | {name: 0.0}):
                shares[name] = 0.0
            else:
                shares[name] = self._least(lambda x, n=name: shares | {n: x}, shares[name], self._most(name))
        self.log(f"  stroommodel: {_describe(shares)}")
        return shares

    def _most(self, name: str) -> int:
        return max(self.paths[name].steps[-1][1], 1)

    def _least(self, shares_at, hi: float, slots: int) -> float:
        """The least x in (0, hi] at which the flow model meets the date (it does at hi): halving to
        bracket it, then bisection to 2% or half a slot of the largest path."""
        lo = hi / 2
        while lo * slots >= 0.5 and self.flow_feasible(shares_at(lo)):
            hi, lo = lo, lo / 2
        if lo * slots < 0.5:
            lo = 0.0
        while hi - lo > max(FLOW_TOLERANCE * hi, 0.5 / slots):
            mid = (lo + hi) / 2
            lo, hi = (lo, mid) if self.flow_feasible(shares_at(mid)) else (mid, hi)
        return hi

    def _factor(self, scaled, base: dict[str, float]) -> float | None:
        """Step 3: the least factor on the flow model's plan that the simulation finds feasible (None:
        not even every share at 1)."""
        if not any(base.values()):
            base.update(dict.fromkeys(base, FLOW_TOLERANCE))
        top = 1.0 / min(v for v in base.values() if v > 0)  # every share at 1
        lo, hi, m = None, None, 1.0
        while hi is None:  # up until feasible
            if self.sim_feasible(scaled(m)):
                hi = m
            elif m >= top:
                return None
            else:
                lo, m = m, min(m * 1.5, top)
        while lo is None:  # down until not
            m = hi / 1.25
            if self.plan(scaled(m)) == self.plan(scaled(hi)) or not self.sim_feasible(scaled(m)):
                lo = m
            else:
                hi = m
        while hi / lo > SCALE_TOLERANCE:
            mid = math.sqrt(lo * hi)
            if self.plan(scaled(mid)) == self.plan(scaled(hi)):
                break
            lo, hi = (lo, mid) if self.sim_feasible(scaled(mid)) else (mid, hi)
        return hi

    def _widened(self, base: dict[str, float]) -> dict[str, float]:
        """Step 3 again with the resources the flow model left out in the plan (from 2%), then each of
        them back out where the simulation meets the date without it."""
        wider = {n: max(v, FLOW_TOLERANCE) for n, v in base.items()}

        def scaled(m: float) -> dict[str, float]:
            return {n: min(1.0, m * wider[n]) for n in self.names}

        m = self._factor(scaled, wider)
        shares = scaled(m if m is not None else 1.0 / FLOW_TOLERANCE)
        for name in self.names:
            if not base[name] and self.sim_feasible(shares | {name: 0.0}):
                shares[name] = 0.0
        return shares

    def _margin(self, shares: dict[str, float]) -> tuple[dict[str, float], pd.DataFrame]:
        """Step 4: grow the plan until M fresh replications meet the date in the share asked (each try
        stops once its verdict is certain)."""
        q = self.q
        margin_set = range(q.replications, q.replications + q.margin)
        need = math.ceil(q.confidence * q.margin - 1e-9)
        tries = []
        for _ in range(MARGIN_TRIES):
            met, runs = self.met(shares, margin_set, need)
            tries.append({**shares, "gehaald": met, "gedraaid": runs, "nodig": need, "van": q.margin})
            self.log(f"  marge {_describe(shares)}: {met} van {runs} nieuwe replicaties gehaald")
            if met >= need or all(v >= 1.0 for v in shares.values()):
                break
            shares = {n: min(1.0, v * MARGIN_STEP) if v > 0 else 0.0 for n, v in shares.items()}
        return shares, pd.DataFrame(tries)

    def _table(self, shares: dict[str, float], replications: range, horizon: bool) -> pd.DataFrame:
        """The milestone's day in each replication (NaN: not reached)."""
        tasks = [self._task(shares, r, horizon) for r in replications]
        days = np.full(len(tasks), np.nan)
        for i, day in spine.run(tasks, self._reducer(), self.population, self.workers, self.scheduler):
            days[i] = day
        return pd.DataFrame({"replicatie": list(replications),
                             "seed": [task.scenario.seed for task in tasks],
                             "dag": days, "gehaald": days < self.day + 1})

    def _contributions(self, shares: dict[str, float]) -> pd.DataFrame:
        """What each resource's extra buys, by the flow model (an approximation): the date without it."""
        rows = []
        for name in self.names:
            if shares[name] == 0:
                continue
            day = self.flow_day(shares | {name: 0.0}, whole=True)
            rows.append({"middel": name, "datum zonder (stroommodel)": date_at(self.sc.start, day)})
        return pd.DataFrame(rows)

    def _binding(self) -> str:
        """The resource whose limit (lead time, growth) costs the most, by the flow model: the date at
        the maximum with that limit lifted."""
        full = dict.fromkeys(self.names, 1.0)
        at_max = self.flow_day(full, whole=True)
        best, gain = "", DT  # less than the flow model's step is no gain
        for name in self.names:
            path = self.paths[name]
            if path.lead_time == 0 and path.max_growth is None:
                continue
            lifted = fastest_path(self.sc, name, self.start_of_extra, self.q.done_by, free=True)
            day = self.flow_day(full, self.paths | {name: lifted}, whole=True)
            if at_max - day > gain:
                best, gain = name, at_max - day
        if not best:
            return "geen groeigrens: de doorlooptijden en de instroom bepalen de datum"
        years = f"{gain / 365.25:.1f}".replace(".", ",")
        return f"{best} (zonder zijn groeigrenzen {years} jaar eerder, volgens het stroommodel)"

    def _task(self, shares: dict[str, float], replication: int, horizon: bool) -> spine.Replication:
        rep = self.drawn[replication]
        return rep.varied(with_plan(rep.scenario, self.plan(shares),
                                    horizon=self.q.done_by + timedelta(days=1) if horizon else None))

    def _reducer(self) -> spine.Reducer:
        goal = COMPLETIONS[self.q.milestone]
        return partial(_milestone_day, goal.group, goal.percent)


def fastest_path(sc: Scenario, name: str, start: date, done_by: date, free: bool = False) -> GrowthPath:
    """The most extra a resource may get: none before `start` + its lead time, then yearly steps each
    at most `max_growth` above the year before (capped by max_extra). `free`: without those limits."""
    t = sc.target
    in_force = step_function(resource_changes(sc, name))(days_since(sc.start, start))
    most = t.max_extra.get(name, max(DEFAULT_MAX[0] * in_force, DEFAULT_MAX[1]))
    lead = 0 if free else t.lead_time.get(name, 0)
    growth = None if free else t.max_growth.get(name)
    first = start + timedelta(days=lead)
    steps, day, level = [], first, float(max(in_force, 1))
    while day <= done_by:
        if growth is None:
            steps.append((day, most))
            break
        level = most_after(level, growth, DAYS_A_YEAR)  # a year at the most, as a growing resource
        steps.append((day, min(most, math.floor(level - in_force))))
        if steps[-1][1] >= most:
            break
        day = date(day.year + 1, day.month, min(day.day, 28))
    return GrowthPath(name, in_force, tuple(steps or [(first, 0)]), lead, growth, most)


def with_plan(sc: Scenario, plan: dict[str, list[tuple[date, int]]], horizon: date | None = None
              ) -> Scenario:
    """`sc` with the plan's extra slots added to each resource's `extra`. A `horizon` before the
    scenario's own shortens the run, if nothing arrives after it (else the arrivals would vanish)."""
    resources = {}
    for n, steps in plan.items():
        if any(x for _, x in steps):
            own = getattr(sc.resources, n)
            resources[n] = own.model_copy(update={"extra": extra_with_steps(own.extra, steps)})
    update: dict[str, Any] = {"resources": sc.resources.model_copy(update=resources)}
    if horizon is not None and horizon < sc.horizon and last_arrival(sc) <= horizon:
        update["horizon"] = horizon
    return sc.model_copy(update=update)


def extra_with_steps(schedule: list[CapacityChange], steps: list[tuple[date, int]]) -> list[CapacityChange]:
    """An `extra` schedule plus the plan's steps (x slots more from each step's day on)."""
    if any(c.to is not None for c in schedule):
        raise InputError("extra: terug redeneren adds to an extra of steps only; a ramp (`to`) is in it")
    days = sorted({c.from_ for c in schedule} | {d for d, _ in steps})

    def at(changes: list[tuple[date, float]], day: date) -> float:
        before = [v for d, v in changes if d <= day]
        return before[-1] if before else 0.0

    own = [(c.from_, c.value) for c in schedule]
    return [CapacityChange(from_=d, value=at(own, d) + at(steps, d)) for d in days]


def _milestone_day(group: str, pct: int, r: RunResult, replication: spine.Replication) -> float:
    """A spine reducer: the day `pct`% of the group is voltooid in the run (NaN: not before the
    horizon)."""
    done = r.reached[:, VOLTOOID]
    if group == DEELNEMERS:
        done = done[r.takes_part]
    elif group != TOTAAL:
        done = done[(r.addresses["risk_profile"] == group).to_numpy()]
    return share_done_day(done, pct) if len(done) else 0.0


def quantile_date(start: date, days: np.ndarray, q: float) -> date | None:
    """The day by which share q of the runs got there (None: some never did)."""
    return date_at(start, late_quantile(days, q))


def _describe(shares: dict[str, float]) -> str:
    return ", ".join(f"{n} {s:.0%}" for n, s in shares.items() if s) or "geen extra"
