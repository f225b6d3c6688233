"""What must hold in every run, checked from quantities the engine does not use to decide: the
addresses' own logged times (when each joined a line, started and ended each step) and the capacity
the scenario's words give on each day (capacity_in_force, written here from the schema's definitions,
not from versterking.engine.schedules). The resources' monitors are not read.

Used by test_invariants.py on random scenarios, and by test_model.py on the embedded werkvoorraad.
"""

from __future__ import annotations

import heapq
import math

import numpy as np
import pandas as pd

from versterking.calendar import days_since
from versterking.domain import (
    BEOORDELING,
    CUMULATIVE,
    HERBEOORDELING,
    KLASSIEK,
    MILESTONES,
    NOG_NIET_GESTART,
    OPNAME,
    PLANVORMING,
    PROFILES,
    RESOURCES,
    S_BEOORDELING,
    S_BESLUIT,
    S_OPNAME,
    S_UITVOERING,
    S_VOORBEREIDEN,
    SLOT_STEPS,
    TYPOLOGIE,
    UITVOERING,
    VERSTERKT,
    VOLDOET,
    VOLTOOID,
)
from versterking.engine.distributions import mean_of
from versterking.inputs.embedded import DONE_AS
from versterking.runs import tables

# -- the capacity in force, from the scenario's words ---------------------------------------------


def _schedule_value(spec, factor: float, start, day: int) -> int:
    """Whole slots on `day`: a number times the factor; or the last change from on or before `day`,
    a step to its value, or on a ramp the value in force before it moved linearly (re-read once a
    day) towards its value, each day's value times the factor rounded to whole slots."""
    if not isinstance(spec, list):
        return round(spec * factor)
    value, before = 0.0, 0.0  # before the first change: no slots
    for change in spec:
        t0 = days_since(start, change.from_)
        target = change.value * factor
        if day >= t0:
            if change.to is None:
                value = target
            else:
                t1 = days_since(start, change.to)
                value = target if day >= t1 else before + (target - before) * (day - t0) / (t1 - t0)
        before = target
    return round(value)


def capacity_in_force(sc, name: str, t: np.ndarray) -> np.ndarray:
    """Slots of resource `name` at times t (>= 0): its schedule times its factor; times the
    crisisaanpak's factor (1 before `from`, linear to the factor on `to`, read once a day); plus its
    `extra` slots and the Bouwimpuls's builders, each whole; the sum rounded."""
    resource = getattr(sc.resources, name)
    factor = resource.factor
    if resource.unit == "adressen per jaar":  # a slot held the steps' mean days serves 365.25 / days a year
        factor *= sum(mean_of(getattr(sc.durations, step)) for step in SLOT_STEPS[name]) / 365.25
    added = [resource.extra] if resource.extra else []
    if name == "bouwcapaciteit" and (impuls := sc.measures.get("bouwimpuls")) is not None and impuls.capacity:
        added.append(impuls.capacity)
    crisis = sc.measures.get("crisisaanpak")
    crisis = crisis if crisis is not None and name in crisis.factors else None
    out = np.empty(len(t), int)
    for i, day in enumerate(np.floor(np.maximum(t, 0.0)).astype(int).tolist()):
        base = _schedule_value(resource.capacity, factor, sc.start, day)
        if not added and crisis is None:
            out[i] = base
            continue
        ramp = 1.0
        if crisis is not None:
            t0 = days_since(sc.start, crisis.from_)
            t1 = days_since(sc.start, crisis.to) if crisis.to is not None else t0
            f = crisis.factors[name]
            ramp = 1.0 if day < t0 else f if day >= t1 else 1.0 + (f - 1.0) * (day - t0) / (t1 - t0)
        out[i] = round(base * ramp + sum(_schedule_value(a, 1.0, sc.start, day) for a in added))
    return out


def _largest_remainder(weights: np.ndarray, total: int) -> np.ndarray:
    exact = weights * total / weights.sum() if weights.sum() > 0 else np.zeros(len(weights))
    whole = np.floor(exact).astype(int)
    rest = exact - whole
    for k in sorted(range(len(weights)), key=lambda k: -rest[k])[: total - whole.sum()]:
        whole[k] += 1
    return whole


