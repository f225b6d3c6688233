"""A deterministic flow model of the same chain as the simulation: the addresses as amounts (per risk
profile and owner type) moving through the same lines, with the same capacity schedules, shares,
routes and measures (the measures' rules are the simulation's own: versterking.engine.measure_rules),
each step's work spread over a few delays that stand for its duration distribution. No noise and no
single addresses, so it runs in a tenth of a second to a second and a half: it seeds terug
redeneren's search and gives an instant preview of a what-if. It is an approximation, never the
answer; how far it is from the simulation on each shipped scenario is measured
(docs/background/flow-model.md).

What it leaves out, and what that does:
- the far tail of durations: the last delay stands for the slowest 1%, while the simulation's last
  address draws the longest of thousands, so 100% can come some months early where durations decide;
- the service order beyond the risk profile (LPA, severity, hardship, clusters): with "risk" among
  the criteria the profiles are served in their order, else in proportion to what waits;
- clusters (treintjes) and the verdeelsleutel: every line is one pool;
- a referentiewoning's follower waits for its reference's beoordeling, not for its place in the line.
Beoordelingen done again and herbeoordelingen at the owner's request (shares.opnieuw_beoordeeld,
herbeoordeling_op_verzoek) are in it: the engineers' extra work and what they find.
Owners who do not take part (shares.niet_deelnemend) keep their share of the werkvoorraad not yet
beoordeeld out of the chain, as in the simulation: 100% is then never reached.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..calendar import days_since
from ..domain import (
    BEOORDELING,
    DEELNEMERS,
    HERBEOORDELING,
    KLASSIEK,
    MILESTONES,
    NOG_NIET_GESTART,
    OPNAME,
    OWNERS,
    PLANVORMING,
    PLANVORMING_STEPS,
    PRAKTIJKAANPAK,
    PROFILES,
    REFERENTIEWONING,
    RESOURCES,
    ROUTES,
    STEPS,
    SUBSTEPS,
    TYPOLOGIE,
    UITVOERING,
    VERSTERKT,
    VOLDOET,
    VOLTOOID,
)
from ..inputs.blocks import Gamma
from ..inputs.counts import inflow_mix
from ..inputs.embedded import DONE_AS
from ..inputs.scenario import Scenario
from .distributions import from_uniforms, mean_of
from .growth import Grown, review
from .measure_rules import measure_rules, tranche_mix
from .measures import inflows
from .schedules import growth_rule, resource_changes

DT = 7.0  # days per step
TALLIES = ("werkvoorraad", "beoordeeld", "eerste beoordeling", VERSTERKT)
SHAPE = (len(PROFILES), len(OWNERS))
_P, _O = np.indices(SHAPE)


@dataclass
class FlowResult:
    """Cumulative addresses that reached each milestone, per profile, at the end of every step."""

    start: object        # the scenario's start (a date)
    days: np.ndarray     # (steps + 1,) day of each row, 0 first
    reached: np.ndarray  # (steps + 1, milestones, profiles)
    total: np.ndarray    # (profiles,) addresses in the opgave at the end (stock and inflow)
    staying_open: np.ndarray  # (profiles,) of them, whose owner does not take part
    # (steps + 1,) cumulative counts the milestones do not hold: the werkvoorraad (stock and arrived),
    # every beoordeling (done again too), first beoordelingen, versterkt (what was held at the start too)
    tally: dict[str, np.ndarray]
    # per resource that grows with its work, what its last review left (the slots grown, and since when
    # its line has held too much work: what a forecast from this day takes as the line's history)
    grown: dict[str, Grown]
    # (steps + 1,) per resource: the addresses still waiting for it after the starts of each step
    waiting: dict[str, np.ndarray]

    def done_day(self, pct: float = 100.0, group: str | None = None) -> float:
        """The day pct% of a group (None or TOTAAL: all; DEELNEMERS: all who take part; else a risk
        profile) is voltooid (NaN: not by the last row), interpolated within a step."""
        done = self.reached[:, VOLTOOID]
        n = self.total - (self.staying_open if group == DEELNEMERS else 0.0)
        if group in PROFILES:
            k = PROFILES.index(group)
            done, n = done[:, k], n[k]
        else:
            done, n = done.sum(axis=1), n.sum()
        need = max(n * pct / 100 - 0.5, 0.0) if pct >= 100 else n * pct / 100
        hit = np.flatnonzero(done >= need - 1e-9)
        if not len(hit):
            return math.nan
        i = hit[0]
        if i == 0:
            return 0.0
        lo, hi = done[i - 1], done[i]
        return float(self.days[i - 1] + (self.days[i] - self.days[i - 1]) * (need - lo) / max(hi - lo, 1e-12))

    def row(self, day: float) -> int:
        """The row at or before `day`."""
        return min(np.searchsorted(self.days, day, side="right") - 1, len(self.days) - 1)

    def at(self, day: float) -> np.ndarray:
        """(milestones, profiles): reached on `day` (the row at or before it)."""
        return self.reached[self.row(day)]


class _Line:
    """Addresses waiting, per class, with attribute sums that travel with them (the uitvoering
    factor, the planvorming factor, the share that needs no beoordeling)."""

    def __init__(self, *attrs: str) -> None:
        self.count = np.zeros(SHAPE)
        self.sums = {a: np.zeros(SHAPE) for a in attrs}

    def add(self, x: np.ndarray, **per_address: np.ndarray | float) -> None:
        self.count += x
        for a, s in self.sums.items():
            s += x * per_address.get(a, 1.0)

    def take(self, x: np.ndarray) -> dict[str, np.ndarray]:
        """Take x (<= count) out; the attributes' means of what was taken."""
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(self.count > 0, x / self.count, 0.0)
        means = {}
        for a, s in self.sums.items():
            part = s * share
            with np.errstate(invalid="ignore", divide="ignore"):
                means[a] = np.where(x > 0, part / x, 1.0)
            s -= part
        self.count -= x
        np.maximum(self.count, 0.0, out=self.count)
        return means


