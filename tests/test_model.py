"""The engine's invariants on small scenarios: conservation, the chain, capacity, order, determinism."""

import math
from datetime import date

import numpy as np
import pytest
from conftest import ALL_MEASURES, capacities, run, variant
from invariants import capacity_in_force, check_service_order, work_and_waiting

from versterking import domain, load_scenario
from versterking.calendar import days_since, quarter_label
from versterking.domain import STEP_RESOURCE
from versterking.engine.run import _delay_to
from versterking.runs import tables


def expected_steps(held: int, skips: bool, meets: bool) -> list[int]:
    """The steps an address must go through, given the milestone it held at the start."""
    steps = []
    if held == domain.VOLTOOID:
        return steps
    if held == domain.NOG_NIET_GESTART:
        steps.append(domain.S_OPNAME)
    if held <= domain.OPNAME:
        if skips:
            return steps
        steps.append(domain.S_BEOORDELING)
        if meets:
            return steps
    if held <= domain.BEOORDELING:
        steps.append(domain.S_VOORBEREIDEN)
    if held <= domain.PLANVORMING:
        steps += [domain.S_UITVOERINGSPLAN, domain.S_BESLUIT]
    return steps + [domain.S_UITVOERING]


def test_every_address_goes_through_exactly_its_steps_once(small):
    r = run(small)
    from versterking import load_population
    from versterking.engine.model import Model

    loaded = load_scenario(small)
    m = Model(loaded.scenario, load_population(loaded))  # same draws as the run (CRN by index)
    assert not np.isnan(r.reached[:, domain.VOLTOOID]).any()
    for a in range(len(r.addresses)):
        steps = expected_steps(r.held[a], m.skips_beoordeling[a], r.meets_norm[a])
        if r.held[a] == domain.PLANVORMING:  # resumes at its sub-step
            steps = [s for s in steps if s != domain.S_VOORBEREIDEN]
        done = list(np.flatnonzero(~np.isnan(r.started[a])))
        assert done == steps, a
        ordered = r.started[a, done]
        assert np.all(np.diff(ordered) >= 0) and np.all(r.ended[a, done] >= ordered)


def test_conservation_every_quarter(small):
    r = run(variant(small, "groei", """
[[inflow]]
name = "op-verzoek"
from = 2021-01-01
to = 2022-01-01
addresses = 25
risk_profile = { grijs = 0.8, P90 = 0.2 }
"""))
    m = tables.milestones_quarterly(r)
    totaal = m[m["niveau"] == "totaal"]
    columns = ["nog niet gestart", "opname", "beoordeling", "planvorming", "uitvoering", "voltooid"]
    assert (totaal[columns].sum(axis=1) == totaal["totaal"]).all()
    # the total only changes by inflow: 80 at the start, 80 + 25 once the inflow is over
    assert totaal["totaal"].iloc[0] == 80 and totaal["totaal"].iloc[-1] == 105
    assert totaal["totaal"].is_monotonic_increasing
    for level in ("risicoprofiel", "gemeente"):
        per = m[m["niveau"] == level].groupby("kwartaal", sort=False)[columns + ["totaal"]].sum()
        assert (per.to_numpy() == totaal.set_index("kwartaal")[columns + ["totaal"]].to_numpy()).all()
    assert totaal["voltooid"].is_monotonic_increasing


def in_service_at_starts(r, steps):
    """For each start of work on `steps`: how many are in service right after it."""
    a, k = np.nonzero(~np.isnan(r.started[:, steps]))
    starts = r.started[:, steps][a, k]
    ends = r.ended[:, steps][a, k]
    # ends before starts at the same instant: a slot freed and taken at one moment
    times = np.concatenate([ends, starts])
    kinds = np.concatenate([np.zeros(len(ends)), np.ones(len(starts))])
    order = np.lexsort((kinds, times))
    level = np.cumsum(np.where(kinds[order] == 1, 1, -1))
    is_start = kinds[order] == 1
    return times[order][is_start], level[is_start]


