"""`versterking compare`: common random numbers, the table, attribution, and the shipped library."""

from __future__ import annotations

import json
import re
from datetime import date
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import run, variant

from versterking import domain, load_population, load_scenario, run_scenario
from versterking.cli import main
from versterking.inputs.notes import commented_keys
from versterking.runs.comparison import compare as compare_api
from versterking.runs.comparison import compared_variants
from versterking.runs.seeds import replication_seed

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


def last_done(r) -> float:
    return float(np.nanmax(r.reached[:, domain.VOLTOOID]))


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("resource", ["opnamecapaciteit", "ingenieursbureaus", "planvorming",
                                      "bouwcapaciteit", "wisselwoningen"])
def test_twenty_slots_of_one_resource_finish_the_small_scenario_no_later(small, resource, seed):
    """A regression check on these 15 fixed cases (the small scenario, seeds 1 - 3, one resource
    raised to 20 slots, common random numbers), not a law: in a chain more capacity upstream can
    finish later (test_invariants.py::test_more_capacity_upstream_can_delay_the_last_address); the
    law for one step is test_invariants.py::test_one_step_fifo_more_capacity_never_makes_an_address_later."""
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


def test_a_progress_function_hears_of_every_run_the_comparison_announces(small):
    """The web app's bar: its total is what compared_variants says, and the runs tick it to the end."""
    loaded = [load_scenario(small), load_scenario(variant(small, "sneller", TWO_MEASURES))]
    ticks = []
    compare_api(loaded, 2, attribution=True, workers=1, progress=ticks.append)
    # klein has no measures; sneller: itself, none, each of two alone and each left out
    assert len(compared_variants([item.scenario for item in loaded], True)) == 2 + 5
    assert sum(ticks) == 2 * 7


def test_attribution_equals_the_gains_of_separate_runs(small, tmp_path):
    """Each gain in attributie-<name>.csv is what separate `versterking run`s of hand-written files
    give (same seed and replications, so the same luck): alone = no measures minus that measure
    alone, as the last = all but that measure minus all, in years, P50 over the replications."""
    files = {"geen": small,
             "alleen npr_2020": variant(small, "npr", TWO_MEASURES.split("[measures.bouwimpuls]")[0]),
             "alleen bouwimpuls": variant(small, "impuls", "[measures.bouwimpuls]"
                                          + TWO_MEASURES.split("[measures.bouwimpuls]")[1]),
             "alle": variant(small, "sneller", TWO_MEASURES)}
    code, text = compare([str(small), str(files["alle"]), "--replications", "5", "--workers", "1",
                          "--attribution", "--out", str(tmp_path / "cmp"), "--no-progress"])
    assert code == 0, text
    days = {}
    for label, path in files.items():
        out = tmp_path / label.replace(" ", "-")
        result = CliRunner().invoke(main, ["run", str(path), "--replications", "5", "--workers", "1",
                                           "--out", str(out), "--no-progress"])
        assert result.exit_code == 0, result.output
        long = pd.read_csv(out / "per_replicatie.csv")
        days[label] = long.pivot_table(index="replicatie", columns="maatstaf", values="waarde")
    # without one of two measures is the other alone
    days["zonder npr_2020"], days["zonder bouwimpuls"] = days["alleen bouwimpuls"], days["alleen npr_2020"]
    attr = pd.read_csv(tmp_path / "cmp" / "attributie-sneller.csv").set_index(["maatstaf", "maatregel"])
    approx = partial(pytest.approx, abs=0.005)  # the table is in years to two decimals
    for metric in ("95% voltooid", "100% voltooid"):
        def gain(a, b, metric=metric):
            return np.quantile(days[a][metric] - days[b][metric], 0.5, method="inverted_cdf") / 365.25
        for m in ("npr_2020", "bouwimpuls"):
            assert attr.loc[(metric, m), "winst alleen (jaar)"] == approx(gain("geen", f"alleen {m}"))
            assert attr.loc[(metric, m), "winst als laatste (jaar)"] == approx(gain(f"zonder {m}", "alle"))
        assert attr.loc[(metric, "alle samen"), "winst alleen (jaar)"] == approx(gain("geen", "alle"))
    assert attr.loc[("100% voltooid", "alle samen"), "winst alleen (jaar)"] != 0
    gains = attr.loc["100% voltooid"].loc[["npr_2020", "bouwimpuls"]]
    # the two gains differ, so a swap of the columns would show
    assert (gains["winst alleen (jaar)"] - gains["winst als laatste (jaar)"]).abs().max() > 0.01


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


