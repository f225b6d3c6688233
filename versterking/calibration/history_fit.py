"""The replay of 17 Jul 2020 - 31 Dec 2024 (scenarios/replay-2020.toml) fitted to what NCG and SodM
published (versterking.calibration.history): the mechanisms' numbers, not a pace per period.

Parameters: how fast each resource may grow with its work (`max_growth` of opname, ingenieursbureaus,
planvorming and the builders; their lead times and backlogs are the replay's ASSUMPTIONs), the share of
beoordelingen that meets the norm in each year from 2021, the share done again, and how many owners of
an advies held in 2020 ask a herbeoordeling and how many of those then meet the norm.

Objective: half the sum of squared residuals, (model - published) / tolerance, so that |residual| <= 1
is "within tolerance": a stand within 5% (a flow over a period within 15%) or half a point of the opgave,
whichever is larger; a figure its source calls rough ("low") twice that.

Method (space mapping): the flow model (a quarter of a second to the end of 2024) is fitted by
scipy.optimize.least_squares with the simulation's difference from it as a fixed correction per figure;
the simulation then runs the fitted numbers (a few replications at the modes, common seeds), the
correction is renewed, and the flow model fitted again, until the correction settles. The simulation
confirms; the flow model searches.

Not fitted, and shown with the reason: figures the flow model does not count (the stands per phase,
whose sub-steps it merges), and the "afgerond" counts of 2020 - 2021, which counted fewer addresses than
"op norm" did from 2022 (shared/published/README.md point 4).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import least_squares

from ..calendar import days_since
from ..domain import PROFILES
from ..engine.flow import flow
from ..inputs.blocks import NormChange
from ..inputs.loader import LoadedScenario, as_loaded
from ..inputs.population import load_population
from ..inputs.scenario import Scenario
from ..runs import spine
from .history import STAND, after, before, load_figures, observe_flow, observed

GROWING = ("opnamecapaciteit", "ingenieursbureaus", "planvorming", "bouwcapaciteit")
SHARES = ("opnieuw_beoordeeld", "herbeoordeling_op_verzoek", "herbeoordeling_voldoet")
GROWTH_BOUNDS = (0.01, 3.0)                    # a year: what the fit may find for a growth
TOLERANCE = {"stand": 0.05, "stroom": 0.15}  # of the published figure
MIN_POINTS = 0.5                              # or this many points of the opgave, whichever is larger
ROUGH = 2.0                                   # a figure its source gives as rough: twice the tolerance
HEADLINE_FROM = date(2022, 1, 1)              # "op norm" replaced "afgerond" as the count of voltooid
DIFF_STEP = 0.05                              # finite differences of the flow model: wider than its steps
IMPROVED = 0.02                               # a round that lowers the simulated cost less than this ends


@dataclass(frozen=True)
class Parameters:
    """The numbers fitted, in the order of the vector the fit moves, with their bounds."""

    norm_years: tuple[date, ...]

    @property
    def names(self) -> list[str]:
        return ([f"resources.{r}.growth.max_growth" for r in GROWING]
                + [f"meets_norm vanaf {d}" for d in self.norm_years] + [f"shares.{s}" for s in SHARES])

    @property
    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        n = len(self.names)
        low = np.r_[np.full(len(GROWING), GROWTH_BOUNDS[0]), np.zeros(n - len(GROWING))]
        high = np.r_[np.full(len(GROWING), GROWTH_BOUNDS[1]), np.ones(n - len(GROWING))]
        return low, high

    def start(self, sc: Scenario) -> np.ndarray:
        return np.array([getattr(sc.resources, r).growth.max_growth for r in GROWING]
                        + [c.P50 for c in sc.shares.meets_norm_changes]
                        + [getattr(sc.shares, s) for s in SHARES], float)

    def apply(self, sc: Scenario, x: np.ndarray) -> Scenario:
        """`sc` with the values `x`: growth per resource, one norm share per year for all profiles."""
        values = iter(x.tolist())
        resources = {}
        for r in GROWING:
            own = getattr(sc.resources, r)
            resources[r] = own.model_copy(update={"growth": own.growth.model_copy(
                update={"max_growth": next(values)})})
        norms = [NormChange.model_validate({"from": d, **dict.fromkeys(PROFILES, next(values))})
                 for d in self.norm_years]
        shares = sc.shares.model_copy(update={"meets_norm_changes": norms,
                                              **{name: next(values) for name in SHARES}})
        return sc.model_copy(update={"resources": sc.resources.model_copy(update=resources),
                                     "shares": shares})


@dataclass
class HistoryFit:
    loaded: LoadedScenario
    parameters: Parameters
    x: np.ndarray
    spread: np.ndarray        # one standard error per parameter, from the fit's Jacobian
    table: pd.DataFrame       # per figure: published, flow model, simulated, tolerance, residual, fitted
    cost: float               # half the sum of squared residuals of the fitted figures, simulated
    rounds: int
    flow_evaluations: int
    replications: int

    influence: np.ndarray     # per parameter, how much the fitted figures move with it (Jacobian column)

    @property
    def values(self) -> pd.DataFrame:
        """Per parameter its value, standard error, and whether the figures determine it: they move with
        it, and its standard error is below its value (and 0.05)."""
        determined = (self.influence > 1e-3) & (self.spread <= np.maximum(np.abs(self.x), 0.05))
        return pd.DataFrame({"parameter": self.parameters.names, "waarde": self.x,
                             "standaardfout": self.spread, "bepaald": determined})


def figures_of(sc: Scenario, figures: pd.DataFrame | None = None) -> pd.DataFrame:
    """The published figures a replay of `sc` covers (after its start, up to its horizon), with each
    one's tolerance and whether it is fitted (and if not, why)."""
    figures = load_figures() if figures is None else figures
    covered = before(after(figures, sc.start), sc.horizon)
    stands = covered["soort"] == STAND
    relative = np.where(stands, TOLERANCE["stand"], TOLERANCE["stroom"])
    rough = np.where(covered["betrouwbaarheid"] == "low", ROUGH, 1.0)
    reason = np.where((covered["maat"] == "voltooid") & stands & (covered["datum"] < HEADLINE_FROM),
                      "afgerond telde minder dan later op norm (README punt 4)", "")
    return covered.assign(relatief=relative * rough, rough=rough, reden=reason)


