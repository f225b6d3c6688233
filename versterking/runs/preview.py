"""`versterking run --preview`: the flow model's answer to a scenario at its modes, in milliseconds to
a second. An approximation to look before a run, never the forecast: no noise, no ranges drawn, and
the simplifications listed in versterking.engine.flow."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from ..calendar import date_at, days_since
from ..domain import VOLTOOID
from ..engine.flow import FlowResult, flow
from ..inputs.loader import LoadedScenario, as_loaded
from ..inputs.population import load_population
from ..inputs.scenario import Scenario


@dataclass
class Preview:
    scenario: Scenario
    result: FlowResult
    seconds: float

    def done(self, pct: float = 100.0, profile: str | None = None) -> date | None:
        return date_at(self.scenario.start, self.result.done_day(pct, profile))

    def voltooid_per_year(self) -> pd.DataFrame:
        """Voltooid at the end of each year until all is done (a share of the opgave)."""
        sc, r = self.scenario, self.result
        last = self.done() or sc.horizon
        years = range(sc.start.year, last.year + 1)
        ends = [days_since(sc.start, date(y, 12, 31)) for y in years]
        done = [float(r.at(t)[VOLTOOID].sum()) for t in ends]
        return pd.DataFrame({"jaar": list(years), "voltooid": np.round(done).astype(int),
                             "aandeel": np.array(done) / r.total.sum()})


def preview(scenario: LoadedScenario | str | Path, population: pd.DataFrame | None = None) -> Preview:
    """The flow model of the scenario (loaded, a file, or a name from the shipped library) at its modes."""
    loaded = as_loaded(scenario)
    population = load_population(loaded) if population is None else population
    began = time.perf_counter()
    result = flow(loaded.scenario, population)
    return Preview(loaded.scenario, result, time.perf_counter() - began)



