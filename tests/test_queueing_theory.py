"""The engine against queueing theory, configured only through scenario files (tests/data/queueing.toml
and overrides of its keys): a single M/M/c station against Erlang C at three utilisations, and four
stations in series against Jackson's theorem (each an M/M/c with the same Poisson arrival rate).

Each replication runs over a hundred thousand addresses; waits are measured for addresses that
join a station after a warm-up (the system starts empty) and before the inflow stops (first come
first served: a wait depends only on who came before). Every estimate carries its standard error
over replications, and the test asks that error to be below 35% of the check's tolerance (3%: a 2%
check needs twice the addresses, and the CI time of about five minutes more).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pytest
from conftest import NO_ADDRESS
from scipy.stats import poisson

from versterking import load_population, load_scenario, run_scenario
from versterking.domain import S_BEOORDELING, S_OPNAME, S_UITVOERING, S_VOORBEREIDEN
from versterking.runs.backends import run_tasks
from versterking.runs.seeds import replication_seed

pytestmark = pytest.mark.no_cover  # hundreds of thousands of addresses a replication: numbers, not code paths

START = date(2000, 1, 1)
WARM_UP = 200.0  # days left out at the start
STATIONS = {  # step -> (resource, duration key)
    S_OPNAME: ("opnamecapaciteit", "opname"),
    S_BEOORDELING: ("ingenieursbureaus", "beoordeling"),
    S_VOORBEREIDEN: ("planvorming", "planvorming_voorbereiden"),
    S_UITVOERING: ("bouwcapaciteit", "uitvoering"),
}


def erlang_c(servers: int, offered: float) -> float:
    """Probability of waiting in M/M/c (offered load a = lambda / mu < c), from Erlang B
    B = P(N = c) / P(N <= c) for N ~ Poisson(a)."""
    b = poisson.pmf(servers, offered) / poisson.cdf(servers, offered)
    return b / (1 - offered / servers * (1 - b))


def mmc_wait(rate: float, mean_service: float, servers: int) -> float:
    """Mean wait in line, W_q = C(c, a) / (c mu - lambda)."""
    offered = rate * mean_service
    return erlang_c(servers, offered) * mean_service / (servers - offered)


@dataclass(frozen=True)
class Station:
    step: int
    servers: int
    mean: float  # days


@dataclass(frozen=True)
class Case:
    name: str
    rate: float        # addresses a day
    days: int          # length of the inflow
    replications: int
    stations: tuple[Station, ...]
    tolerance: float = 0.03  # the check; the standard error must be below 35% of it

    def overrides(self) -> dict:
        out = {"inflow": [{"name": "poisson", "from": START, "to": START + timedelta(days=self.days),
                           "addresses": round(self.rate * self.days), "arrivals": "poisson",
                           "risk_profile": {"P50": 1.0}}]}
        if len(self.stations) > 1:  # through all four steps
            out |= {"shares.skip_beoordeling": NO_ADDRESS, "shares.meets_norm": NO_ADDRESS}
        for s in self.stations:
            resource, duration = STATIONS[s.step]
            out[f"resources.{resource}.capacity"] = s.servers
            out[f"durations.{duration}"] = {"dist": "exponential", "mean": s.mean}
        return out


def _one_replication(task: tuple, _shared) -> dict:
    """Per station: mean wait of the addresses that joined it in the measured window, and the
    time-average number waiting from the resource's own monitor over that window."""
    path, case, replication = task
    loaded = load_scenario(path, case.overrides())
    sc = loaded.scenario.model_copy(update={"seed": replication_seed(loaded.scenario.seed, replication)})
    r = run_scenario(sc, load_population(loaded))
    end = float(case.days)
    out = {}
    for s in case.stations:
        joined = r.queued[:, s.step]
        window = (joined >= WARM_UP) & (joined < end)
        waits = r.started[window, s.step] - joined[window]
        waiting = _time_average(r.monitors[STATIONS[s.step][0]], 3, WARM_UP, end)
        out[s.step] = (float(waits.mean()), waiting)
    return out


def _estimate(path, case: Case) -> dict[int, tuple[float, float, float, float]]:
    """Per station: mean wait and its standard error, mean number waiting and its standard error."""
    tasks = [(path, case, r) for r in range(case.replications)]
    results = [res for _, res in sorted(run_tasks(_one_replication, tasks, None), key=lambda x: x[0])]
    out = {}
    for s in case.stations:
        w = np.array([res[s.step][0] for res in results])
        q = np.array([res[s.step][1] for res in results])
        n = len(results)
        out[s.step] = (w.mean(), w.std(ddof=1) / math.sqrt(n), q.mean(), q.std(ddof=1) / math.sqrt(n))
    return out


