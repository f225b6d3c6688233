"""When is my house done: for every address of the starting werkvoorraad and for every cluster, P10 /
P50 / P90 over the replications of the date it reaches each milestone.

A milestone counts as reached when the address reaches it or a later one, as the dashboard counts
(an address that meets the norm passes planvorming and uitvoering on the day it is voltooid); the
share of replications in which it needed uitvoering is a column of its own. A cluster reaches a
milestone when its last address does. Addresses of an inflow are left out: they differ between
replications.

Each replication's dates go to an unnamed temporary file as they arrive (half a megabyte per
replication for 27,000 addresses), so memory does not grow with the replications; the percentiles
are computed a block of addresses at a time at the end.
"""

from __future__ import annotations

import tempfile
from datetime import date

import numpy as np
import pandas as pd

from ..calendar import dates_at
from ..domain import AHEAD, MILESTONES, OPTIONAL_COLUMNS, UITVOERING, VOLTOOID
from ..engine.result import RunResult

PERCENTILES = ("P10", "P50", "P90")
KANS = "kans versterking"
STRAAT = "straat onaf"  # per cluster: first to last of its addresses still to finish voltooid
TE_VERSTERKEN = "verwacht te versterken"  # per cluster: mean number of its addresses still to reinforce
BLOCK_VALUES = 2**23  # float32 values read back at once (32 MB)


def milestone_days(r: RunResult) -> tuple[np.ndarray, np.ndarray]:
    """For each address of the starting werkvoorraad: the day each milestone was reached or passed
    (inf: not before the horizon), as float32, and whether it goes through uitvoering in this run
    (an address voltooid at the start does not)."""
    n = r.stock
    reached = r.reached[:n, 1:]
    passed = np.fmin.accumulate(reached[:, ::-1], axis=1)[:, ::-1]  # NaN-skipping minimum from the right
    days = np.where(np.isnan(passed), np.inf, passed).astype(np.float32)
    return days, ~np.isnan(r.reached[:n, UITVOERING]) & (r.held[:n] < VOLTOOID)


def street_days(done: np.ndarray, held: np.ndarray, codes: np.ndarray, clusters: int) -> np.ndarray:
    """Per cluster: how long its street stays unfinished, the days from the first to the last of its
    addresses still to finish voltooid (inf: the last not before the horizon); NaN for a cluster with
    fewer than two still to finish. `done`: each address's day voltooid (inf: not reached)."""
    open_ = held < VOLTOOID
    first = np.full(clusters, np.inf)
    last = np.full(clusters, -np.inf)
    np.minimum.at(first, codes[open_], done[open_])
    np.maximum.at(last, codes[open_], done[open_])
    count = np.bincount(codes[open_], minlength=clusters)
    with np.errstate(invalid="ignore"):
        return np.where(count >= 2, np.where(np.isinf(last), np.inf, last - first), np.nan)