@pytest.mark.parametrize("name", ["opnamecapaciteit", "ingenieursbureaus", "planvorming", "bouwcapaciteit"])
def test_capacity_never_exceeded_including_after_a_decrease(small, name):
    r = run(small)
    sc = r.scenario
    steps = [k for k, res in enumerate(STEP_RESOURCE) if res == name]
    if name == "planvorming":
        steps = [domain.S_VOORBEREIDEN]  # one slot is held over all three sub-steps
        starts = np.where(np.isnan(r.started[:, steps[0]]), r.started[:, domain.S_UITVOERINGSPLAN],
                          r.started[:, steps[0]])
        r.started[:, steps[0]] = starts
        r.ended[:, steps[0]] = r.ended[:, domain.S_BESLUIT]
    t, level = in_service_at_starts(r, steps)
    cap = capacity_in_force(sc, name, t)  # the limit from the scenario's words, not the engine's schedule
    assert len(t) > 0 and np.all(level <= cap)


def test_bouwcapaciteit_decrease_drains_running_work(small):
    """4 slots, down to 1 on 2021-06-01: nobody starts until fewer than 1 are at work."""
    r = run(small)
    t, level = in_service_at_starts(r, [domain.S_UITVOERING])
    cut = (date(2021, 6, 1) - r.scenario.start).days
    after = (t >= cut) & (t < (date(2022, 1, 1) - r.scenario.start).days)
    assert after.any() and np.all(level[after] <= 1)


def test_wisselwoningen_never_exceeded(small):
    r = run(small)
    uses = r.needs_wisselwoning & ~np.isnan(r.started[:, domain.S_UITVOERING])
    r.started[~uses, domain.S_UITVOERING] = np.nan
    t, level = in_service_at_starts(r, [domain.S_UITVOERING])
    assert len(t) > 0 and np.all(level <= 2)


@pytest.mark.parametrize("clusters", [False, True], ids=["alone", "treintjes"])
def test_monitor_matches_event_log(small, clusters):
    """Per resource and quarter, the slots in use and the capacity that resources_quarterly
    integrates from the monitors equal the sum of the addresses' own working intervals (each
    measure's routes included) and the capacity the scenario's words give (tests/invariants.py)."""
    r = run(variant(small, "alles", f"cluster_uitvoering = {str(clusters).lower()}\n" + ALL_MEASURES))
    rq = tables.resources_quarterly(r).set_index(["middel", "kwartaal"])
    days = tables.report_dates(r)
    edges = np.array([0.0] + [days_since(r.scenario.start, d) + 1.0 for d in days[1:]])
    edges[-1] = max(min(edges[-1], r.end_time), edges[-2])
    lo, hi = edges[:-1, None], edges[1:, None]
    width = (hi - lo)[:, 0]
    quarters = [quarter_label(d) for d in days[1:]]
    day = np.arange(0.0, np.ceil(edges[-1]))
    for name, spans in work_and_waiting(r).items():
        begin, end = spans["work"]
        ok = ~np.isnan(begin)
        b, e = begin[ok][None, :], np.where(np.isnan(end[ok]), np.inf, end[ok])[None, :]
        worked = np.clip(np.minimum(e, hi) - np.maximum(b, lo), 0.0, None).sum(axis=1)
        per_day = np.clip(np.minimum(day + 1, hi) - np.maximum(day, lo), 0.0, None)
        capacity = per_day @ capacity_in_force(r.scenario, name, day)
        table = rq.loc[name].loc[quarters]
        np.testing.assert_allclose(table["in gebruik"].to_numpy() * width, worked, rtol=1e-9, atol=1e-6,
                                   err_msg=name)
        np.testing.assert_allclose(table["capaciteit"].to_numpy() * width, capacity, rtol=1e-9, atol=1e-6,
                                   err_msg=name)
    assert (r.route == domain.PRAKTIJKAANPAK).any() and r.handed_over.any()  # the measures' routes ran


