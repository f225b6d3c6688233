"""The versnellingsmaatregelen at work in a run, one class per measure: what it draws for each address.
Their blocks (dates, shares, sizes) are in the scenario (versterking.inputs.measures); when each
applies and what it decides are its rules (versterking.engine.measure_rules), which the flow model
reads too. The model asks these classes, and the life of an address (versterking.engine.process)
takes the routes they open.

Each measure draws from its own named stream (versterking.engine.randomness), so switching one on or
off never shifts another's draws (common random numbers).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import simpy

from ..calendar import days_since
from ..domain import BATCH_1581, BOUWIMPULS, PROFILES
from ..inputs import measures as spec
from ..inputs.blocks import CapacityChange
from ..inputs.scenario import Inflow, Scenario
from .distributions import from_uniforms
from .measure_rules import MeasureRules, measure_rules
from .randomness import stream
from .rules import HandOver


def _draws(seed: int, name: str, n: int, duration=None) -> tuple[np.ndarray, np.ndarray | None]:
    """A measure's stream: a uniform per address for whom it applies to, then one per address for
    the duration of its work (if it has one)."""
    rng = stream(seed, name)
    u = rng.random(n)
    return u, (from_uniforms(duration, rng.random(n)) if duration is not None else None)


class Typologie:
    """From `from`, a share of the beoordelingen that start is a typologie toets: the ingenieursbureau
    slot is held for the toets's shorter duration, and its own share meets the norm."""

    def __init__(self, block: spec.Typologie, sc: Scenario, rules: MeasureRules, profiles: list[int]) -> None:
        self.block, self.rules, self.profiles = block, rules, profiles
        self.u, self.duration = _draws(sc.seed, "typologie", len(profiles), block.duration)

    def applies(self, a: int, now: float) -> bool:
        """For a beoordeling that starts now."""
        return (self.rules.typologie_in_use(now)
                and self.u[a] < getattr(self.block.share, PROFILES[self.profiles[a]]))


class Praktijkaanpak:
    """A contractor assesses by expert judgement (its own experts: no ingenieursbureau, no builder slot)
    and then executes: the first `pilot_addresses` that need a beoordeling from `pilot_from`, and from
    `scale_from` a share of all that need one. Its own share meets the norm."""

    def __init__(self, block: spec.Praktijkaanpak, sc: Scenario, rules: MeasureRules,
                 profiles: list[int]) -> None:
        self.block, self.rules, self.profiles = block, rules, profiles
        self.pilot_left = block.pilot_addresses
        self.u, self.duration = _draws(sc.seed, "praktijkaanpak", len(profiles), block.duration)

    def takes(self, a: int, now: float) -> bool:
        """Decided when the address joins the beoordeling line."""
        if self.pilot_left > 0 and self.rules.pilot_open(now):
            self.pilot_left -= 1
            return True
        return (self.rules.scaled_up(now)
                and self.u[a] < getattr(self.block.share, PROFILES[self.profiles[a]]))


class Referentiewoningen:
    """From `from`, one beoordeling serves the addresses of a building (or cluster) that are alike: the
    first of the group that needs one is assessed (its reference), the others (`share` of them) wait
    for it and follow its outcome after a short check without an ingenieursbureau slot."""

    def __init__(self, block: spec.Referentiewoningen, sc: Scenario, rules: MeasureRules,
                 env: simpy.Environment, addresses: pd.DataFrame) -> None:
        self.block, self.rules, self.env = block, rules, env
        self.u, self.duration = _draws(sc.seed, "referentiewoningen", len(addresses), block.duration)
        column = "building_id" if block.group == "building" else "cluster_id"
        self.group = pd.factorize(addresses[column])[0]
        self.references: dict[int, simpy.Event] = {}  # group -> fires with its reference's outcome
        self.is_reference = np.zeros(len(addresses), bool)

    def follows(self, a: int, now: float) -> bool:
        """Whether `a` follows a reference of its group; the first of a group becomes the reference."""
        if self.rules.referentiewoningen_in_use(now) and self.u[a] < self.block.share:
            g = self.group[a]
            if g in self.references:
                return True
            self.references[g] = self.env.event()
            self.is_reference[a] = True
        return False

    def reference_of(self, a: int) -> simpy.Event:
        return self.references[self.group[a]]

    def judged(self, a: int, outcome: tuple[bool, float]) -> None:
        """A reference's outcome (meets the norm, uitvoering factor) is known: its followers may go
        and take it. Fired once: a reference judged again (reassessed after a batch 1581 hand-over)
        leaves its followers, also those that come later, with the first outcome."""
        group = self.references.get(self.group[a]) if self.is_reference[a] else None
        if group is not None and not group.triggered:
            group.succeed(outcome)


