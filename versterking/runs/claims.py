"""Where published statements of when the opgave is done (a scenario's [[claims]]: SodM's "2034 at the
current pace", NCG's "three to four years after 2028") fall in a forecast's band: in what share of the
replications the milestone is reached by the date they name."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..calendar import date_at, days_since
from ..domain import COMPLETIONS
from ..inputs.scenario import Scenario
from .aggregate import completion_metric, spread

COLUMNS = ["uitspraak", "mijlpaal", "uiterlijk", "aandeel replicaties", "P10", "P50", "P90", "bron"]


def placed_claims(sc: Scenario, per_replication: pd.DataFrame | None) -> pd.DataFrame:
    """Per claim: the share of replications that reach its milestone by its date (NaN, a replication
    that never does, counts as missing it) and the milestone's P10 / P50 / P90 dates (None: after the
    horizon). Empty without claims or replications."""
    rows = []
    if per_replication is not None:
        present = set(per_replication["maatstaf"])
        for claim in sc.claims:
            goal = COMPLETIONS[claim.milestone]
            days = per_replication.loc[per_replication["maatstaf"] == completion_metric(goal, present),
                                       "waarde"].to_numpy(float)
            if not len(days):
                continue
            by = days_since(sc.start, claim.by)
            share = float(np.mean(np.nan_to_num(days, nan=np.inf) <= by))
            q = spread(days)
            rows.append([claim.label, goal.label, claim.by, share,
                         *(date_at(sc.start, q[k]) for k in ("P10", "P50", "P90")), claim.source])
    return pd.DataFrame(rows, columns=COLUMNS)