def parts(r, name: str) -> list[tuple[np.ndarray, np.ndarray]]:
    """A resource's parts under its verdeelsleutel: per part, the addresses it serves (a mask) and
    its share of the whole's capacity per time (the whole's slots split by largest remainder in
    proportion to the shares, or to the groups' addresses still to finish at the start)."""
    resource = getattr(r.scenario.resources, name)
    n = len(r.held)
    if resource.growth is not None:  # what it grew to follows its line: the resource's own record of it
        monitors = r.part_monitors.get(name, {"": r.monitors[name]})
        column = r.addresses[resource.split.by].astype(str).to_numpy() if resource.split else np.full(n, "")
        return [(column == g, _recorded_capacity(m)) for g, m in monitors.items()]
    if resource.split is None:
        return [(np.ones(n, bool), lambda t: capacity_in_force(r.scenario, name, t))]
    column = r.addresses[resource.split.by].astype(str).to_numpy()
    shares = resource.split.shares
    groups = sorted(set(column)) if shares == "werkvoorraad" else sorted(shares)
    weights = np.array([((column == g) & (r.held < VOLTOOID)).sum() if shares == "werkvoorraad"
                        else shares[g] for g in groups], dtype=float)

    def share(k):
        return lambda t: np.array([_largest_remainder(weights, int(c))[k]
                                   for c in capacity_in_force(r.scenario, name, t)])
    return [(column == g, share(k)) for k, g in enumerate(groups)]


def _recorded_capacity(monitor: np.ndarray):
    """The capacity a monitor recorded at times t (after all that happened at t); test_growth holds
    that record to the growth rule."""
    return lambda t: monitor[np.searchsorted(monitor[:, 0], t, side="right") - 1, 2].astype(int)