class HandOvers:
    """A measure that takes addresses waiting for planvorming straight to execution in dated tranches:
    the Bouwimpuls (to the Bedrijfsbureau) and batch 1581 (old advice, no reassessment unless the owner
    chooses one)."""

    def __init__(self, by: int, block: spec.Bouwimpuls | spec.Batch1581, sc: Scenario, n: int) -> None:
        self.by, self.block = by, block
        self.tranches = block.tranches if by == BOUWIMPULS else [block.tranche]
        self.u_preparation = stream(sc.seed, "voorbereiding").random(n)
        self.u_reassess = stream(sc.seed, "herbeoordeling").random(n) if by == BATCH_1581 else None

    def hand_over(self, a: int) -> HandOver:
        preparation = from_uniforms(self.block.preparation, self.u_preparation[a:a + 1])[0]
        reassess = self.u_reassess is not None and self.u_reassess[a] < self.block.reassess
        return HandOver(self.by, preparation, reassess)


@dataclass
class AtWork:
    """The measures a run has switched on (None: off) with their draws, and the rules they follow."""

    rules: MeasureRules
    typologie: Typologie | None
    praktijkaanpak: Praktijkaanpak | None
    referentiewoningen: Referentiewoningen | None
    hand_overs: list[HandOvers]


def at_work(sc: Scenario, env: simpy.Environment, addresses: pd.DataFrame, profiles: list[int]) -> AtWork:
    """The measures the scenario switches on, with their draws for these addresses (`profiles`: each
    one's risk profile index)."""
    m, n, rules = sc.measures, len(addresses), measure_rules(sc)
    typ, prak, ref = m.get("typologie"), m.get("praktijkaanpak"), m.get("referentiewoningen")
    hand_overs = []
    if (impuls := m.get("bouwimpuls")) is not None:
        hand_overs.append(HandOvers(BOUWIMPULS, impuls, sc, n))
    if (batch := m.get("batch_1581")) is not None:
        hand_overs.append(HandOvers(BATCH_1581, batch, sc, n))
    return AtWork(
        rules=rules,
        typologie=Typologie(typ, sc, rules, profiles) if typ is not None else None,
        praktijkaanpak=Praktijkaanpak(prak, sc, rules, profiles) if prak is not None else None,
        referentiewoningen=Referentiewoningen(ref, sc, rules, env, addresses) if ref is not None else None,
        hand_overs=hand_overs)


# -- what measures do to the capacity and the inflow (also read without a run) -----------------------


class FactorRamp:
    """A factor on a capacity: 1 before t0, linear to `factor` at t1, then `factor`; sampled once a
    day (the crisisaanpak)."""

    def __init__(self, t0: float, t1: float, factor: float) -> None:
        self.t0, self.t1, self.factor = t0, t1, factor
        self.days = [max(t0 + d, 0.0) for d in range(int(t1 - t0) + 1)]

    def at(self, t: float) -> float:
        if t < self.t0:
            return 1.0
        if t >= self.t1:
            return self.factor
        return 1.0 + (self.factor - 1.0) * (t - self.t0) / (self.t1 - self.t0)


def extra_capacity(sc: Scenario, resource: str) -> list[list[CapacityChange]]:
    """Schedules of slots the measures add to a resource: the Bouwimpuls's builders."""
    bouwimpuls = sc.measures.get("bouwimpuls")
    return [bouwimpuls.capacity] if resource == "bouwcapaciteit" and bouwimpuls is not None else []


def capacity_ramps(sc: Scenario, resource: str) -> list[FactorRamp]:
    """Factors the measures put on a resource's capacity: the crisisaanpak's ramp."""
    crisis = sc.measures.get("crisisaanpak")
    if crisis is None or resource not in crisis.factors:
        return []
    t0 = days_since(sc.start, crisis.from_)
    t1 = days_since(sc.start, crisis.to) if crisis.to is not None else t0
    return [FactorRamp(t0, t1, crisis.factors[resource])]


OPNAME_OP_VERZOEK = "opname-op-verzoek"  # the name of its inflow (and the prefix of its addresses)


def inflows(sc: Scenario) -> list[tuple[Inflow, str, tuple[int, ...]]]:
    """Every inflow of a run with its stream (name and sub-stream): the scenario's own, then the
    addresses of opname op verzoek (residents outside the opgave who ask for an opname)."""
    out = [(flow, "inflow", (i,)) for i, flow in enumerate(sc.inflow)]
    on_request = sc.measures.get("opname_op_verzoek")
    if on_request is not None:
        flow = Inflow(name=OPNAME_OP_VERZOEK, owner_type={"particulier": 1.0},
                      **on_request.model_dump(by_alias=True, exclude={"enabled", "note"}))
        out.append((flow, "opname_op_verzoek", ()))
    return out


def last_arrival(sc: Scenario) -> date:
    """The day the last address joins (the start, without inflow)."""
    return max((flow.to for flow, _, _ in inflows(sc)), default=sc.start)