def tolerance(figures: pd.DataFrame, opgave: np.ndarray) -> np.ndarray:
    return np.maximum(figures["relatief"].to_numpy() * figures["waarde"].to_numpy(),
                      MIN_POINTS / 100 * figures["rough"].to_numpy() * opgave)


def fit_history(replay: LoadedScenario | str | Path = "replay-2020", replications: int = 4,
                workers: int | None = None, rounds: int = 4, figures: pd.DataFrame | None = None,
                log: Callable[[str], None] = print) -> HistoryFit:
    """Fit the replay's mechanisms (a file or a library name; its uncertain numbers at their modes)."""
    loaded = as_loaded(replay)
    sc, population = loaded.scenario, load_population(loaded)
    params = Parameters(tuple(c.from_ for c in sc.shares.meets_norm_changes))
    horizon = days_since(sc.start, sc.horizon)
    evaluations = [0]

    def flow_counts(x: np.ndarray) -> np.ndarray:
        evaluations[0] += 1
        return observe_flow(flow(params.apply(sc, x), population, horizon), covered)

    covered, tol, fitted = _held_to(sc, population, figures)
    published = covered["waarde"].to_numpy()
    correction = np.zeros(len(covered))
    x, best = params.start(sc), None
    log(f"fit {sc.start:%d-%m-%Y} - {sc.horizon:%d-%m-%Y}: {len(params.names)} parameters op "
        f"{fitted.sum()} van {len(covered)} cijfers; "
        f"stroommodel met de simulatie als correctie ({replications} replicaties)")
    for k in range(1, rounds + 1):
        def residuals(x: np.ndarray, correction=correction) -> np.ndarray:
            return ((flow_counts(x)[0] + correction - published) / tol)[fitted]

        result = least_squares(residuals, x, bounds=params.bounds, diff_step=DIFF_STEP, x_scale=0.1,
                               max_nfev=60 * len(x))
        x = result.x
        simulated = _simulate(params.apply(sc, x), covered, population, replications, workers)
        cost = 0.5 * float(np.sum(((simulated - published) / tol)[fitted] ** 2))
        held = int((np.abs((simulated - published) / tol)[fitted] <= 1).sum())
        log(f"  ronde {k}: kosten {cost:.1f} in de simulatie ({result.cost:.1f} in het gecorrigeerde "
            f"stroommodel), {held} van {fitted.sum()} cijfers binnen de tolerantie")
        if best is not None and cost > (1 - IMPROVED) * best[0]:
            break  # the correction no longer helps: the simulation's noise is as large as the gain
        best = (cost, x, simulated, result)
        renewed = simulated - flow_counts(x)[0]
        correction = np.where(np.isnan(renewed), 0.0, renewed)
    cost, x, simulated, result = best
    dof = max(int(fitted.sum()) - len(x), 1)
    covariance = np.linalg.pinv(result.jac.T @ result.jac) * (2 * result.cost / dof)
    spread = np.sqrt(np.clip(np.diag(covariance), 0, None))
    table = covered.assign(stroommodel=flow_counts(x)[0], gesimuleerd=simulated, tolerantie=tol,
                           residu=(simulated - published) / tol, gefit=fitted)
    return HistoryFit(loaded, params, x, spread, table, cost, k, evaluations[0], replications,
                      np.linalg.norm(result.jac, axis=0))


