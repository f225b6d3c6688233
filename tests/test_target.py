"""Terug redeneren (`versterking target`) on a workload whose answer is known: 100 addresses that
each need one opname of exactly 10 days and nothing else. With c opname slots the last one is
voltooid on day ceil(100 / c) x 10, so to finish by day 100 takes 10 slots."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import variant

from versterking import load_population, load_scenario
from versterking.analyses.target import Question, seek, with_extra
from versterking.calendar import days_since
from versterking.cli import main
from versterking.engine.schedules import resource_changes

START = date(2000, 1, 1)


@pytest.fixture
def workload(queueing):
    """The queueing configuration with 100 waiting addresses, fixed 10-day opnames, 2 slots."""
    pd.DataFrame({
        "address_id": [f"W{i:03d}" for i in range(100)], "gemeente": "Groningen", "risk_profile": "P50",
        "owner_type": "particulier", "building_id": [f"B{i:03d}" for i in range(100)],
        "cluster_id": "C1", "milestone": "nog niet gestart", "milestone_date": "2000-01-01",
    }).to_csv(queueing.parent / "werk.csv", index=False)
    text = queueing.read_text().split("[[inflow]]")[0]
    text = text.replace('source = "empty"', 'source = "file"\nfile = "werk.csv"')
    text = text.replace('opname = { dist = "exponential", mean = 1 }',
                        'opname = { dist = "fixed", value = 10 }')
    text = text.replace("horizon = 2199-12-31", "horizon = 2010-12-31")
    queueing.write_text(text + '\n[target]\nfrom = 2000-01-01\n', encoding="utf-8")
    return queueing


def _answer(path, days: int, **question):
    loaded = load_scenario(path)
    q = Question(START + timedelta(days=days), question.pop("confidence", 0.9), replications=4, verify=4,
                 **question)
    return seek(loaded.scenario, load_population(loaded), q, workers=1)


def test_finds_the_known_minimum_and_lowers_every_other_resource_to_zero(workload):
    answer = _answer(workload, 100)
    assert answer.extra == {"opnamecapaciteit": 8, "ingenieursbureaus": 0, "planvorming": 0,
                            "bouwcapaciteit": 0, "wisselwoningen": 0}
    assert answer.in_force["opnamecapaciteit"] == 2
    met, n, low, high = answer.interval()
    assert (met, n) == (4, 4) and low < 1.0 == high
    assert answer.verification["dag"].tolist() == [100.0] * 4  # the last opname ends on day 100
    one_less = next(e for e in answer.evaluations if e.extra["opnamecapaciteit"] == 7
                    and sum(e.extra.values()) == 7)
    assert not one_less.feasible  # 7 slots: ceil(100 / 9) x 10 = 150 days
    row = answer.contributions.set_index("middel").loc["opnamecapaciteit"]
    assert row["gehaald zonder"] == 0 and row["datum zonder"] == START + timedelta(days=500)


def test_a_target_already_met_needs_nothing(workload):
    answer = _answer(workload, 600)
    assert set(answer.extra.values()) == {0} and answer.cost == 0
    assert len(answer.evaluations) == 1


def test_an_impossible_target_says_so_with_the_earliest_reachable_date(workload):
    answer = _answer(workload, 9)  # one opname takes 10 days: no capacity makes day 9
    assert answer.extra is None
    assert np.all(answer.verification["dag"] == 10.0)  # at the maximum every opname runs at once
    assert not answer.verification["gehaald"].any()


def test_only_resources_with_a_cost_may_grow(workload):
    workload.write_text(workload.read_text() + "cost = { opnamecapaciteit = 2.5 }\n", encoding="utf-8")
    answer = _answer(workload, 100)
    assert answer.extra == {"opnamecapaciteit": 8} and answer.cost == 20.0


def test_extra_slots_add_to_the_schedule_and_to_an_extra_already_there(small):
    path = variant(small, "extra", "[resources.bouwcapaciteit]\nfactor = 2\n"
                   "extra = [{ from = 2021-01-01, value = 3 }, { from = 2023-01-01, value = 1 }]\n")
    sc = load_scenario(path).scenario
    changes = resource_changes(sc, "bouwcapaciteit")

    def at(day: date) -> int:  # the base is 4, 1, then a ramp to 6 over 2022; times `factor` 2
        return [v for t, v in changes if t <= days_since(sc.start, day)][-1]

    assert [at(date(2020, 8, 1)), at(date(2021, 2, 1)), at(date(2021, 7, 1)), at(date(2023, 6, 1))] \
        == [8, 8 + 3, 2 + 3, 12 + 1]
    more = with_extra(sc, {"bouwcapaciteit": 10}, date(2022, 6, 1)).resources.bouwcapaciteit.extra
    assert [(c.from_, c.value) for c in more] == [(date(2021, 1, 1), 3), (date(2022, 6, 1), 13),
                                                  (date(2023, 1, 1), 11)]


def test_cli_writes_a_runnable_scenario_that_extends_the_input_and_refuses_to_overwrite(workload, tmp_path):
    out = tmp_path / "doel"
    args = ["target", str(workload), "--done-by", "2000-04-10", "--replications", "3", "--verify", "3",
            "--workers", "1", "--out", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    answer = workload.parent / "wachtrij-doel-2000-04-10.toml"
    text = answer.read_text()
    assert 'extends = "queueing.toml"' in text and "extra = [{ from = 2000-01-01, value = 8 }]" in text
    sc = load_scenario(answer).scenario
    assert resource_changes(sc, "opnamecapaciteit") == [(0.0, 10)]
    assert {p.name for p in out.iterdir()} == {"doel.csv", "zoekpad.csv", "controle.csv", "summary.txt",
                                               "manifest.json"}
    assert "opnamecapaciteit" in result.output and "3 van 3 halen de datum" in result.output
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 2 and "exists" in again.output


def test_cli_impossible_target_writes_no_scenario(workload, tmp_path):
    result = CliRunner().invoke(main, ["target", str(workload), "--done-by", "2000-01-05", "--replications",
                                       "2", "--verify", "2", "--workers", "1", "--out", str(tmp_path / "x")])
    assert result.exit_code == 0, result.output
    assert "ONHAALBAAR" in result.output and "vroegst haalbare datum" in result.output
    assert "11-01-2000" in result.output  # one opname of 10 days, started on day 0
    assert not list(workload.parent.glob("*-doel-*.toml"))


def test_bad_questions_are_one_line_errors(workload, tmp_path):
    early = CliRunner().invoke(main, ["target", str(workload), "--done-by", "1999-12-31", "--out",
                                      str(tmp_path / "x")])
    assert early.exit_code == 2 and "--done-by: 1999-12-31 is not after the scenario's start" in early.output
    elsewhere = CliRunner().invoke(main, ["target", str(workload), "--done-by", "2000-04-10", "--out",
                                          str(tmp_path / "y"), "--scenario-out",
                                          str(tmp_path / "sub" / "x.toml")])
    assert elsewhere.exit_code == 2
    assert "--scenario-out: " in elsewhere.output and "cannot extend" in elsewhere.output
    assert not (tmp_path / "x").exists() and not (tmp_path / "y").exists()
    assert not (tmp_path / "sub").exists()
