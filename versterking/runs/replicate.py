"""One replication to do, and that replication reduced where it ran to what the experiment keeps:
its metrics (end dates, the peak wisselwoningen shortage), the binding resource per year and, for
`run`, its tables and per-address dates. Inside a run every source of randomness has its own named
stream per address (versterking.engine.randomness), so two scenarios in the same replication give
each address the same draws.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from ..calendar import days_since
from ..domain import PHASES, PROFILES, TOTAAL, VOLTOOID
from ..engine.run import run_scenario
from ..inputs.scenario import Scenario
from . import draws, tables
from .address_dates import milestone_days, street_days
from .aggregate import (
    DATE_COLUMNS,
    LAST_YEAR_COUNTED,
    LAYOUTS,
    PARTS_EIND,
    STRAAT,
    TEKORT,
    VOLTOOID_EIND,
    Cube,
)
from .seeds import replication_seed
from .waiting import bottlenecks_per_gemeente


@dataclass
class Replica:
    """One run to do: a scenario (with the replication's seed) and which population it takes."""

    label: str           # scenario name, attribution variant or sweep point
    scenario: Scenario
    population: str      # key into the shared populations
    replication: int
    detail: bool = False  # also the quarterly tables (for `run`)
    events: bool = False  # also the full event log (asked for, replication 0 only)
    parameters: dict[str, float] = field(default_factory=dict)  # the uncertain values drawn, by name


def replicas(variants: list[tuple[str, Scenario, str]], replications: int, root_seed: int,
             detail: bool = False, events: bool = False, at_mode: bool = False) -> list[Replica]:
    """Every variant x every replication, with the same seed and the same uncertain values for
    replication r in all variants (`at_mode`: every uncertain number at its mode)."""
    tasks = []
    for label, sc, key in variants:
        u = draws.uniforms(sc, root_seed, replications, at_mode)
        values = draws.values(sc, u)
        for r in range(replications):
            drawn = draws.realised(sc, None if u is None else u.iloc[r].to_dict(), r)
            tasks.append(Replica(label, drawn.model_copy(update={"seed": replication_seed(root_seed, r)}),
                                 key, r, detail, events and r == 0,
                                 {} if values is None else values.iloc[r].to_dict()))
    return tasks


def replicate(task: Replica, populations: dict[str, pd.DataFrame]) -> dict:
    """Run one replication and keep only its summary, so memory does not grow with replications."""
    r = run_scenario(task.scenario, populations[task.population])
    start = task.scenario.start
    ends = tables.end_dates(r)
    by_group = ends[ends["niveau"] != "gemeente"].set_index("groep")

    def day(value) -> float:
        return np.nan if value is None or pd.isna(value) else float(days_since(start, value))

    metrics = {f"{p} gereed": day(by_group.loc[TOTAAL, f"{p} gereed"]) for p in PHASES}
    for pct in (95, 100):
        metrics[f"{pct}% voltooid"] = day(by_group.loc[TOTAAL, f"{pct}% voltooid"])
    metrics.update(tables.taking_part(r) or {})
    for profile in PROFILES:
        metrics[f"100% voltooid {profile}"] = day(by_group.loc[profile, "100% voltooid"])
        for p in PHASES:
            metrics[f"{p} gereed {profile}"] = day(by_group.loc[profile, f"{p} gereed"])
    metrics[TEKORT] = float(tables.wisselwoningen_tekort(r))
    days = milestone_days(r)
    codes, clusters = pd.factorize(r.addresses["cluster_id"].iloc[:r.stock])
    street = street_days(days[0][:, -1], r.held[:r.stock], codes, len(clusters))
    street = street[~np.isnan(street)]
    for name, q in STRAAT.items():  # over the clusters; NaN: not before the horizon
        value = float(np.quantile(street, q, method="inverted_cdf")) if len(street) else np.nan
        metrics[name] = value if np.isfinite(value) else np.nan
    reinforced = tables.reinforced(r)
    for year in range(start.year, min(LAST_YEAR_COUNTED, task.scenario.horizon.year) + 1):
        done = tables.milestone_state(r, date(year, 12, 31)) == VOLTOOID
        versterkt = float((done & reinforced).sum())
        metrics[f"{VOLTOOID_EIND}{year}"] = float(done.sum())
        metrics[f"{PARTS_EIND[0]}{year}"] = versterkt
        metrics[f"{PARTS_EIND[1]}{year}"] = float(done.sum()) - versterkt
    resources = tables.resources_quarterly(r)
    knelpunt = tables.bottlenecks(resources)
    per_gemeente = bottlenecks_per_gemeente(r)
    out = {"label": task.label, "replicatie": task.replication, "seed": task.scenario.seed,
           "parameters": task.parameters, "metrics": metrics, "end_day": r.end_time,
           "knelpunt": dict(zip(knelpunt["jaar"], knelpunt["knelpunt"], strict=True)),
           "knelpunt_gemeente": {(g, int(y)): k for g, y, k in zip(
               per_gemeente["gemeente"], per_gemeente["jaar"], per_gemeente["knelpunt"], strict=True)}}
    if task.detail:
        dated = ends.assign(**{c: [day(v) for v in ends[c]] for c in DATE_COLUMNS})
        frames = {"milestones": tables.milestones_quarterly(r),
                  "production": tables.production_quarterly(r),
                  "end_dates": dated, "durations": tables.step_durations(r), "resources": resources}
        out["cubes"] = {name: Cube.of(frames[name], LAYOUTS[name]) for name in LAYOUTS}
        out["address_days"] = days
    if task.events:
        out["events"] = tables.event_log(r)
    return out
