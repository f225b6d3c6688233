"""What one run hands back: arrays per address and step, and the resources' monitors. Its own module
so that the tables and analyses can read a run without importing the code that runs one (only
versterking.runs.spine does)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..inputs.scenario import Scenario
from .rules import Attributes


@dataclass
class RunResult:
    """Everything a run produced, as arrays; versterking.runs.tables makes the tables from it."""

    scenario: Scenario
    addresses: pd.DataFrame          # attributes, one row per address (stock, then inflow)
    stock: int                       # how many of them are the starting werkvoorraad
    entered: np.ndarray              # day the address reached its held milestone (<= 0, stock) or arrived
    reached: np.ndarray              # (n, 6) day each milestone was reached; NaN = not reached
    queued: np.ndarray               # (n, 6 steps) day the address joined the step's waiting line
    started: np.ndarray              # (n, 6 steps) day the step's work started
    ended: np.ndarray                # (n, 6 steps) day the step's work ended
    needs_wisselwoning: np.ndarray   # (n,) bool
    held: np.ndarray                 # (n,) milestone index held at the start (0 for inflow)
    route: np.ndarray                # (n,) how the beoordeling was done (domain.ROUTES)
    meets_norm: np.ndarray           # (n,) bool: judged to meet the norm in this run
    handed_over: np.ndarray          # (n,) 0, or the measure that took it out of planvorming
    first_beoordeling: np.ndarray    # (n, 4) a reassessed address's first queued, started, ended, route
    attributes: Attributes           # what the service order compared, per address
    monitors: dict[str, np.ndarray]  # resource -> rows (t, in use, capacity, waiting, short)
    part_monitors: dict[str, dict[str, np.ndarray]]  # a divided resource -> group -> the same rows
    end_time: float                  # day the run stopped (last voltooid, or the horizon)
    takes_part: np.ndarray           # (n,) bool: False for an address whose owner does not take part
    wall_seconds: float = 0.0
