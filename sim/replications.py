"""Replications: independent runs of a scenario from one root seed, each reduced where it ran to its
summary (end dates, the binding resource per year and, for `run`, the quarterly tables), then
P10 / P50 / P90 and the mean over them.

Seeds: replication 0 runs with the root seed itself, replication r > 0 with a seed spawned from it
(numpy SeedSequence). Inside a run every source of randomness has its own named stream per address
(sim.randomness), so two scenarios in the same replication give each address the same draws.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from . import tables
from .address_dates import milestone_days
from .blocks import PROFILES
from .calendar import date_at, days_since
from .model import run_scenario
from .scenario import Scenario

PHASES = ("opname", "beoordeling", "planvorming", "uitvoering")
TEKORT = "piek tekort wisselwoningen"
STATS = ("gemiddeld", "P10", "P50", "P90")


def replication_seed(root: int, replication: int) -> int:
    """Replication 0 runs with the scenario's own seed (so `versterking run --replications 1`
    reproduces it); the others with seeds spawned from it."""
    if replication == 0:
        return root
    state = np.random.SeedSequence(root, spawn_key=(replication,)).generate_state(2, np.uint32)
    return int(state[0]) << 31 | int(state[1]) >> 1


@dataclass
class Replica:
    """One run to do: a scenario (with the replication's seed) and which population it takes."""

    label: str           # scenario name, attribution variant or sweep point
    scenario: Scenario
    population: str      # key into the shared populations
    replication: int
    detail: bool = False  # also the quarterly tables (for `run`)
    events: bool = False  # also the full event log (asked for, replication 0 only)


def replicas(variants: list[tuple[str, Scenario, str]], replications: int, root_seed: int,
             detail: bool = False, events: bool = False) -> list[Replica]:
    """Every variant x every replication, with the same seed for replication r in all variants."""
    return [Replica(label, sc.model_copy(update={"seed": replication_seed(root_seed, r)}), key, r,
                    detail, events and r == 0)
            for label, sc, key in variants for r in range(replications)]


def replicate(task: Replica, populations: dict[str, pd.DataFrame]) -> dict:
    """Run one replication and keep only its summary, so memory does not grow with replications."""
    r = run_scenario(task.scenario, populations[task.population])
    start = task.scenario.start
    ends = tables.end_dates(r)
    by_group = ends.set_index("groep")

    def day(value) -> float:
        return np.nan if value is None or pd.isna(value) else float(days_since(start, value))

    metrics = {f"{p} gereed": day(by_group.loc["totaal", f"{p} gereed"]) for p in PHASES}
    for pct in (95, 100):
        metrics[f"{pct}% voltooid"] = day(by_group.loc["totaal", f"{pct}% voltooid"])
    for profile in PROFILES:
        metrics[f"100% voltooid {profile}"] = day(by_group.loc[profile, "100% voltooid"])
        for p in PHASES:
            metrics[f"{p} gereed {profile}"] = day(by_group.loc[profile, f"{p} gereed"])
    metrics[TEKORT] = float(tables.wisselwoningen_tekort(r))
    resources = tables.resources_quarterly(r)
    knelpunt = tables.bottlenecks(resources)
    out = {"label": task.label, "replicatie": task.replication, "seed": task.scenario.seed,
           "metrics": metrics, "end_day": r.end_time,
           "knelpunt": dict(zip(knelpunt["jaar"], knelpunt["knelpunt"], strict=True))}
    if task.detail:
        dated = ends.assign(**{c: [day(v) for v in ends[c]] for c in DATE_COLUMNS})
        frames = {"milestones": tables.milestones_quarterly(r),
                  "production": tables.production_quarterly(r),
                  "end_dates": dated, "durations": tables.step_durations(r), "resources": resources}
        out["cubes"] = {name: Cube.of(frames[name], LAYOUTS[name]) for name in LAYOUTS}
        out["address_days"] = milestone_days(r)
    if task.events:
        out["events"] = tables.event_log(r)
    return out


# -- aggregation over replications ---------------------------------------------------------------

DATE_COLUMNS = [f"{p} gereed" for p in PHASES] + ["95% voltooid", "100% voltooid"]


@dataclass(frozen=True)
class Layout:
    """How a run's table lines up across replications: the columns of its time axis (whose length
    differs between runs), the columns naming a row within one time, how a shorter run continues
    after its end, and what a missing value means."""

    time: tuple[str, ...]
    rows: tuple[str, ...]
    after_end: str = "nan"   # "last" (a state that stays), "zero" (a flow that stops), "nan"
    missing: str = "skip"    # "skip" (left out of the statistic), "late" (later than any value)
    dtype: type = np.float64  # float32 where exact (counts) and the table is large


LAYOUTS = {
    "milestones": Layout(("kwartaal", "peildatum"), ("niveau", "groep"), after_end="last",
                         dtype=np.float32),
    "production": Layout(("kwartaal", "peildatum"), (), after_end="zero"),
    "end_dates": Layout((), ("groep",), missing="late"),
    "durations": Layout((), ("stap",)),
    "resources": Layout(("kwartaal",), ("middel",)),
}


@dataclass
class Cube:
    """A table as keys and a (time, row, value) array."""

    times: pd.DataFrame
    rows: pd.DataFrame
    columns: list[str]
    values: np.ndarray

    @classmethod
    def of(cls, df: pd.DataFrame, layout: Layout) -> Cube:
        columns = [c for c in df.columns if c not in (*layout.time, *layout.rows)]
        t_codes, times = _factorize(df, layout.time)
        r_codes, rows = _factorize(df, layout.rows)
        values = np.full((len(times), len(rows), len(columns)), np.nan, layout.dtype)
        values[t_codes, r_codes] = df[columns].to_numpy(np.float64)
        return cls(times, rows, columns, values)


def _factorize(df: pd.DataFrame, keys: tuple[str, ...]) -> tuple[np.ndarray, pd.DataFrame]:
    if not keys:
        return np.zeros(len(df), int), pd.DataFrame(index=[0])
    codes, uniques = pd.MultiIndex.from_frame(df[list(keys)]).factorize()
    frame = uniques.to_frame(index=False)
    frame.columns = list(keys)  # factorize drops the level names
    return codes, frame


@dataclass
class Stack:
    """One table from every replication: its keys once, and per replication only the values."""

    layout: Layout
    values: list[np.ndarray | None] = field(default_factory=list)
    times: pd.DataFrame | None = None  # the longest run's time axis
    rows: pd.DataFrame | None = None
    columns: list[str] = field(default_factory=list)

    def put(self, replication: int, cube: Cube) -> None:
        if self.rows is None:
            self.rows, self.columns = cube.rows, cube.columns
        elif len(cube.rows) != len(self.rows) or cube.columns != self.columns:
            raise ValueError("replications disagree on the rows of a table")
        if len(self.values) <= replication:
            self.values += [None] * (replication + 1 - len(self.values))
        self.values[replication] = cube.values
        if self.times is None or len(cube.times) > len(self.times):
            self.times = cube.times

    def statistics(self) -> pd.DataFrame:
        """Per time and row: the mean, P10, P50 and P90 over the replications, as rows with a
        `statistiek` column and the table's own value columns."""
        arrays = [v for v in self.values if v is not None]
        n_times, n_rows = len(self.times), len(self.rows)
        parts = []
        for t in range(n_times):  # one time at a time: memory stays at one slice
            block = np.stack([self._at(v, t) for v in arrays]).astype(np.float64)
            parts.append(_stats(block, self.layout.missing))  # (stat, row, value)
        out = np.stack(parts)  # (time, stat, row, value)
        index = pd.MultiIndex.from_product([range(n_times), range(n_rows), range(len(STATS))])
        flat = out.transpose(0, 2, 1, 3).reshape(-1, len(self.columns))
        keys = pd.concat([self.times.iloc[index.get_level_values(0)].reset_index(drop=True),
                          self.rows.iloc[index.get_level_values(1)].reset_index(drop=True)], axis=1)
        keys["statistiek"] = np.array(STATS)[index.get_level_values(2)]
        return pd.concat([keys, pd.DataFrame(flat, columns=self.columns)], axis=1)

    def _at(self, values: np.ndarray, t: int) -> np.ndarray:
        if t < len(values):
            return values[t]
        if self.layout.after_end == "last":
            return values[-1]
        fill = 0.0 if self.layout.after_end == "zero" else np.nan
        return np.full(values.shape[1:], fill, values.dtype)


def _stats(block: np.ndarray, missing: str) -> np.ndarray:
    """(replication, row, value) -> (stat, row, value). Quantiles are values some replication had
    (inverted CDF); 'late' counts a missing value as later than any other."""
    if missing == "late":
        mean = block.mean(axis=0)
        v = np.where(np.isnan(block), np.inf, block)
        q = np.quantile(v, [0.1, 0.5, 0.9], axis=0, method="inverted_cdf")
        q[np.isinf(q)] = np.nan
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # an all-missing cell stays NaN
            mean = np.nanmean(block, axis=0)
            q = np.nanquantile(block, [0.1, 0.5, 0.9], axis=0, method="inverted_cdf")
    return np.concatenate([mean[None], q])


def bottleneck_shares(results: list[dict]) -> pd.DataFrame:
    """Per year, the binding resource most replications show and in what share of them."""
    years = sorted({y for res in results for y in res["knelpunt"]})
    rows = []
    for year in years:
        named = pd.Series([res["knelpunt"].get(year, "-") for res in results])
        counts = named.value_counts()
        top = sorted(counts[counts == counts.iloc[0]].index)[0]
        rows.append((year, top, counts[top] / len(results)))
    return pd.DataFrame(rows, columns=["jaar", "knelpunt", "aandeel replicaties"])


def with_dates(end_dates: pd.DataFrame, start: date) -> pd.DataFrame:
    """End dates back from days to dates (empty: not reached before the horizon)."""
    out = end_dates.astype({"adressen": int})
    for c in DATE_COLUMNS:
        out[c] = [date_at(start, v) if np.isfinite(v) else None for v in out[c]]
    return out