class AddressDates:
    """The replications' dates per address, gathered one replication at a time."""

    def __init__(self, population: pd.DataFrame, replications: int) -> None:
        self.population = population.reset_index(drop=True)
        self.replications = replications
        self.n = len(population)
        self.held = self.population["milestone"].map({m: k for k, m in enumerate(MILESTONES)}).to_numpy(int)
        codes, self.cluster_ids = pd.factorize(self.population["cluster_id"])
        self.codes = codes
        self.order = np.argsort(codes, kind="stable")
        self.cluster_starts = np.flatnonzero(np.r_[True, np.diff(codes[self.order]) != 0])
        self.cluster_days = np.full((replications, len(self.cluster_ids), len(AHEAD)), np.inf, np.float32)
        self.street = np.full((replications, len(self.cluster_ids)), np.nan, np.float32)
        self.reinforced = np.zeros(self.n, np.int32)
        self.seen = np.zeros(replications, bool)
        self._file = tempfile.TemporaryFile(prefix="versterking-adressen-")  # noqa: SIM115 - closed by close()
        self._row = self.n * len(AHEAD) * 4

    def put(self, replication: int, days: np.ndarray, reinforced: np.ndarray) -> None:
        if days.shape != (self.n, len(AHEAD)) or self.seen[replication]:
            raise ValueError(f"replication {replication}: unexpected per-address dates")
        self._file.seek(replication * self._row)
        self._file.write(np.ascontiguousarray(days, np.float32).tobytes())
        if self.n:
            self.cluster_days[replication] = np.maximum.reduceat(days[self.order], self.cluster_starts)
            self.street[replication] = street_days(days[:, -1], self.held, self.codes, len(self.cluster_ids))
        self.reinforced += reinforced
        self.seen[replication] = True

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> AddressDates:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _blocks(self):
        """(first address, (replication, address, milestone) array) for consecutive address blocks."""
        if not self.seen.all():
            raise ValueError("per-address dates missing for some replications")
        size = max(1, BLOCK_VALUES // (self.replications * len(AHEAD)))
        for first in range(0, self.n, size):
            count = min(size, self.n - first)
            block = np.empty((self.replications, count, len(AHEAD)), np.float32)
            for r in range(self.replications):
                self._file.seek(r * self._row + first * len(AHEAD) * 4)
                self._file.readinto(memoryview(block[r]).cast("B"))
            yield first, block

    def addresses(self, start: date) -> pd.DataFrame:
        """One row per address: who and where, the milestone held at the start, then P10 / P50 / P90
        of each milestone still ahead (empty: held already, or not before the horizon)."""
        q = np.empty((len(PERCENTILES), self.n, len(AHEAD)), np.float32)
        for first, block in self._blocks():
            q[:, first:first + block.shape[1]] = _quantiles(block)
        out = self.population[["address_id", "gemeente", "cluster_id", "building_id", "risk_profile",
                               "owner_type", *OPTIONAL_COLUMNS, "milestone"]
                              ].rename(columns={"milestone": "stand bij start"})
        out["sinds"] = pd.to_datetime(self.population["milestone_date"]).dt.strftime("%Y-%m-%d")
        out = pd.concat([out, _date_columns(q, self.held, start)], axis=1)
        share = self.reinforced / max(self.replications, 1)
        out[KANS] = np.where(self.held == VOLTOOID, np.nan, share)
        return out

    def clusters(self, start: date) -> pd.DataFrame:
        """One row per cluster: P10 / P50 / P90 of the day its last address reaches each milestone."""
        sorted_pop = self.population.iloc[self.order]
        first_rows = sorted_pop.iloc[self.cluster_starts]
        held = np.minimum.reduceat(self.held[self.order], self.cluster_starts) if self.n else self.held
        sizes = np.diff(np.r_[self.cluster_starts, self.n])
        out = pd.DataFrame({"cluster_id": first_rows["cluster_id"].to_numpy(),
                            "gemeente": first_rows["gemeente"].to_numpy(),
                            "adressen": sizes,
                            "stand bij start": [MILESTONES[k] for k in held]})
        out = pd.concat([out, _date_columns(_quantiles(self.cluster_days), held, start)], axis=1)
        reinforced = np.add.reduceat(self.reinforced[self.order], self.cluster_starts) if self.n else []
        out[TE_VERSTERKEN] = np.asarray(reinforced) / max(self.replications, 1)
        with np.errstate(invalid="ignore"):
            q = _quantiles(self.street)
        for p, label in ((1, "P50"), (2, "P90")):  # empty: fewer than two addresses still to finish
            out[f"{STRAAT} {label} (jaar)"] = np.where(np.isfinite(q[p]), np.round(q[p] / 365.25, 2), np.nan)
        return out


def _quantiles(values: np.ndarray) -> np.ndarray:
    """(replication, ...) -> (P10/P50/P90, ...): values some replication had (inverted CDF), with
    'not before the horizon' (inf) later than any date."""
    return np.quantile(values, [0.1, 0.5, 0.9], axis=0, method="inverted_cdf").astype(np.float32)


def _date_columns(q: np.ndarray, held: np.ndarray, start: date) -> pd.DataFrame:
    """'<milestone> P10' ... as YYYY-MM-DD text; empty where the milestone is held or not reached."""
    columns = {}
    for k, name in enumerate(AHEAD):
        ahead = held < k + 1
        for p, label in enumerate(PERCENTILES):
            days = np.where(ahead & np.isfinite(q[p, :, k]), q[p, :, k], np.nan)
            text = pd.Series(dates_at(start, days)).dt.strftime("%Y-%m-%d")
            columns[f"{name} {label}"] = text.to_numpy(dtype=object)
    return pd.DataFrame(columns)


def single_run(r: RunResult) -> AddressDates:
    """One run as if it were one replication: P10 = P50 = P90."""
    dates = AddressDates(r.addresses.iloc[:r.stock], 1)
    dates.put(0, *milestone_days(r))
    return dates
