"""The scenario schema: what a scenario file may say, each table strict (unknown keys are errors) and
each value checked (versterking.inputs.loader reads the files and names the file and key of an error).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from ..domain import COMPLETIONS, NAMED_ORDERS, ORDER_CRITERIA, RESOURCES
from ..limits import MAX_CAPACITY
from .blocks import (
    MAX_ADDRESSES,
    Day,
    Days,
    Duration,
    NormChange,
    Owner,
    OwnerShares,
    Profile,
    ProfileShares,
    Resource,
    ResourceName,
    Share,
    Strict,
    forward,
    sums_to_one,
)
from .measures import Measures
from .uncertain import UncertainParameter

# -- the scenario -------------------------------------------------------------------------------


class Durations(Strict):
    """Duration of the work at each step, in days, once its resource is granted."""

    opname: Duration
    beoordeling: Duration
    planvorming_voorbereiden: Duration
    uitvoeringsplan_opstellen: Duration
    versterkingsbesluit: Duration
    uitvoering: Duration


class Resources(Strict):
    opnamecapaciteit: Resource
    ingenieursbureaus: Resource
    planvorming: Resource
    bouwcapaciteit: Resource
    wisselwoningen: Resource


class Shares(Strict):
    skip_beoordeling: ProfileShares = Field(description="opgenomen addresses that need no beoordeling")
    skip_beoordeling_after: Days = Field(
        0.0, description="days from the start before the werkvoorraad's opgenomen addresses that need no "
                         "beoordeling count as voltooid (addresses opgenomen later count at once)")
    meets_norm: ProfileShares = Field(description="beoordeelde addresses that meet the norm")
    meets_norm_changes: list[NormChange] = Field(
        [], description="later shares that meet the norm, each from its date (in date order); the last in "
                        "force judges, the NPR 2020's included (a route's own norm stays its own)")
    wisselwoning: OwnerShares = Field(description="addresses that need a wisselwoning in uitvoering")
    schrijnend: Share = Field(
        0.0, description="addresses that are hardship cases (priority rule III), where the address file "
                         "does not say")
    opnieuw_beoordeeld: Share = Field(
        0.0, description="beoordelingen done again in full by an ingenieursbureau (re-done after the quality "
                         "check, a typology drop-out), judged anew")
    herbeoordeling_op_verzoek: Share = Field(
        0.0, description="of the werkvoorraad's addresses holding a versterkingsadvies at the start, the "
                         "share whose owner asks a herbeoordeling before planvorming")
    herbeoordeling_voldoet: Share = Field(
        0.0, description="of those herbeoordelingen, the share that finds the address meets the norm")
    niet_deelnemend: Share = Field(
        0.0, description="of the werkvoorraad's addresses not yet beoordeeld at the start, the share whose "
                         "owner does not take part (no contact, refuses): they stay open")

    @model_validator(mode="after")
    def _norms_in_date_order(self) -> Shares:
        days = [c.from_ for c in self.meets_norm_changes]
        if days != sorted(set(days)):
            raise ValueError("meets_norm_changes must be in date order, one per date")
        return self


class Inflow(Strict):
    """Addresses added to the opgave between two dates (scope growth, opname op verzoek)."""

    name: str
    from_: Day = Field(alias="from")
    to: Day
    addresses: Annotated[int, Field(ge=0, le=MAX_ADDRESSES)]
    arrivals: Literal["even", "poisson"] = "even"
    risk_profile: dict[Profile, Share]
    owner_type: dict[Owner, Share] = {"particulier": 1.0}
    gemeente: dict[str, Share] | None = None
    skip_beoordeling: Share | None = Field(
        None, description="share of these addresses that need no beoordeling (default: [shares])")

    @model_validator(mode="after")
    def _consistent(self) -> Inflow:
        forward(self.from_, self.to)
        sums_to_one(self.risk_profile, "risk_profile")
        sums_to_one(self.owner_type, "owner_type")
        if self.gemeente is not None:
            sums_to_one(self.gemeente, "gemeente")
        return self


Cost = Annotated[float, Field(gt=0.0, le=1e12)]


class Productivity(Strict):
    """What one planner's unit of a resource does: the plan is then also given in those units."""

    unit: Annotated[str, Field(min_length=1, max_length=30, pattern=r"^[^\n\r]+$")] = Field(
        description="the unit's name as the plan prints it, e.g. \"fte\" or \"bouwteam\"")
    addresses_a_year: Annotated[float, Field(gt=0.0, le=1e6)] = Field(
        description="addresses one unit completes a year on this resource's steps")


class Target(Strict):
    """What `versterking target` may add to reach a date, from when, and at what cost per slot.
    Only resources with a cost may grow; without this table every resource may, at cost 1."""

    from_: Day | None = Field(None, alias="from", description="extra capacity from (default: start)")
    cost: dict[ResourceName, Cost] = Field(
        default_factory=lambda: dict.fromkeys(RESOURCES, 1.0),
        description="weight per extra slot (e.g. EUR a year); the search keeps the total low")
    max_extra: dict[ResourceName, Annotated[int, Field(ge=0, le=MAX_CAPACITY)]] = Field(
        default_factory=dict, description="at most this many extra slots (default: 100x in force, "
                                          "at least 1,000)")
    lead_time: dict[ResourceName, Annotated[int, Field(ge=0, le=3650)]] = Field(
        default_factory=dict, description="days from `from` before a resource can start to grow (a "
                                          "contractor has to hire and mobilise; default 0)")
    max_growth: dict[ResourceName, Annotated[float, Field(gt=0.0, le=100.0)]] = Field(
        default_factory=dict, description="at most this share more capacity a year than the year before "
                                          "(1 = it may double each year; default: no limit but max_extra)")
    productivity: dict[ResourceName, Productivity] = Field(
        default_factory=dict, description="per resource, what one unit (an FTE, a team) does a year: the "
                                          "plan is also given in those units")


