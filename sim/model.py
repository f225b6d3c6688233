"""One replication: the addresses as arrays, the resources, and the SimPy run that moves them."""

from __future__ import annotations

import gc
import math
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
import simpy
from tqdm import tqdm

from . import process
from .blocks import OWNERS, PROFILES
from .calendar import days_since, quarter_ends
from .distributions import from_uniforms
from .measures import Batch1581, Bouwimpuls, Tranche
from .population import MILESTONES, SUBSTEPS, apportion, inflow_mix
from .randomness import stream
from .resources import Pool, Resource, follow_schedule
from .scenario import Inflow, Scenario
from .schedules import resource_changes

RESOURCES = ("opnamecapaciteit", "ingenieursbureaus", "planvorming", "bouwcapaciteit",
             "wisselwoningen")
STEP_RESOURCE = ("opnamecapaciteit", "ingenieursbureaus", "planvorming", "planvorming",
                 "planvorming", "bouwcapaciteit")


@dataclass
class RunResult:
    """Everything a replication produced, as arrays; tables are made from it in sim.tables."""

    scenario: Scenario
    addresses: pd.DataFrame          # attributes, one row per address (stock, then inflow)
    stock: int                       # how many of them are the starting werkvoorraad
    arrival: np.ndarray              # day the address joined (<= 0 for the starting werkvoorraad)
    reached: np.ndarray              # (n, 6) day each milestone was reached; NaN = not reached
    queued: np.ndarray               # (n, 6 steps) day the address joined the step's waiting line
    started: np.ndarray              # (n, 6 steps) day the step's work started
    ended: np.ndarray                # (n, 6 steps) day the step's work ended
    needs_wisselwoning: np.ndarray   # (n,) bool
    held: np.ndarray                 # (n,) milestone index held at the start (0 for inflow)
    route: np.ndarray                # (n,) how the beoordeling was done (process.ROUTES)
    meets_norm: np.ndarray           # (n,) bool: judged to meet the norm in this run
    handed_over: np.ndarray          # (n,) 0, or the measure that took it out of planvorming
    monitors: dict[str, np.ndarray]  # resource -> rows (t, in use, capacity, waiting, short)
    end_time: float                  # day the run stopped (last voltooid, or the horizon)
    wall_seconds: float = 0.0


