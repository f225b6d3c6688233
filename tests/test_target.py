"""Terug redeneren (`versterking target`) on a workload whose answer is known: 100 addresses that
each need one opname of exactly 10 days and nothing else. With c opname slots the last one is
voltooid on day ceil(100 / c) x 10, so to finish by day 100 takes 10 slots (8 more than the 2 in
force). The search works in shares of a resource's fastest allowed path and refines the flow model's
plan by 10% steps, so it may land a slot or two above the minimum; never below it."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import variant

from versterking import load_scenario
from versterking.analyses.target import Question, extra_with_steps, fastest_path, seek, with_plan
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
    q = Question(START + timedelta(days=days), question.pop("confidence", 0.9), replications=4, margin=4,
                 verify=4, **question)
    return seek(loaded, q, workers=1)


def _extra(answer) -> dict[str, int]:
    """The plan's last level of extra slots per resource."""
    return {name: steps[-1][1] for name, steps in answer.plan.items()}


def test_finds_the_known_minimum_and_gives_the_other_resources_nothing(workload):
    answer = _answer(workload, 100)
    extra = _extra(answer)
    assert 8 <= extra.pop("opnamecapaciteit") <= 10
    assert set(extra.values()) == {0}
    met, n, low, high = answer.interval()
    assert (met, n) == (4, 4) and low < 1.0 == high
    assert answer.verification["dag"].max() <= 100.0
    # the simulation rejected every plan with fewer than 8 extra slots, and the flow model was asked first
    simulated = [e for e in answer.evaluations if e.model == "simulatie"]
    assert any(e.model == "stroommodel" for e in answer.evaluations) and simulated
    opname = answer.paths["opnamecapaciteit"]
    too_few = [e for e in simulated if opname.at(e.shares["opnamecapaciteit"])[-1][1] < 8]
    assert too_few and not any(e.feasible for e in too_few)
    assert answer.runs == sum(e.runs for e in simulated) + int(answer.margin["gedraaid"].sum()) + 4
    row = answer.yearly().set_index("middel").loc["opnamecapaciteit"]
    assert row["adressen per jaar"] == round(row["plekken"] * 365.25 / 10)  # slots x 365 / 10 days


def test_a_target_already_met_needs_nothing(workload):
    answer = _answer(workload, 600)
    assert set(_extra(answer).values()) == {0} and answer.cost == 0
    assert [e.model for e in answer.evaluations] == ["stroommodel", "simulatie"]


def test_an_impossible_target_says_so_with_the_earliest_reachable_date(workload):
    answer = _answer(workload, 9)  # one opname takes 10 days: no capacity makes day 9
    assert answer.plan is None
    assert np.all(answer.verification["dag"] == 10.0)  # on the fastest path every opname runs at once
    assert not answer.verification["gehaald"].any()
    assert answer.binding.startswith("geen groeigrens")  # no limit to lift: the duration decides


def test_those_taking_part_are_a_milestone_where_100_percent_never_comes(workload):
    """Three in ten owners do not take part: 100% is out of reach on any path, while the others (about
    70 of the 100) need fewer than the 8 extra slots all 100 would: ceil(70 / 10) - 2 = 5, give or take
    the draw of who takes part."""
    workload.write_text(workload.read_text().replace("[shares]", "[shares]\nniet_deelnemend = 0.3"),
                        encoding="utf-8")
    assert _answer(workload, 100).plan is None
    answer = _answer(workload, 100, milestone="deelnemers")
    assert 4 <= _extra(answer)["opnamecapaciteit"] < 8
    assert answer.verification["dag"].max() <= 100.0
    assert answer.question.label.startswith("100% van wie meedoet voltooid uiterlijk")


