"""When is my house done: per-address and per-cluster milestone dates over the replications, and
`versterking lookup`."""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from conftest import invoke, variant

from versterking import load_population, load_scenario, run_scenario
from versterking.domain import MILESTONES
from versterking.runs import address_dates
from versterking.runs.seeds import replication_seed

STEPS = MILESTONES[1:]
INFLOW = """
[[inflow]]
name = "extra"
from = 2021-01-01
to = 2021-12-31
addresses = 30
risk_profile = { grijs = 1.0 }
"""



def read(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@pytest.fixture
def replicated(small, tmp_path_factory):
    """The small scenario with an inflow, 7 replications; per-address dates read back in blocks
    of a few addresses so block edges are crossed."""
    scenario = variant(small, "met-instroom", INFLOW)
    out = tmp_path_factory.mktemp("runs") / "r7"
    mp = pytest.MonkeyPatch()
    mp.setattr(address_dates, "BLOCK_VALUES", 7 * 5 * 3)
    try:
        result = invoke("run", scenario, "--replications", 7, "--workers", 1, "--out", out, "--no-progress")
    finally:
        mp.undo()
    assert result.exit_code == 0, result.output
    return scenario, out


def _expected(scenario, replications: int):
    """Each replication's own dates, recomputed from its run: the first day the address held the
    milestone or a later one (inf: never), per address of the starting werkvoorraad."""
    loaded = load_scenario(scenario)
    population = load_population(loaded)
    days, reinforced = [], []
    for r in range(replications):
        sc = loaded.scenario.model_copy(update={"seed": replication_seed(loaded.scenario.seed, r)})
        run = run_scenario(sc, population)
        per = np.full((len(population), len(STEPS)), np.inf)
        for a in range(len(population)):
            for k in range(1, 6):
                later = [v for v in run.reached[a, k:] if not math.isnan(v)]
                per[a, k - 1] = min(later) if later else math.inf
        days.append(per)
        reinforced.append([not math.isnan(run.reached[a, 4]) and run.held[a] < 5
                           for a in range(len(population))])
    return loaded.scenario.start, population, np.array(days), np.array(reinforced)


def _percentile(values: np.ndarray, p: int) -> float:
    """Inverted CDF by hand: the smallest value with at least p% of the values at or below it."""
    ordered = np.sort(values)
    return ordered[math.ceil(p * len(values) / 100) - 1]


def _text(start: date, day: float) -> str:
    return "" if math.isinf(day) else str(start + timedelta(days=math.floor(day)))


def test_address_dates_are_percentiles_of_each_replications_own_dates(replicated):
    scenario, out = replicated
    start, population, days, reinforced = _expected(scenario, 7)
    table = read(out / "adressen.csv")
    assert table["address_id"].tolist() == population["address_id"].tolist()  # no inflow addresses
    held = population["milestone"].map(MILESTONES.index).to_numpy()
    checked = 0
    for a in range(len(population)):
        for k, name in enumerate(STEPS, start=1):
            for p in (10, 50, 90):
                want = "" if k <= held[a] else _text(start, _percentile(days[:, a, k - 1], p))
                assert table.loc[a, f"{name} P{p}"] == want, (a, name, p)
                checked += want != ""
    assert checked > 500
    kans = pd.to_numeric(table["kans versterking"])
    assert np.allclose(kans[held < 5], reinforced.mean(axis=0)[held < 5], atol=1e-4)
    assert kans[held == 5].isna().all()


def test_a_cluster_reaches_a_milestone_when_its_last_address_does(replicated):
    scenario, out = replicated
    start, population, days, reinforced = _expected(scenario, 7)
    clusters = read(out / "clusters.csv").set_index("cluster_id")
    assert sorted(clusters.index) == sorted(population["cluster_id"].unique())
    for cluster, members in population.groupby("cluster_id").groups.items():
        last = days[:, list(members), :].max(axis=1)
        row = clusters.loc[cluster]
        assert int(row["adressen"]) == len(members)
        lowest = population.loc[members, "milestone"].map(MILESTONES.index).min()
        assert row["stand bij start"] == MILESTONES[lowest]
        for k, name in enumerate(STEPS, start=1):
            want = "" if k <= lowest else _text(start, _percentile(last[:, k - 1], 50))
            assert row[f"{name} P50"] == want, (cluster, name)
        assert float(row["verwacht te versterken"]) == pytest.approx(reinforced[:, list(members)].sum() / 7,
                                                                     abs=1e-4)


def test_dates_run_in_milestone_order_and_percentile_order(replicated):
    _, out = replicated
    table = read(out / "adressen.csv")
    dates = {c: pd.to_datetime(table[c].replace("", None)) for c in table.columns if c.split()[-1][0] == "P"}
    for name in STEPS:
        assert (dates[f"{name} P10"] <= dates[f"{name} P50"]).where(dates[f"{name} P10"].notna(), True).all()
        assert (dates[f"{name} P50"] <= dates[f"{name} P90"]).where(dates[f"{name} P90"].notna(), True).all()
    for a, b in zip(STEPS, STEPS[1:], strict=False):
        both = dates[f"{a} P50"].notna() & dates[f"{b} P50"].notna()
        assert (dates[f"{a} P50"][both] <= dates[f"{b} P50"][both]).all()


def test_a_single_run_gives_one_date_per_milestone_from_its_event_log(small, tmp_path):
    out = tmp_path / "r1"
    assert invoke("run", small, "--replications", 1, "--out", out, "--no-progress").exit_code == 0
    table = read(out / "adressen.csv").set_index("address_id")
    assert (table["voltooid P10"] == table["voltooid P50"]).all()
    assert (table["voltooid P50"] == table["voltooid P90"]).all()
    events = pd.read_parquet(out / "events.parquet")
    built = events[events["stap"] == "uitvoering"].set_index("address_id")
    ahead = built.index[table.loc[built.index, "stand bij start"] != "uitvoering"]
    assert len(ahead) > 5
    ends = built.loc[ahead, "einde"].dt.strftime("%Y-%m-%d")
    assert (table.loc[ahead, "voltooid P50"] == ends).all()
    assert set(pd.to_numeric(table["kans versterking"]).dropna()) <= {0.0, 1.0}


def test_lookup_prints_one_address_and_one_cluster(replicated):
    _, out = replicated
    table = read(out / "adressen.csv")
    row = table[table["stand bij start"] == "beoordeling"].iloc[0]
    text = invoke("lookup", out, "--address", row["address_id"]).output
    p50 = date.fromisoformat(row["voltooid P50"]).strftime("%d-%m-%Y")
    assert f"Adres {row['address_id']}" in text and "7 replicaties" in text
    assert "opname       al bereikt" in text and "beoordeling  al bereikt" in text
    assert any(line.startswith("voltooid") and p50 in line for line in text.splitlines())

    cluster = row["cluster_id"]
    text = invoke("lookup", out, "--cluster", cluster).output
    members = table[table["cluster_id"] == cluster]["address_id"]
    assert f"Cluster {cluster}" in text and f"{len(members)} adressen" in text
    assert all(f"\n{m} " in text for m in members)


@pytest.mark.parametrize("args, message", [
    (["--address", "T079"], "adressen.csv: address_id 'T079' not found among 80 rows; did you mean T0079"),
    (["--cluster", "nope"], "clusters.csv: cluster_id 'nope' not found among 8 rows; e.g. C000"),
    ([], "give exactly one of --address ID and --cluster ID"),
    (["--address", "T0001", "--cluster", "C000"], "give exactly one of"),
])
def test_lookup_errors_name_the_file_and_key(replicated, args, message):
    _, out = replicated
    result = invoke("lookup", out, *args)
    assert result.exit_code == 2
    assert message in result.output and len(result.output.strip().splitlines()) == 1


def test_lookup_of_a_folder_without_per_address_dates(tmp_path):
    (tmp_path / "manifest.json").write_text("{}", encoding="utf-8")
    result = invoke("lookup", tmp_path, "--address", "A1")
    assert result.exit_code == 2 and "adressen.csv: not found" in result.output
    result = invoke("lookup", tmp_path / "nothing", "--address", "A1")
    assert result.exit_code == 2 and "not a results folder" in result.output