class Model:
    def __init__(self, scenario: Scenario, population: pd.DataFrame) -> None:
        self.sc = sc = scenario
        self.env = simpy.Environment()
        self._addresses(population)
        self._draws()
        env = self.env
        self.wisselwoningen = Pool(env, "wisselwoningen", 0)
        self.opname = Resource(env, "opnamecapaciteit", 0)
        self.ingenieursbureaus = Resource(env, "ingenieursbureaus", 0)
        self.planvorming = Resource(env, "planvorming", 0)
        self.bouwcapaciteit = Resource(env, "bouwcapaciteit", 0, companion=self.wisselwoningen)
        self.resources = {"opnamecapaciteit": self.opname, "ingenieursbureaus": self.ingenieursbureaus,
                          "planvorming": self.planvorming, "bouwcapaciteit": self.bouwcapaciteit,
                          "wisselwoningen": self.wisselwoningen}
        self.last_done = 0.0
        self._clusters = _ClusterGate(self) if sc.cluster_uitvoering else None
        self._risk_first = sc.service_order == "risk_first"
        self._profile = self.profile.tolist()
        # Addresses first: at day 0 every address joins its line before any capacity opens, so the
        # first slots go by service order, not by process creation order.
        for a in np.flatnonzero(self.milestone0 != process.VOLTOOID).tolist():
            env.process(process.address_life(self, a))
        for name, target in self.resources.items():
            env.process(follow_schedule(env, target, resource_changes(sc, name)))
        self._measures()

    # -- set-up -------------------------------------------------------------------------------

    def _addresses(self, population: pd.DataFrame) -> None:
        sc = self.sc
        stock = population.copy()
        stock["arrival"] = [days_since(sc.start, d) for d in pd.to_datetime(
            stock["milestone_date"]).dt.date] if len(stock) else []
        flows = [(flow, stream(sc.seed, "inflow", i)) for i, flow in enumerate(sc.inflow)]
        on_request = sc.measures.get("opname_op_verzoek")
        if on_request is not None:
            flow = Inflow(name="opname-op-verzoek", owner_type={"particulier": 1.0},
                          **on_request.model_dump(by_alias=True, exclude={"enabled", "note"}))
            flows.append((flow, stream(sc.seed, "opname_op_verzoek")))
        frames = [stock] + [self._inflow(flow, rng, population) for flow, rng in flows]
        df = pd.concat(frames, ignore_index=True)
        # the share that needs no beoordeling: the inflow's own, else the scenario's by profile
        self.skip_share = np.concatenate(
            [np.full(len(stock), np.nan)] + [np.full(len(f), np.nan if flow.skip_beoordeling is None
                                                     else flow.skip_beoordeling)
                                             for f, (flow, _) in zip(frames[1:], flows, strict=True)])
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
        self.reached = np.full((n, 6), np.nan)
        self.reached[:, 0] = self.entered  # joined the opgave
        for k in range(1, 6):
            held = self.milestone0 >= k
            self.reached[held, k] = self.entered[held]
        self.queued = np.full((n, len(process.STEPS)), np.nan)
        self.started = np.full_like(self.queued, np.nan)
        self.ended = np.full_like(self.queued, np.nan)
        self.done = int((self.milestone0 == process.VOLTOOID).sum())

    def _inflow(self, flow: Inflow, rng: np.random.Generator, population: pd.DataFrame) -> pd.DataFrame:
        t0, t1 = days_since(self.sc.start, flow.from_), days_since(self.sc.start, flow.to)
        if flow.arrivals == "poisson":
            count = int(rng.poisson(flow.addresses))
            times = np.sort(rng.uniform(t0, t1, count))
        else:
            count = flow.addresses
            times = t0 + (np.arange(count) + 0.5) * (t1 - t0) / max(count, 1)
        gemeente = flow.gemeente or (population["gemeente"].value_counts(normalize=True).to_dict()
                                     if len(population) else {"onbekend": 1.0})

        def pick(shares: dict) -> np.ndarray:
            """Evenly spread arrivals get exactly their shares (in random order); Poisson ones draw."""
            keys = np.array(list(shares), dtype=object)
            p = np.array(list(shares.values()), float)
            if flow.arrivals == "even":
                return rng.permutation(np.repeat(keys, apportion(p, count)))
            return keys[rng.choice(len(keys), count, p=p / p.sum())]

        if flow.arrivals == "even":
            mix = inflow_mix(flow)
            cells = rng.permutation(np.repeat(np.arange(len(mix)), list(mix.values())))
            profile = np.array([p for p, _ in mix], dtype=object)[cells]
            owner = np.array([o for _, o in mix], dtype=object)[cells]
        else:
            profile, owner = pick(flow.risk_profile), pick(flow.owner_type)
        ids = [f"{flow.name}-{k + 1:06d}" for k in range(count)]
        return pd.DataFrame({
            "address_id": ids, "gemeente": pick(gemeente), "risk_profile": profile,
            "owner_type": owner, "building_id": ids, "cluster_id": ids,
            "milestone": MILESTONES[0], "milestone_date": pd.NaT,
            "planvorming_substep": "", "arrival": times,
        })

    def _draws(self) -> None:
        """Every address's durations and outcomes, drawn up front by address index (CRN): each
        from its own named stream, so a measure switched on or off never shifts another draw."""
        sc, n = self.sc, self.n
        self.duration = np.empty((n, len(process.STEPS)))
        for s, step in enumerate(process.STEPS):
            self.duration[:, s] = from_uniforms(getattr(sc.durations, step),
                                                stream(sc.seed, step).random(n))
        self.residual = stream(sc.seed, "residual").random(n)
        shares = sc.shares
        by_profile = np.array([getattr(shares.skip_beoordeling, p) for p in PROFILES])[self.profile]
        self.skips_beoordeling = stream(sc.seed, "skip_beoordeling").random(n) < np.where(
            np.isnan(self.skip_share), by_profile, self.skip_share)
        self.u_norm = stream(sc.seed, "meets_norm").random(n)  # judged when the beoordeling ends
        self.meets_norm = np.zeros(n, bool)
        owner_share = np.array([getattr(shares.wisselwoning, o) for o in OWNERS])
        self.needs_wisselwoning = stream(sc.seed, "wisselwoning").random(n) < owner_share[self.owner]

    def _measure_draws(self, name: str) -> tuple[np.ndarray, np.ndarray | None]:
        """A measure's stream: a uniform per address for who it applies to, and one for the
        duration of its work (if it has a `duration`)."""
        block = self.sc.measures.get(name)
        rng = stream(self.sc.seed, name)
        u = rng.random(self.n)
        spec = getattr(block, "duration", None)
        return u, (from_uniforms(spec, rng.random(self.n)) if spec is not None else None)

    def _measures(self) -> None:
        """State the measures need while running, and the processes of the dated hand-overs."""
        sc, n = self.sc, self.n
        measures = sc.measures
        self.route = np.zeros(n, np.int8)
        self.handed_over = np.zeros(n, np.int8)
        self.reassesses = np.zeros(n, bool)
        self.uitvoering_factor = np.ones(n)
        self.preparation = np.zeros(n)
        self.is_reference = np.zeros(n, bool)
        self._pilot_left = 0
        self._references: dict[int, simpy.Event] = {}
        self._day = {}  # the measures' dates as simulation days
        if (typ := measures.get("typologie")) is not None:
            self.u_typologie, self.typologie_duration = self._measure_draws("typologie")
            self._day["typologie"] = days_since(sc.start, typ.from_)
        if (prak := measures.get("praktijkaanpak")) is not None:
            self.u_praktijk, self.praktijk_duration = self._measure_draws("praktijkaanpak")
            self._pilot_left = prak.pilot_addresses
            self._day["pilot"] = days_since(sc.start, prak.pilot_from)
            self._day["praktijkaanpak"] = days_since(sc.start, prak.scale_from)
        if (ref := measures.get("referentiewoningen")) is not None:
            self.u_referentie, self.referentie_duration = self._measure_draws("referentiewoningen")
            column = "building_id" if ref.group == "building" else "cluster_id"
            self.reference_group = pd.factorize(self.addresses[column])[0]
            self._day["referentiewoningen"] = days_since(sc.start, ref.from_)
        if (npr := measures.get("npr_2020")) is not None:
            self._day["npr_2020"] = days_since(sc.start, npr.from_)
        # whose meets_norm shares judge each route (klassiek: the NPR in force, see judge)
        self._judged_by = {process.TYPOLOGIE: measures.typologie,
                           process.PRAKTIJKAANPAK: measures.praktijkaanpak,
                           process.HERBEOORDELING: measures.batch_1581}
        handovers = []
        if (impuls := measures.get("bouwimpuls")) is not None:
            handovers += [(tranche, process.BOUWIMPULS, impuls) for tranche in impuls.tranches]
        if (batch := measures.get("batch_1581")) is not None:
            handovers.append((batch.tranche, process.BATCH_1581, batch))
        if handovers:
            self.u_voorbereiding = stream(sc.seed, "voorbereiding").random(n)
            self.u_herbeoordeling = stream(sc.seed, "herbeoordeling").random(n)
        for tranche, kind, block in handovers:
            self.env.process(self._hand_over(tranche, kind, block))

    # -- used by the process ------------------------------------------------------------------

    def key(self, a: int, since: float, resuming: bool) -> tuple:
        """Waiting-line order: work already under way first, then by the scenario's rule.
        Plain Python numbers: heap comparisons of numpy scalars cost several times more."""
        if self._risk_first:
            return (not resuming, self._profile[a], float(since), a)
        return (not resuming, float(since), a)

    def beoordeling_route(self, a: int) -> int:
        """Decided when the address joins the beoordeling line: the praktijkaanpak (its pilot, then
        its share), else following a referentiewoning of its group, else an ingenieursbureau."""
        now, day, p = self.env.now, self._day, self._profile[a]
        measures = self.sc.measures
        if "praktijkaanpak" in day:
            if self._pilot_left > 0 and now >= day["pilot"]:
                self._pilot_left -= 1
                return process.PRAKTIJKAANPAK
            share = getattr(measures.praktijkaanpak.share, PROFILES[p])
            if now >= day["praktijkaanpak"] and self.u_praktijk[a] < share:
                return process.PRAKTIJKAANPAK
        if "referentiewoningen" in day and now >= day["referentiewoningen"] \
                and self.u_referentie[a] < measures.referentiewoningen.share:
            g = self.reference_group[a]
            if g in self._references:
                return process.REFERENTIEWONING
            self._references[g] = self.env.event()  # this address is its group's reference
            self.is_reference[a] = True
        return process.KLASSIEK

    def reference_of(self, a: int) -> simpy.Event:
        return self._references[self.reference_group[a]]

    def typologie_applies(self, a: int) -> bool:
        """A beoordeling starting after the peildatum, once typologieën are in use, for the share
        of addresses of an assessed type. (Work under way on the peildatum stays klassiek.)"""
        day = self._day.get("typologie")
        return (day is not None and self.env.now > 0 and self.env.now >= day
                and self.u_typologie[a] < getattr(self.sc.measures.typologie.share,
                                                  PROFILES[self._profile[a]]))

    def judge(self, a: int, route: int, reference: int | None) -> None:
        """The beoordeling's outcome: meets the norm or not, and how heavy the measures are. The
        same uniform is compared with whichever share applies, so outcomes couple across
        scenarios (CRN)."""
        self.route[a] = route
        if route == process.REFERENTIEWONING:
            self.meets_norm[a] = self.meets_norm[reference]
            self.uitvoering_factor[a] = self.uitvoering_factor[reference]
            return
        measures, profile = self.sc.measures, PROFILES[self._profile[a]]
        npr = "npr_2020" in self._day and self.env.now >= self._day["npr_2020"]
        shares = self._judged_by.get(route)
        if shares is None:
            shares = measures.npr_2020 if npr else self.sc.shares
        self.meets_norm[a] = self.u_norm[a] < getattr(shares.meets_norm, profile)
        if route == process.HERBEOORDELING:
            self.uitvoering_factor[a] = measures.batch_1581.uitvoering_factor
        elif npr:
            self.uitvoering_factor[a] = measures.npr_2020.uitvoering_factor
        group = self._references.get(self.reference_group[a]) if self.is_reference[a] else None
        if group is not None and not group.triggered:  # reassessed later (batch 1581): fired once
            group.succeed(a)

    def _hand_over(self, tranche: Tranche, kind: int, block: Bouwimpuls | Batch1581):
        """On the tranche's date, take the longest waiting addresses (in its risk mix) out of the
        planvorming line; work already under way stays."""
        t = days_since(self.sc.start, tranche.from_)
        if t > 0:
            yield self.env.timeout(t)
        total = tranche.addresses
        if tranche.risk_profile is None:
            wanted = dict.fromkeys(range(len(PROFILES)), total)
        else:
            wanted = dict(enumerate(apportion([tranche.risk_profile.get(p, 0.0) for p in PROFILES],
                                              total).tolist()))

        def choose(keys: list[tuple]) -> list[tuple]:
            taken = []
            for key in keys:
                p = self._profile[key[-1]]
                if key[0] and wanted[p] > 0 and len(taken) < total:  # key[0]: not yet under way
                    wanted[p] -= 1
                    taken.append(key)
            return taken

        for key, granted in self.planvorming.withdraw(choose):
            a = key[-1]
            self.handed_over[a] = kind
            self.reassesses[a] = kind == process.BATCH_1581 and self.u_herbeoordeling[a] < block.reassess
            self.preparation[a] = from_uniforms(block.preparation, self.u_voorbereiding[a:a + 1])[0]
            if self._clusters is not None:
                self._clusters.leave(a)
            granted.succeed(process.HANDED_OVER)

    def done_without_uitvoering(self, a: int) -> None:
        """Voltooid after opname or beoordeling (no beoordeling needed, or meets the norm)."""
        if self._clusters is not None:
            self._clusters.leave(a)
        self.reach(a, process.VOLTOOID)

    def ask_for_uitvoering(self, a: int, since: float, resuming: bool) -> simpy.Event:
        """A builder slot (and a wisselwoning if needed): for the address alone, or, in cluster
        mode, for its whole cluster at once when the last member is ready."""
        wisselwoning = int(self.needs_wisselwoning[a])
        if self._clusters is None or resuming or self.handed_over[a]:
            return self.bouwcapaciteit.request(self.key(a, since, resuming), 1, wisselwoning)
        return self._clusters.arrive(a, self.key(a, since, False), wisselwoning)

    def log_queued(self, a: int, step: int, since: float) -> None:
        self.queued[a, step] = since

    def work(self, a: int, step: int, resource: Resource, since: float):
        self.log_queued(a, step, since)
        yield resource.request(self.key(a, since, False))
        yield from self.carry_out(a, step, self.time_left(a, (step,), False)[0])
        resource.release()

    def time_left(self, a: int, steps: tuple, resuming: bool) -> list[float]:
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
        if milestone == process.VOLTOOID:
            self.done += 1
            self.last_done = self.env.now

    # -- running ------------------------------------------------------------------------------

    def run(self, progress: bool = False) -> RunResult:
        sc, env = self.sc, self.env
        horizon = days_since(sc.start, sc.horizon)
        checkpoints = [days_since(sc.start, q) for q in quarter_ends(sc.start, sc.horizon)]
        checkpoints = [t for t in checkpoints if 0 < t < horizon] + [horizon]
        t_wall = time.perf_counter()
        bar = tqdm(total=self.n, desc=sc.name, unit="adres", disable=not progress, leave=False)
        for t in checkpoints:
            if self.done >= self.n and env.now > 0:
                break
            env.run(until=t)
            bar.update(self.done - bar.n)
            bar.set_postfix_str(f"{sc.start.year + int(env.now // 365.25)}")
        bar.close()
        end = self.last_done if self.done >= self.n else horizon
        return RunResult(
            scenario=sc, addresses=self.addresses, stock=self.stock, arrival=self.entered,
            reached=self.reached, queued=self.queued, started=self.started, ended=self.ended,
            needs_wisselwoning=self.needs_wisselwoning, held=self.milestone0, route=self.route,
            meets_norm=self.meets_norm, handed_over=self.handed_over,
            monitors={name: res.monitor.as_array() for name, res in self.resources.items()},
            end_time=end, wall_seconds=time.perf_counter() - t_wall,
        )