@pytest.mark.parametrize("order", ["risk_first", "fifo"])
def test_service_order_is_respected(small, order):
    """With one opname slot and everyone waiting from the start, opnames start in key order."""
    r = run(variant(small, "volgorde", f'service_order = "{order}"\n'
                    "[resources.opnamecapaciteit]\ncapacity = 1\n"))
    waiting = np.flatnonzero(r.held == domain.NOG_NIET_GESTART)
    started = r.started[waiting, domain.S_OPNAME]
    since = r.reached[waiting, 0]
    profile = r.addresses["risk_profile"].map({"P50": 0, "P90": 1, "grijs": 2}).to_numpy()[waiting]
    key = (np.lexsort((waiting, since, profile)) if order == "risk_first"
           else np.lexsort((waiting, since)))
    assert np.all(np.diff(started[key]) > 0)


@pytest.mark.parametrize("order", ["risk_first", "fifo"])
@pytest.mark.parametrize("resource", domain.RESOURCES[:4])
def test_every_resource_serves_in_the_service_order(small, resource, order):
    """One slot at one resource, so a line forms there: each time work starts, everyone still waiting
    comes later in the order (tests/invariants.py::check_service_order); and under risk first some
    grijs address that waited longer was passed by a P50 or P90, under fifo none."""
    r = run(variant(small, f"{resource}-{order}", f'service_order = "{order}"\n'
                    f"[resources.{resource}]\ncapacity = 1\n"
                    "[shares.wisselwoning]\nparticulier = 0.0\ncorporatie = 0.0\n"))
    check_service_order(r)
    step = {"opnamecapaciteit": domain.S_OPNAME, "ingenieursbureaus": domain.S_BEOORDELING,
            "planvorming": domain.S_VOORBEREIDEN, "bouwcapaciteit": domain.S_UITVOERING}[resource]
    profile = r.addresses["risk_profile"].to_numpy()
    joined = r.queued[:, step]
    started = np.fmin.reduce(r.started[:, step:domain.S_UITVOERING], axis=1) if resource == "planvorming" \
        else r.started[:, step]
    fresh = (r.held != domain.PLANVORMING) & (r.held != domain.UITVOERING) & ~np.isnan(started)
    grijs, urgent = fresh & (profile == "grijs"), fresh & (profile != "grijs")
    passed = ((joined[urgent][:, None] > joined[grijs][None, :])
              & (started[urgent][:, None] < started[grijs][None, :]))
    assert passed.any() == (order == "risk_first")


def test_same_seed_same_numbers_other_seed_other_numbers(small):
    a, b = run(small), run(small)
    np.testing.assert_array_equal(a.reached, b.reached)
    np.testing.assert_array_equal(a.ended, b.ended)
    c = run(variant(small, "ander", "seed = 8\n"))
    assert not np.array_equal(a.ended, c.ended, equal_nan=True)


def test_infinite_capacity_means_no_waiting(small):
    r = run(variant(small, "ruim", capacities(*[100_000] * 5)))
    waits = r.started - r.queued
    assert np.nanmax(waits[r.queued >= 0]) == 0.0


def test_zero_capacity_means_nothing_moves(small):
    r = run(variant(small, "dicht", "horizon = 2025-12-31\n[resources.opnamecapaciteit]\ncapacity = 0\n"))
    assert np.isnan(r.started[:, domain.S_OPNAME]).all()
    assert np.isnan(r.reached[r.held == domain.NOG_NIET_GESTART, domain.VOLTOOID]).all()
    ends = tables.end_dates(r).set_index("groep")
    assert ends.loc["totaal", "100% voltooid"] is None and ends.loc["totaal", "opname gereed"] is None


def test_deterministic_durations_give_exact_sums(small):
    """Fixed durations and ample capacity: after opname an address is voltooid exactly
    beoordeling + planvorming + uitvoering days later."""
    r = run(variant(small, "vast", """
[durations]
opname = { dist = "fixed", value = 10 }
beoordeling = { dist = "fixed", value = 20 }
planvorming_voorbereiden = { dist = "fixed", value = 30 }
uitvoeringsplan_opstellen = { dist = "fixed", value = 40 }
versterkingsbesluit = { dist = "fixed", value = 50 }
uitvoering = { dist = "fixed", value = 60 }
[shares]
skip_beoordeling = { P50 = 0.0, P90 = 0.0, grijs = 0.0 }
meets_norm = { P50 = 0.0, P90 = 0.0, grijs = 0.0 }
""" + capacities(*[1000] * 5)))
    fresh = r.held == domain.NOG_NIET_GESTART
    # day-0 opnames were already under way (warm start); every later step takes its fixed time
    np.testing.assert_allclose(r.reached[fresh, domain.VOLTOOID] - r.ended[fresh, domain.S_OPNAME],
                               20 + 30 + 40 + 50 + 60)
    assert (r.ended[fresh, domain.S_OPNAME] <= 10).all()


