from datetime import date

from versterking.engine.schedules import capacity_changes
from versterking.inputs.blocks import Resource

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