class Claim(Strict):
    """A published statement of when a milestone is reached (SodM's "2034 at the current pace"), which a
    forecast places in its band. A point of comparison, never an input: it may postdate the start."""

    label: Annotated[str, Field(min_length=1, max_length=120, pattern=r"^[^\n\r]+$")] = Field(
        description="how the printout names it")
    milestone: Literal[tuple(COMPLETIONS)] = Field(description="what it says is reached (--milestone)")
    by: Day = Field(description="the date it says it is reached by")
    source: Annotated[str, Field(min_length=1, max_length=400)] = Field(
        description="where it was published (title and date)")


class Population(Strict):
    """Where the starting werkvoorraad comes from: the embedded SodM 2020 reconstruction, an address
    file, or a stand (counts per milestone on a date, docs/reference/stand-files.md)."""

    source: Literal["embedded", "file", "stand", "empty"] = "embedded"
    file: str | None = Field(None, description="the address file (source \"file\") or stand file "
                                               "(source \"stand\")")
    peildatum: Day | None = Field(
        None, description="the day the werkvoorraad describes, the scenario's start; for the embedded one "
                          "an earlier start reconstructs the opgave on that day (a replay)")

    @model_validator(mode="after")
    def _file_given(self) -> Population:
        if (self.source in ("file", "stand")) != (self.file is not None):
            raise ValueError("give 'file' exactly when source = \"file\" or \"stand\"")
        return self


class Clusters(Strict):
    """Treintjes: a cluster goes through the whole chain together, in phases (SodM 2020 par. 3.8,
    rule IV; seed 003), when `cluster` is among the service order's criteria."""

    phase_addresses: Annotated[int, Field(ge=1, le=MAX_ADDRESSES)] = Field(
        50, description="at most this many addresses of a cluster move as one phase")


Criterion = Literal[ORDER_CRITERIA]


NAME = re.compile(r"[^\W_][\w.-]{0,149}")


class Scenario(Strict):
    name: str = Field(description="names the results folder (results/<name>), so no paths")
    description: str = ""
    seed: Annotated[int, Field(ge=0, le=2**63 - 1)]
    start: Day
    horizon: Day
    service_order: Literal[tuple(NAMED_ORDERS)] | list[Criterion] = Field(
        "risk_first", description="the criteria every waiting line compares, in order; 'risk_first' "
                                  "and 'fifo' name two lists")
    clusters: Clusters = Clusters()
    cluster_uitvoering: bool = Field(
        False, description="a cluster starts uitvoering together, once all its members are ready")
    warm_start: bool = Field(
        True, description="the resources were busy on the peildatum: work that fills a free slot on day 0 "
                          "has a uniformly drawn share of its duration left (false: it starts fresh)")
    population: Population = Population()
    resources: Resources
    durations: Durations
    shares: Shares
    inflow: list[Inflow] = []
    measures: Measures = Measures()
    target: Target = Target()
    claims: list[Claim] = Field([], description="published end dates the forecast places in its band")
    # the numbers given as a distribution (versterking.inputs.uncertain), filled in by the loader; the
    # tables above hold their point values (the modes)
    uncertain: list[UncertainParameter] = []

    @field_validator("service_order")
    @classmethod
    def _criteria(cls, order: str | list[str]) -> str | list[str]:
        if isinstance(order, list) and len(set(order)) != len(order):
            raise ValueError("each criterion at most once")
        return order

    @property
    def order_criteria(self) -> tuple[str, ...]:
        """The service order as its criteria, the waiting time last when the list leaves it out."""
        order = self.service_order
        order = NAMED_ORDERS[order] if isinstance(order, str) else order
        return tuple(order) if "waiting" in order else (*order, "waiting")

    @field_validator("name")
    @classmethod
    def _folder_name(cls, name: str) -> str:
        if not NAME.fullmatch(name) or len(name.encode()) > 200:
            raise ValueError("must be 1-150 letters, digits, '-', '_' or '.', starting with a letter or "
                             "digit (it names the results folder)")
        return name

    @field_validator("horizon")
    @classmethod
    def _after_start(cls, horizon: date, info: ValidationInfo) -> date:
        start = info.data.get("start")
        if start is not None and not start < horizon:
            raise ValueError(f"must be after start ({start})")
        return horizon

    @model_validator(mode="after")
    def _dates(self) -> Scenario:
        names = [flow.name for flow in self.inflow]
        if len(set(names)) != len(names):
            raise ValueError("inflow names must be unique (they prefix the new addresses' ids)")
        for flow in self.inflow:
            if flow.from_ < self.start or flow.to > self.horizon:
                raise ValueError(f"inflow '{flow.name}' must lie between start and horizon")
        if self.population.peildatum not in (None, self.start):
            raise ValueError("population.peildatum must be the scenario's start date")
        divided = self.resources.bouwcapaciteit.split or self.resources.wisselwoningen.split
        if self.cluster_uitvoering and divided:
            raise ValueError("cluster_uitvoering cannot be combined with a split of bouwcapaciteit or "
                             "wisselwoningen (a cluster's block asks one builder line and one pool); use "
                             "'cluster' in service_order")
        return self
