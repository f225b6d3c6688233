"""Sweeps: a grid of variants as one tidy table, resumed from the cache without redoing points."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import invoke

from versterking.engine.schedules import capacity_changes
from versterking.inputs.blocks import Resource
from versterking.runs import sweep as sweep_module

AXES = ["--vary", "resources.bouwcapaciteit.factor=1,2", "--vary", "resources.wisselwoningen.capacity=1,4"]


def sweep(small, out, *extra):
    return invoke("sweep", small, *AXES, "--replications", 3, "--workers", 1, "--out", out,
                  "--cache", small.parent / "cache", *extra)


@pytest.fixture
def counted(monkeypatch):
    """Counts the replications the sweep actually runs (serially, in this process)."""
    calls = []
    real = sweep_module.summarise

    def summarise(r, replication):
        calls.append(replication.label)
        return real(r, replication)

    monkeypatch.setattr(sweep_module, "summarise", summarise)
    return calls


def test_factor_multiplies_the_whole_schedule():
    start = pd.Timestamp("2020-01-01").date()
    steps = [{"from": "2020-01-01", "value": 10}, {"from": "2021-01-01", "value": 20}]
    plain = capacity_changes(Resource(capacity=steps), start)
    assert [(t, 2 * v) for t, v in plain] == capacity_changes(Resource(capacity=steps, factor=2), start)
    ramp = [{"from": "2020-01-01", "value": 10}, {"from": "2021-01-01", "to": "2021-01-05", "value": 20}]
    assert capacity_changes(Resource(capacity=ramp, factor=2), start)[-1] == (370.0, 40)
    assert capacity_changes(Resource(capacity=3, factor=1.5), start) == [(0.0, 4)]


def test_tidy_table_per_point_and_measure(small, counted):
    result = sweep(small, small.parent / "s")
    assert result.exit_code == 0, result.output
    table = pd.read_parquet(small.parent / "s" / "sweep.parquet")
    assert sorted(table["punt"].unique()) == [0, 1, 2, 3]
    points = table.drop_duplicates("punt").set_index("punt")
    assert points.loc[3, "resources.bouwcapaciteit.factor"] == 2
    assert points.loc[3, "resources.wisselwoningen.capacity"] == 4
    assert {"maatstaf", "gemiddeld", "P10", "P50", "P90", "P50 datum", "na_horizon"} <= set(table.columns)
    assert len(counted) == 4 * 3
    assert "4 punten x 3 replicaties" in result.output and "0 punt(en) uit de cache" in result.output


def test_a_point_is_the_scenario_run_with_those_values(small, tmp_path):
    assert sweep(small, tmp_path / "s").exit_code == 0
    table = pd.read_parquet(tmp_path / "s" / "sweep.parquet")
    point = table[(table["punt"] == 3) & (table["maatstaf"] == "100% voltooid")].iloc[0]
    variant = small.parent / "v.toml"
    variant.write_text('extends = "base.toml"\n[resources.bouwcapaciteit]\nfactor = 2\n'
                       '[resources.wisselwoningen]\ncapacity = 4\n')
    assert invoke("run", variant, "--replications", 3, "--out", tmp_path / "r").exit_code == 0
    ends = pd.read_csv(tmp_path / "r" / "end_dates.csv").set_index(["groep", "statistiek"])
    assert str(point["P50 datum"]) == ends.loc[("totaal", "P50"), "100% voltooid"]
    assert str(point["P90 datum"]) == ends.loc[("totaal", "P90"), "100% voltooid"]


def test_resumed_sweep_redoes_nothing_and_gives_the_same_table(small, tmp_path, counted):
    assert sweep(small, tmp_path / "whole").exit_code == 0
    whole = pd.read_parquet(tmp_path / "whole" / "sweep.parquet")
    # an interruption after two points: only their cache files exist
    cache = sorted((small.parent / "cache").glob("*.parquet"))
    assert len(cache) == 4
    for path in cache[2:]:
        path.unlink()
    counted.clear()
    result = sweep(small, tmp_path / "resumed")
    assert result.exit_code == 0 and "2 punt(en) uit de cache" in result.output
    assert len(counted) == 2 * 3
    manifest = json.loads((tmp_path / "resumed" / "manifest.json").read_text())
    assert sum(p["uit_cache"] for p in manifest["points"]) == 2
    pd.testing.assert_frame_equal(whole, pd.read_parquet(tmp_path / "resumed" / "sweep.parquet"))


def test_a_changed_scenario_does_not_reuse_the_cache(small, tmp_path, counted):
    assert sweep(small, tmp_path / "a").exit_code == 0
    small.write_text(small.read_text().replace("capacity = 3", "capacity = 2", 1))
    counted.clear()
    assert sweep(small, tmp_path / "b").exit_code == 0
    assert len(counted) == 4 * 3


def test_existing_results_need_force(small, tmp_path):
    assert sweep(small, tmp_path / "s").exit_code == 0
    again = sweep(small, tmp_path / "s")
    assert again.exit_code == 2 and "results folder exists" in again.output
    assert sweep(small, tmp_path / "s", "--force").exit_code == 0


@pytest.mark.parametrize(("axis", "message"), [
    ("resources.bouwcapaciteit.factr=1,2", "--vary: resources.bouwcapaciteit.factr: unknown key; allowed:"),
    ("resources.bouwcapaciteit.factor=-1", "--vary: resources.bouwcapaciteit.factor: Input should be"),
    ("resources.bouwcapaciteit.factor", "expected KEY=VALUE,VALUE"),
    ("resources.bouwcapaciteit.factor=1,,2", "values must be TOML values"),
    ("resources.bouwcapaciteit.factor=1,1", "distinct values"),
])
def test_bad_axis_is_one_line_exit_2_and_nothing_written(small, tmp_path, axis, message):
    result = invoke("sweep", small, "--vary", axis, "--out", tmp_path / "s", "--cache", tmp_path / "c")
    assert result.exit_code == 2, result.output
    assert result.output.count("\n") == 1 and message in result.output
    assert not (tmp_path / "s").exists() and not (tmp_path / "c").exists()
