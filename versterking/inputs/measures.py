"""The versnellingsmaatregelen as scenario blocks: each one optional, with its own dates and
numbers, and `enabled = false` to switch off one that a parent file switched on. The numbers live
in the scenario files (with their sources), not here; what each does in a run is in
versterking.engine.measures."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from .blocks import (
    MAX_ADDRESSES,
    CapacityChange,
    Day,
    Duration,
    Profile,
    ProfileShares,
    ResourceName,
    Share,
    Strict,
    forward,
    sums_to_one,
)

Count = Annotated[int, Field(ge=0, le=MAX_ADDRESSES)]
Factor = Annotated[float, Field(gt=0.0, le=1000.0)]


class Measure(Strict):
    enabled: bool = True
    note: str = ""


class Typologie(Measure):
    """From `from`, a share of the beoordelingen that start is a typologie toets: an
    ingenieursbureau slot held for a much shorter time, with its own share that meets the norm; an
    address of a type that does not gets the type's standard measures, so its planvorming and its
    uitvoering may take a share of their time."""

    from_: Day = Field(alias="from")
    share: ProfileShares
    duration: Duration
    meets_norm: ProfileShares
    planvorming_factor: Annotated[float, Field(gt=0.0, le=1.0)] = 1.0
    uitvoering_factor: Annotated[float, Field(gt=0.0, le=1.0)] = 1.0


class Praktijkaanpak(Measure):
    """A contractor assesses by expert judgement (its own experts: no ingenieursbureau and no builder
    slot) and then executes. The first `pilot_addresses` that need a beoordeling from `pilot_from` go
    this way, and from `scale_from` a share of all that need one."""

    pilot_from: Day
    pilot_addresses: Count
    scale_from: Day
    share: ProfileShares
    duration: Duration
    meets_norm: ProfileShares


class Referentiewoningen(Measure):
    """From `from`, one beoordeling serves the addresses of a building (or cluster) that are alike
    (`share` of them): the first of the group is assessed, the others follow its outcome after a
    short check without an ingenieursbureau slot."""

    from_: Day = Field(alias="from")
    group: Literal["building", "cluster"] = "building"
    share: Share
    duration: Duration


class Tranche(Strict):
    """On `from`, this many addresses waiting for planvorming are handed straight to execution,
    the longest waiting first within each risk profile (in the given mix, if any)."""

    from_: Day = Field(alias="from")
    addresses: Count
    risk_profile: dict[Profile, Share] | None = None

    @model_validator(mode="after")
    def _mix(self) -> Tranche:
        if self.risk_profile is not None:
            sums_to_one(self.risk_profile, "risk_profile")
        return self


class Bouwimpuls(Measure):
    """Extra bouwcapaciteit (added to the schedule in force) and assessed addresses handed to the
    Bedrijfsbureau in tranches: they skip NCG's planvorming line and, after a preparation without a
    capacity limit, wait for a builder slot."""

    capacity: list[CapacityChange] = []
    tranches: list[Tranche] = []
    preparation: Duration


class Batch1581(Measure):
    """Addresses with an old advice go to execution without reassessment (as a tranche); a share of
    the owners chooses a reassessment under the newer NPR instead: a beoordeling again, after which
    some meet the norm and the rest get lighter measures."""

    tranche: Tranche
    preparation: Duration
    reassess: Share
    meets_norm: ProfileShares
    uitvoering_factor: Annotated[float, Field(gt=0.0, le=1.0)]


class NprUpdate(Measure):
    """Addresses whose beoordeling ends on or after `from` are judged under the updated NPR: a
    different share meets the norm, and uitvoering is shorter (lighter measures)."""

    from_: Day = Field(alias="from")
    meets_norm: ProfileShares
    uitvoering_factor: Annotated[float, Field(gt=0.0, le=1.0)]


class OpnameOpVerzoek(Measure):
    """Residents outside the opgave ask for an opname: extra inflow, mostly without beoordeling."""

    from_: Day = Field(alias="from")
    to: Day
    addresses: Count
    arrivals: Literal["even", "poisson"] = "even"
    risk_profile: dict[Profile, Share]
    skip_beoordeling: Share

    @model_validator(mode="after")
    def _consistent(self) -> OpnameOpVerzoek:
        forward(self.from_, self.to)
        sums_to_one(self.risk_profile, "risk_profile")
        return self


class Opschaling(Measure):
    """Capacities multiplied by a factor, ramping linearly from 1 on `from` to the factor on `to`
    (a step on `from` without `to`): SodM's "execution capacity x10" as a what-if."""

    from_: Day = Field(alias="from")
    to: Day | None = None
    factors: dict[ResourceName, Factor]

    @model_validator(mode="after")
    def _ramp_forward(self) -> Opschaling:
        forward(self.from_, self.to)
        return self


class Measures(Strict):
    typologie: Typologie | None = None
    praktijkaanpak: Praktijkaanpak | None = None
    referentiewoningen: Referentiewoningen | None = None
    bouwimpuls: Bouwimpuls | None = None
    batch_1581: Batch1581 | None = None
    npr_2020: NprUpdate | None = None
    opname_op_verzoek: OpnameOpVerzoek | None = None
    crisisaanpak: Opschaling | None = None

    def get(self, name: str):
        """The block if it is there and enabled, else None."""
        block = getattr(self, name)
        return block if block is not None and block.enabled else None

    def active(self) -> list[str]:
        return [name for name in type(self).model_fields if self.get(name) is not None]

    def only(self, names: set[str]) -> Measures:
        """The same blocks with all but `names` switched off (for attribution)."""
        return self.model_copy(update={
            name: getattr(self, name).model_copy(update={"enabled": name in names})
            for name in type(self).model_fields if getattr(self, name) is not None})