# the forecasts; the replays of history (the calibration's, 2018 - 2020 and 2020 - 2024) are tested in
# test_calibration
REPLAYS = ("replay-2018.toml", "gekalibreerd.toml", "replay-2020.toml", "historie-2020.toml")
LIBRARY = sorted(p for p in SCENARIOS.glob("*.toml") if p.name not in REPLAYS)


# what a comment must hold to cite a number: a source (a published document, its table or
# paragraph, the calibration on them, a seed document) or the word ASSUMPTION with its reasoning;
# a generated file's numbers are its command's answer, named in its header
SOURCE = re.compile(r"ASSUMPTION|SodM|tabel|par\.|seed 0\d\d|NCG|MJVP|LPA|calibrat|Little's law|DOMAIN"
                    r"|terug redeneren's (answer|plan)")
NUMBER = re.compile(r"(?<![\w.-])-?\d+(?:\.\d+)?(?:e-?\d+)?(?![\w-])")


def uncited_numbers(text: str) -> list[str]:
    """Keys whose value holds a number (dates and strings aside) with no source in the comments
    that go with the key (the web app's "bron" column: the block above it and the comment beside)."""
    out = []
    for key, value, comment in commented_keys(text):
        if key == "seed":  # the random numbers' start, a choice and not a claim about the world
            continue
        value = re.sub(r'"[^"]*"|\d{4}-\d{2}-\d{2}', "", value)
        if NUMBER.search(value) and not SOURCE.search(comment):
            out.append(key)
    return out


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.toml")), ids=lambda p: p.stem)
def test_every_number_in_a_shipped_scenario_is_cited(path):
    assert uncited_numbers(path.read_text(encoding="utf-8")) == []


def test_an_uncited_number_is_found():
    assert uncited_numbers("[resources.planvorming]\n# NCG's capacity\ncapacity = 40\n") == []
    assert uncited_numbers("[resources.planvorming]\n# more planners\ncapacity = 40\n") == [
        "resources.planvorming.capacity"]
    assert uncited_numbers('name = "p-2020"\nfrom = 2021-01-01\n') == []
    assert uncited_numbers("x = [\n  { from = 2021-01-01, value = 3 },  # ASSUMPTION: a guess\n]\n") == []
    assert uncited_numbers("x = { a = 0.5 }  # tabel\n\ny = { a = 0.5 }\n") == ["y"]
    # a citation goes with its own key, not with the one next to it
    assert uncited_numbers("x = 1  # tabel 2.1\ny = 2  # a guess\n") == ["y"]
    # a file's opening comment cites nothing
    assert uncited_numbers("# sources: SodM 2020\nx = 1\n") == ["x"]


@pytest.mark.parametrize("path", LIBRARY, ids=[p.stem for p in LIBRARY])
def test_every_shipped_scenario_loads_and_runs(path):
    """Two years of each (the whole opgave: test_every_shipped_forecast_finishes_before_its_horizon)."""
    loaded = load_scenario(path)
    sc = loaded.scenario
    short = sc.model_copy(update={"horizon": date(sc.start.year + 2, sc.start.month, 1)})
    r = run_scenario(short, load_population(loaded))
    moved = ~np.isnan(r.started).all(axis=1)
    assert moved.sum() > 1000
    assert (~np.isnan(r.reached[:, domain.VOLTOOID])).sum() > (r.held == domain.VOLTOOID).sum()


def test_library_scenarios_extend_one_another():
    names = {p.stem for p in LIBRARY}
    assert {"basis", "plan-2020", "versnellingspakket", "versnellingspakket-vertraagd",
            "crisisaanpak"} <= names
    for path in LIBRARY:
        text = path.read_text(encoding="utf-8")
        # short enough to read whole: every number with its source, or its range with the reasons
        # (a scenario from a later stand stands on its own: nothing of 2020 is known to be true then)
        assert "extends = " in text or 'source = "stand"' in text, path.name
        assert len(text.splitlines()) < 160, path.name