def test_inflow_even_and_poisson(small):
    text = """
[[inflow]]
name = "extra"
from = 2021-01-01
to = 2021-12-31
addresses = 200
arrivals = "{}"
risk_profile = {{ grijs = 1.0 }}
gemeente = {{ Oldambt = 1.0 }}
"""
    even = run(variant(small, "even", text.format("even")))
    poisson = run(variant(small, "poisson", text.format("poisson")))
    assert len(even.addresses) == 280
    assert 200 - 4 * 15 < len(poisson.addresses) - 80 < 200 + 4 * 15
    new = even.addresses.iloc[80:]
    assert (new["gemeente"] == "Oldambt").all() and (new["risk_profile"] == "grijs").all()
    joined = even.reached[80:, 0]
    assert joined.min() >= (date(2021, 1, 1) - even.scenario.start).days
    assert not np.isnan(even.started[80:, domain.S_OPNAME]).any()
    # each joins its line on the day it arrives, never before it (nor is served before it)
    for r in (even, poisson):
        assert np.array_equal(r.queued[80:, domain.S_OPNAME], r.reached[80:, 0])
        assert np.all(r.started[80:, domain.S_OPNAME] >= r.queued[80:, domain.S_OPNAME])


def test_an_arrival_lands_on_its_day_or_the_first_instant_after_it():
    """The clock adds delays to the present; a difference of two floats can fall one unit in the
    last place short of the arrival day (0.654 + (1.962 - 0.654) < 1.962), and no delay lands on it."""
    now, day = 0.6538461538461539, 1.9615384615384615
    assert now + (day - now) < day
    delay = _delay_to(now, day)
    assert now + delay >= day and now + math.nextafter(delay, 0.0) < day
    assert _delay_to(2.0, 3.5) == 1.5 and _delay_to(3.5, 3.5) == 0.0


def test_common_random_numbers_keep_each_address_s_draws(small):
    """Adding capacity changes waits, not what each address's work takes."""
    a = run(small)
    b = run(variant(small, "meer", "[resources.bouwcapaciteit]\ncapacity = 10\n"))
    work_a = a.ended - a.started
    work_b = b.ended - b.started
    both = ~np.isnan(work_a) & ~np.isnan(work_b)
    np.testing.assert_allclose(work_a[both], work_b[both])


CLUSTERS = """cluster_uitvoering = true
[resources.bouwcapaciteit]
capacity = {bouw}
[resources.wisselwoningen]
capacity = 50
"""


def cluster_starts(r):
    """Uitvoering start days per cluster, for members that were not already under way."""
    fresh = (r.held < domain.UITVOERING) & ~np.isnan(r.started[:, domain.S_UITVOERING])
    df = r.addresses[fresh].assign(start=r.started[fresh, domain.S_UITVOERING])
    return df.groupby("cluster_id")["start"]


def test_clusters_start_uitvoering_together(small):
    r = run(variant(small, "treintjes", CLUSTERS.format(bouw=20)))
    assert not np.isnan(r.reached[:, domain.VOLTOOID]).any()
    starts = cluster_starts(r)
    assert (starts.nunique() == 1).all() and starts.ngroups >= 5
    t, level = in_service_at_starts(r, [domain.S_UITVOERING])
    assert np.all(level <= 20)


def test_cluster_larger_than_capacity_moves_in_blocks_that_fit(small):
    r = run(variant(small, "smal", CLUSTERS.format(bouw=3)))
    assert not np.isnan(r.reached[:, domain.VOLTOOID]).any()
    starts = cluster_starts(r)
    assert (starts.nunique() > 1).any()  # clusters of up to 10 members had to split
    per_start = r.addresses.assign(start=r.started[:, domain.S_UITVOERING]).groupby(
        ["cluster_id", "start"]).size()
    assert per_start.max() <= 3
    t, level = in_service_at_starts(r, [domain.S_UITVOERING])
    assert np.all(level <= 3)


