"""The state of one replication: the addresses as arrays, every draw made up front, the resources,
the measures at work, and the moves the life of an address (versterking.engine.process) makes on it."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import simpy

from ..calendar import days_since
from ..domain import (
    BEOORDELING,
    ERNST,
    KLASSIEK,
    MILESTONES,
    OPNAME,
    OWNERS,
    PLANVORMING,
    PRAKTIJKAANPAK,
    PROFILES,
    REFERENTIEWONING,
    RESOURCES,
    S_BEOORDELING,
    STEPS,
    SUBSTEPS,
    UITVOERING,
    VOLDOET,
    VOLTOOID,
)
from ..inputs.embedded import DONE_AS
from ..inputs.measures import Tranche
from ..inputs.scenario import Scenario
from .clusters import ClusterGate
from .distributions import from_uniforms
from .inflow import inflow_addresses
from .measure_rules import tranche_mix
from .measures import HandOvers, at_work, inflows
from .randomness import stream
from .resources import Pool, Resource
from .rules import Attributes, WaitKey, phase_ranks, ranks, service_order
from .schedules import resource_changes
from .split import Divided, divide


class Model:
    def __init__(self, scenario: Scenario, population: pd.DataFrame) -> None:
        self.sc = sc = scenario
        self.env = env = simpy.Environment()
        self._addresses(population)
        self._draws()
        self.schedules = {name: resource_changes(sc, name) for name in RESOURCES}  # (day, slots), whole
        self.wisselwoningen = self._divided("wisselwoningen", lambda name, c: Pool(env, name, c))
        pools = self.wisselwoningen.parts
        self.opname = self._divided("opnamecapaciteit", lambda name, c: Resource(env, name, c))
        self.ingenieursbureaus = self._divided("ingenieursbureaus", lambda name, c: Resource(env, name, c))
        self.planvorming = self._divided("planvorming", lambda name, c: Resource(env, name, c))
        self.bouwcapaciteit = self._divided("bouwcapaciteit", lambda name, c: Resource(env, name, c, pools))
        self.resources = {name: getattr(self, attr) for name, attr in (
            ("opnamecapaciteit", "opname"), ("ingenieursbureaus", "ingenieursbureaus"),
            ("planvorming", "planvorming"), ("bouwcapaciteit", "bouwcapaciteit"),
            ("wisselwoningen", "wisselwoningen"))}
        self.last_done = 0.0
        self.clusters = ClusterGate(  # the scenario allows the gate only with undivided builders and pools
            env, self.addresses["cluster_id"], self.milestone0 < UITVOERING, self.bouwcapaciteit.parts[0],
            {name: self.schedules[name] for name in ("bouwcapaciteit", "wisselwoningen")}
        ) if sc.cluster_uitvoering else None
        self._profile = self.profile.tolist()
        self.attributes = self._attributes()
        criteria = sc.order_criteria
        self.key = service_order(criteria, self.attributes, advice_known=False)  # opname, beoordeling
        self.key_advised = service_order(criteria, self.attributes, advice_known=True)
        self.measures = at_work(sc, env, self.addresses, self._profile)
        self.route = np.zeros(self.n, np.int8)        # how the beoordeling was done (domain.ROUTES)
        self.handed_over = np.zeros(self.n, np.int8)  # 0, or the measure that took it out of planvorming
        # a reassessment (batch 1581) is the beoordeling step in the arrays; the first one's queued,
        # started, ended and route are kept here, so the log still holds all the work done
        self.first_beoordeling = np.full((self.n, 4), np.nan)
        self.uitvoering_factor = np.ones(self.n)
        self.planvorming_factor = np.ones(self.n)  # standard measures (typologie) plan faster

    # -- set-up -------------------------------------------------------------------------------

    def _divided(self, name: str, make) -> Divided:
        spec = getattr(self.sc.resources, name).split
        return divide(name, spec, self.addresses, self.milestone0 < VOLTOOID, self.schedules[name], make)

    def _addresses(self, population: pd.DataFrame) -> None:
        sc = self.sc
        stock = population.copy()
        stock["arrival"] = [days_since(sc.start, d) for d in pd.to_datetime(
            stock["milestone_date"]).dt.date] if len(stock) else []
        flows = inflows(sc)
        frames = [stock] + [inflow_addresses(flow, stream(sc.seed, name, *sub), sc.start, population)
                            for flow, name, sub in flows]
        df = pd.concat(frames, ignore_index=True)
        # the share that needs no beoordeling: the inflow's own, else the scenario's by profile
        self.skip_share = np.concatenate(
            [np.full(len(stock), np.nan)] + [np.full(len(f), np.nan if flow.skip_beoordeling is None
                                                     else flow.skip_beoordeling)
                                             for f, (flow, _, _) in zip(frames[1:], flows, strict=True)])
        self.addresses = df.drop(columns=["arrival"])
        self.stock = len(stock)
        self.n = n = len(df)
        self.profile = df["risk_profile"].map({p: k for k, p in enumerate(PROFILES)}).to_numpy(int)
        self.owner = df["owner_type"].map({o: k for k, o in enumerate(OWNERS)}).to_numpy(int)
        self.milestone0 = df["milestone"].map({m: k for k, m in enumerate(MILESTONES)}).to_numpy(int)
        sub = df["planvorming_substep"].map({s: k for k, s in enumerate(SUBSTEPS)})
        self.substep0 = sub.fillna(0).to_numpy(int)
        days = df["arrival"].to_numpy(float)
        self.entered = np.minimum(days, 0.0)  # day the held milestone was reached (stock)
        self.arrival = np.maximum(days, 0.0)  # day an inflow address joins (0 for stock)
        self.arrival[: len(stock)] = 0.0
        self.entered[len(stock):] = self.arrival[len(stock):]
        # Milestones held at the start count as reached on their date; earlier ones are unknown,
        # and are set to that same date (reached no later than it).
        self.reached = np.full((n, len(MILESTONES)), np.nan)
        self.reached[:, 0] = self.entered  # joined the opgave
        for k in range(1, len(MILESTONES)):
            held = self.milestone0 >= k
            self.reached[held, k] = self.entered[held]
        if DONE_AS in df.columns:  # a stand's voltooid addresses that met the norm passed no planvorming
            voldoet = (df[DONE_AS] == VOLDOET).to_numpy()
            self.reached[voldoet, PLANVORMING:UITVOERING + 1] = np.nan
        self.queued = np.full((n, len(STEPS)), np.nan)
        self.started = np.full_like(self.queued, np.nan)
        self.ended = np.full_like(self.queued, np.nan)
        self.done = int((self.milestone0 == VOLTOOID).sum())

    def _draws(self) -> None:
        """Every address's durations and outcomes, drawn up front by address index (CRN): each
        from its own named stream, so a measure switched on or off never shifts another draw."""
        sc, n = self.sc, self.n
        self.duration = np.empty((n, len(STEPS)))
        uniforms = {step: stream(sc.seed, step).random(n) for step in STEPS}
        for s, step in enumerate(STEPS):
            self.duration[:, s] = from_uniforms(getattr(sc.durations, step), uniforms[step])
        self.u_uitvoering = uniforms["uitvoering"]  # how heavy the measures are (severity)
        self.residual = stream(sc.seed, "residual").random(n)
        shares = sc.shares
        by_profile = np.array([getattr(shares.skip_beoordeling, p) for p in PROFILES])[self.profile]
        self.skips_beoordeling = stream(sc.seed, "skip_beoordeling").random(n) < np.where(
            np.isnan(self.skip_share), by_profile, self.skip_share)
        self.u_norm = stream(sc.seed, "meets_norm").random(n)  # judged when the beoordeling ends
        self.meets_norm = np.zeros(n, bool)
        # re-work and herbeoordelingen are judged anew, with a uniform of their own
        self.u_again = stream(sc.seed, "judged_again").random(n)
        self.done_again = stream(sc.seed, "opnieuw_beoordeeld").random(n) < shares.opnieuw_beoordeeld
        stock = np.arange(n) < self.stock
        self.asks_herbeoordeling = stock & (self.milestone0 == BEOORDELING) & (
            stream(sc.seed, "herbeoordeling_op_verzoek").random(n) < shares.herbeoordeling_op_verzoek)
        self.takes_part = ~(stock & (self.milestone0 <= OPNAME) & (
            stream(sc.seed, "niet_deelnemend").random(n) < shares.niet_deelnemend))
        self.taking_part = int(self.takes_part.sum())
        owner_share = np.array([getattr(shares.wisselwoning, o) for o in OWNERS])
        self.needs_wisselwoning = stream(sc.seed, "wisselwoning").random(n) < owner_share[self.owner]

    def _attributes(self) -> Attributes:
        """What the service order compares. Where the address file does not say: in no plan; a hardship
        case with the scenario's share; and (ASSUMPTION) the heavier measures take longer, so the
        severity class is the tercile of the address's own uitvoering draw."""
        df, n = self.addresses, self.n
        lpa = pd.to_numeric(df["lpa_jaar"].replace("", np.nan), errors="coerce").fillna(9999).to_numpy(int)
        given = pd.to_numeric(df["ernst"].replace("", np.nan), errors="coerce").to_numpy()
        drawn = 1 + np.minimum((self.u_uitvoering * len(ERNST)).astype(int), len(ERNST) - 1)
        severity = -np.where(np.isnan(given), drawn, given).astype(int)
        drawn_hardship = stream(self.sc.seed, "schrijnend").random(n) < self.sc.shares.schrijnend
        hardship = np.select([df["schrijnend"] == "ja", df["schrijnend"] == "nee"], [0, 1],
                             (~drawn_hardship).astype(int))
        cluster = np.zeros(n, np.int64)
        if "cluster" in self.sc.order_criteria:
            others = [c for c in self.sc.order_criteria if c not in ("cluster", "waiting", "severity")]
            columns = {"risk": self.profile, "lpa": lpa, "hardship": hardship}
            urgency = ranks([columns[c] for c in others] + [self.entered], n)
            cluster = phase_ranks(self._phases(), urgency)
        return Attributes(self.profile, lpa, severity, hardship, cluster)

    def _phases(self) -> np.ndarray:
        """Each cluster cut into phases of at most `clusters.phase_addresses`: the most advanced
        members first, then the longest waiting (a phase id per address)."""
        codes = pd.factorize(self.addresses["cluster_id"])[0]
        order = np.lexsort((np.arange(self.n), self.entered, -self.milestone0, codes))
        place = np.empty(self.n, np.int64)  # the address's place within its cluster, in that order
        place[order] = pd.Series(codes[order]).groupby(codes[order]).cumcount().to_numpy()
        return pd.factorize(pd.MultiIndex.from_arrays([codes, place // self.sc.clusters.phase_addresses]))[0]

    # -- used by the process ------------------------------------------------------------------

    def beoordeling_route(self, a: int) -> int:
        """Decided when the address joins the beoordeling line: the praktijkaanpak (its pilot, then
        its share), else following a referentiewoning of its group, else an ingenieursbureau."""
        now, measures = self.env.now, self.measures
        if measures.praktijkaanpak is not None and measures.praktijkaanpak.takes(a, now):
            return PRAKTIJKAANPAK
        if measures.referentiewoningen is not None and measures.referentiewoningen.follows(a, now):
            return REFERENTIEWONING
        return KLASSIEK

    def judge(self, a: int, route: int, reference: tuple[bool, float] | None) -> None:
        """The beoordeling's outcome: meets the norm or not, and how heavy the measures are. The
        same uniform is compared with whichever share applies, so outcomes couple across
        scenarios (CRN)."""
        self.route[a] = route
        if route == REFERENTIEWONING:
            self.meets_norm[a], self.uitvoering_factor[a] = reference
            return
        rules, now = self.measures.rules, self.env.now
        self.meets_norm[a] = self.u_norm[a] < getattr(rules.norm(route, now), PROFILES[self._profile[a]])
        self.uitvoering_factor[a], self.planvorming_factor[a] = rules.factors(route, now)
        if self.measures.referentiewoningen is not None:
            outcome = (bool(self.meets_norm[a]), float(self.uitvoering_factor[a]))
            self.measures.referentiewoningen.judged(a, outcome)

    def judge_again(self, a: int, meets: float | None) -> None:
        """A beoordeling done again: it meets the norm with share `meets`, or (None) with the share a
        first beoordeling on that day would have."""
        if meets is None:
            meets = getattr(self.measures.rules.norm(KLASSIEK, self.env.now), PROFILES[self._profile[a]])
        self.meets_norm[a] = self.u_again[a] < meets

    def hand_over(self, tranche: Tranche, measure: HandOvers):
        """SimPy process: on the tranche's date, take the longest waiting addresses (in its risk mix)
        out of the planvorming line; work already under way stays."""
        t = days_since(self.sc.start, tranche.from_)
        if t > 0:
            yield self.env.timeout(t)
        total, mix = tranche.addresses, tranche_mix(tranche)
        wanted = dict.fromkeys(range(len(PROFILES)), total) if mix is None else dict(enumerate(mix.tolist()))

        def choose(keys: list[WaitKey]) -> list[WaitKey]:
            taken = []
            for key in keys:
                p = self._profile[key.address]
                if key.fresh and wanted[p] > 0 and len(taken) < total:
                    wanted[p] -= 1
                    taken.append(key)
            return taken

        parts = self.planvorming.parts
        chosen = set(choose(sorted(key for part in parts for key in part.waiting_keys())))
        withdrawn = [pair for part in parts
                     for pair in part.withdraw(lambda keys: [k for k in keys if k in chosen])]
        for key, granted in sorted(withdrawn, key=lambda pair: pair[0]):
            a = key.address
            self.handed_over[a] = measure.by
            if self.clusters is not None:
                self.clusters.leave(a)
            granted.succeed(measure.hand_over(a))

    def stays_open(self, a: int) -> None:
        """An address whose owner does not take part: its cluster goes without it."""
        if self.clusters is not None:
            self.clusters.leave(a)

    def done_without_uitvoering(self, a: int) -> None:
        """Voltooid after opname or beoordeling (no beoordeling needed, or meets the norm). One handed
        over to a measure left its cluster then."""
        if self.clusters is not None and not self.handed_over[a]:
            self.clusters.leave(a)
        self.reach(a, VOLTOOID)

    def ask_for_uitvoering(self, a: int, since: float, *, resuming: bool) -> simpy.Event:
        """A builder slot (and a wisselwoning if needed): for the address alone, or, in cluster
        mode, for its whole cluster at once when the last member is ready."""
        wisselwoning = int(self.needs_wisselwoning[a])
        if self.clusters is None or resuming or self.handed_over[a]:
            key = self.key_advised(a, since, resuming=resuming)
            return self.bouwcapaciteit.serving(a).request(key, 1, wisselwoning, self.wisselwoningen.part(a))
        return self.clusters.arrive(a, self.key_advised(a, since), wisselwoning)

    def keep_first_beoordeling(self, a: int) -> None:
        """Before a reassessment takes the beoordeling step's place in the arrays."""
        s = S_BEOORDELING
        self.first_beoordeling[a] = (self.queued[a, s], self.started[a, s], self.ended[a, s], self.route[a])
        self.queued[a, s] = self.started[a, s] = self.ended[a, s] = np.nan

    def arrive(self, a: int) -> None:
        """An inflow address joins the opgave now: its drawn day, or a unit in the last place after it
        where the clock cannot land on that day exactly (versterking.engine.run.arrivals)."""
        self.entered[a] = self.reached[a, 0] = self.env.now

    def log_queued(self, a: int, step: int, since: float) -> None:
        self.queued[a, step] = since

    def finish_uitvoering(self, a: int) -> None:
        """The builder slot and the wisselwoning (if one was held) go back."""
        wisselwoning = int(self.needs_wisselwoning[a])
        self.bouwcapaciteit.serving(a).release(1, wisselwoning, self.wisselwoningen.part(a))

    def work(self, a: int, step: int, divided: Divided, since: float):
        """SimPy process: wait for a slot of `divided`, do the step, give the slot back."""
        self.log_queued(a, step, since)
        with divided.serving(a).request(self.key(a, since)) as slot:
            yield slot
            yield from self.carry_out(a, step, self.time_left(a, (step,))[0])

    def time_left(self, a: int, steps: tuple, *, resuming: bool = False) -> list[float]:
        """Duration of each step still to do once a slot is held. Work under way at the start
        (resuming) has a residual share of its current step left; work that fills a slot on day 0
        (the resources were busy on the peildatum: a warm start) a residual share of all the work
        the slot covers, so it may already be past the first steps."""
        d = [float(self.duration[a, s]) for s in steps]
        if resuming:
            return [d[0] * self.residual[a], *d[1:]]
        if self.env.now == 0.0 and self.sc.warm_start:
            left = self.residual[a] * sum(d)
            out = []
            for x in reversed(d):
                out.append(min(x, left))
                left -= out[-1]
            return out[::-1]
        return d

    def carry_out(self, a: int, step: int, duration: float):
        self.started[a, step] = self.env.now
        yield self.env.timeout(duration)
        self.ended[a, step] = self.env.now

    def reach(self, a: int, milestone: int) -> None:
        if math.isnan(self.reached[a, milestone]):
            self.reached[a, milestone] = self.env.now
        if milestone == VOLTOOID:
            self.done += 1
            self.last_done = self.env.now
