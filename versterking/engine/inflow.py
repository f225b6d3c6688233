"""The addresses an inflow brings (scope growth, opname op verzoek): when each arrives and who it is."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from ..calendar import days_since
from ..domain import MILESTONES
from ..inputs.counts import apportion, inflow_mix
from ..inputs.scenario import Inflow


def inflow_addresses(flow: Inflow, rng: np.random.Generator, start: date, population: pd.DataFrame
                     ) -> pd.DataFrame:
    """The addresses an inflow brings, in the columns of a population plus the day each arrives.
    Evenly spread arrivals get exactly their shares (in random order); Poisson ones draw. Their
    gemeenten follow the inflow's shares, else those of the starting werkvoorraad."""
    t0, t1 = days_since(start, flow.from_), days_since(start, flow.to)
    if flow.arrivals == "poisson":
        count = int(rng.poisson(flow.addresses))
        times = np.sort(rng.uniform(t0, t1, count))
    else:
        count = flow.addresses
        times = t0 + (np.arange(count) + 0.5) * (t1 - t0) / max(count, 1)
    gemeente = flow.gemeente or (population["gemeente"].value_counts(normalize=True).to_dict()
                                 if len(population) else {"onbekend": 1.0})

    def pick(shares: dict) -> np.ndarray:
        keys = np.array(list(shares), dtype=object)
        p = np.array(list(shares.values()), float)
        if flow.arrivals == "even":
            return rng.permutation(np.repeat(keys, apportion(p, count)))
        return keys[rng.choice(len(keys), count, p=p / p.sum())]

    if flow.arrivals == "even":
        mix = inflow_mix(flow)
        cells = rng.permutation(np.repeat(np.arange(len(mix)), list(mix.values())))
        profile = np.array([p for p, _ in mix], dtype=object)[cells]
        owner = np.array([o for _, o in mix], dtype=object)[cells]
    else:
        profile, owner = pick(flow.risk_profile), pick(flow.owner_type)
    ids = [f"{flow.name}-{k + 1:06d}" for k in range(count)]
    return pd.DataFrame({
        "address_id": ids, "gemeente": pick(gemeente), "risk_profile": profile,
        "owner_type": owner, "building_id": ids, "cluster_id": ids,
        "milestone": MILESTONES[0], "milestone_date": pd.NaT,
        "planvorming_substep": "", "lpa_jaar": "", "batch": "", "corporatie": "", "ernst": "",
        "schrijnend": "", "arrival": times,
    })
