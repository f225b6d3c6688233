"""The method at an origin, learned from what was published before it (`versterking backtest --learn`).

A forecast scenario holds every resource at the pace of the year before its stand. The method learns
how capacity grew with its work up to that stand: the replay of 17 Jul 2020 (replay-2020), cut at the
origin, is fitted (history_fit.fit_history) to the published figures known on that day only
(history.before, by code: a later figure cannot reach the fit). A growth those figures determine enters
the forecast as a range, the fitted value +- two standard errors (within the fit's bounds), with the
replay's lead time and backlog, and with the line's history: if the fitted replay's line held more than
the backlog on the origin, since when (growth.over_since; else the lead time counts from the stand). One
they do not determine stays as the forecast has it. The additions
are overrides of the forecast's own file (and its name gets "-geleerd"), so the run's manifest names them
and its hash covers them; its seed stays, so both forecasts draw alike.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from ..calendar import days_since
from ..engine.flow import flow
from ..inputs.loader import VARY, LoadedScenario, as_loaded, load_scenario
from ..inputs.population import load_population
from .history import after, before, load_figures
from .history_fit import GROWING, GROWTH_BOUNDS, HistoryFit, fit_history

REPLAY = "replay-2020"
SPREAD = 2.0        # the range: the fitted value +- this many standard errors
LEARNED_FROM = "backtest --learn"  # where the additions say they come from (errors, the manifest)


@dataclass
class Learned:
    loaded: LoadedScenario     # the forecast with what was learned
    fit: HistoryFit | None     # None when nothing was published between the replay's start and the origin
    ranges: dict[str, tuple[float, float, float]]  # per grown resource: low, mode, high of max_growth
    over_since: dict[str, date] = field(default_factory=dict)  # of those, a line long before the origin


def learn(forecast: LoadedScenario | str | Path, replay: LoadedScenario | str | Path = REPLAY,
          replications: int = 4, workers: int | None = None, figures: pd.DataFrame | None = None,
          log: Callable[[str], None] = print) -> Learned:
    """The forecast with the growth that the figures published up to its start determine."""
    loaded, history = as_loaded(forecast), as_loaded(replay)
    origin = loaded.scenario.start
    known = before(load_figures() if figures is None else figures, origin)
    if after(known, history.scenario.start).empty:
        log(f"{loaded.scenario.name}: vóór {origin} is niets gepubliceerd dat de replay van "
            f"{history.scenario.start} kan volgen; de methode leert niets")
        return Learned(loaded, None, {})
    cut = replace(history, scenario=history.scenario.model_copy(update={"horizon": origin}))
    fit = fit_history(cut, replications, workers, figures=known, log=log)
    replayed = replace(cut, scenario=fit.parameters.apply(cut.scenario, fit.x))
    ranges, overrides, long_since = learned_growth(replayed, fit.values, origin)
    if overrides:
        earlier = json.loads(loaded.files.get(VARY, "{}"))  # a forecast given with overrides keeps them
        named = {"name": f"{loaded.scenario.name}-geleerd"}
        loaded = load_scenario(loaded.path, {**earlier, **overrides, **named}, overrides_from=LEARNED_FROM)
    return Learned(loaded, fit, ranges, long_since)


def learned_growth(replayed: LoadedScenario, values: pd.DataFrame, origin: date
                   ) -> tuple[dict[str, tuple[float, float, float]], dict[str, dict], dict[str, date]]:
    """Per growth the fit determined: its range, its forecast's override (the range with the replay's lead
    time and backlog) and, if the fitted replay's line held more than the backlog on `origin`, since when.
    Apart from `learn` so that a shipped forecast (actueel-groei) can be held to the shipped fit."""
    values = values.set_index("parameter")
    sc = replayed.scenario
    lines = flow(sc, load_population(replayed), days_since(sc.start, origin)).grown
    floor, ceiling = GROWTH_BOUNDS  # a range stays within what the fit could find
    ranges, overrides, long_since = {}, {}, {}
    for r in GROWING:
        row = values.loc[f"resources.{r}.growth.max_growth"]
        if not row["bepaald"]:
            continue
        value, se = float(row["waarde"]), float(row["standaardfout"])
        ranges[r] = (max(value - SPREAD * se, floor), value, min(value + SPREAD * se, ceiling))
        growth = getattr(sc.resources, r).growth.model_dump(exclude_none=True)
        if math.isfinite(over := lines[r].over_since):
            long_since[r] = growth["over_since"] = sc.start + timedelta(days=math.floor(over))
        low, mode, high = (round(v, 4) for v in ranges[r])
        high = max(high, mode + 1e-4)  # a range, even where the standard error rounds away
        overrides[f"resources.{r}.growth"] = {**growth, "max_growth": {
            "uncertain": "triangular", "low": low, "mode": mode, "high": high, "name": f"groei_{r}"}}
    return ranges, overrides, long_since
