"""Capacity that grows with the work waiting for it ([resources.X.growth], versterking.engine.growth):
the operator's review against its definition, the simulation and the flow model following it, and a
scenario whose growth never starts running exactly as one without the table."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from conftest import invoke, variant
from hypothesis import given, settings
from hypothesis import strategies as st
from invariants import check_all

from versterking import load_population, load_scenario, run_scenario
from versterking.domain import VOLTOOID
from versterking.engine.flow import flow
from versterking.engine.growth import DAYS_A_YEAR, Grown, GrowthRule, most_after, review

RULE = GrowthRule(lead_time=180.0, max_growth=0.5, backlog=365.25, review_days=91.0, at_most=math.inf,
                  slot_days=10.0)


def test_a_line_holding_too_much_work_grows_only_after_the_lead_time():
    waiting = 10_000  # 100,000 days of work on 100 slots: far more than a year
    first = review(RULE, Grown(), 91.0, 100, 100, waiting)
    assert first == Grown(0.0, 91.0)  # too much work from now on, nothing added yet
    assert review(RULE, first, 182.0, 100, 100, waiting).extra == 0.0  # 91 days: less than the lead time
    grown = review(RULE, first, 273.0, 100, 100, waiting)  # 182 days: one review's growth
    assert grown.extra == pytest.approx(100 * (1.5 ** (91 / DAYS_A_YEAR) - 1))
    assert grown.slots == 10 and grown.over_since == 91.0


def test_below_the_backlog_nothing_grows_and_the_clock_restarts():
    over = Grown(5.0, 0.0)
    calm = review(RULE, over, 400.0, 100, 105, 3_000)  # 30,000 days of work on 105 slots: under a year
    assert calm == Grown(5.0)  # the grown slots all have work: they stay
    assert review(RULE, calm, 491.0, 100, 105, 10_000) == Grown(5.0, 491.0)


def test_slots_without_work_go_but_the_schedule_stays():
    grown = Grown(40.0)
    assert review(RULE, grown, 1000.0, 100, 120, 0).extra == 20.0   # 20 grown slots idle
    assert review(RULE, grown, 1000.0, 100, 30, 0).extra == 0.0     # never below the schedule
    assert review(RULE, grown, 1000.0, 100, 130, 15).extra == 40.0  # all have work


def test_the_ceiling_holds():
    capped = GrowthRule(**{**RULE.__dict__, "at_most": 105.0, "lead_time": 0.0})
    assert review(capped, Grown(), 91.0, 100, 100, 10_000).extra == 5.0


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(st.integers(0, 50_000), min_size=1, max_size=40), st.floats(0.05, 3.0),
       st.integers(0, 400), st.integers(1, 500))
def test_capacity_never_grows_faster_than_max_growth(waiting, max_growth, lead_time, scheduled):
    """Whatever the line does, after n reviews the capacity is at most the schedule (at least one slot)
    grown at max_growth for n reviews, and never below the schedule."""
    rule = GrowthRule(lead_time=lead_time, max_growth=max_growth, backlog=60.0, review_days=91.0,
                      at_most=math.inf, slot_days=30.0)
    grown = Grown()
    for n, w in enumerate(waiting, start=1):
        level = scheduled + grown.slots
        grown = review(rule, grown, 91.0 * n, scheduled, min(level, scheduled + w), w)
        assert grown.extra >= 0
        assert scheduled + grown.extra <= most_after(max(scheduled, 1), max_growth, 91.0 * n) + 1e-6


# -- the simulation and the flow model ----------------------------------------------------------------

# One opname station of 600 slots (30 days each: 20 addresses a day; the flow model's steps are a week)
# under 40 addresses a day for 3 years, then nothing: its line grows until the capacity catches up, and
# once it is empty the grown slots go.
OVERLOADED = """
[resources.opnamecapaciteit]
capacity = 600
[durations]
opname = { dist = "fixed", value = 30 }
[[inflow]]
name = "poisson"
from = 2000-01-01
to = 2003-01-01
addresses = 43830
arrivals = "poisson"
risk_profile = { P50 = 1.0 }
"""
GROWTH = """
[resources.opnamecapaciteit.growth]
lead_time = 60
max_growth = 1.0
backlog_months = 0.5
review_days = 30
"""


def _capacity(monitor: np.ndarray, day: float) -> float:
    return monitor[np.searchsorted(monitor[:, 0], day, side="right") - 1, 2]


def test_the_simulation_grows_a_blocking_line_within_its_limits_and_lets_go_when_it_empties(queueing):
    loaded = load_scenario(variant(queueing, "groei", OVERLOADED + GROWTH))
    r = run_scenario(loaded.scenario, load_population(loaded))
    capacity = r.monitors["opnamecapaciteit"]
    grows = capacity[capacity[:, 2] > 600, 0]
    # too much work from the first review (day 30) on: the first slot comes at the review 60 days later
    assert grows.min() == pytest.approx(90.0)
    for day in (120.0, 240.0, 365.0, 700.0):
        assert _capacity(capacity, day) <= most_after(600, 1.0, day - 60.0)
    assert _capacity(capacity, 600.0) >= 1200  # it caught up with the inflow of 40 a day
    assert capacity[-1, 2] == 600  # the line emptied after the inflow stopped: back to the schedule
    check_all(r)  # conservation, order, no slot idle while someone waits, never beyond the capacity grown
    without = load_scenario(variant(queueing, "zonder", OVERLOADED))
    rw = run_scenario(without.scenario, load_population(without))
    assert r.end_time < rw.end_time - 365  # a year and more sooner than at 2 slots


def test_a_line_with_a_history_grows_at_the_first_review(queueing):
    """A stand's line may have held too much work long before the start (growth.over_since): the lead
    time counts from that day, so the first review already adds (without it, the first slot waits the
    lead time after the start); the simulation and the flow model start the same clock."""
    rule = replace(RULE, over_since=-200.0)
    assert rule.first == Grown(0.0, -200.0) and RULE.first == Grown()
    assert review(rule, rule.first, 91.0, 100, 100, 10_000).slots == 10  # at once, not at day 273
    history = variant(queueing, "voorgeschiedenis", OVERLOADED + GROWTH + "over_since = 1999-10-01\n")
    loaded, plain = load_scenario(history), load_scenario(variant(queueing, "groei", OVERLOADED + GROWTH))
    r = run_scenario(loaded.scenario, load_population(loaded))
    capacity = r.monitors["opnamecapaciteit"]
    assert capacity[capacity[:, 2] > 600, 0].min() == pytest.approx(30.0)  # the first review (day 30)
    check_all(r)
    with_history, without = (flow(x.scenario, load_population(x)).at(200.0)[VOLTOOID].sum()
                             for x in (loaded, plain))
    assert with_history > 1.05 * without  # by day 200, the line grown two months sooner (12% when written)


def test_the_flow_model_follows_the_same_growth(queueing):
    loaded = load_scenario(variant(queueing, "groei", OVERLOADED + GROWTH))
    sc = loaded.scenario
    r = run_scenario(sc, load_population(loaded))
    f = flow(sc, load_population(loaded))
    sim_end, flow_end = r.end_time, f.done_day(100.0)
    assert abs(flow_end - sim_end) < 0.03 * sim_end, (flow_end, sim_end)  # 0.3% when written
    without = load_scenario(variant(queueing, "zonder", OVERLOADED)).scenario
    assert flow(without, load_population(loaded)).done_day(100.0) > flow_end + 365


def test_a_growth_that_never_starts_changes_nothing(small):
    """Its reviews look at the line and add nothing: the run is the run without the table, address for
    address (the reviews are events of their own and must not move anyone else's)."""
    never = variant(small, "nooit", "[resources.bouwcapaciteit.growth]\nlead_time = 3650\nmax_growth = 1\n"
                                    "backlog_months = 0\n[resources.ingenieursbureaus.growth]\n"
                                    "lead_time = 3650\nmax_growth = 1\nbacklog_months = 0\n")
    a, b = (load_scenario(p) for p in (small, never))
    ra, rb = (run_scenario(x.scenario, load_population(x)) for x in (a, b))
    for name in ("queued", "started", "ended", "reached"):
        np.testing.assert_array_equal(getattr(ra, name), getattr(rb, name))


@pytest.mark.parametrize(("key", "value", "allowed"), [
    ("max_growth", "0", "greater than 0"),
    ("lead_time", "-1", "greater than or equal to 0"),
    ("review_days", "3", "greater than or equal to 7"),
])
def test_a_bad_growth_number_is_refused_in_one_line(small, key, value, allowed):
    table = {"lead_time": "90", "max_growth": "1", "backlog_months": "6"} | {key: value}
    text = "[resources.bouwcapaciteit.growth]\n" + "".join(f"{k} = {v}\n" for k, v in table.items())
    result = invoke("run", variant(small, "fout", text), "--replications", 1)
    assert result.exit_code == 2
    line = result.output.strip()
    assert "\n" not in line and "fout.toml" in line and f"resources.bouwcapaciteit.growth.{key}" in line
    assert allowed in line
