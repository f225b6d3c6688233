"""Published end dates (a scenario's [[claims]]) placed in a forecast's band: the share of replications
that reach the claimed milestone by the claimed date."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from versterking import load_scenario
from versterking.runs.claims import placed_claims

START = date(2024, 12, 31)


def _table(metric: str, days: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"replicatie": range(len(days)), "maatstaf": metric, "waarde": days})


def _scenario(*claims: tuple[str, int]):
    sc = load_scenario("actueel").scenario
    listed = [{"label": f"c{i}", "milestone": m, "by": START + timedelta(days=d), "source": "s"}
              for i, (m, d) in enumerate(claims)]
    return sc.model_validate(sc.model_dump(by_alias=True) | {"claims": listed})


def test_a_claim_is_met_by_the_replications_that_reach_its_milestone_by_its_date():
    days = [100.0, 200.0, np.nan, 400.0, 250.0]  # NaN: never reached, so it misses every date
    table = pd.concat([_table("100% deelnemers voltooid", days), _table("95% voltooid", [1.0] * 5)])
    placed = placed_claims(_scenario(("deelnemers", 250), ("deelnemers", 99), ("95%", 1)), table)
    assert placed["aandeel replicaties"].tolist() == [0.6, 0.0, 1.0]
    assert placed.loc[0, "mijlpaal"] == "100% van wie meedoet voltooid"
    assert placed.loc[0, "P50"] == START + timedelta(days=250) and placed.loc[0, "P90"] is None


def test_where_everyone_takes_part_those_taking_part_are_all():
    placed = placed_claims(_scenario(("deelnemers", 150)), _table("100% voltooid", [100.0, 200.0]))
    assert placed["aandeel replicaties"].tolist() == [0.5]


def test_no_claims_or_no_replications_place_nothing():
    assert placed_claims(_scenario(), _table("100% voltooid", [1.0])).empty
    assert placed_claims(_scenario(("95%", 1)), None).empty
