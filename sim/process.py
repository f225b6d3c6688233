"""The life of one address, as DOMAIN.md describes it:

opname -> beoordeling -> (meets the norm: voltooid) -> planvorming (voorbereiden, uitvoeringsplan
opstellen, versterkingsbesluit) -> uitvoering (with a wisselwoning if needed) -> voltooid.

The milestone "planvorming (gestart)" is reached when the uitvoeringsplan is started: SodM 2020
counts the 3,750 adviezen in "planvorming voorbereiden" (par. 3.8) among the ~3,650 beoordeelde
addresses whose planvorming has not started (tabel 2.1).

An address from the starting werkvoorraad joins the chain after the milestone it already holds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .model import Model

# milestones, in order (index into the dashboard columns)
NOG_NIET_GESTART, OPNAME, BEOORDELING, PLANVORMING, UITVOERING, VOLTOOID = range(6)
# steps of work, in order (index into the event log)
STEPS = ("opname", "beoordeling", "planvorming_voorbereiden", "uitvoeringsplan_opstellen",
         "versterkingsbesluit", "uitvoering")
S_OPNAME, S_BEOORDELING, S_VOORBEREIDEN, S_UITVOERINGSPLAN, S_BESLUIT, S_UITVOERING = range(6)
PLANVORMING_STEPS = (S_VOORBEREIDEN, S_UITVOERINGSPLAN, S_BESLUIT)


def address_life(m: Model, a: int):
    env = m.env
    held = m.milestone0[a]  # the milestone held at the start (or on arrival)
    if held == VOLTOOID:
        return
    if m.arrival[a] > 0:
        yield env.timeout(m.arrival[a])
    since = m.entered[a]  # waiting since: the day the held milestone was reached

    if held == NOG_NIET_GESTART:
        yield from m.work(a, S_OPNAME, m.opname, since)
        m.reach(a, OPNAME)
        since = env.now

    if held <= OPNAME:
        if m.skips_beoordeling[a]:
            m.reach(a, VOLTOOID)
            return
        yield from m.work(a, S_BEOORDELING, m.ingenieursbureaus, since)
        if m.meets_norm[a]:
            m.reach(a, VOLTOOID)
            return
        m.reach(a, BEOORDELING)
        since = env.now

    if held <= PLANVORMING:  # one planvorming slot for all three sub-steps
        resuming = held == PLANVORMING
        first = m.substep0[a] if resuming else 0
        m.log_queued(a, S_VOORBEREIDEN, since)
        yield m.planvorming.request(m.key(a, since, resuming))
        steps = PLANVORMING_STEPS[first:]
        for step, duration in zip(steps, m.time_left(a, steps, resuming), strict=True):
            if step == S_UITVOERINGSPLAN:
                m.reach(a, PLANVORMING)  # "planvorming gestart" as tabel 2.1 counts it
            yield from m.carry_out(a, step, duration)
        m.planvorming.release()
        since = env.now

    wisselwoning = int(m.needs_wisselwoning[a])
    resuming = held == UITVOERING
    m.log_queued(a, S_UITVOERING, since)
    yield m.ask_for_uitvoering(a, since, resuming)  # alone, or with its cluster
    m.reach(a, UITVOERING)
    yield from m.carry_out(a, S_UITVOERING, m.time_left(a, (S_UITVOERING,), resuming)[0])
    m.bouwcapaciteit.release(1, wisselwoning)
    m.reach(a, VOLTOOID)