def _check(path, case: Case, capsys) -> None:
    estimates = _estimate(path, case)
    for s in case.stations:
        wq = mmc_wait(case.rate, s.mean, s.servers)
        lq = case.rate * wq  # Little's law on the line
        w, w_se, q, q_se = estimates[s.step]
        with capsys.disabled():
            print(f"\n{case.name} step {s.step}: c={s.servers} rho={case.rate * s.mean / s.servers:.2f} "
                  f"Wq {w:.5f} vs Erlang C {wq:.5f} ({100 * (w / wq - 1):+.2f}%, se {100 * w_se / wq:.2f}%); "
                  f"Lq {q:.5f} vs {lq:.5f} ({100 * (q / lq - 1):+.2f}%, se {100 * q_se / lq:.2f}%)")
        tolerance = case.tolerance
        enough = w_se / wq < 0.35 * tolerance and q_se / lq < 0.35 * tolerance
        assert enough, f"too few addresses for a {tolerance:.0%} check"
        assert abs(w / wq - 1) < tolerance, (case.name, s.step, w, wq)
        assert abs(q / lq - 1) < tolerance, (case.name, s.step, q, lq)


# Service times are short (hours) so that many addresses fit in the horizon.
SINGLE = [
    Case("M/M/2 rho 0.5", rate=20.0, days=7_500, replications=6, stations=(Station(S_OPNAME, 2, 0.05),)),
    Case("M/M/2 rho 0.8", rate=32.0, days=7_500, replications=10, stations=(Station(S_OPNAME, 2, 0.05),)),
    Case("M/M/4 rho 0.9", rate=72.0, days=10_000, replications=14, stations=(Station(S_OPNAME, 4, 0.05),)),
]
TANDEM = Case("Jackson tandem", rate=20.0, days=5_000, replications=16, stations=(
    Station(S_OPNAME, 2, 0.06),        # rho 0.6
    Station(S_BEOORDELING, 3, 0.105),  # rho 0.7
    Station(S_VOORBEREIDEN, 4, 0.12),  # rho 0.6
    Station(S_UITVOERING, 1, 0.025),   # rho 0.5, M/M/1
))


@pytest.mark.slow
@pytest.mark.parametrize("case", SINGLE, ids=lambda c: c.name)
def test_single_station_matches_erlang_c(queueing, case, capsys):
    _check(queueing, case, capsys)


@pytest.mark.slow
def test_tandem_matches_jackson(queueing, capsys):
    _check(queueing, TANDEM, capsys)


def test_erlang_c_formula_on_known_values():
    assert erlang_c(1, 0.8) == pytest.approx(0.8)  # M/M/1: P(wait) = rho
    assert mmc_wait(0.8, 1.0, 1) == pytest.approx(4.0)  # rho / (mu - lambda)
    assert erlang_c(2, 1.6) == pytest.approx(2 * 0.8**2 / 1.8)  # M/M/2: 2 rho^2 / (1 + rho)


def _time_average(monitor: np.ndarray, column: int, start: float, end: float) -> float:
    """A monitored count averaged over [start, end]: each row's value holds until the next row."""
    edges = np.clip(np.r_[monitor[:, 0], np.inf], start, end)
    return float(monitor[:, column] @ np.diff(edges)) / (end - start)


@pytest.mark.slow
def test_the_monitors_agree_with_the_addresses_own_times_on_every_line_in_basis(capsys):
    """An accounting identity, not queueing theory: the resources' time-weighted monitors (how many
    wait, how many are being worked on) against the addresses' own waiting and working times
    (L = lambda W over the same run, so it holds to 1e-9 when both books are kept right)."""
    loaded = load_scenario("basis")  # the shipped library, from any folder
    r = run_scenario(loaded.scenario, load_population(loaded))
    assert r.scenario.measures.active() == []  # no route or hand-over around the lines
    end = r.end_time
    planvorming_start = np.fmin.reduce(r.started[:, S_VOORBEREIDEN:S_UITVOERING], axis=1)
    lines = {  # resource -> (joined the line, got the slot, gave it back) per address
        "opnamecapaciteit": (r.queued[:, S_OPNAME], r.started[:, S_OPNAME], r.ended[:, S_OPNAME]),
        "ingenieursbureaus": (r.queued[:, S_BEOORDELING], r.started[:, S_BEOORDELING],
                              r.ended[:, S_BEOORDELING]),
        "planvorming": (r.queued[:, S_VOORBEREIDEN], planvorming_start, r.ended[:, S_UITVOERING - 1]),
        "bouwcapaciteit": (r.queued[:, S_UITVOERING], r.started[:, S_UITVOERING], r.ended[:, S_UITVOERING]),
    }
    for name, (joined, got, done) in lines.items():
        monitor = r.monitors[name]
        waiting_l = _time_average(monitor, 3, 0.0, end)
        if name == "bouwcapaciteit":  # addresses held up by a missing wisselwoning wait in this line too
            waiting_l += _time_average(r.monitors["wisselwoningen"], 3, 0.0, end)
        busy_l = _time_average(monitor, 1, 0.0, end)
        went = ~np.isnan(got)
        wait = np.clip(got[went], 0, end) - np.clip(joined[went], 0, end)
        work = np.clip(done[went], 0, end) - np.clip(got[went], 0, end)
        rate = went.sum() / end  # throughput, addresses a day
        with capsys.disabled():
            print(f"\nLittle {name}: waiting L {waiting_l:.4f} vs lambda W {rate * wait.mean():.4f}; "
                  f"in work L {busy_l:.4f} vs lambda W {rate * work.mean():.4f} "
                  f"({went.sum()} addresses, {end:.0f} days)")
        assert waiting_l == pytest.approx(rate * wait.mean(), rel=1e-9)
        assert busy_l == pytest.approx(rate * work.mean(), rel=1e-9)
