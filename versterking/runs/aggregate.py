"""Aggregation over replications: each run's table lined up with the others' (a shorter run continues
after its end as its layout says) and reduced to the mean, P10, P50 and P90 per cell; quantiles that
count 'not before the horizon' as later than any date; the binding resource most replications show."""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Container
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from ..calendar import date_at
from ..domain import COMPLETIONS, DEELNEMERS, PHASES, Completion

STATS = ("gemiddeld", "P10", "P50", "P90")
TEKORT = "piek tekort wisselwoningen"  # a replication's metrics are days, but for this one
VOLTOOID_EIND = "voltooid eind "          # and these: addresses voltooid at the end of a year,
PARTS_EIND = ("versterkt eind ", "voldoet aan de norm eind ")  # and the two parts of it
# and these are durations in days: over a run's clusters, how long a street stays unfinished
# (runs.address_dates.street_days), at two quantiles
STRAAT = {"straat onaf P50 (dagen)": 0.5, "straat onaf P90 (dagen)": 0.9}
# Where owners do not take part (shares.niet_deelnemend) 100% is never reached: the day all who take
# part are voltooid, and how many addresses stay open (a count)
DEELNEMERS_VOLTOOID, BLIJVEN_OPEN = COMPLETIONS[DEELNEMERS].metric, "blijven open"
LAST_YEAR_COUNTED = 2030                  # ... up to this year (SodM's horizon for the opgave)
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
    "end_dates": Layout((), ("niveau", "groep"), missing="late"),
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


def completion_metric(completion: Completion, present: Container[str]) -> str:
    """The metric that holds a completion's day among those `present`: where everyone takes part a run
    has no metric for 100% of those taking part, and it is 100% voltooid."""
    if completion.group == DEELNEMERS and completion.metric not in present:
        return COMPLETIONS["100%"].metric
    return completion.metric


def is_day(metric: str) -> bool:
    """Whether a replication's metric is a day (else a count)."""
    return metric not in (TEKORT, BLIJVEN_OPEN, *STRAAT) and not metric.startswith(
        (VOLTOOID_EIND, *PARTS_EIND))


@dataclass
class Summary:
    """What the experiments keep of one replication (versterking.runs.summary.summarise), folded here."""

    label: str                       # the variant (versterking.runs.spine.Replication.label)
    replication: int
    seed: int
    parameters: dict[str, float]     # the uncertain values drawn, by name
    metrics: dict[str, float]        # end dates (days), counts, per metric name (aggregate)
    end_day: float                   # the day the run stopped
    knelpunt: dict[int, str]         # year -> the binding resource
    knelpunt_gemeente: dict[tuple[str, int], str]  # (gemeente, year) -> the line most of it waits in
    cubes: dict[str, Cube] | None = None  # `detail`: the quarterly tables, to be stacked
    address_days: tuple | None = None     # `detail`: per address the milestones' days
    events: pd.DataFrame | None = None    # `events`: replication 0's event log


def per_replication(results: list[Summary], start: date) -> pd.DataFrame:
    """Long table of the replications' metrics: scenario, replication, seed, the uncertain parameters'
    values (a column each, empty where a scenario has not got it), measure, day (or count) and date."""
    names = list(dict.fromkeys(name for res in results for name in res.parameters))
    rows = []
    for res in results:
        drawn = [res.parameters.get(name, np.nan) for name in names]
        for name, value in res.metrics.items():
            rows.append((res.label, res.replication, res.seed, *drawn, name, value,
                         date_at(start, value) if is_day(name) and np.isfinite(value) else None))
    columns = ["scenario", "replicatie", "seed", *names, "maatstaf", "waarde", "datum"]
    return pd.DataFrame(rows, columns=columns)


def late_quantile(values: np.ndarray, q: float) -> float:
    """A quantile that treats 'not reached before the horizon' (NaN) as later than any date."""
    v = np.where(np.isnan(values), np.inf, values)
    x = float(np.quantile(v, q, method="inverted_cdf")) if len(v) else np.nan
    return np.nan if np.isinf(x) else x


def spread(values: np.ndarray) -> dict[str, float]:
    """P10, P50, P90 over replications and how many did not get there before the horizon."""
    return {"P10": late_quantile(values, 0.1), "P50": late_quantile(values, 0.5),
            "P90": late_quantile(values, 0.9), "na_horizon": int(np.isnan(values).sum())}


def _most_common(values: list[str]) -> tuple[str, int]:
    """The value most replications show (ties: the first in alphabetical order) and how many do."""
    counts = Counter(values).most_common()
    top = min(v for v, c in counts if c == counts[0][1])
    return top, counts[0][1]


def bottleneck_shares(results: list[Summary]) -> pd.DataFrame:
    """Per year, the binding resource most replications show and in what share of them."""
    years = sorted({y for res in results for y in res.knelpunt})
    rows = []
    for year in years:
        top, count = _most_common([res.knelpunt.get(year, "-") for res in results])
        rows.append((year, top, count / len(results)))
    return pd.DataFrame(rows, columns=["jaar", "knelpunt", "aandeel replicaties"])


def bottleneck_shares_per_gemeente(results: list[Summary]) -> pd.DataFrame:
    """Per gemeente and year, the line most replications see most of its addresses wait in."""
    cells = sorted({cell for res in results for cell in res.knelpunt_gemeente})
    rows = []
    for gemeente, year in cells:
        top, count = _most_common([res.knelpunt_gemeente.get((gemeente, year), "-") for res in results])
        rows.append((gemeente, year, top, count / len(results)))
    return pd.DataFrame(rows, columns=["gemeente", "jaar", "knelpunt", "aandeel replicaties"])


def bottlenecks_by_year(results: list[Summary], order: list[str]) -> pd.DataFrame:
    """Per year and scenario (a replication's `label`), the binding resource most replications show."""
    years = sorted({y for res in results for y in res.knelpunt})
    table = {"jaar": years}
    for label in order:
        mine = [res.knelpunt for res in results if res.label == label]
        table[label] = [_most_common([k.get(y, "-") for k in mine])[0] for y in years]
    return pd.DataFrame(table)


def with_dates(end_dates: pd.DataFrame, start: date) -> pd.DataFrame:
    """End dates back from days to dates (empty: not reached before the horizon)."""
    out = end_dates.astype({"adressen": int})
    for c in DATE_COLUMNS:
        out[c] = [date_at(start, v) if np.isfinite(v) else None for v in out[c]]
    return out
