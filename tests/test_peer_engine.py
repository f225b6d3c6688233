"""The engine against a peer: Ciw (a separate, well-tested queueing-network simulator) runs the same
four-step tandem with non-exponential service times, configured on our side only through scenario
keys. Mean time to voltooid and the makespan (last address voltooid) must agree within the 99%
confidence interval of their difference over independent replications.

Two inflows: a werkvoorraad of addresses all waiting at the start (as the opgave began), and a
Poisson stream (the arrival times are drawn here and given to Ciw as they are).
"""

from __future__ import annotations

import math
from datetime import date, timedelta

import ciw  # a declared test dependency: missing, the suite fails rather than skips
import numpy as np
import pandas as pd
import pytest
from conftest import NO_ADDRESS

from versterking import load_population, load_scenario, run_scenario
from versterking.runs.seeds import replication_seed

pytestmark = pytest.mark.no_cover  # long runs against Ciw: numbers, not code paths


START = date(2000, 1, 1)
REPLICATIONS = 40
# step -> (resource, servers, duration key, duration in days (mean, sd), distribution)
STEPS = [
    ("opnamecapaciteit", 3, "opname", (1.0, 0.5), "gamma"),
    ("ingenieursbureaus", 2, "beoordeling", (1.6, 1.2), "lognormal"),
    ("planvorming", 3, "planvorming_voorbereiden", (2.0, 1.5), "gamma"),
    ("bouwcapaciteit", 4, "uitvoering", (3.0, 1.0), "gamma"),
]


def _ciw_duration(mean: float, sd: float, kind: str):
    if kind == "gamma":
        return ciw.dists.Gamma(shape=(mean / sd) ** 2, scale=sd**2 / mean)
    sigma2 = math.log1p((sd / mean) ** 2)  # parameters of the underlying normal
    return ciw.dists.Lognormal(mean=math.log(mean) - sigma2 / 2, sd=math.sqrt(sigma2))


def _ours(path, overrides: dict, replication: int) -> tuple[float, float]:
    loaded = load_scenario(path, overrides)
    sc = loaded.scenario.model_copy(update={"seed": replication_seed(loaded.scenario.seed, replication)})
    r = run_scenario(sc, load_population(loaded))
    sojourn = r.reached[:, 5] - r.entered
    return float(sojourn.mean()), float(np.max(r.reached[:, 5]))


def _theirs(arrivals: np.ndarray, batch: int, seed: int) -> tuple[float, float]:
    """Ciw: the arrival times as a sequence of gaps (a batch at time 0 for a werkvoorraad)."""
    gaps = list(np.diff(np.r_[0.0, arrivals])) + [1e12]
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Sequential(gaps), None, None, None],
        batching_distributions=[ciw.dists.Sequential([batch] + [1] * (len(gaps) - 2) + [0]),
                                None, None, None],
        service_distributions=[_ciw_duration(*d, kind) for _, _, _, d, kind in STEPS],
        number_of_servers=[servers for _, servers, *_ in STEPS],
        routing=[[0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0], [0.0] * 4],
    )
    ciw.seed(seed)
    q = ciw.Simulation(network)
    q.simulate_until_max_time(1e11)
    records = q.get_all_records()
    entered = {r.id_number: r.arrival_date for r in records if r.node == 1}
    left = {r.id_number: r.exit_date for r in records if r.node == 4}
    assert len(left) == len(entered) == batch + len(arrivals) - 1
    return float(np.mean([left[i] - entered[i] for i in left])), max(left.values())


def _overrides(tmp_path, werkvoorraad: int, arrivals: np.ndarray | None) -> dict:
    out = {"shares.skip_beoordeling": NO_ADDRESS, "shares.meets_norm": NO_ADDRESS}
    for resource, servers, key, (mean, sd), kind in STEPS:
        out[f"resources.{resource}.capacity"] = servers
        out[f"durations.{key}"] = {"dist": kind, "mean": mean, "sd": sd}
    if werkvoorraad:
        n = werkvoorraad
        pd.DataFrame({"address_id": [f"W{i:05d}" for i in range(n)], "gemeente": "Loppersum",
                      "risk_profile": "P50", "owner_type": "particulier",
                      "building_id": [f"B{i:05d}" for i in range(n)], "cluster_id": "C1",
                      "milestone": "nog niet gestart", "milestone_date": str(START)}
                     ).to_csv(tmp_path / "werkvoorraad.csv", index=False)
        out |= {"population": {"source": "file", "file": str(tmp_path / "werkvoorraad.csv")}, "inflow": []}
    return out


def _compare(ours: list, theirs: list, what: str) -> None:
    for k, name in enumerate(("mean time to voltooid", "makespan")):
        a, b = np.array([x[k] for x in ours]), np.array([x[k] for x in theirs])
        se = math.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
        print(f"\n{what}, {name}: ours {a.mean():.3f} +- {1.96 * a.std(ddof=1) / math.sqrt(len(a)):.3f}, "
              f"Ciw {b.mean():.3f} +- {1.96 * b.std(ddof=1) / math.sqrt(len(b)):.3f} (95%); "
              f"difference {a.mean() - b.mean():+.3f}, 99% half-width {2.576 * se:.3f}")
        assert abs(a.mean() - b.mean()) <= 2.576 * se, (what, name)


@pytest.mark.slow
def test_werkvoorraad_through_the_tandem_matches_ciw(queueing, tmp_path, capsys):
    overrides = _overrides(tmp_path, 400, None)
    ours = [_ours(queueing, overrides, r) for r in range(REPLICATIONS)]
    theirs = [_theirs(np.array([0.0]), 400, 1000 + r) for r in range(REPLICATIONS)]
    with capsys.disabled():
        _compare(ours, theirs, "werkvoorraad of 400")


@pytest.mark.slow
def test_poisson_stream_through_the_tandem_matches_ciw(queueing, tmp_path, capsys):
    rate, days = 0.9, 500  # the beoordeling runs at utilisation 0.72
    ours, theirs = [], []
    for r in range(REPLICATIONS):
        overrides = _overrides(tmp_path, 0, None)
        overrides["inflow"] = [{"name": "poisson", "from": START, "to": START + timedelta(days=days),
                                "addresses": round(rate * days), "arrivals": "poisson",
                                "risk_profile": {"P50": 1.0}}]
        ours.append(_ours(queueing, overrides, r))
        rng = np.random.default_rng(2000 + r)
        arrivals = np.sort(rng.uniform(0, days, rng.poisson(rate * days)))
        theirs.append(_theirs(arrivals, 1, 3000 + r))
    with capsys.disabled():
        _compare(ours, theirs, f"Poisson stream of {rate} a day for {days} days")
