"""The life of one address, as the domain brief (docs/background/domain.md) describes it:

opname -> beoordeling -> (meets the norm: voltooid) -> planvorming (voorbereiden, uitvoeringsplan
opstellen, versterkingsbesluit) -> uitvoering (with a wisselwoning if needed) -> voltooid.

The milestone "planvorming (gestart)" is reached when the uitvoeringsplan is started: SodM 2020
counts the 3,750 adviezen in "planvorming voorbereiden" (par. 3.8) among the ~3,650 beoordeelde
addresses whose planvorming has not started (tabel 2.1).

An address from the starting werkvoorraad joins the chain after the milestone it already holds.

The versnellingsmaatregelen (versterking.engine.measures) open other routes: a beoordeling by
typologie, by a contractor (praktijkaanpak) or by following a referentiewoning; and a hand-over from
the planvorming line straight to execution (Bouwimpuls, batch 1581), where an owner of batch 1581
may choose a reassessment first.
"""

from __future__ import annotations

from ..domain import (
    BEOORDELING,
    HERBEOORDELING,
    KLASSIEK,
    NOG_NIET_GESTART,
    OPNAME,
    PLANVORMING,
    PLANVORMING_STEPS,
    PRAKTIJKAANPAK,
    REFERENTIEWONING,
    S_BEOORDELING,
    S_BESLUIT,
    S_OPNAME,
    S_UITVOERING,
    S_UITVOERINGSPLAN,
    S_VOORBEREIDEN,
    TYPOLOGIE,
    UITVOERING,
    VOLTOOID,
)
from .model import Model
from .rules import HandOver


def address_life(m: Model, a: int):
    """SimPy process: address `a` from the milestone it holds to voltooid (or as far as the run goes)."""
    env = m.env
    held = m.milestone0[a]  # the milestone held at the start (or on arrival)
    if held == VOLTOOID:
        return
    if not m.takes_part[a]:  # no contact, or an owner who refuses: the address stays open
        m.stays_open(a)
        return
    since = m.entered[a]  # waiting since: the day the held milestone was reached

    if held == NOG_NIET_GESTART:
        yield from m.work(a, S_OPNAME, m.opname, since)
        m.reach(a, OPNAME)
        since = env.now

    if held <= OPNAME:
        if m.skips_beoordeling[a]:
            counted = m.sc.shares.skip_beoordeling_after  # when the stock's are found to need none
            if held == OPNAME and env.now < counted:
                yield env.timeout(counted - env.now)
            m.done_without_uitvoering(a)
            return
        yield from beoordeling(m, a, since, m.beoordeling_route(a))
        if m.done_again[a]:  # re-done after the quality check, or a typology drop-out assessed in full
            yield from beoordeling_again(m, a, env.now, None)
        if m.meets_norm[a]:
            m.done_without_uitvoering(a)
            return
        m.reach(a, BEOORDELING)
        since = env.now

    if held == BEOORDELING and m.asks_herbeoordeling[a]:  # the owner of an advies asks for a herbeoordeling
        yield from beoordeling_again(m, a, since, m.sc.shares.herbeoordeling_voldoet)
        if m.meets_norm[a]:
            m.done_without_uitvoering(a)
            return
        since = env.now

    if held <= PLANVORMING:
        if (yield from planvorming(m, a, since, resuming=held == PLANVORMING)):
            return  # a reassessment found it meets the norm
        since = env.now

    yield from uitvoering(m, a, since, resuming=held == UITVOERING)


