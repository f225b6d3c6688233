"""One run of a scenario: build the model, start the life of every address, the capacity schedules
and the measures' hand-overs, run to the last voltooid (or the horizon), and hand back the arrays."""

from __future__ import annotations

import gc
import math
import time
from itertools import groupby
from operator import itemgetter

import numpy as np
import pandas as pd
import simpy
from simpy.core import URGENT
from tqdm import tqdm

from ..calendar import days_since, quarter_ends
from ..domain import VOLTOOID
from ..inputs.scenario import Scenario
from .model import Model
from .process import address_life
from .resources import follow_schedule
from .result import RunResult
from .schedules import growth_rule
from .split import merged_monitor


def build(scenario: Scenario, population: pd.DataFrame) -> Model:
    """The model with its processes started. Addresses first: at day 0 every address joins its line
    before any capacity opens, so the first slots go by service order, not by creation order. An
    inflow address's life starts on its arrival day."""
    model = Model(scenario, population)
    env = model.env
    active = np.flatnonzero(model.milestone0 != VOLTOOID)
    later = model.arrival[active] > 0
    for a in active[~later].tolist():
        env.process(address_life(model, a))
    if later.any():
        env.process(arrivals(model, active[later]))
    for name, divided in model.resources.items():
        growth = growth_rule(model.sc, name)
        for part, schedule in zip(divided.parts, divided.schedules, strict=True):
            env.process(follow_schedule(env, part, schedule, growth))
    for measure in model.measures.hand_overs:
        for tranche in measure.tranches:
            env.process(model.hand_over(tranche, measure))
    return model


def arrivals(model: Model, addresses: np.ndarray):
    """SimPy process: start each inflow address's life on its arrival day. One pending arrival at a
    time keeps SimPy's event queue short (a stream of 700,000 addresses otherwise sits in it from
    day 0). The wake-up is urgent, so arrivals go before other work due at the same moment, as
    timeouts set on day 0 did."""
    env = model.env
    order = addresses[np.argsort(model.arrival[addresses], kind="stable")]  # by day, then index
    days = model.arrival[order].tolist()
    for t, group in groupby(zip(days, order.tolist(), strict=True), key=itemgetter(0)):
        yield _urgent(env, _delay_to(env.now, t))
        for _, a in group:
            model.arrive(a)
            env.process(address_life(model, a))


def _delay_to(now: float, t: float) -> float:
    """The smallest delay that SimPy, adding it to `now`, takes to `t` or just past it: `t - now`
    can fall a unit in the last place short, and no sum may land on `t` exactly."""
    delay = max(t - now, 0.0)
    while now + delay < t:
        delay = math.nextafter(delay, math.inf)
    return delay


def _urgent(env: simpy.Environment, delay: float) -> simpy.Event:
    """A timeout that goes before the ordinary events of its moment (made as SimPy makes its own
    Initialize event)."""
    event = simpy.Event(env)
    event._ok, event._value = True, None
    env.schedule(event, URGENT, delay)
    return event


def simulate(model: Model, progress: bool = False) -> RunResult:
    """Run quarter by quarter until every address taking part is voltooid or the horizon is reached."""
    sc, env = model.sc, model.env
    horizon = days_since(sc.start, sc.horizon)
    checkpoints = [days_since(sc.start, q) for q in quarter_ends(sc.start, sc.horizon)]
    checkpoints = [t for t in checkpoints if 0 < t < horizon] + [horizon]
    t_wall = time.perf_counter()
    bar = tqdm(total=model.n, desc=sc.name, unit="adres", disable=not progress, leave=False)
    for t in checkpoints:
        if model.done >= model.taking_part and env.now > 0:
            break
        env.run(until=t)
        bar.update(model.done - bar.n)
        bar.set_postfix_str(f"{sc.start.year + int(env.now // 365.25)}")
    bar.close()
    end = model.last_done if model.done >= model.taking_part else horizon
    return RunResult(
        scenario=sc, addresses=model.addresses, stock=model.stock, entered=model.entered,
        reached=model.reached, queued=model.queued, started=model.started, ended=model.ended,
        needs_wisselwoning=model.needs_wisselwoning, held=model.milestone0, route=model.route,
        meets_norm=model.meets_norm, handed_over=model.handed_over,
        first_beoordeling=model.first_beoordeling, attributes=model.attributes,
        monitors={name: merged_monitor([part.monitor.as_array() for part in divided.parts])
                  for name, divided in model.resources.items()},
        part_monitors={name: {group: part.monitor.as_array() for group, part in
                              zip(divided.groups, divided.parts, strict=True)}
                       for name, divided in model.resources.items() if len(divided.parts) > 1},
        end_time=end, takes_part=model.takes_part, wall_seconds=time.perf_counter() - t_wall,
    )


def run_scenario(scenario: Scenario, population: pd.DataFrame, progress: bool = False) -> RunResult:
    """Build and run one replication. The garbage collector is paused while tens of thousands of
    processes are created (it would otherwise rescan them over and over)."""
    gc.disable()
    try:
        return simulate(build(scenario, population), progress)
    finally:
        gc.enable()
