"""`versterking sensitivity` on the small scenario: the parameters that bind lead the ranking, the
run count is what the design says, the same seed gives the same table, and the folder is whole."""

from __future__ import annotations

import pandas as pd
from click.testing import CliRunner
from conftest import variant

from versterking import load_scenario
from versterking.analyses.sensitivity import parameters, sensitivity, varied
from versterking.cli import main


def test_a_resource_that_binds_leads_and_one_with_room_does_nothing(small):
    """Bouwcapaciteit 5 slots (4 or 6 when varied), everything else plentiful: the builders, the
    uitvoering and how many addresses need it decide."""
    path = variant(small, "bouw", "[resources.bouwcapaciteit]\ncapacity = 5\n"
                                  "[resources.opnamecapaciteit]\ncapacity = 50\n"
                                  "[resources.ingenieursbureaus]\ncapacity = 50\n"
                                  "[resources.planvorming]\ncapacity = 50\n"
                                  "[resources.wisselwoningen]\ncapacity = 50\n")
    loaded = load_scenario(path)
    s = sensitivity(loaded, replications=2, trajectories=3, morris_replications=1, workers=1)
    k = len(parameters())
    assert s.runs == (2 * k + 1) * 2 + 3 * (k + 1) * 1
    top = set(s.one_at_a_time["parameter"].head(3))  # with how many need uitvoering (meets_norm)
    assert {"capaciteit bouwcapaciteit", "duur uitvoering"} <= top
    oat = s.one_at_a_time.set_index("parameter")
    assert oat.loc["capaciteit opnamecapaciteit", "uitslag (dagen)"] == 0  # 40 or 60 slots: no queue
    bouw = oat.loc["capaciteit bouwcapaciteit"]
    assert bouw["dag laag"] > s.base > bouw["dag hoog"]  # fewer builders: later
    assert s.morris.iloc[0]["parameter"] in top
    assert set(s.bottlenecks["knelpunt"]) <= {"bouwcapaciteit", "geen"}
    again = sensitivity(loaded, replications=2, trajectories=3, morris_replications=1, workers=2)
    pd.testing.assert_frame_equal(s.morris, again.morris)  # same seed, any number of workers


def test_varied_scales_capacity_durations_and_keeps_shares_within_one(small):
    sc = load_scenario(small).scenario
    v = varied(sc, {"capaciteit planvorming": 2.0, "duur uitvoering": 1.5, "aandeel meets_norm": 4.0})
    assert v.resources.planvorming.factor == 2.0 and v.durations.uitvoering.value == 135.0
    assert v.shares.meets_norm.grijs == 1.0 and v.shares.meets_norm.P50 == 0.4


def test_cli_writes_figures_and_tables(small, tmp_path):
    out = tmp_path / "gevoelig"
    args = ["--replications", "1", "--trajectories", "2", "--morris-replications", "1", "--workers", "1"]
    result = CliRunner().invoke(main, ["sensitivity", str(small), *args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} == {"een_voor_een.csv", "morris.csv", "knelpunten.csv",
                                               "tornado.png", "morris.png", "summary.txt", "manifest.json",
                                               ".versterking-files"}
    assert "modelruns" in result.output and "knelpunt per jaar" in result.output
