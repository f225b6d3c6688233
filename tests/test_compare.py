"""`versterking compare`: common random numbers, the table, attribution, and the shipped library."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import run, variant

from versterking import domain, load_population, load_scenario, run_scenario
from versterking.cli import main
from versterking.runs.seeds import replication_seed

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


def last_done(r) -> float:
    return float(np.nanmax(r.reached[:, domain.VOLTOOID]))


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("resource", ["opnamecapaciteit", "ingenieursbureaus", "planvorming",
                                      "bouwcapaciteit", "wisselwoningen"])
def test_more_capacity_never_makes_the_forecast_later(small, resource, seed):
    """Under common random numbers (same seed, same addresses), extra capacity of any one resource
    finishes the opgave no later."""
    base = variant(small, f"s{seed}", f"seed = {seed}\n")
    more = variant(base, f"meer-{resource}-{seed}", f"[resources.{resource}]\ncapacity = 20\n")
    before, after = run(base), run(more)
    assert last_done(after) <= last_done(before)


def test_replication_zero_is_the_scenarios_own_seed():
    assert replication_seed(42, 0) == 42
    seeds = [replication_seed(42, r) for r in range(1, 50)]
    assert len(set(seeds)) == 49 and all(0 <= s < 2**63 for s in seeds)


TWO_MEASURES = """
[measures.npr_2020]
from = 2021-01-01
meets_norm = { P50 = 0.5, P90 = 0.5, grijs = 0.5 }
uitvoering_factor = 0.8

[measures.bouwimpuls]
capacity = [{ from = 2021-01-01, value = 4 }]
preparation = { dist = "fixed", value = 30 }
"""


def compare(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["compare", *args])
    return result.exit_code, result.output


def test_compare_table_is_paired_and_independent_of_workers(small, tmp_path):
    faster = variant(small, "sneller", TWO_MEASURES)
    outs = []
    for workers in (1, 2):
        out = tmp_path / f"cmp{workers}"
        code, text = compare([str(small), str(faster), "--replications", "3", "--workers", str(workers),
                              "--attribution", "--out", str(out), "--no-progress"])
        assert code == 0, text
        outs.append(out)
    for name in ("vergelijking.csv", "per_replicatie.csv", "knelpunten.csv", "attributie-sneller.csv"):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name
    assert "sneller" in text and "jr)" in text and "wat elke maatregel oplevert" in text
    table = pd.read_csv(outs[0] / "vergelijking.csv")
    long = pd.read_csv(outs[0] / "per_replicatie.csv")
    # the difference is paired: median of per-replication differences, from the long table
    metric = "100% voltooid"
    wide = long[long["maatstaf"] == metric].pivot(index="replicatie", columns="scenario", values="waarde")
    row = table[(table["maatstaf"] == metric) & (table["scenario"] == "sneller")].iloc[0]
    assert row["verschil_P50"] == np.quantile(wide["sneller"] - wide["klein"], 0.5, method="inverted_cdf")
    # replication 0 is a plain run of each scenario with its own seed
    r = run(faster)
    day0 = wide.loc[0, "sneller"]
    assert day0 == pytest.approx(np.floor(np.nanmax(r.reached[:, domain.VOLTOOID])), abs=1)
    manifest = json.loads((outs[0] / "manifest.json").read_text())
    assert manifest["seeds"][0] == 7 and len(manifest["seeds"]) == 3
    assert [s["name"] for s in manifest["scenarios"]] == ["klein", "sneller"]
    # attribution: both measures, alone and as the last one, and all together
    attr = pd.read_csv(outs[0] / "attributie-sneller.csv")
    assert set(attr["maatregel"]) == {"npr_2020", "bouwimpuls", "alle samen", "som van los",
                                      "wisselwerking (samen - som)"}
    together = attr[(attr["maatregel"] == "alle samen") & (attr["maatstaf"] == metric)].iloc[0]
    assert together["winst alleen (jaar)"] == pytest.approx(-row["verschil_P50"] / 365.25, abs=1e-4)


def test_compare_refuses_to_overwrite_and_names_a_bad_file(small, tmp_path):
    out = tmp_path / "uit"
    out.mkdir()
    code, text = compare([str(small), str(small), "--out", str(out)])
    assert code == 2 and "two compared scenarios" in text
    other = variant(small, "ander", "")
    code, text = compare([str(small), str(other), "--out", str(out)])
    assert code == 2 and "exists" in text
    late = variant(small, "later", "start = 2021-01-01\n")
    code, text = compare([str(small), str(late), "--out", str(tmp_path / "nieuw")])
    assert code == 2 and str(late) in text and "same day" in text and not (tmp_path / "nieuw").exists()


# the forecasts; the two replays of history (the calibration's) are tested in test_calibration
LIBRARY = sorted(p for p in SCENARIOS.glob("*.toml")
                 if p.name not in ("replay-2018.toml", "gekalibreerd.toml"))


@pytest.mark.parametrize("path", LIBRARY, ids=[p.stem for p in LIBRARY])
def test_every_shipped_scenario_loads_and_runs(path):
    """Two years of each (the full opgave runs in CI through the README command); every number in
    the file is cited: each file opens with a comment saying what it represents."""
    loaded = load_scenario(path)
    sc = loaded.scenario
    assert path.read_text(encoding="utf-8").startswith("# ")
    short = sc.model_copy(update={"horizon": date(sc.start.year + 2, sc.start.month, 1)})
    r = run_scenario(short, load_population(loaded))
    moved = ~np.isnan(r.started).all(axis=1)
    assert moved.sum() > 1000
    assert (r.reached[:, domain.VOLTOOID] >= 0).sum() > (r.held == domain.VOLTOOID).sum()


def test_library_scenarios_extend_one_another():
    names = {p.stem for p in LIBRARY}
    assert {"basis", "plan-2020", "versnellingspakket", "versnellingspakket-vertraagd",
            "crisisaanpak"} <= names
    for path in LIBRARY:
        text = path.read_text(encoding="utf-8")
        assert "extends = " in text and len(text.splitlines()) < 130, path.name


@pytest.mark.slow
@pytest.mark.parametrize("path", LIBRARY, ids=[p.stem for p in LIBRARY])
def test_every_shipped_forecast_finishes_before_its_horizon(path):
    """A forecast that stops at its horizon reports "na de horizon" instead of an end date."""
    loaded = load_scenario(path)
    r = run_scenario(loaded.scenario, load_population(loaded))
    assert not np.isnan(r.reached[:, domain.VOLTOOID]).any()
