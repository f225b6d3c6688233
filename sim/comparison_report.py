"""`versterking compare`: run the scenarios (and, if asked, the attribution variants), print the
side-by-side table and write the results folder with its manifest."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from tqdm import tqdm

from . import compare as cmp
from .engine import run_tasks
from .errors import InputError
from .population import load_population
from .replications import replicas, replicate, replication_seed
from .results import (
    REPORT,
    population_manifest,
    results_folder,
    scenario_manifest,
    write_csv,
    write_manifest,
    write_report,
)
from .scenario import LoadedScenario
from .summary import bottleneck_runs, runs


def run_comparison(loaded: list[LoadedScenario], replications: int, seed: int | None,
                   attribution: bool, workers: int | None, scheduler: str | None, out: Path, force: bool,
                   command: list[str], progress: bool, report: bool = False) -> tuple[str, Path]:
    first = loaded[0].scenario
    for item in loaded[1:]:
        if item.scenario.start != first.start:
            raise InputError(f"{item.path}: start: {item.scenario.start} differs from {first.start} "
                             f"in {loaded[0].path}; compared scenarios must start on the same day")
    root = first.seed if seed is None else seed
    populations = [load_population(item) for item in loaded]
    order = [item.scenario.name for item in loaded]
    shared = {item.scenario.name: pop for item, pop in zip(loaded, populations, strict=True)}
    variants = [(name, item.scenario, name) for name, item in zip(order, loaded, strict=True)]
    studied = [item for item in loaded if attribution and item.scenario.measures.active()]
    for item in studied:
        name = item.scenario.name
        variants += [(f"{name}: {label}", sc, name) for label, sc in cmp.attribution_variants(item.scenario)]
    tasks = replicas(variants, replications, root)
    results: list[dict] = [{}] * len(tasks)
    with tqdm(total=len(tasks), desc="vergelijking", unit="run", disable=not progress, leave=False) as bar:
        for i, result in run_tasks(replicate, tasks, shared, workers, scheduler, bar.update):
            results[i] = result

    long = cmp.per_replication(results, first.start)
    main = long[long["scenario"].isin(order)]
    table = cmp.side_by_side(main, order)
    knelpunten = cmp.bottlenecks_by_year([r for r in results if r["label"] in order], order)
    lines = [f"vergelijking van {len(order)} scenario's, {runs(replications)} elk, dezelfde "
             f"trekkingen per adres (root seed {root}); P50 over de replicaties, tussen haakjes het "
             f"verschil met {order[0]} (P50 van de verschillen per replicatie)", ""]
    lines += [f"  {item.scenario.name}: {item.scenario.description}" for item in loaded] + [""]
    lines.append(cmp.format_side_by_side(table, order, first.start))
    lines += ["", "knelpunt per jaar:"]
    lines += [f"  {label}: {bottleneck_runs(knelpunten, label)}" for label in order]
    files = {"vergelijking.csv": table, "per_replicatie.csv": long, "knelpunten.csv": knelpunten}
    for item in studied:
        name = item.scenario.name
        names = item.scenario.measures.active()
        mine = pd.concat([long[long["scenario"].str.startswith(f"{name}: ")], main[main["scenario"] == name]])
        mine = mine.assign(scenario=mine["scenario"].str.removeprefix(f"{name}: ").replace(name, "alle"))
        attr = cmp.attribution_table(mine, names)
        files[f"attributie-{name}.csv"] = attr
        lines += ["", f"wat elke maatregel oplevert in {name} (jaren eerder voltooid, P50 van de "
                      "gepaarde verschillen):", _format_attribution(attr)]
    text = "\n".join(lines)
    with results_folder(out, force) as tmp:
        for file, df in files.items():
            write_csv(df, tmp / file)
        (tmp / "summary.txt").write_text(text + "\n", encoding="utf-8")
        write_manifest(tmp, command, {
            "root_seed": root,
            "replications": replications,
            "seeds": [replication_seed(root, r) for r in range(replications)],
            "attribution": attribution,
            "scenarios": [scenario_manifest(item) | {"population": population_manifest(item, len(pop))}
                          for item, pop in zip(loaded, populations, strict=True)],
        })
        if report:
            write_report(tmp, tmp / REPORT)
    return text, out.resolve()


def _format_attribution(attr: pd.DataFrame) -> str:
    wide = attr.pivot_table(index="maatregel", columns="maatstaf", sort=False,
                            values=["winst alleen (jaar)", "winst als laatste (jaar)"], dropna=False)
    lines = [f"  {'maatregel':<30} {'alleen 95%':>11} {'alleen 100%':>12} {'als laatste 95%':>16} "
             f"{'als laatste 100%':>17}"]

    def cell(value: float, width: int) -> str:
        return (f"{value:+.1f}".replace(".", ",") if pd.notna(value) else "").rjust(width)

    for name in dict.fromkeys(attr["maatregel"]):
        row = wide.loc[name]
        lines.append(f"  {name:<30} {cell(row[('winst alleen (jaar)', '95% voltooid')], 11)} "
                     f"{cell(row[('winst alleen (jaar)', '100% voltooid')], 12)} "
                     f"{cell(row[('winst als laatste (jaar)', '95% voltooid')], 16)} "
                     f"{cell(row[('winst als laatste (jaar)', '100% voltooid')], 17)}")
    return "\n".join(lines)