# A duration as a few delays, each the mean of its slice of the distribution (so the mean holds), with
# finer slices in the upper tail: the last addresses of a line draw long durations, and 100% waits
# for them.
EDGES = np.array([0.0, 0.2, 0.4, 0.6, 0.8, 0.95, 0.99, 1.0])
WEIGHTS = np.diff(EDGES)


def nodes(spec) -> np.ndarray:
    """The delays (days) that stand for a duration distribution, one per slice of EDGES."""
    key = spec.model_dump_json()
    if key not in _NODES:
        grid = EDGES[:-1, None] + (np.arange(200) + 0.5)[None, :] / 200 * WEIGHTS[:, None]
        _NODES[key] = from_uniforms(spec, grid.ravel()).reshape(grid.shape).mean(axis=1)
    return _NODES[key]


_NODES: dict[str, np.ndarray] = {}
# the (profile, owner) index of every class, once per number of delays (a duration's nodes, or one)
_CELLS = {n: (_P[None].repeat(n, 0), _O[None].repeat(n, 0)) for n in (1, len(WEIGHTS))}


class _Pipe:
    """What finishes in a later step: amounts per class with their attributes, spread over the
    delays of a duration (nodes), each at a fractional step split over the two steps around it (at
    least one step). `holds`: the work holds a slot of a resource until it finishes."""

    def __init__(self, steps: int, holds: bool, *attrs: str) -> None:
        self.holds = holds
        self.x = np.zeros((steps + 2,) + SHAPE)
        self.sums = {a: np.zeros((steps + 2,) + SHAPE) for a in attrs}

    def put(self, k: int, delays: np.ndarray, x: np.ndarray, scale: np.ndarray | float = 1.0,
            **attrs: np.ndarray | float) -> None:
        """x starts in step k and takes `delays` (nodes) times `scale` (a number or one per class)."""
        at = k + np.maximum(delays[:, None, None] * np.asarray(scale, float) / DT, 1.0)
        at = np.broadcast_to(at, (len(delays),) + SHAPE)
        lo = np.minimum(np.floor(at).astype(int), len(self.x) - 2)
        w = np.minimum(at - lo, 1.0)
        weights = WEIGHTS[:, None, None] if len(delays) == len(WEIGHTS) else 1.0 / len(delays)
        cells = _CELLS[len(delays)]
        for idx, part in ((lo, 1 - w), (lo + 1, w)):
            amount = x * part * weights
            np.add.at(self.x, (idx, *cells), amount)
            for a, s in self.sums.items():
                np.add.at(s, (idx, *cells), amount * attrs.get(a, 1.0))

    def pop(self, k: int) -> tuple[np.ndarray, float, dict[str, np.ndarray]]:
        """What finishes in step k, the slots it frees, and its attributes' means."""
        x = self.x[k]
        with np.errstate(invalid="ignore", divide="ignore"):
            means = {a: np.where(x > 0, s[k] / x, 1.0) for a, s in self.sums.items()}
        return x, float(x.sum()) if self.holds else 0.0, means