def test_a_resource_the_flow_model_leaves_out_grows_when_slow_draws_need_it(workload):
    """Each address then needs a 5-day beoordeling too, by ingenieursbureaus whose number is uncertain
    (1 - 10, mode 9). At the mode the flow model sees only the opname to grow; replications that draw
    fewer than 5 ingenieursbureaus miss day 110 whatever the opname does (the last 10 opnames end on
    day 100). The plan grows them too, and meets the date, instead of calling it impossible."""
    text = workload.read_text()
    text = text.replace("skip_beoordeling = { P50 = 1.0, P90 = 1.0, grijs = 1.0 }",
                        "skip_beoordeling = { P50 = 0.0, P90 = 0.0, grijs = 0.0 }")
    text = text.replace("meets_norm = { P50 = 0.0, P90 = 0.0, grijs = 0.0 }",
                        "meets_norm = { P50 = 1.0, P90 = 1.0, grijs = 1.0 }")
    text = text.replace('beoordeling = { dist = "exponential", mean = 1 }',
                        'beoordeling = { dist = "fixed", value = 5 }')
    text = text.replace("[resources.ingenieursbureaus]\ncapacity = 2",
                        '[resources.ingenieursbureaus]\ncapacity = { uncertain = "triangular", low = 1, '
                        'mode = 9, high = 10, name = "bureaus" }')
    workload.write_text(text, encoding="utf-8")
    answer = _answer(workload, 110)
    assert answer.plan is not None
    extra = _extra(answer)
    assert extra.pop("ingenieursbureaus") > 0 and extra.pop("opnamecapaciteit") >= 8
    assert set(extra.values()) == {0}  # the others, left out again
    assert answer.notes == ["het stroommodel (op de modi) liet een middel weg dat trage trekkingen nodig "
                            "hebben: ingenieursbureaus"]


def test_a_lead_time_makes_a_date_impossible_and_is_named_as_the_binding_limit(workload):
    workload.write_text(workload.read_text() + "lead_time = { opnamecapaciteit = 60 }\n"
                        "cost = { opnamecapaciteit = 1 }\n", encoding="utf-8")
    answer = _answer(workload, 65)  # nothing more before day 60; the last opnames then end on day 70
    assert answer.plan is None
    assert answer.binding.startswith("opnamecapaciteit")


def test_the_fastest_path_grows_at_most_max_growth_a_year_from_the_lead_time(small):
    path = variant(small, "groei", "[target]\nfrom = 2021-01-01\nlead_time = { bouwcapaciteit = 181 }\n"
                   "max_growth = { bouwcapaciteit = 1 }\nmax_extra = { bouwcapaciteit = 20 }\n")
    sc = load_scenario(path).scenario
    changes = resource_changes(sc, "bouwcapaciteit")
    in_force = [v for t, v in changes if t <= days_since(sc.start, date(2021, 1, 1))][-1]
    fastest = fastest_path(sc, "bouwcapaciteit", date(2021, 1, 1), date(2026, 12, 31))
    assert fastest.in_force == in_force
    levels = [in_force + x for _, x in fastest.steps]
    assert fastest.steps[0][0] == date(2021, 7, 1)
    assert all(b <= 2 * a for a, b in zip([in_force, *levels], levels, strict=False))
    assert fastest.steps[-1][1] == 20  # capped by max_extra, and no step after the cap
    # a share of the path follows it up to that share of the last level, then holds
    half = fastest.at(0.5)
    assert half[-1][1] == 10 and all(x <= y for (_, x), (_, y) in zip(half, half[1:], strict=False))
    assert [x for _, x in half] == sorted({min(x, 10) for _, x in fastest.steps})


def test_only_resources_with_a_cost_may_grow(workload):
    workload.write_text(workload.read_text() + "cost = { opnamecapaciteit = 2.5 }\n", encoding="utf-8")
    answer = _answer(workload, 100)
    assert list(answer.plan) == ["opnamecapaciteit"]
    assert answer.cost == pytest.approx(2.5 * _extra(answer)["opnamecapaciteit"] * 100 / 365.25)


