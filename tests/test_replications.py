"""Replications: percentiles over independent runs, identical for any number of workers or backend."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import invoke, variant

from versterking.cli import main
from versterking.runs import backends as engine
from versterking.runs.aggregate import Cube, Layout, Stack
from versterking.runs.backends import run_tasks
from versterking.runs.seeds import replication_seed

FOLDER_CSVS = ["milestones_quarterly.csv", "production_quarterly.csv", "end_dates.csv", "adressen.csv",
               "clusters.csv", "step_durations.csv", "resources_quarterly.csv", "bottlenecks.csv",
               "per_replicatie.csv"]



def _square(task, shared):
    return task * task + shared


def test_tasks_come_back_with_their_index_for_any_number_of_workers():
    serial = dict(run_tasks(_square, list(range(7)), 10, workers=1))
    parallel = dict(run_tasks(_square, list(range(7)), 10, workers=2))
    assert serial == parallel == {i: i * i + 10 for i in range(7)}
    assert list(run_tasks(_square, [], 0)) == []


def test_replication_seeds_are_distinct_and_fixed():
    seeds = [replication_seed(20200717, r) for r in range(200)]
    assert seeds[0] == 20200717 and len(set(seeds)) == 200
    assert all(0 <= s < 2**63 for s in seeds)
    # pinned: a reviewer reproduces replication r of an old run with a newer version
    assert (seeds[1], seeds[2], seeds[199]) == (3485604392514251950, 6919479335056556220, 398484582786312258)
    assert replication_seed(7, 1) == 7771707182580296983


def test_the_root_seed_of_the_run_decides_not_the_scenarios_own(small):
    """Two scenarios that differ only in `seed`, run side by side under one root seed, give identical
    replications: every replication is seeded from the run's root seed (common random numbers)."""
    from versterking import compare, load_scenario, run

    other = variant(small, "ander-zaad", "seed = 99\n")
    c = compare([load_scenario(small), load_scenario(other)], 3, seed=11)
    rows = c.per_replication
    mine, theirs = (rows[rows["scenario"] == name].drop(columns="scenario").reset_index(drop=True)
                    for name in ("klein", "ander-zaad"))
    assert set(mine["replicatie"]) == {0, 1, 2}
    assert set(mine["seed"]) == {replication_seed(11, r) for r in range(3)}
    pd.testing.assert_frame_equal(mine, theirs)
    a, b = run(small, replications=3, seed=11), run(other, replications=3, seed=11)
    assert a.seeds == b.seeds == [replication_seed(11, r) for r in range(3)]
    pd.testing.assert_frame_equal(a.tables.end_dates, b.tables.end_dates)
    own = run(small, replications=3)  # without a root seed: the scenario's own
    assert own.seeds[0] == 7 and own.seeds[1] == replication_seed(7, 1)


def _cube(days: list[float], times: int) -> Cube:
    t = pd.DataFrame({"kwartaal": [f"Q{i}" for i in range(times)]})
    values = np.array(days[:times], float).reshape(times, 1, 1)
    return Cube(t, pd.DataFrame({"groep": ["a"]}), ["x"], values)


def test_a_shorter_replication_holds_its_last_state_or_stops_flowing():
    state, flow = Stack(Layout(("kwartaal",), ("groep",), after_end="last")), \
        Stack(Layout(("kwartaal",), ("groep",), after_end="zero"))
    for stack in (state, flow):
        stack.put(0, _cube([1, 2, 3], 3))
        stack.put(1, _cube([5], 1))
    s = state.statistics().pivot(index="kwartaal", columns="statistiek", values="x")
    f = flow.statistics().pivot(index="kwartaal", columns="statistiek", values="x")
    assert list(s.index) == ["Q0", "Q1", "Q2"]  # the longest run's axis
    assert s.loc["Q2", "gemiddeld"] == 4.0 and s.loc["Q2", "P10"] == 3.0 and s.loc["Q2", "P90"] == 5.0
    assert f.loc["Q2", "gemiddeld"] == 1.5 and f.loc["Q2", "P10"] == 0.0


def test_not_reached_counts_as_later_than_any_date():
    stack = Stack(Layout((), ("groep",), missing="late"))
    for r, value in enumerate([10.0, np.nan, 30.0, np.nan, np.nan]):
        stack.put(r, Cube(pd.DataFrame(index=[0]), pd.DataFrame({"groep": ["a"]}), ["x"],
                          np.array([[[value]]])))
    out = stack.statistics().set_index("statistiek")["x"]
    assert out["P10"] == 10.0 and np.isnan(out["P50"]) and np.isnan(out["gemiddeld"])


@pytest.fixture
def folders(small, tmp_path_factory):
    """The small scenario, 6 replications, run serially and on 2 processes."""
    base = tmp_path_factory.mktemp("reps")
    for workers in (1, 2):
        result = invoke("run", small, "--replications", 6, "--workers", workers, "--events",
                        "--out", base / f"w{workers}")
        assert result.exit_code == 0, result.output
    return base


