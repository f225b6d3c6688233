"""`versterking sweep`: a grid of scenario variants, each with replications, as one tidy table.

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
import os
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm import tqdm

from . import __version__
from .calendar import date_at
from .compare import per_replication, spread
from .engine import run_tasks
from .errors import InputError
from .population import load_population
from .replications import TEKORT, replicas, replicate, replication_seed
from .results import (
    file_sha256,
    population_manifest,
    results_folder,
    scenario_manifest,
    write_csv,
    write_manifest,
)
from .scenario import LoadedScenario, load_scenario


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


def run_sweep(base: LoadedScenario, axes: list[tuple[str, list[Any]]], replications: int, root: int,
              workers: int | None, scheduler: str | None, out: Path, cache: Path, force: bool,
              command: list[str], progress: bool) -> tuple[str, Path]:
    points, populations = grid(base, axes, replications, root)
    cache.mkdir(parents=True, exist_ok=True)
    done = {p.number: pd.read_parquet(_cached(cache, p)) for p in points if _cached(cache, p).exists()}
    from_cache = set(done)
    todo = [p for p in points if p.number not in from_cache]
    variants = [(str(p.number), p.loaded.scenario, p.population_key) for p in todo]
    tasks = replicas(variants, replications, root)
    arrived: dict[int, list[dict]] = {p.number: [] for p in todo}
    by_number = {p.number: p for p in todo}
    with tqdm(total=len(tasks), desc="sweep", unit="run", disable=not progress, leave=False) as bar:
        for _, result in run_tasks(replicate, tasks, populations, workers, scheduler, bar.update):
            number = int(result["label"])
            arrived[number].append(result)
            if len(arrived[number]) == replications:  # the point is finished: keep it
                point = by_number[number]
                runs = sorted(arrived.pop(number), key=lambda r: r["replicatie"])
                long = per_replication(runs, point.loaded.scenario.start)
                _store(long, _cached(cache, point))
                done[number] = long

    table = tidy(points, done, [k for k, _ in axes])
    text = sweep_text(points, table, [k for k, _ in axes], replications, root, len(from_cache))
    with results_folder(out, force) as tmp:
        table.to_parquet(tmp / "sweep.parquet", index=False)
        write_csv(table, tmp / "sweep.csv")
        (tmp / "summary.txt").write_text(text + "\n", encoding="utf-8")
        write_manifest(tmp, command, {
            "root_seed": root,
            "replications": replications,
            "seeds": [replication_seed(root, r) for r in range(replications)],
            "axes": {k: v for k, v in axes},
            "scenario": scenario_manifest(base),  # before the axes' values
            "population": population_manifest(base, len(populations[points[0].population_key])),
            "points": [{"punt": p.number, "waarden": p.values, "sha256": p.cache_key,
                        "uit_cache": p.number in from_cache} for p in points],
            "cache": str(cache.resolve()),
        })
    return text, out.resolve()


def _cached(cache: Path, point: Point) -> Path:
    return cache / f"{point.cache_key}.parquet"


def _store(df: pd.DataFrame, path: Path) -> None:
    """Write next to the target and rename, so a killed sweep leaves whole cache files only."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    df.to_parquet(tmp, index=False)
    os.replace(tmp, path)


def tidy(points: list[Point], done: dict[int, pd.DataFrame], keys: list[str]) -> pd.DataFrame:
    """One row per point and measure: the axis values, mean, P10, P50, P90 and, for dates, the
    dates themselves."""
    rows = []
    for p in points:
        long = done[p.number]
        start = p.loaded.scenario.start
        for measure, g in long.groupby("maatstaf", sort=False):
            v = g["waarde"].to_numpy(float)
            stats = {"gemiddeld": float(np.mean(v)), **spread(v)}
            row = {"punt": p.number, **{k: p.values[k] for k in keys}, "maatstaf": measure, **stats}
            for s in ("P10", "P50", "P90"):
                dated = measure != TEKORT and np.isfinite(stats[s])
                row[f"{s} datum"] = date_at(start, stats[s]) if dated else None
            rows.append(row)
    return pd.DataFrame(rows)


def sweep_text(points: list[Point], table: pd.DataFrame, keys: list[str], replications: int,
               root: int, cached: int) -> str:
    """Per point its values and the P50 end dates, with the P10 - P90 spread of 100% voltooid."""
    lines = [f"sweep over {len(points)} punten x {replications} replicaties (root seed {root}, "
             f"dezelfde trekkingen in elk punt; {cached} punt(en) uit de cache)", ""]
    shown = table[table["maatstaf"].isin(["95% voltooid", "100% voltooid"])]
    wide = shown.pivot_table(index="punt", columns="maatstaf", values=["P10 datum", "P50 datum",
                             "P90 datum"], aggfunc="first", dropna=False)
    header = ["punt", *[".".join(k.split(".")[-2:]) for k in keys], "95% voltooid P50",
              "100% voltooid P50 (P10 - P90)"]

    def fmt(number: int, col: str, measure: str) -> str:
        value = wide.loc[number, (col, measure)]
        return value.strftime("%d-%m-%Y") if value is not None and pd.notna(value) else "na horizon"

    body = []
    for p in points:
        n = p.number
        body.append([str(n), *[str(p.values[k]) for k in keys], fmt(n, "P50 datum", "95% voltooid"),
                     f"{fmt(n, 'P50 datum', '100% voltooid')} ({fmt(n, 'P10 datum', '100% voltooid')} - "
                     f"{fmt(n, 'P90 datum', '100% voltooid')})"])
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]
    lines += ["  ".join(x.ljust(w) for x, w in zip(r, widths, strict=True)).rstrip() for r in [header, *body]]
    return "\n".join(lines)
