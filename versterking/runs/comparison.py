"""`compare`: scenarios side by side under common random numbers, and what each measure buys.

Every scenario runs the same replications with the same seeds. Draws are made per address and per
named stream (versterking.engine.randomness), so in replication r every scenario gives each address
the same durations and outcomes: a difference between scenarios comes from the scenarios, not from
noise. Differences are taken per replication (paired) and then summarised.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from ..domain import PHASES, PROFILES
from ..errors import InputError
from ..inputs.loader import LoadedScenario, as_loaded
from ..inputs.population import load_population
from ..inputs.scenario import Scenario
from . import spine
from .aggregate import (
    DEELNEMERS_VOLTOOID,
    Summary,
    bottlenecks_by_year,
    late_quantile,
    per_replication,
    spread,
)
from .backends import Progress, ticker
from .seeds import replication_seeds
from .summary import summarise

# the rows of the side-by-side table, in order (per risk profile: when its last address is done)
HEADLINE = (*[f"{p} gereed" for p in PHASES], "95% voltooid", "100% voltooid",
            *[f"100% voltooid {p}" for p in PROFILES])


@dataclass
class Comparison:
    """Scenarios side by side: `table` has per scenario and metric (maatstaf) the P10, P50 and P90 over the
    replications and the paired difference with the first scenario; `per_replication` every
    replication's numbers (also of the attribution's variants, labelled '<scenario>: <variant>')."""

    scenarios: list[LoadedScenario]
    werkvoorraad: list[int]          # addresses of each scenario's starting werkvoorraad
    seed: int
    replications: int
    seeds: list[int]
    table: pd.DataFrame
    per_replication: pd.DataFrame
    bottlenecks: pd.DataFrame        # per year, the binding resource of each scenario
    attribution: dict[str, pd.DataFrame] = field(default_factory=dict)  # scenario -> what each measure buys

    @property
    def names(self) -> list[str]:
        return [item.scenario.name for item in self.scenarios]


def compare(scenarios: list[LoadedScenario | str | Path], replications: int = 5, seed: int | None = None, *,
            attribution: bool = False, workers: int | None = None, scheduler: str | None = None,
            progress: Progress = False, at_mode: bool = False) -> Comparison:
    """Run the scenarios with the same seeds (root seed: `seed`, default the first scenario's) and
    the same values of the uncertain parameters they share (`at_mode`: at their modes).
    `attribution`: also each scenario's measures alone and left out, to show what each buys."""
    loaded = comparable([as_loaded(s) for s in scenarios])
    first = loaded[0].scenario
    names = [item.scenario.name for item in loaded]
    root = first.seed if seed is None else seed
    populations = [load_population(item) for item in loaded]
    shared = dict(zip(names, populations, strict=True))
    variants = compared_variants([item.scenario for item in loaded], attribution)
    tasks = [rep for label, sc, key in variants for rep in spine.replications(
        sc, replications, root, at_mode=at_mode, label=label, population=key)]
    results: list[Summary] = [None] * len(tasks)  # each placed by its index
    with tqdm(total=len(tasks), desc="vergelijking", unit="run", disable=progress is not True,
              leave=False) as bar:
        for i, result in spine.run(tasks, summarise, shared, workers, scheduler, ticker(bar, progress)):
            results[i] = result
    long = everyone_counted(per_replication(results, first.start))
    main = long[long["scenario"].isin(names)]
    out = Comparison(loaded, [len(p) for p in populations], root, replications,
                     replication_seeds(root, replications), side_by_side(main, names), long,
                     bottlenecks_by_year([r for r in results if r.label in names], names))
    for item in loaded:
        name = item.scenario.name
        if not (attribution and item.scenario.measures.active()):
            continue
        mine = pd.concat([long[long["scenario"].str.startswith(f"{name}: ")], main[main["scenario"] == name]])
        mine = mine.assign(scenario=mine["scenario"].str.removeprefix(f"{name}: ").replace(name, "alle"))
        out.attribution[name] = attribution_table(mine, item.scenario.measures.active())
    return out


def headline(table: pd.DataFrame) -> list[str]:
    """The end dates a comparison shows: where owners stay out 100% never comes, and the days all
    who take part are done (in total and per risk profile) stand in its place."""
    if DEELNEMERS_VOLTOOID not in set(table["maatstaf"]):
        return list(HEADLINE)
    return [m.replace("100% voltooid", DEELNEMERS_VOLTOOID) for m in HEADLINE]


def everyone_counted(long: pd.DataFrame) -> pd.DataFrame:
    """Where some compared scenarios have owners who stay out and others not, the others' days for
    100% of those taking part are their 100% days (everyone takes part)."""
    if DEELNEMERS_VOLTOOID not in set(long["maatstaf"]):
        return long
    lacking = long.groupby("scenario")["maatstaf"].agg(lambda m: DEELNEMERS_VOLTOOID not in set(m))
    whole = long["maatstaf"].str.startswith("100% voltooid")
    rows = long[long["scenario"].isin(lacking[lacking].index) & whole]
    added = rows.assign(maatstaf=rows["maatstaf"].str.replace("100% voltooid", DEELNEMERS_VOLTOOID))
    return pd.concat([long, added], ignore_index=True)


def comparable(loaded: list[LoadedScenario]) -> list[LoadedScenario]:
    """The scenarios, if they can be compared: each with its own name, all from the same day."""
    names = [item.scenario.name for item in loaded]
    for item in loaded:
        if names.count(item.scenario.name) > 1:
            raise InputError(f"{item.path}: name: '{item.scenario.name}' is the name of two compared "
                             "scenarios (it labels the columns); give each its own")
        if item.scenario.start != loaded[0].scenario.start:
            raise InputError(f"{item.path}: start: {item.scenario.start} differs from "
                             f"{loaded[0].scenario.start} in {loaded[0].path}; compared scenarios must "
                             "start on the same day")
    return loaded


def side_by_side(long: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    """Per scenario and metric (maatstaf): P10, P50, P90 over the replications, and the paired difference
    with the first scenario (P50 of the per-replication differences; days, or addresses for the
    shortage)."""
    wide = long.pivot_table(index=["maatstaf", "replicatie"], columns="scenario", values="waarde",
                            dropna=False)
    rows = []
    names = list(dict.fromkeys(long["maatstaf"]))
    for metric in names:
        block = wide.loc[metric]
        first = block[order[0]]
        for label in order:
            values = block[label].to_numpy(float)
            diff = values - first.to_numpy(float)
            rows.append({"maatstaf": metric, "scenario": label, **spread(values),
                         "verschil_P50": late_quantile(diff, 0.5)})
    return pd.DataFrame(rows)


# -- attribution ---------------------------------------------------------------------------------


def compared_variants(scenarios: list[Scenario], attribution: bool) -> list[tuple[str, Scenario, str]]:
    """What a comparison runs, each over the replications: (label, scenario, the population it uses)
    for every scenario, and with `attribution` the variants of each that has measures."""
    out = [(sc.name, sc, sc.name) for sc in scenarios]
    for sc in scenarios:
        if attribution and sc.measures.active():
            out += [(f"{sc.name}: {label}", variant, sc.name) for label, variant in attribution_variants(sc)]
    return out


def attribution_variants(sc: Scenario) -> list[tuple[str, Scenario]]:
    """The scenario with no measures, each measure alone and each left out (all together is the
    scenario itself, labelled "alle" by the caller)."""
    names = sc.measures.active()

    def variant(keep: set[str]) -> Scenario:
        return sc.model_copy(update={"measures": sc.measures.only(keep)})

    out = [("geen", variant(set()))]
    out += [(f"alleen {m}", variant({m})) for m in names]
    out += [(f"zonder {m}", variant(set(names) - {m})) for m in names]
    return out


def attribution_table(long: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Per measure, the years gained on 95% and 100% voltooid (P50 of paired differences; positive
    = earlier): alone on top of no measures, and as the last one added to all the others. The last
    rows: all together, the sum of the gains alone, and the difference (interaction)."""
    wide = long.pivot_table(index=["maatstaf", "replicatie"], columns="scenario", values="waarde",
                            dropna=False)
    rows = []
    for metric in ("95% voltooid", "100% voltooid"):
        block = wide.loc[metric]

        def gain(a: str, b: str, block: pd.DataFrame = block) -> float:
            return late_quantile((block[a] - block[b]).to_numpy(float), 0.5) / 365.25

        alone = {m: gain("geen", f"alleen {m}") for m in names}
        for m in names:
            rows.append({"maatstaf": metric, "maatregel": m, "winst alleen (jaar)": alone[m],
                         "winst als laatste (jaar)": gain(f"zonder {m}", "alle")})
        together = gain("geen", "alle")
        rows.append({"maatstaf": metric, "maatregel": "alle samen",
                     "winst alleen (jaar)": together, "winst als laatste (jaar)": np.nan})
        total = float(np.sum(list(alone.values())))
        rows.append({"maatstaf": metric, "maatregel": "som van los",
                     "winst alleen (jaar)": total, "winst als laatste (jaar)": np.nan})
        rows.append({"maatstaf": metric, "maatregel": "wisselwerking (samen - som)",
                     "winst alleen (jaar)": together - total, "winst als laatste (jaar)": np.nan})
    return pd.DataFrame(rows)
