"""The building blocks scenario files are made of: strict tables, shares, durations (as
distributions) and dated capacity changes. Shared by the scenario and the measures."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..domain import OWNERS, PROFILES, RESOURCES, SPLIT_BY
from ..limits import MAX_CAPACITY

MAX_DAYS = 36_500.0  # durations above a century are a typo, not a plan
MAX_ADDRESSES = 1_000_000  # ~40x the opgave: an inflow or address file beyond it is a typo
# The model's calendar. Dates outside it are typos (year 9999) and would overflow the tables' clock.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2199, 12, 31)
MAX_CV = 10.0  # lognormal and gamma: sd at most 10x the mean (beyond it the quantiles overflow)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, populate_by_name=True)


Profile = Literal[PROFILES]
Owner = Literal[OWNERS]
ResourceName = Literal[RESOURCES]
Day = Annotated[date, Field(ge=FIRST_DAY, le=LAST_DAY)]
Share = Annotated[float, Field(ge=0.0, le=1.0)]
Days = Annotated[float, Field(ge=0.0, le=MAX_DAYS)]
PositiveDays = Annotated[float, Field(gt=0.0, le=MAX_DAYS)]

# -- durations ---------------------------------------------------------------------------------


class Fixed(Strict):
    dist: Literal["fixed"]
    value: Days


class Exponential(Strict):
    dist: Literal["exponential"]
    mean: PositiveDays


class Spread(Strict):
    """A distribution given by `mean` and `sd`, of a shape the quantile functions can compute."""

    @model_validator(mode="after")
    def _shape(self) -> Spread:
        if not self.mean / 1000 <= self.sd <= MAX_CV * self.mean:  # fields of the subclass
            raise ValueError(f"sd must lie between 0.001 and {MAX_CV:g} times the mean")
        return self


class Lognormal(Spread):
    dist: Literal["lognormal"]
    mean: PositiveDays
    sd: PositiveDays


class Gamma(Spread):
    dist: Literal["gamma"]
    mean: PositiveDays
    sd: PositiveDays


class Triangular(Strict):
    dist: Literal["triangular"]
    low: Days
    mode: Days
    high: Days

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not (self.low <= self.mode <= self.high and self.low < self.high):
            raise ValueError("needs low <= mode <= high and low < high")
        return self


class Empirical(Strict):
    """A table of observed durations, optionally weighted; sampled by its step CDF."""

    dist: Literal["empirical"]
    values: Annotated[list[Days], Field(min_length=1, max_length=100_000)]
    weights: list[Annotated[float, Field(ge=0.0, le=1e9)]] | None = None

    @model_validator(mode="after")
    def _weights_match(self) -> Empirical:
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise ValueError("weights must have as many entries as values")
            if sum(self.weights) <= 0:
                raise ValueError("weights must not all be zero")
        return self


Duration = Annotated[
    Union[Fixed, Exponential, Lognormal, Gamma, Triangular, Empirical],  # noqa: UP007
    Field(discriminator="dist"),
]


# -- capacities ----------------------------------------------------------------------------------


class CapacityChange(Strict):
    """A step to `value` on `from`; with `to`, a linear ramp from the value in force to `value`."""

    from_: Day = Field(alias="from")
    value: Annotated[float, Field(ge=0, le=MAX_CAPACITY)]
    to: Day | None = None

    @model_validator(mode="after")
    def _ramp_forward(self) -> CapacityChange:
        forward(self.from_, self.to, "a ramp's 'to' must be after its 'from'")
        return self


class Split(Strict):
    """A verdeelsleutel: the capacity divided over groups of addresses, each part serving only its own
    group (NCG divides capacity over the gemeenten, SodM 2020 par. 3.7; the gemeenten hold the
    wisselwoningen; the corporaties build with their own contractors). Unused capacity in one part is
    not lent to another: that is the cost of a fixed key."""

    by: Literal[SPLIT_BY]
    # each group's share, or "werkvoorraad": in proportion to the group's addresses still to finish
    shares: dict[str, Share] | Literal["werkvoorraad"] = "werkvoorraad"

    @model_validator(mode="after")
    def _add_up(self) -> Split:
        if isinstance(self.shares, dict):
            if not self.shares:
                raise ValueError("shares must name at least one group, or be \"werkvoorraad\"")
            sums_to_one(self.shares, "split")
        return self


class Growth(Strict):
    """Capacity that follows the work waiting for it (engine.growth): when the line has held more than
    `backlog_months` of work at the capacity in force for `lead_time` days, the operator adds slots at
    each review, at most `max_growth` more a year; slots left without work go again at a review (the
    schedule's own stay). The scheduled capacity is the floor; without this table it is the capacity."""

    lead_time: Annotated[float, Field(ge=0, le=3650)] = Field(
        description="days the line must hold too much work before capacity starts to grow (hiring, "
                    "mobilising a contractor)")
    max_growth: Annotated[float, Field(gt=0, le=10)] = Field(
        description="at most this share more capacity a year (1: it may double each year)")
    backlog_months: Annotated[float, Field(ge=0, le=120)] = Field(
        description="work waiting, in months of the capacity in force, above which the operator adds")
    review_days: Annotated[float, Field(ge=7, le=366)] = Field(
        91.0, description="days between the operator's looks at the line (default a quarter)")
    at_most: Annotated[float, Field(ge=0, le=MAX_CAPACITY)] | None = Field(
        None, description="the most it grows to, in the resource's unit (default: no ceiling but the work)")
    over_since: date | None = Field(
        None, description="the day the line began to hold more than the backlog, when that was before the "
                          "start (a stand's line has a history; default: counted from the start)")


class Resource(Strict):
    """Concurrent work slots (addresses in progress at once), as a number or a dated schedule."""

    capacity: Annotated[float, Field(ge=0, le=MAX_CAPACITY)] | list[CapacityChange]
    # what `capacity` counts: concurrent slots, or the addresses a year it completes (the unit NCG
    # publishes), turned into slots with the mean duration of its steps (engine.schedules)
    unit: Literal["slots", "adressen per jaar"] = "slots"
    # multiplies every capacity of the schedule: a what-if or a sweep axis without rewriting it
    factor: Annotated[float, Field(ge=0, le=1000)] = 1.0
    # a schedule of slots added to the one in force (after `factor`): `versterking target`'s answer
    extra: list[CapacityChange] = []
    # capacity that grows with the work waiting for it, above the schedule
    growth: Growth | None = None
    split: Split | None = None
    note: str = ""

    @model_validator(mode="after")
    def _in_date_order(self) -> Resource:
        if isinstance(self.capacity, list):
            last = None
            for change in self.capacity:
                if last is not None and change.from_ < last:
                    raise ValueError(f"capacity changes must be in date order and must not overlap "
                                     f"({change.from_} comes after {last})")
                last = change.to or change.from_
        return self

# -- shares ------------------------------------------------------------------------------------


class ProfileShares(Strict):
    P50: Share
    P90: Share
    grijs: Share


class OwnerShares(Strict):
    particulier: Share
    corporatie: Share


class NormChange(ProfileShares):
    """From `from` on, the share of beoordelingen that find the address meets the norm (per profile)."""

    from_: Day = Field(alias="from")


def forward(start: date, end: date | None, message: str = "'to' must be after 'from'") -> None:
    """A period (`from` .. `to`, where `to` may be left out) must run forward in time."""
    if end is not None and end <= start:
        raise ValueError(message)


def sums_to_one(shares: dict[str, float], what: str) -> dict[str, float]:
    if abs(sum(shares.values()) - 1.0) > 1e-6:
        raise ValueError(f"{what} shares must add up to 1 (they add up to {sum(shares.values()):g})")
    return shares
