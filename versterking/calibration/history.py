"""What NCG and SodM published from Jul 2020 to Dec 2024 (calibration/data/ncg_2020_2024.csv, a copy of
shared/published/ with three columns added) and what a run counts for each figure.

Each compared row names its `maat`: a stand on the figure's day (`soort` stand: addresses voltooid,
versterkt, in uitvoering, ...) or a flow over a period (`soort` stroom: beoordelingen from `vanaf` to
the day, as NCG counts a year to date). Rows that are not compared say why (`niet_vergeleken`: an
estimate, a count the model has no state for, a break in the counting; shared/published/README.md).
A figure is only ever read against a run in which it lies wholly after the start: `after` and `before`
split the figures at an origin, so a forecast is never held to what it started from, and a fit on an
origin never sees what came later.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from ..calendar import days_since
from ..domain import (
    BEOORDELING,
    NOG_NIET_GESTART,
    OPNAME,
    PLANVORMING,
    S_BEOORDELING,
    S_BESLUIT,
    S_OPNAME,
    S_UITVOERING,
    S_UITVOERINGSPLAN,
    SUBSTEPS,
    UITVOERING,
    VERSTERKT,
    VOLDOET,
    VOLTOOID,
)
from ..engine.flow import FlowResult
from ..engine.result import RunResult
from ..errors import InputError
from ..inputs.package_data import published_folder
from ..runs.tables import reinforced, state_before

FILE = "ncg_2020_2024.csv"
STAND, STROOM = "stand", "stroom"
# what a run counts for a stand: the addresses in these states at the end of the day
STANDS = ("werkvoorraad", "voltooid", VERSTERKT, VOLDOET, "niet voltooid", "nog niet beoordeeld", "opname",
          "advies", "bouwvoorbereiding", "uitvoering", "bouwvoorbereiding of uitvoering")
# and for a flow: the addresses (or beoordelingen) that did this in the period
FLOWS = ("opgenomen", "beoordeeld", "eerste beoordeling", "planvorming gestart", "uitvoering gestart",
         "voltooid", VERSTERKT, VOLDOET)


def load_figures(folder: Path | None = None) -> pd.DataFrame:
    """The compared figures, in date order: datum, maat, soort, vanaf (a flow's first day), waarde,
    definitie, source, betrouwbaarheid (default folder: the package's published figures)."""
    path = (published_folder() if folder is None else folder) / FILE
    try:
        table = pd.read_csv(path, keep_default_na=False)
    except FileNotFoundError:
        raise InputError(f"{path}: published figures not found") from None
    table = table[table["maat"] != ""].copy()
    for kind, known in ((STAND, STANDS), (STROOM, FLOWS)):
        unknown = set(table.loc[table["soort"] == kind, "maat"]) - set(known)
        if unknown:
            raise InputError(f"{path}: maat: {', '.join(sorted(unknown))} is not a {kind} the model counts; "
                             f"allowed: {', '.join(known)}")
    table["datum"] = pd.to_datetime(table["datum"]).dt.date
    table["vanaf"] = [date.fromisoformat(v) if v else None for v in table["vanaf"]]
    table["waarde"] = table["waarde"].astype(float)
    columns = ["datum", "maat", "soort", "vanaf", "waarde", "definitie", "source", "betrouwbaarheid"]
    return table.sort_values("datum", kind="stable")[columns].reset_index(drop=True)


def after(figures: pd.DataFrame, origin: date) -> pd.DataFrame:
    """The figures a forecast from `origin` can be held to: stands after it, flows that begin on or
    after it (a year to date that began earlier is partly history)."""
    later = figures["datum"] > origin
    whole = [v is None or v >= origin for v in figures["vanaf"]]
    return figures[later & np.array(whole, bool)].reset_index(drop=True)


def before(figures: pd.DataFrame, origin: date) -> pd.DataFrame:
    """The figures known on `origin`: what a fit from that stand may use."""
    return figures[figures["datum"] <= origin].reset_index(drop=True)


def observe(r: RunResult, figures: pd.DataFrame) -> np.ndarray:
    """What the run counts for each figure (NaN where the figure lies outside the run), and the
    werkvoorraad on each figure's day: an array of shape (2, figures)."""
    start = r.scenario.start
    horizon = days_since(start, r.scenario.horizon) + 1.0
    through_uitvoering = reinforced(r)
    in_besluit = _in_besluit(r)
    values, opgave = np.full(len(figures), np.nan), np.full(len(figures), np.nan)
    for i, f in enumerate(figures.itertuples(index=False)):
        t1 = days_since(start, f.datum) + 1.0  # the end of the figure's day
        if not 0 < t1 <= horizon:
            continue
        state = state_before(r.reached, t1)
        opgave[i] = (state >= 0).sum()
        if f.soort == STAND:
            values[i] = _stand(f.maat, state, through_uitvoering, in_besluit(t1)).sum()
        elif (t0 := days_since(start, f.vanaf)) >= 0:
            values[i] = _flow(r, f.maat, t0, t1, through_uitvoering)
    return np.stack([values, opgave])


def observe_flow(f: FlowResult, figures: pd.DataFrame) -> np.ndarray:
    """What the flow model counts for each figure, as `observe` does for a run (NaN for what it does
    not count: the stands per phase, whose sub-steps it merges, and anything outside it)."""
    voltooid = f.reached[:, VOLTOOID].sum(axis=1)
    cumulative = {
        "werkvoorraad": f.tally["werkvoorraad"], "voltooid": voltooid, VERSTERKT: f.tally[VERSTERKT],
        VOLDOET: voltooid - f.tally[VERSTERKT], "niet voltooid": f.tally["werkvoorraad"] - voltooid,
        "opgenomen": f.reached[:, OPNAME].sum(axis=1), "beoordeeld": f.tally["beoordeeld"],
        "eerste beoordeling": f.tally["eerste beoordeling"],
        "planvorming gestart": f.reached[:, PLANVORMING].sum(axis=1),
        "uitvoering gestart": f.reached[:, UITVOERING].sum(axis=1),
    }
    values, opgave = np.full(len(figures), np.nan), np.full(len(figures), np.nan)
    for i, fig in enumerate(figures.itertuples(index=False)):
        t1 = days_since(f.start, fig.datum) + 1.0
        if t1 <= 0 or fig.maat not in cumulative:  # a flow that ended early holds its counts
            continue
        series, row = cumulative[fig.maat], f.row(t1)
        opgave[i] = f.tally["werkvoorraad"][row]
        if fig.soort == STAND:
            values[i] = series[row]
        elif (t0 := days_since(f.start, fig.vanaf)) >= 0:
            values[i] = series[row] - series[f.row(t0)]
    return np.stack([values, opgave])


def observed(figures: pd.DataFrame, r: RunResult, replication) -> np.ndarray:
    """`observe` as the spine's reducer (a partial with the figures travels to the workers)."""
    return observe(r, figures)


def _in_besluit(r: RunResult):
    """Per address, whether it is past its uitvoeringsplan (preparing construction) at time t."""
    held = (r.held == PLANVORMING) & (r.addresses["planvorming_substep"] == SUBSTEPS[2]).to_numpy()
    began = r.started[:, S_BESLUIT]
    return lambda t: held | (began < t)


def _stand(maat: str, state: np.ndarray, versterkt: np.ndarray, besluit: np.ndarray) -> np.ndarray:
    preparing = (state == PLANVORMING) & besluit
    return {
        "werkvoorraad": state >= 0,
        "voltooid": state == VOLTOOID,
        VERSTERKT: (state == VOLTOOID) & versterkt,
        VOLDOET: (state == VOLTOOID) & ~versterkt,
        "niet voltooid": (state >= 0) & (state < VOLTOOID),
        "nog niet beoordeeld": (state == NOG_NIET_GESTART) | (state == OPNAME),
        "opname": state == OPNAME,
        "advies": (state == BEOORDELING) | ((state == PLANVORMING) & ~besluit),
        "bouwvoorbereiding": preparing,
        "uitvoering": state == UITVOERING,
        "bouwvoorbereiding of uitvoering": preparing | (state == UITVOERING),
    }[maat]


def _flow(r: RunResult, maat: str, t0: float, t1: float, versterkt: np.ndarray) -> int:
    def within(times: np.ndarray) -> np.ndarray:
        return (times >= t0) & (times < t1)

    first = r.first_beoordeling[:, 2]  # a beoordeling done again keeps the first one's end here
    if maat == "opgenomen":
        return int(within(r.ended[:, S_OPNAME]).sum())
    if maat == "beoordeeld":  # every beoordeling: first ones, work done again, herbeoordelingen
        return int(within(r.ended[:, S_BEOORDELING]).sum() + within(first).sum())
    if maat == "eerste beoordeling":  # an address's first, not one that had its first before the start
        fresh = np.isnan(first) & (r.held <= OPNAME)
        return int(within(first).sum() + (within(r.ended[:, S_BEOORDELING]) & fresh).sum())
    if maat == "planvorming gestart":  # as tabel 2.2 counts it (versterking.runs.tables.PRODUCTION)
        return int(within(r.started[:, S_UITVOERINGSPLAN]).sum())
    if maat == "uitvoering gestart":
        return int(within(r.started[:, S_UITVOERING]).sum())
    done = within(r.reached[:, VOLTOOID])
    return int({"voltooid": done, VERSTERKT: done & versterkt, VOLDOET: done & ~versterkt}[maat].sum())
