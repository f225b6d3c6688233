"""`versterking backtest`: a forecast held against what was published after it started.

Each scenario's start is its origin. Its replications run as `versterking run` runs them (the same
seeds and draws), and each counts every published figure that lies wholly after the origin
(versterking.calibration.history: later figures only, so a forecast is never held to where it began).
Per figure: the band P10 - P90 over the replications and whether the published figure lies in it, the
P50's error and the band's width in points of the opgave (the run's werkvoorraad on that day), so
that flows and stands, 2021 and 2024, weigh alike. The summary gives, per origin, the share inside
the band, the mean absolute P50 error and the mean width: a forecast is judged by whether its band
holds what happened, not by how narrow it is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from ..errors import InputError
from ..inputs.loader import LoadedScenario, as_loaded
from ..inputs.population import load_population
from ..inputs.scenario import Scenario
from ..runs import spine
from ..runs.backends import Progress, ticker
from .history import after, load_figures, observed
from .learned import Learned, learn

# The goal issue 37 sets for the method (not for any one scenario): at least this share of later figures
# inside P10 - P90, the P50 at most this many points off on average, the band at most this wide.
GOAL = {"binnen": 0.8, "fout": 5.0, "breedte": 25.0}


@dataclass
class Origin:
    """One scenario's forecast, held against the figures after its start."""

    loaded: LoadedScenario
    scenario: Scenario    # as run (its seed the root seed)
    addresses: int
    seeds: list[int]
    figures: pd.DataFrame  # per later figure: published, P10 / P50 / P90, inside, error and width in points
    learned: Learned | None = None  # the method learned up to the origin (--learn), or None: as given


@dataclass
class Backtest:
    origins: list[Origin]
    replications: int
    lessons: dict[str, Learned]  # per scenario name, with `learned`: what the figures up to its origin taught

    @property
    def figures(self) -> pd.DataFrame:
        """Every origin's figures in one table."""
        return pd.concat([o.figures for o in self.origins], ignore_index=True)

    @property
    def summary(self) -> pd.DataFrame:
        """Per origin, and per origin and maat: how many later figures, the share inside the band, the
        mean absolute P50 error and the mean band width in points."""
        rows = []
        for o in self.origins:
            f = o.figures
            rows.append(_summarise(f, o.scenario, "alle"))
            rows += [_summarise(part, o.scenario, maat) for maat, part in f.groupby("maat", sort=False)]
        return pd.DataFrame(rows)


def backtest(scenarios: Sequence[LoadedScenario | str | Path] = ("verwachting",), replications: int = 50,
             seed: int | None = None, *, figures: pd.DataFrame | None = None, learned: bool = False,
             workers: int | None = None, scheduler: str | None = None, progress: Progress = False,
             log: Callable[[str], None] = print) -> Backtest:
    """Forecast each scenario (its replications as `run` makes them, root seed `seed` or its own) and
    hold it against every published figure after its start (`figures`: default the package's). With
    `learned`, each scenario also as the method would have made it, with the growth the figures up to
    its start determine (versterking.calibration.learned), on the same seeds."""
    published = load_figures() if figures is None else figures
    runs: list[tuple[LoadedScenario, Learned | None]] = []
    lessons = {}
    for scenario in scenarios:
        loaded = as_loaded(scenario)
        runs.append((loaded, None))
        if learned:
            taught = lessons[loaded.scenario.name] = learn(loaded, workers=workers, figures=published,
                                                           log=log)
            if taught.ranges:
                runs.append((taught.loaded, taught))
            elif callable(progress):  # the learned run it needs no more: its replications count as done
                progress(replications)
    origins = []
    for loaded, taught in runs:
        sc = loaded.scenario if seed is None else loaded.scenario.model_copy(update={"seed": seed})
        later = after(published, sc.start)
        if later.empty:
            raise InputError(f"{loaded.path}: start: {sc.start} is not before any published figure (the last "
                             f"is of {published['datum'].max()}); a backtest starts before them")
        population = load_population(loaded)
        todo = spine.replications(sc, replications)
        counts = np.full((replications, 2, len(later)), np.nan)
        with tqdm(total=replications, desc=f"backtest {sc.name}", unit="replicatie",
                  disable=progress is not True, leave=False) as bar:
            for i, counted in spine.run(todo, partial(observed, later), population, workers, scheduler,
                                         ticker(bar, progress)):
                counts[i] = counted
        origins.append(Origin(loaded, sc, len(population), [rep.scenario.seed for rep in todo],
                              held_against(later, counts[:, 0], counts[:, 1], sc.name, sc.start), taught))
    return Backtest(origins, replications, lessons)



def held_against(figures: pd.DataFrame, values: np.ndarray, opgave: np.ndarray, name: str, origin
                 ) -> pd.DataFrame:
    """The figures with the band of `values` (replications x figures) and the verdicts, in points of the
    median werkvoorraad `opgave` (the same shape) on each figure's day."""
    p10, p50, p90 = np.percentile(values, [10, 50, 90], axis=0)
    size = np.median(opgave, axis=0)
    published = figures["waarde"].to_numpy()
    return pd.DataFrame({
        "scenario": name, "vanaf stand": origin, "datum": figures["datum"], "maat": figures["maat"],
        "soort": figures["soort"], "periode vanaf": figures["vanaf"], "gepubliceerd": published,
        "P10": p10, "P50": p50, "P90": p90, "binnen": (p10 <= published) & (published <= p90),
        "fout (punten)": 100 * (p50 - published) / size, "breedte (punten)": 100 * (p90 - p10) / size,
        "bron": figures["source"], "betrouwbaarheid": figures["betrouwbaarheid"],
    })


def _summarise(f: pd.DataFrame, sc: Scenario, maat: str) -> dict:
    return {"scenario": sc.name, "vanaf stand": sc.start, "maat": maat, "cijfers": len(f),
            "binnen": float(f["binnen"].mean()), "fout (punten)": float(f["fout (punten)"].abs().mean()),
            "breedte (punten)": float(f["breedte (punten)"].mean())}