def test_results_do_not_depend_on_the_number_of_workers(folders):
    for name in FOLDER_CSVS:
        assert (folders / "w1" / name).read_bytes() == (folders / "w2" / name).read_bytes(), name


def test_percentiles_are_those_of_the_replications(folders):
    ends = pd.read_csv(folders / "w1" / "end_dates.csv").set_index(["groep", "statistiek"])
    per = pd.read_csv(folders / "w1" / "per_replicatie.csv")
    done = per[per["maatstaf"] == "100% voltooid"].sort_values("waarde")
    assert len(done) == 6 and list(per["seed"].unique()) == [replication_seed(7, r) for r in range(6)]
    # inverted CDF: P50 of 6 is the 3rd smallest, P90 the 6th
    assert ends.loc[("totaal", "P50"), "100% voltooid"] == done["datum"].iloc[2]
    assert ends.loc[("totaal", "P90"), "100% voltooid"] == done["datum"].iloc[5]
    m = pd.read_csv(folders / "w1" / "milestones_quarterly.csv")
    assert set(m["statistiek"]) == {"gemiddeld", "P10", "P50", "P90"}
    totals = m[(m["niveau"] == "totaal") & (m["statistiek"] == "gemiddeld")]["totaal"]
    assert np.allclose(totals, 80)


def test_replication_zero_is_the_single_run(folders, small):
    single = folders / "single"
    assert invoke("run", small, "--replications", 1, "--out", single).exit_code == 0
    one = pd.read_csv(single / "end_dates.csv").set_index("groep")
    per = pd.read_csv(folders / "w1" / "per_replicatie.csv")
    first = per[(per["replicatie"] == 0)].set_index("maatstaf")["datum"]
    assert first["95% voltooid"] == one.loc["totaal", "95% voltooid"]
    assert first["100% voltooid P90"] == one.loc["P90", "100% voltooid"]
    events = pd.read_parquet(folders / "w1" / "events.parquet")
    assert events.equals(pd.read_parquet(single / "events.parquet"))


def test_manifest_lists_the_seeds_and_the_run_prints_the_spread(folders, small):
    manifest = json.loads((folders / "w2" / "manifest.json").read_text())
    assert manifest["replications"] == 6 and manifest["seeds"][0] == 7 and len(manifest["seeds"]) == 6
    assert "events.parquet" in manifest["outputs"]
    text = (folders / "w2" / "summary.txt").read_text()
    assert "6 replicaties" in text and "P50 (P10 - P90)" in text


def test_without_events_flag_no_event_log(small, tmp_path):
    assert invoke("run", small, "--replications", 3, "--out", tmp_path / "o").exit_code == 0
    assert not (tmp_path / "o" / "events.parquet").exists()


def test_unreachable_scheduler_is_a_clear_error(small, tmp_path, monkeypatch):
    monkeypatch.setattr(engine, "CONNECT_SECONDS", 1)
    result = CliRunner().invoke(main, ["run", str(small), "--replications", 2, "--scheduler",
                                       "tcp://127.0.0.1:9", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "cannot reach the Dask scheduler" in result.output
    assert not (tmp_path / "o").exists()


@pytest.mark.slow
def test_dask_local_cluster_gives_the_serial_results(folders, small, tmp_path):
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None,
                      processes=True) as cluster:
        result = invoke("run", small, "--replications", 6, "--events", "--scheduler",
                        cluster.scheduler_address, "--out", tmp_path / "dask")
        assert result.exit_code == 0, result.output
        shorter = variant(small, "kort", "")
        compared = invoke("compare", small, shorter, "--replications", 3, "--scheduler",
                          cluster.scheduler_address, "--out", tmp_path / "cmp")
        assert compared.exit_code == 0, compared.output
        swept = invoke("sweep", small, "--vary", "resources.bouwcapaciteit.factor=1,2", "--replications",
                       3, "--scheduler", cluster.scheduler_address, "--out", tmp_path / "sw",
                       "--cache", tmp_path / "c1")
        assert swept.exit_code == 0, swept.output
    for name in FOLDER_CSVS:
        assert (folders / "w1" / name).read_bytes() == (tmp_path / "dask" / name).read_bytes(), name
    assert pd.read_parquet(tmp_path / "dask" / "events.parquet").equals(
        pd.read_parquet(folders / "w1" / "events.parquet"))
    local = invoke("compare", small, shorter, "--replications", 3, "--workers", 1, "--out", tmp_path / "l")
    assert local.exit_code == 0
    for name in ("vergelijking.csv", "per_replicatie.csv"):
        assert (tmp_path / "l" / name).read_bytes() == (tmp_path / "cmp" / name).read_bytes()
    local = invoke("sweep", small, "--vary", "resources.bouwcapaciteit.factor=1,2", "--replications", 3,
                   "--workers", 2, "--out", tmp_path / "sl", "--cache", tmp_path / "c2")
    assert local.exit_code == 0
    assert (tmp_path / "sl" / "sweep.csv").read_bytes() == (tmp_path / "sw" / "sweep.csv").read_bytes()
