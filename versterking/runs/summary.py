"""A replication reduced where it ran to what the experiments keep (the spine's reducer for `run`,
`compare`, `sweep` and `sensitivity`): its metrics (end dates, the peak wisselwoningen shortage,
counts at the end of each year), the binding resource per year and, for `run`, its tables and
per-address dates.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from ..calendar import days_since
from ..domain import PHASES, PROFILES, TOTAAL, VOLTOOID
from ..engine.result import RunResult
from . import tables
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
    Summary,
)
from .spine import Replication
from .waiting import bottlenecks_per_gemeente


def summarise(r: RunResult, replication: Replication, detail: bool = False, events: bool = False
              ) -> Summary:
    """A spine reducer: keep only the replication's summary, so memory does not grow with replications.
    `detail`: also the quarterly tables and the addresses' days (`run`); `events`: replication 0's
    event log."""
    start = replication.scenario.start
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
    for year in range(start.year, min(LAST_YEAR_COUNTED, replication.scenario.horizon.year) + 1):
        done = tables.milestone_state(r, date(year, 12, 31)) == VOLTOOID
        versterkt = float((done & reinforced).sum())
        metrics[f"{VOLTOOID_EIND}{year}"] = float(done.sum())
        metrics[f"{PARTS_EIND[0]}{year}"] = versterkt
        metrics[f"{PARTS_EIND[1]}{year}"] = float(done.sum()) - versterkt
    resources = tables.resources_quarterly(r)
    knelpunt = tables.bottlenecks(resources)
    per_gemeente = bottlenecks_per_gemeente(r)
    out = Summary(replication.label, replication.index, replication.scenario.seed, replication.parameters,
                  metrics, r.end_time, dict(zip(knelpunt["jaar"], knelpunt["knelpunt"], strict=True)),
                  {(g, int(y)): k for g, y, k in zip(per_gemeente["gemeente"], per_gemeente["jaar"],
                                                     per_gemeente["knelpunt"], strict=True)})
    if detail:
        dated = ends.assign(**{c: [day(v) for v in ends[c]] for c in DATE_COLUMNS})
        frames = {"milestones": tables.milestones_quarterly(r),
                  "production": tables.production_quarterly(r),
                  "end_dates": dated, "durations": tables.step_durations(r), "resources": resources}
        out.cubes = {name: Cube.of(frames[name], LAYOUTS[name]) for name in LAYOUTS}
        out.address_days = days
    if events and replication.index == 0:
        out.events = tables.event_log(r)
    return out
