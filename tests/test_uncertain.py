"""Uncertain parameters: a number of a scenario given as a distribution is drawn once per replication
(a Latin hypercube over the replications, one pinned stream per parameter), checked like any number,
recorded, and decomposed into what each contributes to the spread."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import versterking as vs
from versterking.cli import main
from versterking.errors import InputError
from versterking.runs import draws, spine
from versterking.runs.decomposition import REST, decompose, first_order

UNCERTAIN = """
extends = "base.toml"
name = "onzeker"
[resources.bouwcapaciteit]
capacity = { uncertain = "triangular", low = 2, mode = 4, high = 8, name = "bouwers" }
[shares]
meets_norm = { P50 = 0.1, P90 = { uncertain = "uniform", low = 0.0, high = 0.4 }, grijs = 0.3 }
"""


def write(folder, name: str, text: str):
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_range_of_zero_width_gives_the_same_numbers_as_the_number(small):
    """capacity = 2 and capacity = a triangle 2, 2, 2: byte for byte the same tables."""
    zero = write(small.parent, "nul.toml", 'extends = "base.toml"\nname = "klein"\n'
                 '[resources.wisselwoningen]\n'
                 'capacity = { uncertain = "triangular", low = 2, mode = 2, high = 2 }\n'
                 '[shares]\nwisselwoning = { particulier = { uncertain = "uniform", low = 0.3, high = 0.3 }, '
                 'corporatie = 0.6 }\n')
    plain, ranged = vs.run(small, replications=3, workers=1), vs.run(zero, replications=3, workers=1)
    assert len(ranged.scenario.uncertain) == 2 and ranged.drawn is not None
    for table in ("milestones", "end_dates", "production", "resources"):
        pd.testing.assert_frame_equal(getattr(plain.tables, table), getattr(ranged.tables, table))
    assert plain.per_replication["waarde"].equals(ranged.per_replication["waarde"])


def test_the_same_seed_gives_the_same_draws_and_another_seed_others(small):
    path = write(small.parent, "onzeker.toml", UNCERTAIN)
    sc = vs.load_scenario(path).scenario
    a, b = draws.uniforms(sc, 11, 30), draws.uniforms(sc, 11, 30)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a.to_numpy(), draws.uniforms(sc, 12, 30).to_numpy())
    assert list(a.columns) == ["bouwers", "shares.meets_norm.P90"]


@pytest.mark.parametrize("n", [1, 7, 50, 200])
def test_the_latin_hypercube_puts_one_draw_in_each_stratum(n):
    for name in ("a", "b"):
        u = draws.latin_hypercube(20200717, name, n)
        assert sorted(np.floor(u * n).astype(int)) == list(range(n))
    a, b = draws.latin_hypercube(1, "a", n), draws.latin_hypercube(1, "b", n)
    assert n == 1 or not np.allclose(a, b)  # each parameter its own order


def test_common_random_numbers_hold_across_scenarios_with_uncertain_parameters(small):
    """Replication i draws the same value of a parameter in every scenario that has it, whatever
    else the scenarios hold, and the same durations."""
    one = write(small.parent, "onzeker.toml", UNCERTAIN)
    other = write(small.parent, "ander.toml", UNCERTAIN.replace('name = "onzeker"', 'name = "ander"')
                  + '[resources.wisselwoningen]\ncapacity = { uncertain = "uniform", low = 1, high = 5 }\n')
    c = vs.compare([one, other], replications=6, workers=1)
    keys = ["scenario", "replicatie"]
    drawn = c.per_replication.drop_duplicates(keys).set_index(keys)
    for column in ("bouwers", "shares.meets_norm.P90"):
        assert drawn.loc["onzeker", column].tolist() == drawn.loc["ander", column].tolist()
    assert drawn.loc["onzeker", "resources.wisselwoningen.capacity"].isna().all()
    assert drawn.loc["ander", "resources.wisselwoningen.capacity"].between(1, 5).all()
    # the durations too: each replication's realised scenario runs with the replication's seed
    tasks = [*spine.replications(vs.load_scenario(one).scenario, 6, 5),
             *spine.replications(vs.load_scenario(other).scenario, 6, 5)]
    assert [t.scenario.seed for t in tasks[:6]] == [t.scenario.seed for t in tasks[6:]]
    assert [t.scenario.resources.bouwcapaciteit.capacity for t in tasks[:6]] == \
        [t.scenario.resources.bouwcapaciteit.capacity for t in tasks[6:]]


def test_each_replication_runs_with_its_drawn_values(small):
    path = write(small.parent, "onzeker.toml", UNCERTAIN)
    f = vs.run(path, replications=8, workers=1)
    builders = f.drawn["bouwers"]
    assert builders.between(2, 8).all() and (builders == builders.round()).all()  # whole bounds, whole slots
    assert f.drawn["shares.meets_norm.P90"].between(0, 0.4).all()
    per_rep = f.per_replication.drop_duplicates("replicatie")["bouwers"].to_numpy()
    assert (per_rep == builders.to_numpy()).all()
    # the run used them: replication 3 alone, with the number written in, gives the same end dates
    r = 3
    share = repr(float(f.drawn["shares.meets_norm.P90"][r]))
    fixed = write(small.parent, "vast.toml", UNCERTAIN.replace(
        '{ uncertain = "triangular", low = 2, mode = 4, high = 8, name = "bouwers" }', str(int(builders[r])))
        .replace('{ uncertain = "uniform", low = 0.0, high = 0.4 }', share))
    single = vs.run(fixed, replications=1, seed=f.seeds[r])
    ends = f.per_replication[(f.per_replication["replicatie"] == r)].set_index("maatstaf")["waarde"]
    assert ends["100% voltooid"] == pytest.approx(
        (pd.Timestamp(single.tables.end_dates.set_index("groep").loc["totaal", "100% voltooid"])
         - pd.Timestamp(f.scenario.start)).days)


def test_at_mode_runs_every_uncertain_number_at_its_mode(small):
    path = write(small.parent, "onzeker.toml", UNCERTAIN)
    at_mode = vs.run(path, replications=3, workers=1, at_mode=True)
    point = write(small.parent, "punt.toml", UNCERTAIN.replace(
        '{ uncertain = "triangular", low = 2, mode = 4, high = 8, name = "bouwers" }', "4").replace(
        '{ uncertain = "uniform", low = 0.0, high = 0.4 }', "0.2"))
    plain = vs.run(point, replications=3, workers=1)
    pd.testing.assert_frame_equal(at_mode.tables.end_dates, plain.tables.end_dates)
    assert at_mode.drawn is None and "spreiding: alleen de ruis" in vs.run_text(at_mode)


@pytest.mark.parametrize(("value", "message"), [
    ('{ uncertain = "triangular", low = 5, mode = 4, high = 8 }', "needs low <= mode <= high"),
    ('{ uncertain = "uniform", low = 8, high = 2 }', "needs low <= high"),
    ('{ uncertain = "gauss", low = 1, high = 2 }', "uncertain must be one of triangular, uniform, beta"),
    ('{ uncertain = "uniform", low = 1, hihg = 2 }', "unknown key; allowed: "),
])
def test_a_bad_distribution_is_one_line_naming_file_and_key(small, value, message):
    path = write(small.parent, "slecht.toml",
                 f'extends = "base.toml"\n[resources.bouwcapaciteit]\ncapacity = {value}\n')
    with pytest.raises(InputError) as err:
        vs.load_scenario(path)
    text = str(err.value)
    assert text.startswith(f"{path}: resources.bouwcapaciteit.capacity") and message in text
    assert "\n" not in text


def test_a_share_whose_range_leaves_0_1_is_refused(small):
    path = write(small.parent, "slecht.toml", 'extends = "base.toml"\n[shares]\nmeets_norm = { P50 = 0.1, '
                 'P90 = { uncertain = "triangular", low = 0.5, mode = 0.9, high = 1.2 }, grijs = 0.3 }\n')
    with pytest.raises(InputError, match=r"slecht.toml: shares.meets_norm.P90: .*less than or equal to 1 .*"
                                         r"at their high end"):
        vs.load_scenario(path)
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1


def test_the_draws_are_in_the_manifest_and_per_replicatie(small, tmp_path):
    path = write(small.parent, "onzeker.toml", UNCERTAIN)
    out = tmp_path / "uit"
    result = CliRunner().invoke(main, ["run", str(path), "--replications", "4", "--out", str(out),
                                       "--workers", "1", "--no-progress"])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())["uncertain"]
    assert [p["name"] for p in manifest["parameters"]] == ["bouwers", "shares.meets_norm.P90"]
    assert manifest["parameters"][0]["distribution"] == {"uncertain": "triangular", "name": "bouwers",
                                                         "low": 2, "mode": 4, "high": 8}
    table = pd.read_csv(out / "per_replicatie.csv")
    by_rep = table.drop_duplicates("replicatie").set_index("replicatie")
    assert by_rep["bouwers"].tolist() == manifest["values"]["bouwers"]
    assert "2 onzekere parameters" in result.output


def test_the_decomposition_recovers_known_first_order_indices():
    """y = 3 x1 + sqrt(3) x2 + noise (var 9/12, 3/12, noise 3/12): shares 0.6, 0.2, 0 and a rest of
    0.2; the margins narrow as replications are added."""
    margins = {}
    for n in (50, 400):
        u = pd.DataFrame({name: draws.latin_hypercube(3, name, n) for name in ("a", "b", "c")})
        noise = np.random.default_rng(0).normal(0, np.sqrt(3 / 12), n)
        y = 3 * u["a"] + np.sqrt(3) * u["b"] + noise
        shares, margins[n] = first_order(u.to_numpy(), y.to_numpy())
        assert shares == pytest.approx([0.6, 0.2, 0.0, 0.2], abs=0.08 if n == 400 else 0.15)
    assert (margins[400] < margins[50]).all()
    long = pd.DataFrame({"replicatie": range(n), "maatstaf": "100% voltooid", "waarde": y})
    table = decompose(long, u, horizon_day=1e9).set_index("bron")
    assert table.loc[REST, "aandeel"] == pytest.approx(0.2, abs=0.08)
    assert (table["replicaties"] == n).all()
    assert (table["nodig voor marge 0.05"] > n).all()  # the widest margin is above 0.05 at 400


def test_where_owners_stay_out_the_spread_is_of_the_day_the_others_are_done():
    """100% never comes (NaN in every replication: no spread to decompose); the day those taking part
    are done is decomposed instead, and the printout names it."""
    n = 50
    u = pd.DataFrame({name: draws.latin_hypercube(3, name, n) for name in ("a", "b")})
    y = 1000 + 300 * u["a"]
    long = pd.concat([pd.DataFrame({"replicatie": range(n), "maatstaf": m, "waarde": v})
                      for m, v in (("100% voltooid", np.nan), ("100% deelnemers voltooid", y))])
    table = decompose(long, u, horizon_day=1e9)
    assert set(table["maatstaf"]) == {"100% deelnemers voltooid"}
    top = table.set_index("bron")["aandeel"]
    assert top["a"] > 0.9 and top["b"] < 0.05


def test_parameters_that_do_nothing_get_no_share_with_few_replications():
    """24 parameters on 50 replications, two of them at work: a plain squared coefficient would hand the
    22 idle ones about a tenth of the spread by chance; less its sampling variance, they get next to none."""
    n = 50
    u = pd.DataFrame({f"p{i}": draws.latin_hypercube(3, f"p{i}", n) for i in range(24)})
    y = 3 * u["p0"] + np.sqrt(3) * u["p1"] + np.random.default_rng(0).normal(0, np.sqrt(3 / 12), n)
    shares, _ = first_order(u.to_numpy(), y.to_numpy())
    assert shares[0] == pytest.approx(0.6, abs=0.15) and shares[1] == pytest.approx(0.2, abs=0.1)
    assert shares[2:-1].sum() < 0.05
    assert shares[-1] == pytest.approx(0.2, abs=0.1)


def test_the_decomposition_on_a_toy_scenario_puts_the_spread_where_it_comes_from(small):
    """Durations fixed and the builders' capacity the only unknown: it explains (nearly) all of the
    end date's spread; with the durations' noise only, no parameter is drawn and there is nothing to
    decompose."""
    toy = write(small.parent, "toy.toml", 'extends = "base.toml"\nname = "toy"\nwarm_start = false\n'
                '[resources.bouwcapaciteit]\ncapacity = { uncertain = "uniform", low = 1, high = 6 }\n'
                '[durations]\n' + "\n".join(f'{s} = {{ dist = "fixed", value = {v} }}' for s, v in (
                    ("opname", 20), ("beoordeling", 60), ("planvorming_voorbereiden", 30),
                    ("uitvoeringsplan_opstellen", 20), ("versterkingsbesluit", 10), ("uitvoering", 90)))
                + "\n")
    f = vs.run(toy, replications=40, workers=1)
    table = f.decomposition[f.decomposition["maatstaf"] == "100% voltooid"].set_index("bron")
    assert table.loc["resources.bouwcapaciteit.capacity", "aandeel"] > 0.8
    assert vs.run(small, replications=20, workers=1).decomposition.empty