def test_a_cluster_waits_for_its_last_member(small):
    r = run(variant(small, "wacht", CLUSTERS.format(bouw=20)))
    ready = r.ended[:, domain.S_BESLUIT]
    start = r.started[:, domain.S_UITVOERING]
    df = r.addresses.assign(ready=ready, start=start)[~np.isnan(ready)]
    last_ready = df.groupby("cluster_id")["ready"].max()
    first_start = df.groupby("cluster_id")["start"].min()
    assert (first_start >= last_ready - 1e-9).all()


def test_a_wisselwoning_shortage_shows_as_the_bottleneck(small):
    r = run(variant(small, "krap", capacities(50, 50, 50, 50, 1) + """
[shares]
wisselwoning = { particulier = 1.0, corporatie = 1.0 }
"""))
    b = tables.bottlenecks(tables.resources_quarterly(r)).set_index("jaar")
    assert b.loc[2021, "knelpunt"] == "wisselwoningen"
    rq = tables.resources_quarterly(r).set_index(["kwartaal", "middel"])
    assert rq.loc[("Q1 2021", "wisselwoningen"), "bezetting"] == 1.0
    assert rq.loc[("Q1 2021", "bouwcapaciteit"), "wachtrij"] == 0.0  # they wait for a home, not a builder


def test_bouwcapaciteit_shortage_shows_as_the_bottleneck(small):
    r = run(variant(small, "bouw", capacities(50, 50, 50, 1, 50)))
    b = tables.bottlenecks(tables.resources_quarterly(r))
    assert (b.loc[b["jaar"].between(2021, 2025), "knelpunt"] == "bouwcapaciteit").all()


def test_production_per_quarter_counts_each_completion_once(small):
    r = run(small)
    prod = tables.production_quarterly(r)
    assert prod["opgenomen"].sum() == (~np.isnan(r.ended[:, domain.S_OPNAME])).sum()
    assert prod["project uitgevoerd"].sum() == (~np.isnan(r.ended[:, domain.S_UITVOERING])).sum()
    # "planvorming gestart" counts when the uitvoeringsplan is started (tabel 2.1's reading)
    assert prod["planvorming gestart"].sum() == (~np.isnan(r.started[:, domain.S_UITVOERINGSPLAN])).sum()
    fresh = r.held <= domain.BEOORDELING
    assert (r.reached[fresh, domain.PLANVORMING] == r.started[fresh, domain.S_UITVOERINGSPLAN]).sum() \
        == (fresh & ~np.isnan(r.reached[:, domain.PLANVORMING])).sum()
    m = tables.milestones_quarterly(r)
    voltooid = m[m["niveau"] == "totaal"]["voltooid"].to_numpy()
    # every uitgevoerd address becomes voltooid in the same quarter
    assert (np.diff(voltooid) >= prod["project uitgevoerd"].to_numpy()).all()


def test_the_werkvoorraads_addresses_that_need_no_beoordeling_count_when_found(small):
    """shares.skip_beoordeling_after: the opgenomen addresses of the werkvoorraad that need no
    beoordeling are voltooid on that day, not on the peildatum; addresses opgenomen later at once."""
    text = '[shares]\nskip_beoordeling = { P50 = 1.0, P90 = 1.0, grijs = 1.0 }\nskip_beoordeling_after = 30\n'
    r = run(variant(small, "later", text))
    held = r.held == domain.OPNAME
    done = r.reached[:, domain.VOLTOOID]
    assert held.any() and (done[held] == 30).all()
    later = (r.held == domain.NOG_NIET_GESTART) & ~np.isnan(done)
    assert later.any()
    np.testing.assert_array_equal(done[later], r.ended[later, domain.S_OPNAME])
    at_once = run(variant(small, "meteen", text.replace("= 30", "= 0")))
    assert (at_once.reached[held, domain.VOLTOOID] == 0).all()
