"""`versterking target`: terug redeneren. The least extra capacity, from a given date, with which a
milestone falls on or before a date in a given share of the replications.

Method. Every evaluation runs the same R replications (the same seeds: common random numbers), so
the search sees a deterministic function of the extra slots. An extra is feasible when the milestone
falls on or before the date in at least ceil(confidence x R) replications; an evaluation stops as
soon as that is decided either way (the verdict is the one all R would give).
 1. No extra feasible: the target is already met. The allowed maximum of every resource not
    feasible: impossible, and the date reached at that maximum is the earliest reachable one.
 2. On the line from no extra to the maximum, the smallest feasible fraction, by
    scipy.optimize.bisect to 1/128 of the maximum (step 3 trims each resource to the slot).
 3. Each resource in turn, the most expensive per slot first, is lowered to the fewest slots that
    keep it feasible (bisection on whole slots). Stopping rule: a pass over all resources that
    lowers none (at most five passes). The answer is minimal in that no resource can give up one
    slot; it is not proven the cheapest mix.
 4. The answer is run again on V fresh replications (seeds the search never saw). Their share that
    meets the date, with its 95% Clopper-Pearson interval, is the answer's uncertainty.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from ..calendar import date_at, days_since
from ..domain import COMPLETIONS, RESOURCES, TOTAAL, VOLTOOID
from ..engine.measures import last_arrival
from ..engine.run import run_scenario
from ..engine.schedules import resource_changes, step_function
from ..errors import InputError
from ..inputs.blocks import CapacityChange
from ..inputs.scenario import Scenario
from ..runs import draws
from ..runs.aggregate import late_quantile
from ..runs.backends import run_tasks
from ..runs.seeds import replication_seed
from ..runs.tables import share_done_day

MAX_PASSES = 5
LINE_TOLERANCE = 1 / 128
DEFAULT_MAX = (100, 1000)  # an allowed maximum: 100x the slots in force, at least 1,000


@dataclass(frozen=True)
class Question:
    done_by: date
    confidence: float
    milestone: str = "100%"
    replications: int = 20  # in the search
    verify: int = 40        # fresh replications for the answer

    @property
    def label(self) -> str:
        return (f"{COMPLETIONS[self.milestone].label} uiterlijk {self.done_by:%d-%m-%Y} in "
                f"{self.confidence:.0%} van de replicaties")


@dataclass
class Evaluation:
    extra: dict[str, int]
    met: int     # replications that met the date, of
    runs: int    # the replications run before the verdict was certain
    feasible: bool


@dataclass
class Answer:
    question: Question
    scenario: Scenario
    start_of_extra: date
    in_force: dict[str, int]       # slots in force on start_of_extra, per resource that may grow
    upper: dict[str, int]          # the allowed maximum of extra slots
    extra: dict[str, int] | None   # None: impossible
    evaluations: list[Evaluation]
    verification: pd.DataFrame     # per fresh replication: seed, day, met (answer or maximum)
    contributions: pd.DataFrame    # per resource: the answer without its extra
    seconds: float
    root: int
    notes: list[str] = field(default_factory=list)

    @property
    def cost(self) -> float:
        weights = self.scenario.target.cost
        return sum(weights[n] * x for n, x in (self.extra or {}).items())

    def interval(self) -> tuple[int, int, float, float]:
        """Met, runs, and the 95% Clopper-Pearson interval of the share on fresh replications."""
        met, n = int(self.verification["gehaald"].sum()), len(self.verification)
        ci = stats.binomtest(met, n).proportion_ci(0.95, method="exact")
        return met, n, ci.low, ci.high


def seek(sc: Scenario, population: pd.DataFrame, question: Question, workers: int | None = None,
         scheduler: str | None = None, log=lambda text: None) -> Answer:
    return _Search(sc, population, question, workers, scheduler, log).run()


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
        at = days_since(sc.start, self.start_of_extra)
        self.names = sorted(sc.target.cost, key=lambda n: (-sc.target.cost[n], RESOURCES.index(n)))
        self.in_force = {n: step_function(resource_changes(sc, n))(at) for n in self.names}
        self.upper = {n: sc.target.max_extra.get(n, max(DEFAULT_MAX[0] * self.in_force[n], DEFAULT_MAX[1]))
                      for n in self.names}
        self.day = days_since(sc.start, question.done_by)
        self.need = math.ceil(question.confidence * question.replications - 1e-9)
        self.cache: dict[tuple, Evaluation] = {}
        # the uncertain numbers: one Latin hypercube over the search's and the check's replications,
        # each replication's scenario made once (every evaluation reuses it)
        n = question.replications + question.verify
        u = draws.uniforms(sc, sc.seed, n)
        self.drawn = [draws.realised(sc, None if u is None else u.iloc[r].to_dict(), r) for r in range(n)]

    def run(self) -> Answer:
        began = time.perf_counter()
        q, zero = self.q, dict.fromkeys(self.names, 0)
        notes = []
        if self.feasible(zero):
            extra: dict[str, int] | None = zero
            notes.append("het doel wordt zonder extra capaciteit al gehaald")
        elif not self.feasible(self.upper):
            extra = None
        else:
            s = optimize.bisect(lambda s: 0.5 if self.feasible(self._scaled(s)) else -0.5, 0.0, 1.0,
                                xtol=LINE_TOLERANCE)
            extra = next((self._scaled(t) for t in (s, s + LINE_TOLERANCE) if self.feasible(self._scaled(t))),
                         dict(self.upper))
            for _ in range(MAX_PASSES):
                lowered = False
                for name in self.names:
                    fewest = self._fewest(extra, name)
                    lowered |= fewest < extra[name]
                    extra[name] = fewest
                if not lowered:
                    break
        at = extra if extra is not None else self.upper
        fresh = range(q.replications, q.replications + q.verify)
        days = self.days(at, fresh)
        verification = pd.DataFrame({"replicatie": list(fresh),
                                     "seed": [replication_seed(self.sc.seed, r) for r in fresh],
                                     "dag": days, "gehaald": days < self.day + 1})
        contributions = self._contributions(extra) if extra is not None else pd.DataFrame()
        return Answer(q, self.sc, self.start_of_extra, self.in_force, self.upper, extra,
                      list(self.cache.values()), verification, contributions,
                      time.perf_counter() - began, self.sc.seed, notes)

    def _scaled(self, s: float) -> dict[str, int]:
        return {n: min(self.upper[n], math.ceil(s * self.upper[n] - 1e-9)) for n in self.names}

    def _fewest(self, extra: dict[str, int], name: str) -> int:
        """The fewest slots of `name` that keep `extra` feasible (it is, with extra[name])."""
        if extra[name] == 0 or self.feasible(extra | {name: 0}):
            return 0
        lo, hi = 0, extra[name]  # infeasible, feasible
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if self.feasible(extra | {name: mid}):
                hi = mid
            else:
                lo = mid
        return hi

    def feasible(self, extra: dict[str, int]) -> bool:
        key = tuple(extra[n] for n in self.names)
        if key not in self.cache:
            met = runs = 0
            q = self.q
            tasks = [self._task(extra, r, horizon=True) for r in range(q.replications)]
            results = run_tasks(_milestone_day, tasks, self.population, self.workers, self.scheduler)
            try:
                for _, day in results:
                    runs += 1
                    met += bool(day < self.day + 1)
                    if met >= self.need or runs - met > q.replications - self.need:
                        break  # decided: the rest cannot change the verdict
            finally:
                results.close()
            self.cache[key] = Evaluation(dict(extra), met, runs, met >= self.need)
            self.log(f"  {_describe(extra)}: {met} van {runs} gehaald"
                     f"{' (haalbaar)' if met >= self.need else ''}")
        return self.cache[key].feasible

    def days(self, extra: dict[str, int], replications) -> np.ndarray:
        """The milestone's day in each replication, run to the scenario's horizon (NaN: not
        reached)."""
        tasks = [self._task(extra, r, horizon=False) for r in replications]
        out = np.full(len(tasks), np.nan)
        for i, day in run_tasks(_milestone_day, tasks, self.population, self.workers, self.scheduler):
            out[i] = day
        return out

    def _contributions(self, extra: dict[str, int]) -> pd.DataFrame:
        """What each resource's extra adds: the search's replications without it."""
        rows = []
        reps = range(self.q.replications)
        for name in self.names:
            if extra[name] == 0:
                continue
            days = self.days(extra | {name: 0}, reps)
            rows.append({"middel": name, "gehaald zonder": int((days < self.day + 1).sum()),
                         "van": len(days), "datum zonder": quantile_date(self.sc.start, days,
                                                                          self.q.confidence)})
        return pd.DataFrame(rows)

    def _task(self, extra: dict[str, int], replication: int, horizon: bool) -> tuple:
        goal = COMPLETIONS[self.q.milestone]
        sc = with_extra(self.drawn[replication], extra, self.start_of_extra,
                        seed=replication_seed(self.sc.seed, replication),
                        horizon=self.q.done_by + timedelta(days=1) if horizon else None)
        return sc, goal.group, goal.percent


def with_extra(sc: Scenario, extra: dict[str, int], day: date, seed: int | None = None,
               horizon: date | None = None) -> Scenario:
    """`sc` with extra[name] slots more of each resource from `day` on. A `horizon` before the
    scenario's own shortens the run, if nothing arrives after it (else the arrivals would vanish)."""
    resources = {n: getattr(sc.resources, n).model_copy(update={"extra": plus(getattr(sc.resources, n).extra,
                                                                                  day, x)})
                 for n, x in extra.items() if x > 0}
    update: dict[str, Any] = {"resources": sc.resources.model_copy(update=resources)}
    if seed is not None:
        update["seed"] = seed
    if horizon is not None and horizon < sc.horizon and last_arrival(sc) <= horizon:
        update["horizon"] = horizon
    return sc.model_copy(update=update)


