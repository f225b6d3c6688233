"""Uncertain parameters: any number in a scenario file may instead be a distribution of what it could
be, e.g. `capacity = { uncertain = "triangular", low = 120, mode = 200, high = 350 }`. A replication
runs with one value of each (drawn by versterking.runs.draws); a point forecast with the modes.

Not to be confused with a duration's `dist`: a duration distribution is the noise between addresses
within one run, an uncertain parameter is what nobody knows and is the same for every address.

Bounds that are whole numbers draw whole numbers (a count of addresses stays a count). Two parameters
with the same `name` share one draw (each through its own distribution): a schedule whose values are
uncertain together.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Literal, Union

import numpy as np
from pydantic import Field, TypeAdapter, ValidationError, model_validator
from scipy import stats

from ..errors import InputError
from .blocks import Strict

Number = Annotated[float, Field(ge=-1e12, le=1e12)]
Positive = Annotated[float, Field(gt=0.0, le=1e12)]
NAME = re.compile(r"[A-Za-z][\w.-]{0,79}")
TAIL = 0.001  # an unbounded distribution's support, for checking a scenario at its ends


class _Uncertain(Strict):
    name: str | None = Field(None, description="the parameter's name in per_replicatie.csv and the "
                                               "decomposition (default: its key); shared names share a draw")

    @model_validator(mode="after")
    def _name(self) -> _Uncertain:
        if self.name is not None and not NAME.fullmatch(self.name):
            raise ValueError("name must be 1-80 letters, digits, '_', '.' or '-', starting with a letter")
        return self


class TriangularRange(_Uncertain):
    uncertain: Literal["triangular"]
    low: Number
    mode: Number
    high: Number

    @model_validator(mode="after")
    def _ordered(self) -> TriangularRange:
        if not self.low <= self.mode <= self.high:
            raise ValueError(f"needs low <= mode <= high (got {self.low:g}, {self.mode:g}, {self.high:g})")
        return self

    def point(self) -> float:
        return self.mode

    def ppf(self, u: np.ndarray) -> np.ndarray:
        if self.high == self.low:  # a range of zero width: the number itself
            return np.full(np.shape(u), float(self.low))
        c = (self.mode - self.low) / (self.high - self.low)
        return stats.triang.ppf(u, c=c, loc=self.low, scale=self.high - self.low)

    def ends(self) -> tuple[float, float]:
        return self.low, self.high


class UniformRange(_Uncertain):
    """Every value between low and high equally likely; its point value is the middle."""

    uncertain: Literal["uniform"]
    low: Number
    high: Number

    @model_validator(mode="after")
    def _ordered(self) -> UniformRange:
        if not self.low <= self.high:
            raise ValueError(f"needs low <= high (got {self.low:g}, {self.high:g})")
        return self

    def point(self) -> float:
        return (self.low + self.high) / 2

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return self.low + (self.high - self.low) * np.asarray(u, float)

    def ends(self) -> tuple[float, float]:
        return self.low, self.high


class BetaRange(_Uncertain):
    """A share (or any bounded number) with a beta shape between low and high (default 0 and 1);
    its point value is the mode (the mean when alpha or beta is at most 1)."""

    uncertain: Literal["beta"]
    alpha: Positive
    beta: Positive
    low: Number = 0.0
    high: Number = 1.0

    @model_validator(mode="after")
    def _ordered(self) -> BetaRange:
        if not self.low < self.high:
            raise ValueError(f"needs low < high (got {self.low:g}, {self.high:g})")
        return self

    def point(self) -> float:
        a, b = self.alpha, self.beta
        share = (a - 1) / (a + b - 2) if a > 1 and b > 1 else a / (a + b)
        return self.low + (self.high - self.low) * share

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return stats.beta.ppf(u, self.alpha, self.beta, loc=self.low, scale=self.high - self.low)

    def ends(self) -> tuple[float, float]:
        return self.low, self.high


class LognormalRange(_Uncertain):
    """A size (slots, addresses) known up to a factor: lognormal with this mean and sd; its point
    value is the mode."""

    uncertain: Literal["lognormal"]
    mean: Positive
    sd: Positive

    def _shape(self) -> tuple[float, float]:
        sigma2 = math.log1p((self.sd / self.mean) ** 2)
        return math.sqrt(sigma2), math.log(self.mean) - sigma2 / 2

    def point(self) -> float:
        s, mu = self._shape()
        return math.exp(mu - s * s)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        s, mu = self._shape()
        return stats.lognorm.ppf(u, s=s, scale=math.exp(mu))

    def ends(self) -> tuple[float, float]:
        low, high = self.ppf(np.array([TAIL, 1 - TAIL]))
        return float(low), float(high)


Spec = Annotated[Union[TriangularRange, UniformRange, BetaRange, LognormalRange],  # noqa: UP007
                 Field(discriminator="uncertain")]
_SPEC = TypeAdapter(Spec)
MODELS = {"triangular": TriangularRange, "uniform": UniformRange, "beta": BetaRange,
          "lognormal": LognormalRange}
KINDS = tuple(MODELS)


class UncertainParameter(Strict):
    """One number of a scenario that is uncertain: where it stands and what it could be."""

    name: str                       # column in per_replicatie.csv; the key unless the file names it
    key: str                        # dotted, as the scenario file writes it (e.g. shares.meets_norm.P50)
    path: tuple[str | int, ...]     # into the scenario's tables (list entries by index)
    spec: Spec
    whole: bool                     # its bounds are whole numbers, so are its values
    file: str                       # the file that set it (for errors)

    def point(self) -> float:
        return self.value(self.spec.point())

    def at(self, u: float) -> float | int:
        """The value at the uniform u in [0, 1): its quantile."""
        return self.value(float(self.spec.ppf(np.array([u]))[0]))

    def value(self, x: float) -> float | int:
        return int(round(x)) if self.whole else float(x)


def is_uncertain(value: Any) -> bool:
    return isinstance(value, dict) and "uncertain" in value


def take_uncertain(data: dict, file_of) -> list[UncertainParameter]:
    """Find every uncertain number in a merged scenario (`file_of(path)` names the file that set it),
    check its distribution, and put its point value in its place. Raises InputError naming the file
    and key."""
    found: list[UncertainParameter] = []

    def walk(node: Any, path: tuple) -> None:
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for k, value in list(items):
            here = (*path, k)
            if is_uncertain(value):
                parameter = _parameter(value, here, file_of(here))
                node[k] = parameter.point()
                found.append(parameter)
            elif isinstance(value, dict | list):
                walk(value, here)

    walk(data, ())
    return found


def _parameter(raw: dict, path: tuple, file: str) -> UncertainParameter:
    key = ".".join(str(p) for p in path)
    try:
        spec = _SPEC.validate_python(raw)
    except ValidationError as exc:
        errors = exc.errors()
        err = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
        loc = ".".join(str(p) for p in err["loc"] if str(p) not in KINDS)
        where = f"{key}.{loc}" if loc and loc != "uncertain" else key
        if err["type"] == "union_tag_invalid" or loc == "uncertain":
            what = f"uncertain must be one of {', '.join(KINDS)} (got {raw.get('uncertain')!r})"
        elif err["type"] == "extra_forbidden":
            model = MODELS.get(raw.get("uncertain"))
            what = "unknown key" + (f"; allowed: {', '.join(model.model_fields)}" if model else "")
        elif err["type"] == "missing":
            what = "missing key"
        else:
            what = f"{err['msg'].removeprefix('Value error, ')} (got {err.get('input')!r})"
        raise InputError(f"{file}: {where}: {what}") from None
    bounds = [raw[k] for k in ("low", "mode", "high", "mean", "sd") if k in raw]
    whole = bool(bounds) and all(isinstance(b, int) and not isinstance(b, bool) for b in bounds)
    return UncertainParameter(name=spec.name or key, key=key, path=path, spec=spec, whole=whole, file=file)


def put(data: dict, parameters: list[UncertainParameter], value_of) -> dict:
    """`data` (a scenario's tables) with each parameter at `value_of(parameter)`."""
    for p in parameters:
        node = data
        for part in p.path[:-1]:
            node = node[part]
        node[p.path[-1]] = p.value(value_of(p))
    return data