def _serve(free: float, waiting: np.ndarray, by_profile: bool) -> np.ndarray:
    """How much of each class starts with `free` slots: the profiles in their order, or all in
    proportion to what waits."""
    free = max(free, 0.0)
    if free <= 0 or waiting.sum() <= 0:
        return np.zeros(SHAPE)
    if not by_profile:
        return waiting * min(1.0, free / waiting.sum())
    out = np.zeros(SHAPE)
    for p in range(SHAPE[0]):
        want = waiting[p].sum()
        if want <= 0:
            continue
        take = min(want, free)
        out[p] = waiting[p] * (take / want)
        free -= take
        if free <= 1e-12:
            break
    return out


def _stock(population: pd.DataFrame) -> dict[str, np.ndarray]:
    """The werkvoorraad per held milestone (and planvorming sub-step) as (profile, owner) amounts."""
    out = {}
    p = population["risk_profile"].map({x: k for k, x in enumerate(PROFILES)}).to_numpy(int)
    o = population["owner_type"].map({x: k for k, x in enumerate(OWNERS)}).to_numpy(int)
    for m in MILESTONES:
        held = (population["milestone"] == m).to_numpy()
        if m == MILESTONES[PLANVORMING]:
            for s, sub in enumerate(SUBSTEPS):
                sel = held & (population["planvorming_substep"].replace("", SUBSTEPS[0]) == sub).to_numpy()
                out[f"planvorming/{s}"] = _counts(p[sel], o[sel])
        out[m] = _counts(p[held], o[held])
    # a stand's voltooid addresses that met the norm passed no planvorming or uitvoering
    met = (population[DONE_AS] == VOLDOET).to_numpy() if DONE_AS in population else np.zeros(len(p), bool)
    out[VOLDOET] = _counts(p[met], o[met])
    return out


def _counts(p: np.ndarray, o: np.ndarray) -> np.ndarray:
    c = np.zeros(SHAPE)
    np.add.at(c, (p, o), 1.0)
    return c


def _by_profile(shares) -> np.ndarray:
    """(profile, owner) array of a per-profile share."""
    return np.repeat(np.array([getattr(shares, p) for p in PROFILES], float)[:, None], SHAPE[1], axis=1)


def _followers(population: pd.DataFrame, group: str) -> float:
    """The share of the addresses still to be assessed that follow a referentiewoning: all but the
    first of each group among them (a group's members assessed before do not count)."""
    column = "building_id" if group == "building" else "cluster_id"
    ahead = population[population["milestone"].isin(MILESTONES[:BEOORDELING])]
    return 1.0 - ahead[column].nunique() / len(ahead) if len(ahead) else 0.0


def _sampled(changes: list[tuple[float, int]], steps: int) -> np.ndarray:
    """A (day, slots) schedule as the slots in force at the start of each step."""
    days = np.array([t for t, _ in changes])
    values = np.array([v for _, v in changes], float)
    return values[np.searchsorted(days, np.arange(steps + 2) * DT, side="right") - 1]


def _serves_by_profile(criteria: tuple[str, ...]) -> bool:
    """Whether the risk profile counts before the time waited."""
    if "risk" not in criteria:
        return False
    return "waiting" not in criteria or criteria.index("risk") < criteria.index("waiting")


def flow(sc: Scenario, population: pd.DataFrame, horizon_day: float | None = None) -> FlowResult:
    """Run the flow model of scenario `sc` (one set of values: draw the uncertain ones first) from its
    start to `horizon_day` (default: the scenario's horizon), stopping once all is voltooid."""
    return _Flow(sc, population, horizon_day).run()