def beoordeling(m: Model, a: int, since: float, route: int):
    """By an ingenieursbureau (in full, or as a typologie toets once that is in use); by a
    contractor on expert judgement (praktijkaanpak: its own experts, so it waits for no capacity of
    the general lines, SodM 2020 par. 3.2); or, for an address like one already assessed,
    a short check that follows the referentiewoning's outcome."""
    if route == HERBEOORDELING:
        m.keep_first_beoordeling(a)
    m.log_queued(a, S_BEOORDELING, since)
    m.route[a] = route  # known from the start: a beoordeling still under way at the horizon has its route
    reference = None
    if route == PRAKTIJKAANPAK:  # the contractor's own experts: no ingenieursbureau, no builder slot
        yield from m.carry_out(a, S_BEOORDELING, m.measures.praktijkaanpak.duration[a])
    elif route == REFERENTIEWONING:
        referentiewoningen = m.measures.referentiewoningen
        reference = yield referentiewoningen.reference_of(a)  # fires with the reference's first outcome
        yield from m.carry_out(a, S_BEOORDELING, referentiewoningen.duration[a])
    else:
        with m.ingenieursbureaus.serving(a).request(m.key(a, since)) as slot:
            yield slot
            typologie = m.measures.typologie
            if route == KLASSIEK and typologie is not None and typologie.applies(a, m.env.now):
                route = TYPOLOGIE
                duration = typologie.duration[a]
            elif route == HERBEOORDELING:  # new work, even when handed over on the first day
                duration = m.duration[a, S_BEOORDELING]
            else:
                duration = m.time_left(a, (S_BEOORDELING,))[0]
            yield from m.carry_out(a, S_BEOORDELING, duration)
    m.judge(a, route, reference)


def beoordeling_again(m: Model, a: int, since: float, meets: float | None):
    """A beoordeling done again, in full by an ingenieursbureau: new work, judged anew (meets the norm
    with share `meets`, or None: as a first beoordeling would)."""
    m.keep_first_beoordeling(a)
    m.log_queued(a, S_BEOORDELING, since)
    m.route[a] = KLASSIEK  # from the start, as a first beoordeling's: one under way at the horizon has it
    with m.ingenieursbureaus.serving(a).request(m.key(a, since)) as slot:
        yield slot
        yield from m.carry_out(a, S_BEOORDELING, m.duration[a, S_BEOORDELING])
    m.judge_again(a, meets)


def planvorming(m: Model, a: int, since: float, *, resuming: bool):
    """One planvorming slot for all three sub-steps; or, when a measure takes the address out of
    the line, straight to execution. Returns True when the address is voltooid."""
    m.log_queued(a, S_VOORBEREIDEN, since)
    with m.planvorming.serving(a).request(m.key_advised(a, since, resuming=resuming)) as slot:
        hand_over = yield slot  # None: the slot; a HandOver: a measure took the address out of the line
        if hand_over is None:
            steps = PLANVORMING_STEPS[m.substep0[a] if resuming else 0:]
            for step, duration in zip(steps, m.time_left(a, steps, resuming=resuming), strict=True):
                if step == S_UITVOERINGSPLAN:
                    m.reach(a, PLANVORMING)  # "planvorming gestart" as tabel 2.1 counts it
                yield from m.carry_out(a, step, duration * m.planvorming_factor[a])
            return False
    return (yield from handed_over(m, a, hand_over))  # Bouwimpuls or batch 1581


def handed_over(m: Model, a: int, hand_over: HandOver):
    """The Bedrijfsbureau prepares the execution; an owner of batch 1581 may first choose a
    reassessment, which may find the address meets the norm (returns True: voltooid)."""
    if hand_over.reassess:
        yield from beoordeling(m, a, m.env.now, HERBEOORDELING)
        if m.meets_norm[a]:
            m.done_without_uitvoering(a)
            return True
    m.reach(a, PLANVORMING)
    yield from m.carry_out(a, S_BESLUIT, hand_over.preparation)
    return False


def uitvoering(m: Model, a: int, since: float, *, resuming: bool):
    """A builder slot, and a wisselwoning if the residents need one: alone, or with the cluster. Not a
    `with` block: a cluster's slots are asked for together and given back one by one."""
    m.log_queued(a, S_UITVOERING, since)
    yield m.ask_for_uitvoering(a, since, resuming=resuming)
    m.reach(a, UITVOERING)
    duration = m.time_left(a, (S_UITVOERING,), resuming=resuming)[0] * m.uitvoering_factor[a]
    yield from m.carry_out(a, S_UITVOERING, duration)
    m.finish_uitvoering(a)
    m.reach(a, VOLTOOID)
