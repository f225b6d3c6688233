"""Invariants that must hold for every valid scenario, checked on random ones (hypothesis): small
address files, capacities that drop to zero and come back, every kind of duration, random shares,
service orders, inflows and clusters. Each scenario goes through the ordinary loader.

What must hold in every run: every address is counted once in every quarter; no step is skipped or
repeated and each starts after the one before it ended; a resource never starts work beyond its
capacity (counted from the addresses' own start and end times, against the schedule); no address
waits while its resource has a free slot and no cluster holds the line; the same seed gives the
same run. And one theorem: with one step and first come first served, more capacity never makes any
address later (common random numbers). In a chain of steps that is not so (see the last test).
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
from conftest import BASE, NO_ADDRESS, address_table
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from versterking import load_population, load_scenario, run_scenario
from versterking.domain import (
    BEOORDELING,
    MILESTONES,
    NOG_NIET_GESTART,
    OPNAME,
    PLANVORMING,
    RESOURCES,
    S_BESLUIT,
    S_OPNAME,
    S_UITVOERING,
    S_VOORBEREIDEN,
    STEP_RESOURCE,
    STEPS,
    UITVOERING,
    VOLTOOID,
)
from versterking.engine.schedules import resource_changes
from versterking.runs import tables

START = date(2020, 7, 17)
EXAMPLES = settings(max_examples=300, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

days = st.integers(min_value=1, max_value=3000)
share = st.sampled_from([0.0, 0.1, 0.3, 0.5, 0.9, 1.0])


@st.composite
def capacity(draw):
    """A constant, or a schedule that may fall to zero and come back (steps and ramps)."""
    if draw(st.booleans()):
        return draw(st.integers(0, 6))
    t, changes = 0, []
    for _ in range(draw(st.integers(1, 4))):
        t += draw(st.integers(0, 400))
        change = {"from": START + timedelta(days=t), "value": draw(st.integers(0, 6))}
        if draw(st.booleans()):
            t += draw(st.integers(1, 200))
            change["to"] = START + timedelta(days=t)
        changes.append(change)
        t += 1
    if draw(st.booleans()):  # make sure work can finish
        changes.append({"from": START + timedelta(days=t + 1), "value": draw(st.integers(1, 6))})
    return changes


@st.composite
def duration(draw):
    mean = draw(st.floats(0.5, 200))
    kind = draw(st.sampled_from(["fixed", "exponential", "lognormal", "gamma", "triangular", "empirical"]))
    if kind == "fixed":
        return {"dist": "fixed", "value": draw(st.sampled_from([0.0, mean]))}
    if kind == "exponential":
        return {"dist": kind, "mean": mean}
    if kind in ("lognormal", "gamma"):
        return {"dist": kind, "mean": mean, "sd": draw(st.floats(0.1, 3)) * mean}
    if kind == "triangular":
        low, high = sorted(draw(st.lists(st.floats(0, 300), min_size=2, max_size=2, unique=True)))
        return {"dist": kind, "low": low, "mode": draw(st.floats(low, high)), "high": high}
    values = draw(st.lists(st.floats(0, 300), min_size=1, max_size=5))
    return {"dist": kind, "values": values}


def profiles(s):
    return st.fixed_dictionaries({"P50": s, "P90": s, "grijs": s})


@st.composite
def scenario(draw):
    """Overrides of the small base scenario, and its address file."""
    out = {f"resources.{name}.capacity": draw(capacity()) for name in RESOURCES}
    out |= {f"durations.{step}": draw(duration()) for step in STEPS}
    out |= {"shares.skip_beoordeling": draw(profiles(share)), "shares.meets_norm": draw(profiles(share)),
            "shares.wisselwoning": {"particulier": draw(share), "corporatie": draw(share)},
            "service_order": draw(st.sampled_from(["risk_first", "fifo"])),
            "cluster_uitvoering": draw(st.booleans()), "warm_start": draw(st.booleans()),
            "horizon": START + timedelta(days=draw(st.integers(400, 9000)))}
    if draw(st.booleans()):
        end = min(out["horizon"], START + timedelta(days=draw(days)))
        out["inflow"] = [{"name": "extra", "from": START, "to": end, "addresses": draw(st.integers(0, 30)),
                          "arrivals": draw(st.sampled_from(["even", "poisson"])),
                          "risk_profile": {"P50": 0.5, "grijs": 0.5}}]
    else:
        out["inflow"] = []
    return out, draw(st.integers(1, 60)), draw(st.integers(0, 10_000))


def _run(tmp_path, overrides: dict, n: int, seed: int):
    (tmp_path / "base.toml").write_text(BASE, encoding="utf-8")
    address_table(n, seed).to_csv(tmp_path / "adressen.csv", index=False)
    loaded = load_scenario(tmp_path / "base.toml", overrides)
    return run_scenario(loaded.scenario, load_population(loaded))


def _capacity_at(sc, name: str, t: np.ndarray) -> np.ndarray:
    changes = resource_changes(sc, name)
    at = np.searchsorted([c[0] for c in changes], t, side="right") - 1
    return np.array([c[1] for c in changes])[at]


def check_conservation(r) -> None:
    m = tables.milestones_quarterly(r)
    totaal = m[m["niveau"] == "totaal"]
    assert (totaal[list(MILESTONES)].sum(axis=1) == totaal["totaal"]).all()
    joined = np.sort(r.entered)
    for quarter, peildatum, total in zip(totaal["kwartaal"], pd.to_datetime(totaal["peildatum"]),
                                         totaal["totaal"], strict=True):
        if quarter == "start":  # the werkvoorraad as given
            assert total == np.searchsorted(joined, 0.0, side="right")
        else:  # the state at the end of the quarter's last day
            end_of_day = (peildatum.date() - r.scenario.start).days + 1
            assert total == np.searchsorted(joined, end_of_day, side="left")
    for level in ("risicoprofiel", "gemeente"):
        part = m[m["niveau"] == level].groupby("kwartaal", sort=False)["totaal"].sum()
        assert (part.to_numpy() == totaal["totaal"].to_numpy()).all()


def check_steps_in_order(r) -> None:
    """Per address: the steps it worked on are consecutive in the chain, start after the one before
    ended, each once; milestones are reached in order."""
    held = r.held
    for a in range(len(r.addresses)):
        did = np.flatnonzero(~np.isnan(r.started[a]))
        reached = r.reached[a, held[a]:]
        assert np.all(np.diff(reached[~np.isnan(reached)]) >= 0)
        if len(did) == 0:
            continue
        logged = did[~np.isnan(r.queued[a, did])]  # a line is joined once per resource, not per sub-step
        assert np.all(r.queued[a, logged] <= r.started[a, logged])
        ended = np.where(np.isnan(r.ended[a, did]), np.inf, r.ended[a, did])  # inf: under way at the end
        assert np.all(r.started[a, did] <= ended + 1e-9)
        assert np.all(ended[:-1] <= r.started[a, did[1:]] + 1e-9)
        first = {NOG_NIET_GESTART: S_OPNAME, OPNAME: 1, BEOORDELING: S_VOORBEREIDEN,
                 UITVOERING: S_UITVOERING}.get(held[a])
        if first is not None:
            assert did[0] == first, (a, held[a], did)
        expected = np.arange(did[0], did[-1] + 1)
        if held[a] != PLANVORMING:
            assert list(did) == list(expected), (a, did)  # none skipped in between
        if not np.isnan(r.reached[a, UITVOERING]) and held[a] < UITVOERING:
            assert S_BESLUIT in did and S_UITVOERING in did
        if not np.isnan(r.reached[a, VOLTOOID]) and np.isnan(r.reached[a, UITVOERING]):
            assert S_UITVOERING not in did and S_VOORBEREIDEN not in did


def check_capacity_never_exceeded(r) -> None:
    """At every start of work, the work under way (from the addresses' own times, a planvorming slot
    held from its first sub-step to the besluit) fits the capacity in force."""
    slot_start = np.fmin.reduce(r.started[:, S_VOORBEREIDEN:S_UITVOERING], axis=1)
    spans = {
        "opnamecapaciteit": (r.started[:, S_OPNAME], r.ended[:, S_OPNAME]),
        "ingenieursbureaus": (r.started[:, 1], r.ended[:, 1]),
        "planvorming": (slot_start, r.ended[:, S_BESLUIT]),
        "bouwcapaciteit": (r.started[:, S_UITVOERING], r.ended[:, S_UITVOERING]),
    }
    needs = r.needs_wisselwoning
    spans["wisselwoningen"] = (np.where(needs, r.started[:, S_UITVOERING], np.nan),
                               np.where(needs, r.ended[:, S_UITVOERING], np.nan))
    for name, (begin, end) in spans.items():
        ok = ~np.isnan(begin)
        begin, end = begin[ok], np.where(np.isnan(end[ok]), np.inf, end[ok])
        if not len(begin):
            continue
        starts = np.unique(begin)
        busy = np.array([np.sum((begin <= t) & (end > t)) for t in starts])
        limit = _capacity_at(r.scenario, name, starts)
        assert np.all(busy <= limit), (name, starts[busy > limit][:3], busy[busy > limit][:3])


def check_no_idle_slot_while_waiting(r) -> None:
    """After every change, a resource with addresses waiting has no free slot, unless a cluster's
    block needs more slots than are free (it holds the line by design)."""
    for name in ("opnamecapaciteit", "ingenieursbureaus", "planvorming", "bouwcapaciteit"):
        if name == "bouwcapaciteit" and r.scenario.cluster_uitvoering:
            continue
        rows = r.monitors[name]
        waiting = rows[:, 3] > 0
        assert np.all(rows[waiting, 1] >= rows[waiting, 2]), name


@EXAMPLES
@given(case=scenario())
def test_invariants_hold_in_every_run(tmp_path_factory, case):
    overrides, n, seed = case
    tmp = tmp_path_factory.mktemp("inv")
    r = _run(tmp, overrides, n, seed)
    check_conservation(r)
    check_steps_in_order(r)
    check_capacity_never_exceeded(r)
    check_no_idle_slot_while_waiting(r)
    again = _run(tmp, overrides, n, seed)
    for field in ("reached", "queued", "started", "ended"):
        np.testing.assert_array_equal(getattr(r, field), getattr(again, field))


@EXAMPLES
@given(case=scenario(), extra=st.integers(1, 4), name=st.sampled_from(RESOURCES[:4]))
def test_one_step_fifo_more_capacity_never_makes_an_address_later(tmp_path_factory, case, extra, name):
    """One step (all other steps take no time on ample capacity), first come first served: by the
    Kiefer-Wolfowitz recursion each address starts no later when every capacity is higher."""
    overrides, n, seed = case
    step = STEP_RESOURCE.index(name)
    for other in RESOURCES[:4]:
        if other != name:
            overrides[f"resources.{other}.capacity"] = 1000
    for s, step_name in enumerate(STEPS):
        if STEP_RESOURCE[s] != name:
            overrides[f"durations.{step_name}"] = {"dist": "fixed", "value": 0}
    overrides |= {"service_order": "fifo", "cluster_uitvoering": False,
                  "shares.wisselwoning": {"particulier": 0.0, "corporatie": 0.0}}
    tmp = tmp_path_factory.mktemp("mono")
    low = _run(tmp, overrides, n, seed)
    spec = overrides[f"resources.{name}.capacity"]
    more = [dict(c, value=c["value"] + extra) for c in spec] if isinstance(spec, list) else spec + extra
    high = _run(tmp, overrides | {f"resources.{name}.capacity": more}, n, seed)
    done_low, done_high = low.ended[:, step], high.ended[:, step]
    both = ~np.isnan(done_low)
    assert np.all(~np.isnan(done_high[both]))  # nothing finished with less that is unfinished with more
    assert np.all(done_high[both] <= done_low[both] + 1e-9)


def test_more_capacity_upstream_can_delay_the_last_address(tmp_path):
    """Not an invariant, and the reason the previous test has one step: in a chain, more capacity
    upstream changes the order in which addresses reach the next step, and a worse order there can
    finish later (as in Graham's list-scheduling anomalies). Four addresses, opname then beoordeling
    on two engineers; among the first seeds some finish later with three opname slots than with one."""
    (tmp_path / "base.toml").write_text(BASE, encoding="utf-8")
    four = address_table(4, 3).assign(milestone="nog niet gestart", planvorming_substep="")
    four.to_csv(tmp_path / "adressen.csv", index=False)
    common = {"resources.ingenieursbureaus.capacity": 2, "service_order": "fifo", "warm_start": False,
              "durations.opname": {"dist": "empirical", "values": [0.1, 1.0]},
              "durations.beoordeling": {"dist": "empirical", "values": [3.0, 6.0]},
              "shares.skip_beoordeling": NO_ADDRESS,
              "shares.meets_norm": {"P50": 1.0, "P90": 1.0, "grijs": 1.0}}
    later = []
    for seed in range(40):
        ends = {}
        for slots in (1, 3):
            loaded = load_scenario(tmp_path / "base.toml", common | {
                "resources.opnamecapaciteit.capacity": slots, "seed": seed})
            ends[slots] = run_scenario(loaded.scenario, load_population(loaded)).end_time
        if ends[3] > ends[1] + 1e-9:
            later.append((seed, ends[1], ends[3]))
    assert later, "no anomaly among the first seeds"
    print(f"\n{len(later)} of 40 seeds finish later with more opname capacity, e.g. seed {later[0][0]}: "
          f"day {later[0][1]:.1f} with one slot, {later[0][2]:.1f} with three")