class _Flow:
    def __init__(self, sc: Scenario, population: pd.DataFrame, horizon_day: float | None) -> None:
        self.sc = sc
        end = days_since(sc.start, sc.horizon) if horizon_day is None else horizon_day
        self.steps = steps = int(math.ceil(end / DT))
        self.by_profile = _serves_by_profile(sc.order_criteria)
        specs = {s: getattr(sc.durations, s) for s in type(sc.durations).model_fields}
        self.d = {s: nodes(spec) for s, spec in specs.items()}
        sub = [specs[STEPS[s]] for s in PLANVORMING_STEPS]
        self.plan_days = np.array([mean_of(x) for x in sub])
        # one slot for the three sub-steps: their sum, as a gamma with its mean and spread
        spread = math.sqrt(sum(getattr(x, "sd", 0.0) ** 2 for x in sub)) or self.plan_days.sum() / 1000
        self.planvorming = nodes(Gamma(dist="gamma", mean=self.plan_days.sum(), sd=spread))
        self.scheduled = {n: _sampled(resource_changes(sc, n), steps) for n in RESOURCES}
        self.cap = {n: c.copy() for n, c in self.scheduled.items()}
        # the resources that grow with their work: their rule, what the last review left, the next review
        self.growth = {n: rule for n in RESOURCES if (rule := growth_rule(sc, n)) is not None}
        self.grown = {n: (rule.first, rule.review_days) for n, rule in self.growth.items()}
        self.rules = rules = measure_rules(sc)
        self.typ, self.prak, self.ref = rules.typologie, rules.praktijkaanpak, rules.referentiewoningen
        self.batch, self.impuls = rules.batch_1581, sc.measures.get("bouwimpuls")
        shares = sc.shares
        self.skip = _by_profile(shares.skip_beoordeling)
        self.redo = shares.opnieuw_beoordeeld
        self.wissel = np.repeat(np.array([getattr(shares.wisselwoning, o) for o in OWNERS], float)[None, :],
                                SHAPE[0], axis=0)
        self.population = population
        # the lines, and what finishes later (by where it goes next)
        self.wait_op = _Line("skip")
        self.wait_be = _Line()          # klassiek, for an ingenieursbureau
        self.wait_re = _Line()          # batch 1581's reassessments, for an ingenieursbureau
        self.wait_again = _Line("uf", "pf")  # beoordelingen done again (shares.opnieuw_beoordeeld)
        self.wait_asked = _Line()       # the werkvoorraad's adviezen whose owner asks a herbeoordeling
        self.wait_pl = _Line("uf", "pf")
        self.wait_uv = {True: _Line("uf"), False: _Line("uf")}  # needs a wisselwoning, or not
        # work under way on the peildatum: first in its line when a slot is free, half its step left
        self.resume_pl = _Line("left")
        self.resume_uv = {True: _Line(), False: _Line()}
        self.opname_done = _Pipe(steps, True, "skip")
        # the praktijkaanpak's experts and a referentiewoning's follower hold no ingenieursbureau
        self.beoordeeld = {r: _Pipe(steps, r not in (PRAKTIJKAANPAK, REFERENTIEWONING))
                           for r in range(len(ROUTES))}
        self.again, self.asked = _Pipe(steps, True, "uf", "pf"), _Pipe(steps, True)
        self.plan_started, self.plan_done = _Pipe(steps, False), _Pipe(steps, True, "uf")
        self.prepared = _Pipe(steps, False, "uf")
        self.uv_done = {True: _Pipe(steps, True), False: _Pipe(steps, True)}
        self.busy = dict.fromkeys(RESOURCES, 0.0)
        self.left_waiting = {n: np.zeros(steps + 1) for n in RESOURCES}
        self.inc = np.zeros((steps + 2, len(MILESTONES), SHAPE[0]))  # reached in step k
        self.tally = {name: np.zeros(steps + 2) for name in TALLIES}      # counted in step k
        self.pilot_left = float(self.prak.pilot_addresses) if self.prak is not None else 0.0
        self.follow = self.ref.share * _followers(population, self.ref.group) if self.ref is not None else 0.0
        # the measures' shares and delays, once (the steps only look them up)
        self.typ_share = _by_profile(self.typ.share) if self.typ is not None else None
        self.prak_share = _by_profile(self.prak.share) if self.prak is not None else None
        self.delays = {name: nodes(block.duration) for name, block in (
            ("typologie", self.typ), ("praktijkaanpak", self.prak)) if block is not None}
        self.delays |= {name: nodes(block.preparation) for name, block in (
            ("bouwimpuls", self.impuls), ("batch_1581", self.batch)) if block is not None}
        if self.ref is not None:  # a follower waits for its reference's beoordeling, then its own check
            self.delays["referentie"] = self.d["beoordeling"] + mean_of(self.ref.duration)

    def day(self, d) -> float:
        return days_since(self.sc.start, d)

    # -- the routes -----------------------------------------------------------------------------

    def join_beoordeling(self, k: int, x: np.ndarray) -> None:
        """Routes decided when an address joins the beoordeling line (the measures' rules, as the
        simulation's Model.beoordeling_route takes them)."""
        t, rules = k * DT, self.rules
        if self.prak is not None:
            taken = np.zeros(SHAPE)
            if rules.pilot_open(t) and self.pilot_left > 0 and x.sum() > 0:
                n = min(self.pilot_left, x.sum())
                taken = x * (n / x.sum())
                self.pilot_left -= n
            if rules.scaled_up(t):
                taken = taken + (x - taken) * self.prak_share
            if taken.sum() > 0:
                self.beoordeeld[PRAKTIJKAANPAK].put(k, self.delays["praktijkaanpak"], taken)
                x = x - taken
        if rules.referentiewoningen_in_use(t) and self.follow > 0:
            self.beoordeeld[REFERENTIEWONING].put(k, self.delays["referentie"], x * self.follow)
            x = x * (1 - self.follow)
        self.wait_be.add(x)

    def judged(self, k: int, x: np.ndarray, route: int) -> None:
        """A beoordeling's outcome at the end of step k, by the measures' rules: voltooid, or on to
        planvorming (after a reassessment: to execution)."""
        t = k * DT
        uf, pf = self.rules.factors(route, t)
        if self.redo > 0 and route != HERBEOORDELING:  # done again in full before the outcome stands
            self.wait_again.add(x * self.redo, uf=uf, pf=pf)
            x = x * (1 - self.redo)
        done = x * _by_profile(self.rules.norm(route, t))
        self.inc[k, VOLTOOID] += done.sum(axis=1)
        rest = x - done
        if route == HERBEOORDELING:
            self.prepared.put(k, self.delays["batch_1581"], rest, uf=uf)
            return
        self.inc[k, BEOORDELING] += rest.sum(axis=1)
        self.wait_pl.add(rest, uf=uf, pf=pf)

    def judged_again(self, k: int, x: np.ndarray, meets: np.ndarray | None, uf=1.0, pf=1.0,
                     held: bool = False) -> None:
        """A beoordeling done again (as Model.judge_again): meets the norm with share `meets`, or (None)
        as a first beoordeling that day would; the rest on to planvorming. `held`: the address held its
        advies at the start (its milestone counted there)."""
        done = x * (_by_profile(self.rules.norm(KLASSIEK, k * DT)) if meets is None else meets)
        self.inc[k, VOLTOOID] += done.sum(axis=1)
        rest = x - done
        if not held:
            self.inc[k, BEOORDELING] += rest.sum(axis=1)
        self.wait_pl.add(rest, uf=uf, pf=pf)

    def hand_over(self, k: int, tranche, is_batch: bool) -> None:
        """On a tranche's date, addresses waiting for planvorming straight to execution (as
        Model.hand_over; in proportion to what waits, within the tranche's risk mix)."""
        waiting = self.wait_pl.count
        per_profile = waiting.sum(axis=1)
        mix = tranche_mix(tranche)
        if mix is None:
            wanted = per_profile * min(1.0, tranche.addresses / max(per_profile.sum(), 1e-12))
        else:
            wanted = np.minimum(np.asarray(mix, float), per_profile)
        with np.errstate(invalid="ignore", divide="ignore"):
            x = waiting * np.where(per_profile > 0, wanted / per_profile, 0.0)[:, None]
        means = self.wait_pl.take(x)
        self.inc[k, PLANVORMING] += x.sum(axis=1)
        if is_batch:
            again = x * self.batch.reassess
            self.wait_re.add(again)
            x = x - again
        self.prepared.put(k, self.delays["batch_1581" if is_batch else "bouwimpuls"], x, uf=means["uf"])

    def needing(self, x: np.ndarray, needs: bool) -> np.ndarray:
        """The part of x that needs a wisselwoning (or that does not)."""
        return x * (self.wissel if needs else 1 - self.wissel)

    def to_uitvoering(self, x: np.ndarray, uf: np.ndarray) -> None:
        for needs in (True, False):
            self.wait_uv[needs].add(self.needing(x, needs), uf=uf)

    def hold_uitvoering(self, x: np.ndarray, needs: bool) -> None:
        """x starts uitvoering: builder slots, and wisselwoningen for those who need one."""
        self.busy["bouwcapaciteit"] += x.sum()
        if needs:
            self.busy["wisselwoningen"] += x.sum()

    # -- the start: the werkvoorraad where it stands ------------------------------------------

    def start(self, stock: dict[str, np.ndarray]) -> None:
        """Each held milestone joins the line after it; work under way resumes with half its step
        left and goes first."""
        sc = self.sc
        taking_part = 1.0 - sc.shares.niet_deelnemend  # the others stay where they are
        self.wait_op.add(stock[MILESTONES[0]] * taking_part, skip=self.skip)
        held = stock[MILESTONES[OPNAME]] * taking_part
        skipped = held * self.skip  # counted as done when the data are cleaned up
        k_counted = min(int(round(float(sc.shares.skip_beoordeling_after) / DT)), self.steps)
        self.inc[k_counted, VOLTOOID] += skipped.sum(axis=1)
        self.join_beoordeling(0, held - skipped)
        asked = stock[MILESTONES[BEOORDELING]] * sc.shares.herbeoordeling_op_verzoek
        self.wait_asked.add(asked)
        self.wait_pl.add(stock[MILESTONES[BEOORDELING]] - asked)
        resuming = sum(stock[f"planvorming/{s}"] for s in range(len(SUBSTEPS)))
        left = sum(stock[f"planvorming/{s}"] * (0.5 * self.plan_days[s] + self.plan_days[s + 1:].sum())
                   for s in range(len(SUBSTEPS)))
        with np.errstate(invalid="ignore", divide="ignore"):
            self.resume_pl.add(resuming, left=np.where(resuming > 0, left / np.maximum(resuming, 1e-12), 0.0))
        for needs in (True, False):
            self.resume_uv[needs].add(self.needing(stock[MILESTONES[UITVOERING]], needs))

    # -- a step: what finished, then what starts -----------------------------------------------

    def finish(self, k: int) -> None:
        x, slots, means = self.opname_done.pop(k)
        self.busy["opnamecapaciteit"] -= slots
        if x.sum() > 0:
            self.inc[k, OPNAME] += x.sum(axis=1)
            skipped = x * means["skip"]
            self.inc[k, VOLTOOID] += skipped.sum(axis=1)
            self.join_beoordeling(k, x - skipped)
        for route, pipe in self.beoordeeld.items():
            x, slots, _ = pipe.pop(k)
            self.busy["ingenieursbureaus"] -= slots
            if x.sum() > 0:
                self.tally["beoordeeld"][k] += x.sum()
                if route != HERBEOORDELING:  # batch 1581's had their first before
                    self.tally["eerste beoordeling"][k] += x.sum()
                self.judged(k, x, route)
        x, slots, means = self.again.pop(k)
        self.busy["ingenieursbureaus"] -= slots
        if x.sum() > 0:
            self.tally["beoordeeld"][k] += x.sum()
            self.judged_again(k, x, None, means["uf"], means["pf"])
        x, slots, _ = self.asked.pop(k)
        self.busy["ingenieursbureaus"] -= slots
        if x.sum() > 0:
            self.tally["beoordeeld"][k] += x.sum()
            self.judged_again(k, x, self.sc.shares.herbeoordeling_voldoet, held=True)
        self.inc[k, PLANVORMING] += self.plan_started.pop(k)[0].sum(axis=1)
        for pipe, resource in ((self.plan_done, "planvorming"), (self.prepared, None)):
            x, slots, means = pipe.pop(k)
            if resource is not None:
                self.busy[resource] -= slots
            if x.sum() > 0:
                self.to_uitvoering(x, means["uf"])
        for needs in (True, False):
            x, slots, _ = self.uv_done[needs].pop(k)
            self.busy["bouwcapaciteit"] -= slots
            if needs:
                self.busy["wisselwoningen"] -= slots
            self.inc[k, VOLTOOID] += x.sum(axis=1)
            self.tally[VERSTERKT][k] += x.sum()

    def free(self, k: int, resource: str) -> float:
        return self.cap[resource][k] - self.busy[resource]

    def waiting(self, k: int, resource: str) -> float:
        """Addresses in the resource's line; for the builders and the wisselwoningen, as the simulation
        counts them: those who need a wisselwoning beyond the free ones wait for the wisselwoningen."""
        if resource == "opnamecapaciteit":
            return self.wait_op.count.sum()
        if resource == "ingenieursbureaus":
            lines = (self.wait_be, self.wait_re, self.wait_again, self.wait_asked)
            return sum(line.count.sum() for line in lines)
        if resource == "planvorming":
            return (self.wait_pl.count + self.resume_pl.count).sum()
        need = (self.wait_uv[True].count + self.resume_uv[True].count).sum()
        short = max(need - max(self.free(k, "wisselwoningen"), 0.0), 0.0)
        if resource == "wisselwoningen":
            return short
        return (self.wait_uv[False].count + self.resume_uv[False].count).sum() + need - short

    def review(self, k: int) -> None:
        """The reviews due in step k of the resources that grow with their work (engine.growth)."""
        for name, rule in self.growth.items():
            grown, due = self.grown[name]
            if k * DT < due:
                continue
            was = grown.slots
            grown = review(rule, grown, k * DT, self.scheduled[name][k], self.busy[name],
                           self.waiting(k, name))
            self.grown[name] = grown, due + rule.review_days
            if grown.slots != was:
                self.cap[name][k:] = self.scheduled[name][k:] + grown.slots

    def begin(self, k: int, first: float) -> None:
        """The starts of step k; `first` shortens work that fills a slot on day 0 (a warm start)."""
        d, t, by_profile = self.d, k * DT, self.by_profile
        go = _serve(self.free(k, "opnamecapaciteit"), self.wait_op.count, by_profile)
        if go.sum() > 0:
            means = self.wait_op.take(go)
            self.opname_done.put(k, d["opname"], go, scale=first, skip=means["skip"])
            self.busy["opnamecapaciteit"] += go.sum()
        # an ingenieursbureau: reassessments, beoordelingen done again, herbeoordelingen asked and klassiek
        # beoordelingen together, in the same order (each line in proportion to what waits)
        both = self.wait_re.count + self.wait_be.count + self.wait_again.count + self.wait_asked.count
        go = _serve(self.free(k, "ingenieursbureaus"), both, by_profile)
        if go.sum() > 0:
            fresh = go
            for line, pipe in ((self.wait_re, self.beoordeeld[HERBEOORDELING]), (self.wait_again, self.again),
                               (self.wait_asked, self.asked)):
                if line.count.sum() <= 0:
                    continue
                with np.errstate(invalid="ignore", divide="ignore"):
                    part = go * np.where(both > 0, line.count / both, 0.0)
                means = line.take(part)
                pipe.put(k, d["beoordeling"], part, **means)
                fresh = fresh - part
            self.wait_be.take(fresh)
            toets = self.typ_share if self.rules.typologie_in_use(t) else np.zeros(SHAPE)
            if self.typ is not None:
                self.beoordeeld[TYPOLOGIE].put(k, self.delays["typologie"], fresh * toets)
            self.beoordeeld[KLASSIEK].put(k, d["beoordeling"], fresh * (1 - toets), scale=first)
            self.busy["ingenieursbureaus"] += go.sum()
        # planvorming: one slot for its three sub-steps
        go = _serve(self.free(k, "planvorming"), self.resume_pl.count, by_profile)
        if go.sum() > 0:
            means = self.resume_pl.take(go)
            self.plan_done.put(k, np.ones(1), go, scale=means["left"])
            self.busy["planvorming"] += go.sum()
        go = _serve(self.free(k, "planvorming"), self.wait_pl.count, by_profile)
        if go.sum() > 0:
            means = self.wait_pl.take(go)
            self.plan_started.put(k, d["planvorming_voorbereiden"], go, scale=first * means["pf"])
            self.plan_done.put(k, self.planvorming, go, scale=first * means["pf"], uf=means["uf"])
            self.busy["planvorming"] += go.sum()
        # uitvoering: a builder, and a wisselwoning for those who need one; work under way first
        for needs in (True, False):
            free = self.free(k, "bouwcapaciteit")
            if needs:
                free = min(free, self.free(k, "wisselwoningen"))
            go = _serve(free, self.resume_uv[needs].count, by_profile)
            if go.sum() > 0:
                self.resume_uv[needs].take(go)
                self.uv_done[needs].put(k, d["uitvoering"], go, scale=0.5)
                self.hold_uitvoering(go, needs)
        need_w, no_w = self.wait_uv[True].count, self.wait_uv[False].count
        free_b, free_w = self.free(k, "bouwcapaciteit"), max(self.free(k, "wisselwoningen"), 0.0)
        go = _serve(free_b, need_w + no_w, by_profile)
        if go.sum() <= 0:
            return
        with np.errstate(invalid="ignore", divide="ignore"):
            go_w = go * np.where(need_w + no_w > 0, need_w / (need_w + no_w), 0.0)
        go_n = go - go_w
        if go_w.sum() > free_w:  # short of wisselwoningen: those who need none go ahead
            go_w = _serve(free_w, need_w, by_profile)
            go_n = _serve(free_b - go_w.sum(), no_w, by_profile)
        for needs, x in ((True, go_w), (False, go_n)):
            if x.sum() <= 0:
                continue
            means = self.wait_uv[needs].take(x)
            self.uv_done[needs].put(k, d["uitvoering"], x, scale=first * means["uf"])
            self.inc[k, UITVOERING] += x.sum(axis=1)
            self.hold_uitvoering(x, needs)

    def run(self) -> FlowResult:
        sc, steps = self.sc, self.steps
        stock = _stock(self.population)
        reached = np.zeros((steps + 1, len(MILESTONES), SHAPE[0]))
        for k in range(len(MILESTONES)):
            reached[0, k] = sum(stock[m].sum(axis=1) for m in MILESTONES[k:])
        reached[0, PLANVORMING:VOLTOOID] -= stock[VOLDOET].sum(axis=1)
        total = sum(stock[m] for m in MILESTONES).sum(axis=1)
        not_started = stock[MILESTONES[NOG_NIET_GESTART]] + stock[MILESTONES[OPNAME]]
        staying_open = sc.shares.niet_deelnemend * not_started.sum(axis=1)
        arrivals = np.zeros((steps + 2,) + SHAPE)
        arriving_skip = np.zeros((steps + 2,) + SHAPE)
        last_arrival = 0.0
        for f, _, _ in inflows(sc):
            amount = np.zeros(SHAPE)
            for (p, o), count in inflow_mix(f).items():
                amount[PROFILES.index(p), OWNERS.index(o)] += count
            total = total + amount.sum(axis=1)
            t0, t1 = self.day(f.from_), self.day(f.to)
            last_arrival = max(last_arrival, t1)
            k0 = int(t0 // DT)
            k1 = max(int(math.ceil(t1 / DT)), k0 + 1)
            skip = self.skip if f.skip_beoordeling is None else np.full(SHAPE, f.skip_beoordeling)
            for k in range(k0, min(k1, steps + 1)):
                arrivals[k] += amount / (k1 - k0)
                arriving_skip[k] += amount / (k1 - k0) * skip
        tranches = []
        if self.impuls is not None:
            tranches += [(self.day(t.from_), t, False) for t in self.impuls.tranches]
        if self.batch is not None:
            tranches.append((self.day(self.batch.tranche.from_), self.batch.tranche, True))
        self.start(stock)
        self.tally["werkvoorraad"][0] += sum(stock[m] for m in MILESTONES).sum()  # arrivals as they come
        self.tally[VERSTERKT][0] += (stock[MILESTONES[VOLTOOID]] - stock[VOLDOET]).sum()
        warm = 0.5 if sc.warm_start else 1.0
        last = steps
        for k in range(steps + 1):
            if arrivals[k].sum() > 0:
                self.tally["werkvoorraad"][k] += arrivals[k].sum()
                with np.errstate(invalid="ignore", divide="ignore"):
                    skip = np.where(arrivals[k] > 0, arriving_skip[k] / arrivals[k], 0.0)
                self.wait_op.add(arrivals[k], skip=skip)
            self.finish(k)
            for day, tranche, is_batch in tranches:
                if k * DT <= max(day, 0.0) < (k + 1) * DT:
                    self.hand_over(k, tranche, is_batch)
            self.review(k)
            self.begin(k, warm if k == 0 else 1.0)
            for name, line in self.left_waiting.items():
                line[k] = self.waiting(k, name)
            reached[k] = (reached[k - 1] if k else reached[0]) + self.inc[k]
            if reached[k, VOLTOOID].sum() >= (total - staying_open).sum() - 0.5 and k * DT >= last_arrival:
                last = k
                break
        tally = {name: np.cumsum(counts[: last + 1]) for name, counts in self.tally.items()}
        grown = {name: state for name, (state, _) in self.grown.items()}
        waiting = {name: line[: last + 1] for name, line in self.left_waiting.items()}
        return FlowResult(sc.start, np.arange(last + 1) * DT, reached[: last + 1], total, staying_open, tally,
                          grown, waiting)
