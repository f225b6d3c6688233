"""The spine every experiment runs on. `replications` makes replication i of a scenario: its seed,
its uncertain numbers at their drawn values, and the population it runs on. `run` runs a set of
them on any backend (versterking.runs.backends) and reduces each result where it ran with the
caller's reducer, so that only what the experiment keeps travels back. This is the one module that
runs the simulation (an import-linter contract), so a new start or mechanism is threaded once.

Seeds: replication i runs with `replication_seed(root, i)` and draws the i-th row of one Latin
hypercube over the set (versterking.runs.draws), in every variant of an experiment. Inside a run every
source of randomness has its own named stream per address (versterking.engine.randomness), so two
variants in the same replication give each address the same draws (common random numbers)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

import pandas as pd

from ..engine.result import RunResult
from ..engine.run import run_scenario
from ..inputs.scenario import Scenario
from . import draws
from .backends import run_tasks
from .seeds import replication_seed

T = TypeVar("T")
Populations = pd.DataFrame | Mapping[str, pd.DataFrame]  # one for all, or by Replication.population
Reducer = Callable[[RunResult, "Replication"], T]       # what a run is reduced to where it ran


@dataclass(frozen=True)
class Replication:
    """One run to do."""

    scenario: Scenario   # as run: the uncertain numbers at this replication's values, its own seed
    index: int           # replication i: the same seed and values in every variant of an experiment
    label: str = ""      # the variant: scenario name, attribution variant, sweep or Morris point
    population: str = ""  # key into the populations the set runs on
    parameters: dict[str, float] = field(default_factory=dict)  # the uncertain values drawn, by name

    def varied(self, scenario: Scenario) -> Replication:
        """The same replication of a changed scenario (its seed kept): a plan, a shorter horizon."""
        return dataclasses.replace(self, scenario=scenario.model_copy(update={"seed": self.scenario.seed}))


def replications(sc: Scenario, n: int, root: int | None = None, *, at_mode: bool = False,
                 label: str | None = None, population: str = "") -> list[Replication]:
    """Replications 0 .. n-1 of `sc` from root seed `root` (default: the scenario's). `at_mode`: every
    uncertain number at its mode (a point forecast, or an analysis around the modes)."""
    root = sc.seed if root is None else root
    u = draws.uniforms(sc, root, n, at_mode)
    values = draws.values(sc, u)
    out = []
    for i in range(n):
        drawn = draws.realised(sc, None if u is None else u.iloc[i].to_dict(), i)
        out.append(Replication(drawn.model_copy(update={"seed": replication_seed(root, i)}), i,
                               sc.name if label is None else label, population,
                               {} if values is None else values.iloc[i].to_dict()))
    return out


def simulate(replication: Replication, population: pd.DataFrame, progress: bool = False) -> RunResult:
    """One replication run here, its full result kept (a single run, and the tests)."""
    return run_scenario(replication.scenario, population, progress=progress)


def run(replications: Sequence[Replication], reduce: Reducer, populations: Populations,
        workers: int | None = None, scheduler: str | None = None,
        progress: Callable[[int], Any] | None = None) -> Iterator[tuple[int, T]]:
    """Yield (index in `replications`, reduce(result, replication)) as each is done, on `workers`
    local processes (default: all cores) or a Dask cluster at `scheduler`. The reducer must be a
    module-level function (or a partial of one) to travel to a cluster. Results do not depend on
    where they ran; callers place them by index."""
    return run_tasks(partial(run_replication, reduce), replications, populations, workers, scheduler,
                     progress)


def run_replication(reduce: Reducer, replication: Replication, populations: Populations) -> Any:
    population = populations if isinstance(populations, pd.DataFrame) else populations[replication.population]
    return reduce(simulate(replication, population), replication)
