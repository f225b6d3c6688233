"""Capacity schedules: steps, linear ramps, factors, extra slots and the measures' additions, against
their definitions."""

from datetime import date, timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from invariants import capacity_in_force
from test_invariants import schedule

from versterking.domain import RESOURCES, STEPS
from versterking.engine.schedules import capacity_changes, resource_changes, step_function
from versterking.inputs.blocks import Resource
from versterking.inputs.scenario import Scenario

NONE = {"P50": 0.0, "P90": 0.0, "grijs": 0.0}

START = date(2020, 7, 17)


def changes(capacity):
    return capacity_changes(Resource(capacity=capacity), START)


def test_constant():
    assert changes(7) == [(0.0, 7)]


def test_steps_before_and_after_start():
    got = changes([{"from": date(2019, 1, 1), "value": 3}, {"from": date(2020, 8, 16), "value": 5}])
    assert got == [(0.0, 3), (30.0, 5)]


def test_nothing_before_the_first_change_means_zero():
    assert changes([{"from": date(2020, 7, 27), "value": 4}]) == [(0.0, 0), (10.0, 4)]


def test_linear_ramp_moves_in_whole_slots():
    got = changes([{"from": START, "value": 0},
                   {"from": date(2020, 7, 27), "to": date(2020, 8, 6), "value": 5}])
    assert got[0] == (0.0, 0)
    values = [v for _, v in got]
    assert values == sorted(values) and values[-1] == 5 and len(set(values)) == len(values)
    assert got[-1][0] <= 20.0 and got[1][0] >= 10.0


def test_ramp_down_then_step_up():
    got = changes([{"from": START, "value": 10},
                   {"from": date(2021, 1, 1), "to": date(2021, 1, 11), "value": 0},
                   {"from": date(2021, 6, 1), "value": 8}])
    assert got[0] == (0.0, 10) and got[-1][1] == 8
    assert min(v for _, v in got) == 0


def test_a_ramp_is_linear_day_by_day():
    """0 to 100 slots over the 100 days from day 10: d slots on day 10 + d, by the ramp's definition
    (the value in force, moved linearly to the target, read once a day), not by the code's."""
    got = changes([{"from": START, "value": 0},
                   {"from": date(2020, 7, 27), "to": date(2020, 11, 4), "value": 100}])
    assert got == [(0.0, 0)] + [(10.0 + d, d) for d in range(1, 101)]


def test_a_ramp_down_with_a_factor_rounds_each_day():
    """From 10 to 4 over days 3 - 9 at factor 0.5: 5, 4.5, 4, 3.5, 3, 2.5, 2, rounded half to even:
    5, 4, 4, 4, 3, 2, 2."""
    down = [{"from": START, "value": 10}, {"from": date(2020, 7, 20), "to": date(2020, 7, 26), "value": 4}]
    got = capacity_changes(Resource(capacity=down, factor=0.5), START)
    assert got == [(0.0, 5), (4.0, 4), (7.0, 3), (8.0, 2)]


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(case=st.data())
def test_the_engine_follows_the_scenario_words_on_every_day(case):
    """resource_changes (with factor, extra slots, the Bouwimpuls's builders and the crisisaanpak's
    ramp) against the capacity the scenario's words give on each day (tests/invariants.py)."""
    draw = case.draw
    bouw = {"capacity": draw(schedule()), "factor": draw(st.sampled_from([0.0, 0.5, 1.0, 1.3, 2.0])),
            "extra": draw(st.sampled_from([[], None])) or draw(schedule(3))}
    measures = {}
    if draw(st.booleans()):
        measures["bouwimpuls"] = {"capacity": draw(schedule(3)), "preparation": {"dist": "fixed", "value": 1}}
    if draw(st.booleans()):
        begin = START + timedelta(days=draw(st.integers(-30, 800)))
        factor = draw(st.sampled_from([0.5, 3.0]))
        measures["crisisaanpak"] = {"from": begin, "factors": {"bouwcapaciteit": factor}}
        if draw(st.booleans()):
            measures["crisisaanpak"]["to"] = begin + timedelta(days=draw(st.integers(1, 300)))
    sc = Scenario.model_validate({"name": "s", "seed": 1, "start": START, "horizon": date(2030, 1, 1),
                                  "population": {"source": "empty"},
                                  "resources": {n: {"capacity": 1} for n in RESOURCES}
                                  | {"bouwcapaciteit": bouw},
                                  "durations": {s: {"dist": "fixed", "value": 1} for s in STEPS},
                                  "shares": {"skip_beoordeling": NONE, "meets_norm": NONE,
                                             "wisselwoning": {"particulier": 0.0, "corporatie": 0.0}},
                                  "measures": measures})
    day = np.arange(0.0, 2000.0)
    engine = step_function(resource_changes(sc, "bouwcapaciteit"))
    np.testing.assert_array_equal([engine(t) for t in day], capacity_in_force(sc, "bouwcapaciteit", day))