def _held_to(sc: Scenario, population: pd.DataFrame, figures: pd.DataFrame | None
             ) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The figures a replay of `sc` covers, each one's tolerance, and which are fitted (the flow model
    counts them, and they are no break); the opgave for the tolerance from the flow model as `sc` is."""
    covered = figures_of(sc, figures)
    counted, opgave = observe_flow(flow(sc, population, days_since(sc.start, sc.horizon)), covered)
    covered.loc[np.isnan(counted), "reden"] = "het stroommodel telt deze stand niet"
    return covered, tolerance(covered, opgave), (covered["reden"] == "").to_numpy()


def replay_history(scenario: LoadedScenario | str | Path, replications: int = 4, workers: int | None = None,
           figures: pd.DataFrame | None = None) -> tuple[pd.DataFrame, float]:
    """A history scenario simulated as it is (at the modes, the fit's seeds): every covered figure with
    its tolerance and residual, and the cost of the fitted ones."""
    loaded = as_loaded(scenario)
    sc, population = loaded.scenario, load_population(loaded)
    covered, tol, fitted = _held_to(sc, population, figures)
    simulated = _simulate(sc, covered, population, replications, workers)
    residual = (simulated - covered["waarde"].to_numpy()) / tol
    table = covered.assign(stroommodel=np.nan, gesimuleerd=simulated, tolerantie=tol, residu=residual,
                           gefit=fitted)
    return table, 0.5 * float(np.sum(residual[fitted] ** 2))


def _simulate(sc: Scenario, figures: pd.DataFrame, population: pd.DataFrame, replications: int,
              workers: int | None) -> np.ndarray:
    """The mean over `replications` runs at the modes (the same seeds every round) of each figure."""
    todo = spine.replications(sc, replications, at_mode=True)
    counts = np.full((replications, len(figures)), np.nan)
    for i, counted in spine.run(todo, partial(observed, figures), population, workers):
        counts[i] = counted[0]
    return counts.mean(axis=0)

