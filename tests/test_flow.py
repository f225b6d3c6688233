"""The flow model (versterking.engine.flow) against the simulation on every shipped scenario, and its
own bookkeeping. The tolerances are what docs/background/flow-model.md states; the model seeds terug
redeneren and previews what-ifs, so an error here misleads a search, not a forecast."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from click.testing import CliRunner
from invariants import check_all

from versterking import library, load_population, load_scenario
from versterking.calendar import days_since
from versterking.cli import main
from versterking.domain import MILESTONES, VOLTOOID
from versterking.engine.flow import flow
from versterking.engine.run import run_scenario
from versterking.runs.seeds import replication_seed
from versterking.runs.tables import share_done_day

YEARS_AT = {50: 1.5, 95: 2.0, 100: 2.5}  # |flow - simulation| in years, per share voltooid
POINTS = 0.04                              # each milestone reached at every year end, share of the opgave


def simulated(loaded):
    sc = loaded.scenario
    return run_scenario(sc.model_copy(update={"seed": replication_seed(sc.seed, 0)}), load_population(loaded))


@pytest.mark.slow
@pytest.mark.no_cover  # whole-opgave runs: numbers, not code paths
@pytest.mark.parametrize("loaded", library(), ids=lambda item: item.scenario.name)
def test_every_shipped_scenario_finishes_holds_the_invariants_and_the_flow_model_agrees(loaded):
    """One simulation per shipped scenario (replication 0's seed) serves three checks, so that the
    suite runs each whole opgave once: in a forecast everyone taking part reaches voltooid before the
    horizon (one that stops there reports "na de horizon" instead of an end date); the invariants of
    test_invariants.py hold on the embedded werkvoorraad with the shipped measures; and the flow model
    agrees with the simulation within what docs/background/flow-model.md states."""
    sc = loaded.scenario
    f = flow(sc, load_population(loaded))
    r = simulated(loaded)
    if sc.horizon > date(2030, 1, 1):  # a forecast, not a replay of history that stops in 2020 or 2024
        assert not np.isnan(r.reached[r.takes_part, VOLTOOID]).any()  # of those taking part
    check_all(r)
    done = r.reached[:, VOLTOOID]
    assert f.total.sum() == pytest.approx(len(done))
    if not np.isnan(share_done_day(done, 50)):  # the replays end before half is done
        for pct, tolerance in YEARS_AT.items():
            approx, sim = f.done_day(pct), share_done_day(done, pct)
            assert np.isnan(approx) == np.isnan(sim), pct  # owners who do not take part: 100% never comes
            if not np.isnan(sim):
                assert abs(approx - sim) / 365.25 <= tolerance, pct
    last = min(sc.horizon, date(sc.start.year + 80, 12, 31))
    for year in range(sc.start.year, last.year + 1):
        day = min(days_since(sc.start, date(year, 12, 31)), days_since(sc.start, sc.horizon))
        for k, milestone in enumerate(MILESTONES[1:], start=1):
            sim = np.sum(r.reached[:, k] <= day) / len(done)
            approx = f.at(day)[k].sum() / f.total.sum()
            assert abs(approx - sim) <= POINTS, (year, milestone, approx, sim)


@pytest.fixture(scope="module")
def basis():
    loaded = load_scenario("basis")
    return loaded.scenario, load_population(loaded)


def test_counts_only_grow_and_never_exceed_the_opgave(basis):
    sc, population = basis
    f = flow(sc, population)
    assert np.all(np.diff(f.reached, axis=0) >= -1e-9)
    assert np.all(f.reached <= f.total[None, None, :] + 1e-6)
    # each milestone is reached by no more than reached the one before it, voltooid aside
    assert np.all(np.diff(f.reached[:, 1:VOLTOOID].sum(axis=2), axis=1) <= 1e-6)
    assert f.reached[-1, VOLTOOID].sum() == pytest.approx(len(population), abs=0.5)


def test_the_builders_pace_is_their_slots_over_the_duration(basis):
    """Little's law: with the builders the only line that binds, uitvoering starts at slots / mean
    duration a day."""
    sc, population = basis
    f = flow(sc, population)
    slots, days = 309, sc.durations.uitvoering.mean
    t0, t1 = days_since(sc.start, date(2040, 1, 1)), days_since(sc.start, date(2060, 1, 1))
    per_year = (f.at(t1)[VOLTOOID].sum() - f.at(t0)[VOLTOOID].sum()) / 20
    assert per_year == pytest.approx(slots * 365.25 / days, rel=0.02)


def test_risk_first_serves_p50_before_grijs_and_fifo_does_not(basis):
    sc, population = basis
    risk = flow(sc, population)
    fifo = flow(sc.model_copy(update={"service_order": ["waiting"]}), population)
    assert risk.done_day(100, "P50") < risk.done_day(100, "grijs") - 20 * 365
    assert fifo.done_day(100, "P50") > risk.done_day(100, "P50") + 10 * 365


def test_more_builders_finish_sooner_and_the_same_input_gives_the_same_days(basis):
    sc, population = basis
    builders = sc.resources.bouwcapaciteit.model_copy(update={"factor": 2.0})
    faster = sc.model_copy(update={"resources": sc.resources.model_copy(update={"bouwcapaciteit": builders})})
    assert flow(faster, population).done_day(100) < flow(sc, population).done_day(100) - 20 * 365
    again = load_scenario("basis")  # the same input, loaded and built anew: the same days to the bit
    assert np.array_equal(flow(again.scenario, load_population(again)).reached, flow(sc, population).reached)


def test_run_preview_prints_a_labelled_approximation_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["run", "basis", "--preview"])
    assert result.exit_code == 0, result.output
    assert "BENADERING met het stroommodel" in result.output and "geen voorspelling" in result.output
    assert "100% op " in result.output and "voltooid eind jaar: 2020" in result.output
    assert not list(tmp_path.iterdir())
