"""`run`: a scenario's forecast, as data. With replications each run is reduced where it ran (local
processes or a Dask cluster) and folded into the percentile tables as it arrives; one replication is
a single run with its full event log. Writing a results folder is a separate step
(versterking.outputs.folders.write_run)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path
from time import perf_counter

import pandas as pd
from tqdm import tqdm

from ..calendar import days_since
from ..engine.result import RunResult
from ..inputs.loader import LoadedScenario, as_loaded
from ..inputs.population import load_population
from ..inputs.scenario import Scenario
from . import draws, spine
from .address_dates import AddressDates, single_run
from .aggregate import (
    LAYOUTS,
    Stack,
    Summary,
    bottleneck_shares,
    bottleneck_shares_per_gemeente,
    per_replication,
    with_dates,
)
from .backends import Progress, ticker
from .claims import placed_claims
from .decomposition import decompose
from .summary import summarise
from .tables import (
    Tables,
    event_log,
    illustrative,
    illustrative_gemeenten,
    illustrative_parts,
    make_tables,
    split_is_assumed,
)


@dataclass
class Forecast:
    """A scenario's forecast. With replications every table cell is given as the mean, P10, P50 and
    P90 over them (column `statistiek`) and `per_replication` holds each replication's end dates;
    one replication is a single run (`run` holds its arrays, `events` its event log)."""

    loaded: LoadedScenario
    scenario: Scenario               # as run: its seed is the root seed
    werkvoorraad: int                # addresses of the starting werkvoorraad
    replications: int
    seeds: list[int]                 # of each replication
    tables: Tables
    per_replication: pd.DataFrame | None  # scenario, replicatie, seed, maatstaf, waarde, datum
    addresses: pd.DataFrame          # per address of the werkvoorraad: P10 / P50 / P90 of each milestone
    clusters: pd.DataFrame           # the same per cluster
    events: pd.DataFrame | None      # one row per address per step (a single run, or --events: replication 0)
    run: RunResult | None            # a single run's arrays
    wall_seconds: float
    backend: str                     # where the replications ran
    end_day: float                   # the last day any replication ran to
    # the uncertain parameters' values per replication (a column per name; None: none, or at the modes)
    drawn: pd.DataFrame | None = None
    # which parameter the spread comes from (versterking.runs.decomposition; empty: none drawn)
    decomposition: pd.DataFrame | None = None
    at_mode: bool = False            # every uncertain number at its mode (a point forecast)

    @property
    def seed(self) -> int:
        return self.scenario.seed

    @property
    def claims(self) -> pd.DataFrame:
        """Where the scenario's published end dates ([[claims]]) fall in this forecast's band."""
        return placed_claims(self.scenario, self.per_replication)


def run(scenario: LoadedScenario | str | Path, replications: int = 50, seed: int | None = None, *,
        population: pd.DataFrame | None = None, events: bool = False, workers: int | None = None,
        scheduler: str | None = None, progress: Progress = False, at_mode: bool = False) -> Forecast:
    """Forecast a scenario (loaded, a file, or a name from the shipped library) over `replications`
    (1: a single run), from root seed `seed` (default: the scenario's). Each replication draws the
    scenario's uncertain numbers (a Latin hypercube over the replications); `at_mode` keeps them at
    their modes. `events` keeps replication 0's event log. `progress`: True for a progress bar on the
    terminal, or a function called with 1 as each replication is done (the web app's bar). Results
    do not depend on `workers` or `scheduler` (a Dask address)."""
    loaded = as_loaded(scenario)
    population = load_population(loaded) if population is None else population
    sc = loaded.scenario if seed is None else loaded.scenario.model_copy(update={"seed": seed})
    u = draws.uniforms(sc, sc.seed, replications, at_mode)  # for the decomposition; the spine draws the same
    drawn = draws.values(sc, u)
    todo = spine.replications(sc, replications, at_mode=at_mode)
    if replications == 1:
        r = spine.simulate(todo[0], population, progress=progress is True)
        if callable(progress):
            progress(1)
        with single_run(r) as dates:
            addresses, clusters = dates.addresses(sc.start), dates.clusters(sc.start)
        return Forecast(loaded, sc, len(population), 1, [sc.seed], make_tables(r), None, addresses,
                        clusters, event_log(r), r, r.wall_seconds, "this process", r.end_time,
                        drawn, None, at_mode)
    stacks = {name: Stack(layout) for name, layout in LAYOUTS.items()}
    headline: list[Summary] = [None] * replications  # each placed by its index
    event_table = None
    began = perf_counter()
    with AddressDates(population, replications) as dates:
        with tqdm(total=replications, desc=sc.name, unit="replicatie", disable=progress is not True,
                  leave=False) as bar:
            for i, result in spine.run(todo, partial(summarise, detail=True, events=events), population,
                                       workers, scheduler, ticker(bar, progress)):
                for name, cube in result.cubes.items():
                    stacks[name].put(i, cube)
                dates.put(i, *result.address_days)
                event_table = result.events if result.events is not None else event_table
                result.cubes = result.address_days = result.events = None  # folded: not kept
                headline[i] = result
        wall = perf_counter() - began
        addresses, clusters = dates.addresses(sc.start), dates.clusters(sc.start)
    stats = {name: stack.statistics() for name, stack in stacks.items()}
    assumed = split_is_assumed(sc)
    tables = Tables(illustrative(stats["milestones"], assumed), stats["production"],
                    illustrative(with_dates(stats["end_dates"], sc.start), assumed),
                    stats["durations"], illustrative_parts(stats["resources"], sc),
                    bottleneck_shares(headline),
                    illustrative_gemeenten(bottleneck_shares_per_gemeente(headline), assumed))
    long = per_replication(headline, sc.start)
    return Forecast(loaded, sc, len(population), replications, [rep.scenario.seed for rep in todo],
                    tables, long, addresses, clusters, event_table, None,
                    wall, scheduler or "local processes", max(h.end_day for h in headline),
                    drawn, decompose(long, u, days_since(sc.start, sc.horizon), sc.seed), at_mode)
