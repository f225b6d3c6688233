"""`sweep`: a grid of scenario variants, each with replications, as one tidy table.

Every point runs the same replications with the same seeds (common random numbers), so the
difference between two points comes from their parameters. Each finished point is stored in a
cache keyed by its content (resolved scenario, population, seeds, replications, package version);
a sweep that was interrupted, or a larger one that contains finished points, does not run them
again.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm import tqdm

from ..calendar import date_at
from ..errors import InputError
from ..inputs.files import file_sha256
from ..inputs.loader import LoadedScenario, as_loaded, load_scenario
from ..inputs.population import load_population
from ..version import __version__
from ..writing import atomic_file
from . import spine
from .aggregate import Summary, is_day, per_replication, spread
from .seeds import replication_seeds
from .summary import summarise

CACHE = Path("results/.cache")


def parse_axis(text: str) -> tuple[str, list[Any]]:
    """'resources.bouwcapaciteit.factor=1,1.5,2' -> (key, [1, 1.5, 2]); values are TOML values."""
    key, sep, values = text.partition("=")
    key = key.strip()
    if not sep or not key or not values.strip():
        raise InputError(f"--vary: {text!r}: expected KEY=VALUE,VALUE,... "
                         "(e.g. resources.bouwcapaciteit.factor=1,1.5,2)")
    try:
        parsed = tomllib.loads(f"v = [{values}]")["v"]
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"--vary: {key}: values must be TOML values separated by commas "
                         f"(strings in quotes): {exc}") from None
    if not parsed or len(parsed) != len({json.dumps(v, default=str) for v in parsed}):
        raise InputError(f"--vary: {key}: give one or more distinct values")
    return key, parsed


@dataclass
class Point:
    number: int
    values: dict[str, Any]
    loaded: LoadedScenario
    population_key: str
    cache_key: str


@dataclass
class Sweep:
    """A grid's results: `table` has one row per point and metric (the axis values, mean, P10, P50,
    P90, the replications past the horizon, and the dates)."""

    base: LoadedScenario             # the scenario before the axes' values
    axes: list[tuple[str, list[Any]]]
    points: list[Point]
    werkvoorraad: int
    seed: int
    replications: int
    seeds: list[int]
    table: pd.DataFrame
    from_cache: set[int]             # points that came from the cache
    cache: Path

    @property
    def keys(self) -> list[str]:
        return [k for k, _ in self.axes]


def grid(base: LoadedScenario, axes: list[tuple[str, list[Any]]], replications: int, root: int
         ) -> tuple[list[Point], dict[str, pd.DataFrame]]:
    """Every combination of the axes' values, validated (and its population built) before anything
    runs."""
    keys = [k for k, _ in axes]
    if len(set(keys)) != len(keys):
        raise InputError(f"--vary: {next(k for k in keys if keys.count(k) > 1)}: given twice")
    points, populations = [], {}
    for number, combo in enumerate(itertools.product(*[v for _, v in axes])):
        values = dict(zip(keys, combo, strict=True))
        loaded = load_scenario(base.path, values)
        sc = loaded.scenario.model_copy(update={"seed": root})
        loaded = replace(loaded, scenario=sc)
        spec = sc.model_dump_json(include={"population", "inflow", "start"}) + str(loaded.population_file)
        population_key = hashlib.sha256(spec.encode()).hexdigest()[:16]
        if population_key not in populations:
            populations[population_key] = load_population(loaded)
        content = json.dumps({"scenario": sc.model_dump(mode="json", by_alias=True),
                              "population": population_key,
                              "population_sha256": file_sha256(loaded.population_file),
                              "replications": replications, "version": __version__}, sort_keys=True)
        points.append(Point(number, values, loaded, population_key,
                            hashlib.sha256(content.encode()).hexdigest()))
    return points, populations


def sweep(scenario: LoadedScenario | str | Path, axes: list[tuple[str, list[Any]]], replications: int = 20,
          seed: int | None = None, *, cache: Path = CACHE, workers: int | None = None,
          scheduler: str | None = None, progress: bool = False) -> Sweep:
    """Run the scenario at every combination of the axes' values (each axis a dotted scenario key and
    its values), with the same seeds in every point; finished points are kept in `cache`."""
    base = as_loaded(scenario)
    root = base.scenario.seed if seed is None else seed
    points, populations = grid(base, axes, replications, root)
    cache.mkdir(parents=True, exist_ok=True)
    done = {p.number: pd.read_parquet(_cached(cache, p)) for p in points if _cached(cache, p).exists()}
    from_cache = set(done)
    todo = [p for p in points if p.number not in from_cache]
    variants = [(str(p.number), p.loaded.scenario, p.population_key) for p in todo]
    tasks = [rep for label, sc, key in variants
             for rep in spine.replications(sc, replications, root, label=label, population=key)]
    arrived: dict[int, list[Summary]] = {p.number: [] for p in todo}
    by_number = {p.number: p for p in todo}
    with tqdm(total=len(tasks), desc="sweep", unit="run", disable=not progress, leave=False) as bar:
        for _, result in spine.run(tasks, summarise, populations, workers, scheduler, bar.update):
            number = int(result.label)
            arrived[number].append(result)
            if len(arrived[number]) == replications:  # the point is finished: keep it
                point = by_number[number]
                runs = sorted(arrived.pop(number), key=lambda r: r.replication)
                long = per_replication(runs, point.loaded.scenario.start)
                with atomic_file(_cached(cache, point), force=True, what="cached point") as tmp:
                    long.to_parquet(tmp, index=False)
                done[number] = long
    table = tidy(points, done, [k for k, _ in axes])
    return Sweep(base, axes, points, len(populations[points[0].population_key]), root, replications,
                 replication_seeds(root, replications), table, from_cache, cache)


def _cached(cache: Path, point: Point) -> Path:
    return cache / f"{point.cache_key}.parquet"


def tidy(points: list[Point], done: dict[int, pd.DataFrame], keys: list[str]) -> pd.DataFrame:
    """One row per point and metric (maatstaf): the axis values, mean, P10, P50, P90 and, for dates, the
    dates themselves."""
    rows = []
    for p in points:
        long = done[p.number]
        start = p.loaded.scenario.start
        for metric, g in long.groupby("maatstaf", sort=False):
            v = g["waarde"].to_numpy(float)
            stats = {"gemiddeld": float(np.mean(v)), **spread(v)}
            row = {"punt": p.number, **{k: p.values[k] for k in keys}, "maatstaf": metric, **stats}
            for s in ("P10", "P50", "P90"):
                dated = is_day(metric) and np.isfinite(stats[s])
                row[f"{s} datum"] = date_at(start, stats[s]) if dated else None
            rows.append(row)
    return pd.DataFrame(rows)