class _ClusterGate:
    """Holds the members of a cluster ("treintje") until all that will need uitvoering are ready,
    then asks for their builder slots and wisselwoningen as one block, ordered by its most urgent
    member. A cluster larger than the smallest capacity still to come is split into blocks that
    fit it, so a block can always start once capacity is there."""

    def __init__(self, m: Model) -> None:
        self.m = m
        codes, _ = pd.factorize(m.addresses["cluster_id"])
        self.cluster = codes
        # members that may still need uitvoering; one that turns out not to (meets the norm, no
        # beoordeling needed, handed over to a measure) leaves, and the rest may then go
        goes = m.milestone0 < process.UITVOERING
        self.expected = np.bincount(codes[goes], minlength=codes.max() + 1 if len(codes) else 0)
        self.ready: dict[int, list] = {}
        self.limits = {name: resource_changes(m.sc, name)
                       for name in ("bouwcapaciteit", "wisselwoningen")}

    def _smallest_capacity_to_come(self, name: str) -> int:
        now = self.m.env.now
        changes = self.limits[name]
        current = [c for t, c in changes if t <= now][-1:]
        future = [c for t, c in changes if t > now]
        positive = [c for c in current + future if c > 0]
        return min(positive) if positive else 1

    def arrive(self, a: int, key: tuple, wisselwoning: int) -> simpy.Event:
        mine = self.m.env.event()
        c = self.cluster[a]
        members = self.ready.setdefault(c, [])
        members.append((key, wisselwoning, mine))
        self._go_if_complete(c)
        return mine

    def leave(self, a: int) -> None:
        c = self.cluster[a]
        self.expected[c] -= 1
        self._go_if_complete(c)

    def _go_if_complete(self, c: int) -> None:
        members = self.ready.get(c)
        if members and len(members) == self.expected[c]:
            del self.ready[c]
            self._ask(sorted(members, key=lambda x: x[0]))

    def _ask(self, members: list) -> None:
        max_units = self._smallest_capacity_to_come("bouwcapaciteit")
        max_wissel = self._smallest_capacity_to_come("wisselwoningen")
        block: list = []
        for member in members:
            wissel = sum(w for _, w, _ in block) + member[1]
            if block and (len(block) + 1 > max_units or wissel > max_wissel):
                self._request(block)
                block = []
            block.append(member)
        self._request(block)

    def _request(self, block: list) -> None:
        granted = self.m.bouwcapaciteit.request(block[0][0], len(block), sum(w for _, w, _ in block))
        events = [ev for _, _, ev in block]
        granted.callbacks.append(lambda _: [ev.succeed() for ev in events])


def run_scenario(scenario: Scenario, population: pd.DataFrame, progress: bool = False) -> RunResult:
    """Build and run one replication. The garbage collector is paused while tens of thousands of
    processes are created (it would otherwise rescan them over and over)."""
    gc.disable()
    try:
        model = Model(scenario, population)
        return model.run(progress)
    finally:
        gc.enable()