def plus(schedule: list[CapacityChange], day: date, x: int) -> list[CapacityChange]:
    """An `extra` schedule with x slots more from `day` on."""
    if any(c.to is not None and c.from_ < day < c.to for c in schedule):
        raise InputError(f"extra: a ramp runs through {day}; let target.from fall outside it")
    before = [c for c in schedule if c.from_ < day]
    in_force = before[-1].value if before else 0.0
    after = [c.model_copy(update={"value": c.value + x}) for c in schedule if c.from_ > day]
    at_day = [c for c in schedule if c.from_ == day]
    value = (at_day[-1].value if at_day else in_force) + x
    return [*before, CapacityChange(from_=day, value=value), *after]


def _milestone_day(task: tuple, population: pd.DataFrame) -> float:
    """The day `pct`% of the group is voltooid in one run (NaN: not before the horizon)."""
    sc, group, pct = task
    r = run_scenario(sc, population)
    done = r.reached[:, VOLTOOID]
    if group != TOTAAL:
        done = done[(r.addresses["risk_profile"] == group).to_numpy()]
    return share_done_day(done, pct) if len(done) else 0.0


def quantile_date(start: date, days: np.ndarray, q: float) -> date | None:
    """The day by which share q of the runs got there (None: some never did)."""
    return date_at(start, late_quantile(days, q))


def _describe(extra: dict[str, int]) -> str:
    return ", ".join(f"{n} +{x:,}" for n, x in extra.items() if x) or "geen extra"