def test_plan_steps_add_to_the_schedule_and_to_an_extra_already_there(small):
    path = variant(small, "extra", "[resources.bouwcapaciteit]\nfactor = 2\n"
                   "extra = [{ from = 2021-01-01, value = 3 }, { from = 2023-01-01, value = 1 }]\n")
    sc = load_scenario(path).scenario
    changes = resource_changes(sc, "bouwcapaciteit")

    def at(day: date) -> int:  # the base is 4, 1, then a ramp to 6 over 2022; times `factor` 2
        return [v for t, v in changes if t <= days_since(sc.start, day)][-1]

    assert [at(date(2020, 8, 1)), at(date(2021, 2, 1)), at(date(2021, 7, 1)), at(date(2023, 6, 1))] \
        == [8, 8 + 3, 2 + 3, 12 + 1]
    plan = {"bouwcapaciteit": [(date(2022, 6, 1), 10), (date(2024, 1, 1), 20)]}
    more = with_plan(sc, plan).resources.bouwcapaciteit.extra
    assert [(c.from_, c.value) for c in more] == [(date(2021, 1, 1), 3), (date(2022, 6, 1), 13),
                                                  (date(2023, 1, 1), 11), (date(2024, 1, 1), 21)]
    assert extra_with_steps([], plan["bouwcapaciteit"])[0].value == 10


def test_cli_writes_a_runnable_scenario_that_extends_the_input_and_refuses_to_overwrite(workload, tmp_path):
    workload.write_text(workload.read_text() + 'productivity = { opnamecapaciteit = { unit = "fte", '
                        "addresses_a_year = 100 } }\n", encoding="utf-8")
    out = tmp_path / "doel"
    args = ["target", str(workload), "--done-by", "2000-04-10", "--replications", "3", "--margin", "3",
            "--verify", "3", "--workers", "1", "--out", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    answer = workload.parent / "wachtrij-doel-2000-04-10.toml"
    text = answer.read_text()
    assert 'extends = "queueing.toml"' in text and "{ from = 2000-01-01, value = " in text
    sc = load_scenario(answer).scenario
    slots = resource_changes(sc, "opnamecapaciteit")
    assert len(slots) == 1 and 10 <= slots[0][1] <= 12
    assert {p.name for p in out.iterdir()} == {"doel.csv", "doel_per_jaar.csv", "zoekpad.csv", "marge.csv",
                                               "controle.csv", "summary.txt", "manifest.json",
                                               ".versterking-files"}
    assert "opnamecapaciteit" in result.output and "3 van 3 halen de datum" in result.output
    assert "simulaties in totaal" in result.output and "stroommodel" in result.output
    # the plan in the scenario's units too: addresses a year / what one fte does, rounded up
    yearly = pd.read_csv(out / "doel_per_jaar.csv").set_index("middel").loc[["opnamecapaciteit"]]
    assert (yearly["eenheden"] == np.ceil(yearly["adressen per jaar"] / 100)).all()
    assert (yearly["eenheid"] == "fte").all() and "opnamecapaciteit (fte)" in result.output
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 2 and "exists" in again.output


def test_cli_impossible_target_writes_no_scenario(workload, tmp_path):
    result = CliRunner().invoke(main, ["target", str(workload), "--done-by", "2000-01-05", "--replications",
                                       "2", "--margin", "2", "--verify", "2", "--workers", "1", "--out",
                                       str(tmp_path / "x")])
    assert result.exit_code == 0, result.output
    assert "ONHAALBAAR" in result.output and "vroegst haalbare datum" in result.output
    assert "11-01-2000" in result.output  # one opname of 10 days, started on day 0
    assert "bindende grens" in result.output
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
    original = workload.read_text()
    per_fte = "productivity.opnamecapaciteit = { unit = %s, addresses_a_year = %s }"
    for key, line in (("max_growth", "max_growth = { opnamecapaciteit = 0 }"),
                      ("productivity", per_fte % ('"fte"', 0)), ("productivity", per_fte % ('""', 5))):
        workload.write_text(original + line + "\n", encoding="utf-8")
        bad = CliRunner().invoke(main, ["target", str(workload), "--done-by", "2000-04-10", "--out",
                                        str(tmp_path / "z")])
        assert bad.exit_code == 2 and key in bad.output and len(bad.output.strip().splitlines()) == 1
        assert not (tmp_path / "z").exists()