def _masked(spans: tuple, mask: np.ndarray) -> tuple:
    """Spans of the addresses in `mask` (a line may hold an address twice: its first beoordeling)."""
    m = np.tile(mask, len(spans[0]) // len(mask))
    return tuple(np.where(m, x, np.nan) for x in spans)


# -- work and waiting, from the addresses' logged times -------------------------------------------


def _open(end: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(end), np.inf, end)


def _count(begin: np.ndarray, end: np.ndarray, t: np.ndarray) -> np.ndarray:
    """How many half-open intervals [begin, end) hold each t (after all that happens at t)."""
    ok = ~np.isnan(begin)
    b, e = np.sort(begin[ok]), np.sort(_open(end[ok]))
    return np.searchsorted(b, t, side="right") - np.searchsorted(e, t, side="right")


def handed_over_at(r) -> np.ndarray:
    """Day a measure took the address out of the planvorming line (NaN: never): its reassessment
    joined the ingenieursbureaus' line then, or its preparation started then."""
    return np.where(r.handed_over == 0, np.nan,
                    np.where(r.route == HERBEOORDELING, r.queued[:, S_BEOORDELING], r.started[:, S_BESLUIT]))


def cluster_complete_at(r) -> np.ndarray:
    """Per address: the day its cluster was complete (every member that may need uitvoering ready
    for it or gone another way), NaN if never; the day it asked for a builder otherwise."""
    ready = r.queued[:, S_UITVOERING]
    if not r.scenario.cluster_uitvoering:
        return ready
    handed = handed_over_at(r)
    without = np.isnan(r.reached[:, UITVOERING]) & np.isnan(ready)
    done_without = np.where(without, r.reached[:, VOLTOOID], np.nan)
    settled = np.where(~np.isnan(handed), handed, np.where(~np.isnan(ready), ready, done_without))
    settled[~r.takes_part] = 0.0  # an owner who does not take part: the cluster goes without from the start
    member = r.held < UITVOERING
    cluster = r.addresses["cluster_id"].to_numpy()
    out = ready.copy()
    for c in np.unique(cluster[member]):
        mine = member & (cluster == c)
        complete = np.max(settled[mine]) if not np.isnan(settled[mine]).any() else np.nan
        gated = mine & np.isnan(handed) & ~np.isnan(ready)
        out[gated] = complete
    return out


def work_and_waiting(r) -> dict[str, dict]:
    """Per resource the spans its slots were held and the spans addresses stood in its line (a
    reassessed address's first beoordeling included)."""
    s, e, q = r.started, r.ended, r.queued
    needs = r.needs_wisselwoning
    first = r.first_beoordeling  # queued, started, ended, route
    cat = np.concatenate
    beoordeling = {"q": cat([q[:, S_BEOORDELING], first[:, 0]]), "s": cat([s[:, S_BEOORDELING], first[:, 1]]),
                   "e": cat([e[:, S_BEOORDELING], first[:, 2]]), "route": cat([r.route, first[:, 3]])}
    on_ib = np.isin(beoordeling["route"], [KLASSIEK, TYPOLOGIE, HERBEOORDELING])
    handed = handed_over_at(r)
    slot = np.where(r.handed_over == 0, np.fmin.reduce(s[:, S_VOORBEREIDEN:S_UITVOERING], axis=1), np.nan)
    planned = np.where(np.isnan(handed), slot, handed)

    def only(x, m):
        return np.where(m, x, np.nan)

    return {
        "opnamecapaciteit": {"work": (s[:, S_OPNAME], e[:, S_OPNAME]),
                             "line": (q[:, S_OPNAME], s[:, S_OPNAME])},
        "ingenieursbureaus": {"work": (only(beoordeling["s"], on_ib), beoordeling["e"]),
                              "line": (only(beoordeling["q"], on_ib), beoordeling["s"])},
        "planvorming": {"work": (slot, only(e[:, S_BESLUIT], ~np.isnan(slot))),
                        "line": (q[:, S_VOORBEREIDEN], planned)},
        "bouwcapaciteit": {"work": (s[:, S_UITVOERING], e[:, S_UITVOERING]),
                           "line": (cluster_complete_at(r), s[:, S_UITVOERING])},
        "wisselwoningen": {"work": (only(s[:, S_UITVOERING], needs), e[:, S_UITVOERING])},
    }


def check_times(r) -> np.ndarray:
    """Every moment something can change: each logged time and each whole day of the run."""
    logged = np.concatenate([r.queued.ravel(), r.started.ravel(), r.ended.ravel()])
    logged = logged[~np.isnan(logged) & (logged >= 0)]
    days = np.arange(0.0, math.floor(r.end_time) + 1.0)
    times = np.unique(np.concatenate([logged, days]))
    # a run stopped at its horizon did nothing at that moment (SimPy's until): a capacity change there,
    # as a replay's at the peildatum, never dispatched
    return times[times < days_since(r.scenario.start, r.scenario.horizon)]


def check_capacity_never_exceeded(r) -> None:
    """At every start of work, the work under way fits the capacity in force."""
    for name, spans in work_and_waiting(r).items():
        for k, (mask, capacity) in enumerate(parts(r, name)):
            begin, end = _masked(spans["work"], mask)
            starts = np.unique(begin[~np.isnan(begin)])
            if not len(starts):
                continue
            busy = _count(begin, end, starts)
            limit = capacity(starts)
            assert np.all(busy <= limit), (name, k, starts[busy > limit][:3], busy[busy > limit][:3])


def check_no_idle_slot_while_waiting(r) -> None:
    """After everything that happens at a moment, no address stands in a line while the work it
    waits for could start: a free slot (and, for uitvoering with a wisselwoning, a free one of
    those). In cluster mode a block of a cluster may hold the line while fewer slots are free than
    it needs: then the check is that not even the largest block in line could start."""
    t = check_times(r)
    spans = work_and_waiting(r)
    free = {name: [(mask, capacity(t) - _count(*_masked(spans[name]["work"], mask), t))
                   for mask, capacity in parts(r, name)] for name in RESOURCES}
    for name in ("opnamecapaciteit", "ingenieursbureaus", "planvorming"):
        for mask, left in free[name]:
            waiting = _count(*_masked(spans[name]["line"], mask), t)
            bad = (waiting > 0) & (left > 0)
            assert not bad.any(), (name, t[bad][:3], waiting[bad][:3], left[bad][:3])

    begin, end = spans["bouwcapaciteit"]["line"]
    needs = r.needs_wisselwoning
    if not r.scenario.cluster_uitvoering:
        for builders, bouw in free["bouwcapaciteit"]:
            plain = _count(begin[builders & ~needs], end[builders & ~needs], t)
            bad = (plain > 0) & (bouw > 0)
            for houses, wissel in free["wisselwoningen"]:
                both = builders & houses & needs
                bad |= (_count(begin[both], end[both], t) > 0) & (bouw > 0) & (wissel > 0)
            assert not bad.any(), ("bouwcapaciteit", t[bad][:3], plain[bad][:3], bouw[bad][:3])
    else:  # the scenario allows the gate only with undivided builders and wisselwoningen
        (_, bouw), (_, wissel) = free["bouwcapaciteit"][0], free["wisselwoningen"][0]
        plain, joint = _count(begin[~needs], end[~needs], t), _count(begin[needs], end[needs], t)
        largest, most_wissel = _largest_blocks(r, begin, end, t)
        bad = (plain + joint > 0) & (bouw >= largest) & (wissel >= most_wissel)
        assert not bad.any(), ("bouwcapaciteit", t[bad][:3], plain[bad][:3], joint[bad][:3], bouw[bad][:3])


def _largest_blocks(r, begin, end, t) -> tuple[np.ndarray, np.ndarray]:
    """The most slots, and the most wisselwoningen, any one cluster in line asks for at each t (at
    least one: a single address)."""
    cluster = r.addresses["cluster_id"].to_numpy()
    largest, most_wissel = np.ones(len(t), int), np.zeros(len(t), int)
    in_line = ~np.isnan(begin) & ((r.held < UITVOERING) & (r.handed_over == 0))
    for c in np.unique(cluster[in_line]):
        mine = in_line & (cluster == c)
        largest = np.maximum(largest, _count(begin[mine], end[mine], t))
        both = mine & r.needs_wisselwoning
        most_wissel = np.maximum(most_wissel, _count(begin[both], end[both], t))
    singles = ~np.isnan(begin) & ~in_line & r.needs_wisselwoning
    most_wissel = np.maximum(most_wissel, np.minimum(_count(begin[singles], end[singles], t), 1))
    return largest, most_wissel


def check_clusters_start_complete(r) -> None:
    """In cluster mode no member starts uitvoering before its whole cluster is settled."""
    if not r.scenario.cluster_uitvoering:
        return
    complete = cluster_complete_at(r)
    started = r.started[:, S_UITVOERING]
    gated = (r.held < UITVOERING) & (r.handed_over == 0) & ~np.isnan(started)
    assert np.all(started[gated] >= complete[gated] - 1e-9), "a member started before its cluster"


def _keys_in_line(r, name: str) -> tuple[np.ndarray, ...] | None:
    """(address, joined, started, key parts) of every request in the line of `name`, or None where
    the line's order is not the service order alone (a wisselwoning can let a later address pass,
    a cluster goes as a block)."""
    s, q, held = r.started, r.queued, r.held
    n = np.arange(len(held))
    if name == "opnamecapaciteit":
        return n, q[:, S_OPNAME], s[:, S_OPNAME], np.zeros(len(n), bool)
    if name == "ingenieursbureaus":
        first = r.first_beoordeling
        on_ib = np.isin(r.route, [KLASSIEK, TYPOLOGIE, HERBEOORDELING])
        first_on_ib = np.isin(first[:, 3], [KLASSIEK, TYPOLOGIE])
        return (np.concatenate([n[on_ib], n[first_on_ib]]),
                np.concatenate([q[on_ib, S_BEOORDELING], first[first_on_ib, 0]]),
                np.concatenate([s[on_ib, S_BEOORDELING], first[first_on_ib, 1]]),
                np.zeros(on_ib.sum() + first_on_ib.sum(), bool))
    if name == "planvorming":
        slot = np.fmin.reduce(s[:, S_VOORBEREIDEN:S_UITVOERING], axis=1)
        planned = np.where(np.isnan(handed_over_at(r)), slot, handed_over_at(r))
        return n, q[:, S_VOORBEREIDEN], planned, held == PLANVORMING
    if r.scenario.cluster_uitvoering or r.needs_wisselwoning.any():
        return None
    return n, q[:, S_UITVOERING], s[:, S_UITVOERING], held == UITVOERING


def check_service_order(r) -> None:
    """Whenever work starts at a resource, every address still in its line after that moment, that
    joined before it, comes later in the service order: work under way on the peildatum first, then
    the scenario's criteria one after the other (the severity only once the advice is given, the
    local plans only before it), then the address."""
    for name in ("opnamecapaciteit", "ingenieursbureaus", "planvorming", "bouwcapaciteit"):
        line = _keys_in_line(r, name)
        if line is None:
            continue
        a, joined, started, resuming = line
        ok = ~np.isnan(joined)
        a, joined, started, resuming = a[ok], joined[ok], _open(started[ok]), resuming[ok]
        inert = "lpa" if name in ("planvorming", "bouwcapaciteit") else "severity"
        columns = [joined if c == "waiting" else getattr(r.attributes, c)[a]
                   for c in r.scenario.order_criteria if c != inert]
        key = np.lexsort((a, *columns[::-1], ~resuming))
        rank = np.empty(len(a), int)
        rank[key] = np.arange(len(a))
        # a hand-over is no slot
        slot = (r.handed_over[a] == 0) if name == "planvorming" else np.ones(len(a), bool)
        for mask, _ in parts(r, name):  # each part of a verdeelsleutel keeps its own line
            mine = mask[a]
            _first_in_line_starts(joined[mine], started[mine], rank[mine], slot[mine], name)


def _first_in_line_starts(joined, started, rank, slot, name) -> None:
    """Sweep through time: at each moment work starts, the requests that joined before it and
    still wait afterwards all rank behind every request that started then."""
    waiting: list[tuple[int, int]] = []  # heap of (rank, request) joined and maybe not yet started
    joins = np.argsort(joined, kind="stable")
    moments = np.unique(started[np.isfinite(started) & slot])
    k = 0
    for t in moments.tolist():
        while k < len(joins) and joined[joins[k]] < t:
            heapq.heappush(waiting, (int(rank[joins[k]]), int(joins[k])))
            k += 1
        while waiting and started[waiting[0][1]] <= t:  # no longer waiting after t
            heapq.heappop(waiting)
        if waiting:
            starters = (started == t) & slot
            assert rank[starters].max() < waiting[0][0], (name, t, waiting[0])


# -- counts ---------------------------------------------------------------------------------------


def check_milestones_follow_the_work(r) -> None:
    """The milestones an address reached in the run are the ends and starts of its own work."""
    s, e, reached, held = r.started, r.ended, r.reached, r.held
    opname = (held == NOG_NIET_GESTART) & ~np.isnan(e[:, S_OPNAME])
    np.testing.assert_array_equal(reached[opname, OPNAME], e[opname, S_OPNAME])
    uitvoering = (held < UITVOERING) & ~np.isnan(s[:, S_UITVOERING])
    np.testing.assert_array_equal(reached[uitvoering, UITVOERING], s[uitvoering, S_UITVOERING])
    built = (held < VOLTOOID) & ~np.isnan(e[:, S_UITVOERING])
    np.testing.assert_array_equal(reached[built, VOLTOOID], e[built, S_UITVOERING])
    judged = (held <= OPNAME) & ~np.isnan(e[:, S_BEOORDELING]) & (r.route != HERBEOORDELING)
    outcome = np.where(r.meets_norm[judged], reached[judged, VOLTOOID], reached[judged, BEOORDELING])
    np.testing.assert_array_equal(outcome, e[judged, S_BEOORDELING])
    # a herbeoordeling (batch 1581) ends the address's work when it meets the norm, and otherwise sends
    # it on to planvorming at once: none is left behind after it (liveness)
    again = ~np.isnan(e[:, S_BEOORDELING]) & (r.route == HERBEOORDELING)
    done = r.meets_norm[again]
    np.testing.assert_array_equal(reached[again, VOLTOOID][done], e[again, S_BEOORDELING][done])
    onward = ~done & (held[again] < PLANVORMING)
    np.testing.assert_array_equal(reached[again, PLANVORMING][onward], e[again, S_BEOORDELING][onward])
    planned = (held <= BEOORDELING) & ~np.isnan(reached[:, PLANVORMING]) & (r.handed_over == 0)
    assert np.all(reached[planned, PLANVORMING] >= reached[planned, BEOORDELING])


def check_conservation(r) -> None:
    """Every address is counted once in every quarter: the table's totals are the addresses that
    had joined by then (from their own arrival days), each milestone column is the addresses whose
    last milestone reached by then is that one, and the profiles and gemeenten add up to the total."""
    m = tables.milestones_quarterly(r)
    totaal = m[m["niveau"] == "totaal"]
    joined = np.sort(r.entered)
    for quarter, peildatum, row in zip(totaal["kwartaal"], totaal["peildatum"],
                                       totaal[list(MILESTONES)].to_numpy(), strict=True):
        if quarter == "start":  # the werkvoorraad as given
            inside = r.entered <= 0
            expected = np.bincount(r.held[inside], minlength=len(MILESTONES))
            assert row.sum() == np.searchsorted(joined, 0.0, side="right")
        else:  # the state at the end of the quarter's last day
            end_of_day = days_since(r.scenario.start, peildatum) + 1
            last = np.full(len(r.held), -1)
            for k in range(len(MILESTONES)):
                last[r.reached[:, k] < end_of_day] = k
            expected = np.bincount(last[last >= 0], minlength=len(MILESTONES))
            assert row.sum() == np.searchsorted(joined, end_of_day, side="left")
        assert row.tolist() == expected.tolist(), quarter
    for level in ("risicoprofiel", "gemeente"):
        columns = [*MILESTONES, VERSTERKT, VOLDOET]
        part = m[m["niveau"] == level].groupby("kwartaal", sort=False)[columns].sum()
        assert (part.to_numpy() == totaal[columns].to_numpy()).all()
    # voltooid in its parts: versterkt are those whose uitvoering ended by then (or that were voltooid
    # on the peildatum, tabel 2.1's uitgevoerd), the others met the norm or needed no beoordeling
    assert (totaal[VERSTERKT] + totaal[VOLDOET] == totaal[MILESTONES[VOLTOOID]]).all()
    ended = r.ended[:, S_UITVOERING]
    for quarter, peildatum, versterkt in zip(totaal["kwartaal"], totaal["peildatum"], totaal[VERSTERKT],
                                              strict=True):
        # (a stand says of its voltooid addresses which met the norm instead)
        met = (r.addresses[DONE_AS] == VOLDOET).to_numpy() if DONE_AS in r.addresses else False
        held = int(((r.held == VOLTOOID) & (r.entered <= 0) & ~met).sum())
        if quarter != "start":
            held += int((ended < days_since(r.scenario.start, peildatum) + 1).sum())
        assert versterkt == held, quarter


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
        ended = _open(r.ended[a, did])  # inf: under way at the end
        assert np.all(r.started[a, did] <= ended + 1e-9)
        assert np.all(ended[:-1] <= r.started[a, did[1:]] + 1e-9)
        first = {NOG_NIET_GESTART: S_OPNAME, OPNAME: S_BEOORDELING, BEOORDELING: S_VOORBEREIDEN,
                 UITVOERING: S_UITVOERING}.get(held[a])
        if held[a] == BEOORDELING and did[0] == S_BEOORDELING:
            first = S_BEOORDELING  # a herbeoordeling the owner of an advies asked for
        if first is not None and not r.handed_over[a]:
            assert did[0] == first, (a, held[a], did)
        if held[a] != PLANVORMING and not r.handed_over[a]:
            assert list(did) == list(range(did[0], did[-1] + 1)), (a, did)  # none skipped in between
        if not np.isnan(r.reached[a, UITVOERING]) and held[a] < UITVOERING:
            assert S_BESLUIT in did and S_UITVOERING in did
        if not np.isnan(r.reached[a, VOLTOOID]) and np.isnan(r.reached[a, UITVOERING]):
            assert S_UITVOERING not in did and S_VOORBEREIDEN not in did


def check_all(r) -> None:
    check_conservation(r)
    check_steps_in_order(r)
    check_milestones_follow_the_work(r)
    check_capacity_never_exceeded(r)
    check_no_idle_slot_while_waiting(r)
    check_clusters_start_complete(r)
    check_service_order(r)


def cumulative_counts(df: pd.DataFrame) -> pd.DataFrame:
    """Addresses of an address table that reached each milestone, per risk profile: the shape of
    SodM 2020 tabel 2.1."""
    rank = df["milestone"].map({m: k for k, m in enumerate(MILESTONES)})
    rows = {}
    for profile in PROFILES:
        r = rank[df["risk_profile"] == profile]
        rows[profile] = [len(r), (r >= 1).sum(), (r >= 2).sum(), (r >= 3).sum(), (r >= 5).sum()]
    out = pd.DataFrame.from_dict(rows, orient="index", columns=list(CUMULATIVE)).astype("int64")
    out.loc["totaal"] = out.sum()
    return out
