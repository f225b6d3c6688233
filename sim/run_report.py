"""`versterking run` with replications: run them where asked, fold each into the percentile tables
as it arrives, print the spread and write the results folder with its manifest."""

from __future__ import annotations

from pathlib import Path
from time import perf_counter

import pandas as pd
from tqdm import tqdm

from .address_dates import AddressDates
from .compare import per_replication
from .engine import run_tasks
from .replications import LAYOUTS, Stack, bottleneck_shares, replicas, replicate, replication_seed, with_dates
from .results import (
    REPORT,
    TABLE_FILES,
    population_manifest,
    results_folder,
    scenario_manifest,
    write_address_tables,
    write_csv,
    write_manifest,
    write_report,
)
from .scenario import LoadedScenario
from .summary import replications_text


def run_replications(loaded: LoadedScenario, population: pd.DataFrame, replications: int,
                     root_seed: int, workers: int | None, scheduler: str | None, events: bool,
                     out: Path, force: bool, command: list[str], progress: bool,
                     report: bool = False) -> tuple[str, Path]:
    sc = loaded.scenario.model_copy(update={"seed": root_seed})
    tasks = replicas([(sc.name, sc, sc.name)], replications, root_seed, detail=True, events=events)
    stacks = {name: Stack(layout) for name, layout in LAYOUTS.items()}
    headline: list[dict] = [{}] * replications
    event_log = None
    began = perf_counter()
    with AddressDates(population, replications) as dates:
        with tqdm(total=replications, desc=sc.name, unit="replicatie", disable=not progress,
                  leave=False) as bar:
            for i, result in run_tasks(replicate, tasks, {sc.name: population}, workers, scheduler,
                                       bar.update):
                for name, cube in result.pop("cubes").items():
                    stacks[name].put(i, cube)
                dates.put(i, *result.pop("address_days"))
                event_log = result.pop("events", event_log)
                headline[i] = result
        wall = perf_counter() - began
        stats = {name: stack.statistics() for name, stack in stacks.items()}
        stats["end_dates"] = with_dates(stats["end_dates"], sc.start)
        knelpunt = bottleneck_shares(headline)
        text = replications_text(sc.name, len(population), sc.start, replications, root_seed, wall,
                                 stats["end_dates"], knelpunt, sc.measures.active())
        with results_folder(out, force) as tmp:
            for name, file in TABLE_FILES.items():
                write_csv(knelpunt if name == "bottlenecks" else stats[name], tmp / file)
            write_csv(per_replication(headline, sc.start), tmp / "per_replicatie.csv")
            write_address_tables(dates, sc.start, tmp)
            if event_log is not None:
                event_log.to_parquet(tmp / "events.parquet", index=False)
            (tmp / "summary.txt").write_text(text + "\n", encoding="utf-8")
            write_manifest(tmp, command, {
                "seed": root_seed,
                "replications": replications,
                "seeds": [replication_seed(root_seed, r) for r in range(replications)],
                "event_log": "replicatie 0" if event_log is not None else None,
                "scenario": scenario_manifest(loaded, sc),
                "population": population_manifest(loaded, len(population)),
                "run": {"wall_seconds": round(wall, 3), "backend": scheduler or "local processes",
                        "end_day_max": max(h["end_day"] for h in headline)},
            })
            if report:
                write_report(tmp, tmp / REPORT)
    return text, out.resolve()
