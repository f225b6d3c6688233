"""`versterking sensitivity`: which parameters move the end date most.

Parameters: each resource's capacity (its `factor`), each step's duration (mean and spread
stretched together) and each group of shares (skip_beoordeling, meets_norm, wisselwoning, scaled
and kept within 0..1), each as a multiplier on the scenario's own value.
 * One at a time: every multiplier at 1 - change and 1 + change, the others at 1 (tornado chart).
 * Global: the elementary effects of Morris (SALib), `trajectories` paths through the multipliers
   on a 4-level grid within the same range, so that interactions and non-linearity show as spread
   (sigma) next to the mean absolute effect (mu*).
Every point runs the same replications (the same seeds: common random numbers), so differences
between points come from the parameters. A milestone not reached before the horizon counts as the
horizon's day (said in the output when it happens).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from SALib.analyze import morris as morris_analyze
from SALib.sample import morris as morris_sample
from tqdm import tqdm

from ..calendar import days_since
from ..domain import COMPLETIONS, RESOURCES, STEPS
from ..engine.distributions import scaled
from ..inputs.loader import LoadedScenario, as_loaded
from ..inputs.population import load_population
from ..inputs.scenario import Scenario
from ..runs import spine
from ..runs.aggregate import bottleneck_shares, completion_metric
from ..runs.summary import summarise

SHARES = ("skip_beoordeling", "meets_norm", "wisselwoning")


def parameters() -> list[str]:
    return ([f"capaciteit {n}" for n in RESOURCES] + [f"duur {n}" for n in STEPS]
            + [f"aandeel {n}" for n in SHARES])


def varied(sc: Scenario, multipliers: dict[str, float]) -> Scenario:
    """`sc` with each named parameter times its multiplier."""
    resources, durations, shares = {}, {}, {}
    for name, m in multipliers.items():
        kind, key = name.split(" ", 1)
        if kind == "capaciteit":
            resource = getattr(sc.resources, key)
            resources[key] = resource.model_copy(update={"factor": resource.factor * m})
        elif kind == "duur":
            durations[key] = scaled(getattr(sc.durations, key), m)
        else:
            group = getattr(sc.shares, key)
            shares[key] = group.model_copy(update={k: min(1.0, v * m) for k, v in group.model_dump().items()})
    return sc.model_copy(update={"resources": sc.resources.model_copy(update=resources),
                                 "durations": sc.durations.model_copy(update=durations),
                                 "shares": sc.shares.model_copy(update=shares)})


@dataclass
class Sensitivity:
    scenario: Scenario
    metric: str
    change: float
    replications: int
    base: float                  # the metric's mean day at the scenario as it is
    one_at_a_time: pd.DataFrame  # parameter, day low, day high, swing
    morris: pd.DataFrame         # parameter, mu*, mu*_conf, sigma
    bottlenecks: pd.DataFrame    # per year the binding resource (at the scenario as it is)
    runs: int
    censored: int                # runs that did not reach the milestone before the horizon


def sensitivity(scenario: LoadedScenario | str | Path, milestone: str = "100%", change: float = 0.2,
                replications: int = 10, trajectories: int = 10, morris_replications: int = 2,
                seed: int | None = None, *, population: pd.DataFrame | None = None,
                workers: int | None = None, scheduler: str | None = None,
                progress: bool = False) -> Sensitivity:
    """Vary every parameter by `change` (one at a time, `replications` per point; and Morris,
    `trajectories` paths of `morris_replications`), all points with the same seeds (root: `seed`,
    default the scenario's); the `milestone` is a key of domain.COMPLETIONS. Around the modes of the
    scenario's uncertain numbers: what their ranges do to the forecast is `run`'s decomposition."""
    loaded = as_loaded(scenario)
    population = load_population(loaded) if population is None else population
    sc = loaded.scenario if seed is None else loaded.scenario.model_copy(update={"seed": seed})
    names = parameters()
    metric = COMPLETIONS[milestone].metric
    oat = [dict.fromkeys(names, 1.0)] + [{n: 1.0 + sign * change} for n in names for sign in (-1, 1)]
    problem = {"num_vars": len(names), "names": names, "bounds": [[1 - change, 1 + change]] * len(names)}
    grid = morris_sample.sample(problem, trajectories, num_levels=4, seed=sc.seed % 2**32)
    points = [(p, replications) for p in oat] + [(dict(zip(names, row, strict=True)), morris_replications)
                                                 for row in grid]
    tasks = [rep for i, (m, reps) in enumerate(points)
             for rep in spine.replications(varied(sc, m), reps, sc.seed, at_mode=True, label=str(i))]
    horizon = days_since(sc.start, sc.horizon)
    days = np.full(len(tasks), np.nan)
    knelpunt = []
    with tqdm(total=len(tasks), desc="gevoeligheid", unit="run", disable=not progress, leave=False) as bar:
        for i, result in spine.run(tasks, summarise, population, workers, scheduler, bar.update):
            days[i] = result.metrics[completion_metric(COMPLETIONS[milestone], result.metrics)]
            if tasks[i].label == "0":
                knelpunt.append(result)
    censored = int(np.isnan(days).sum())
    days = np.where(np.isnan(days), horizon, days)
    per_point = pd.Series(days).groupby([int(t.label) for t in tasks]).mean().to_numpy()
    base, lows, highs = per_point[0], per_point[1:2 * len(names):2], per_point[2:2 * len(names) + 1:2]
    table = pd.DataFrame({"parameter": names, "dag laag": lows, "dag hoog": highs})
    table["uitslag (dagen)"] = (table["dag hoog"] - table["dag laag"]).abs()
    table = table.sort_values("uitslag (dagen)", ascending=False, kind="stable").reset_index(drop=True)
    y = per_point[len(oat):]
    result = morris_analyze.analyze(problem, grid, y, num_levels=4, seed=sc.seed % 2**32)
    morris = pd.DataFrame({"parameter": names, "mu*": result["mu_star"], "mu* 95%": result["mu_star_conf"],
                           "mu": result["mu"], "sigma": result["sigma"]})
    morris = morris.sort_values("mu*", ascending=False, kind="stable").reset_index(drop=True)
    return Sensitivity(sc, metric, change, replications, base, table, morris, bottleneck_shares(knelpunt),
                       len(tasks), censored)
