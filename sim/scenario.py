"""The scenario schema and its loader: TOML files that may `extends` another.

Scenario files are data: they are parsed with tomllib and validated by pydantic; nothing in them is
evaluated or imported.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from .blocks import (
    MAX_ADDRESSES,
    MAX_CAPACITY,
    Day,
    Duration,
    OwnerShares,
    ProfileShares,
    Resource,
    Share,
    Strict,
    forward,
    sums_to_one,
)
from .errors import InputError
from .input_files import read_text
from .measures import RESOURCE_NAMES, Measures

VARY = "--vary"  # where overrides say they come from in errors and manifests

MAX_EXTENDS_DEPTH = 20
MAX_SCENARIO_BYTES = 4_000_000  # an empirical table of 100,000 durations fits easily

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
    meets_norm: ProfileShares = Field(description="beoordeelde addresses that meet the norm")
    wisselwoning: OwnerShares = Field(description="addresses that need a wisselwoning in uitvoering")


class Inflow(Strict):
    """Addresses added to the opgave between two dates (scope growth, opname op verzoek)."""

    name: str
    from_: Day = Field(alias="from")
    to: Day
    addresses: Annotated[int, Field(ge=0, le=MAX_ADDRESSES)]
    arrivals: Literal["even", "poisson"] = "even"
    risk_profile: dict[Literal["P50", "P90", "grijs"], Share]
    owner_type: dict[Literal["particulier", "corporatie"], Share] = {"particulier": 1.0}
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


class Target(Strict):
    """What `versterking target` may add to reach a date, from when, and at what cost per slot.
    Only resources with a cost may grow; without this table every resource may, at cost 1."""

    from_: Day | None = Field(None, alias="from", description="extra capacity from (default: start)")
    cost: dict[RESOURCE_NAMES, Cost] = Field(
        default_factory=lambda: dict.fromkeys(RESOURCE_NAMES.__args__, 1.0),
        description="weight per extra slot (e.g. EUR a year); the search keeps the total low")
    max_extra: dict[RESOURCE_NAMES, Annotated[int, Field(ge=0, le=MAX_CAPACITY)]] = Field(
        default_factory=dict, description="at most this many extra slots (default: 100x in force, "
                                          "at least 1,000)")


class Population(Strict):
    """Where the starting werkvoorraad comes from: the embedded SodM 2020 reconstruction or a file."""

    source: Literal["embedded", "file", "empty"] = "embedded"
    file: str | None = None
    peildatum: Day | None = Field(
        None, description="embedded only: reconstruct the opgave on this earlier date (a replay)")

    @model_validator(mode="after")
    def _file_given(self) -> Population:
        if (self.source == "file") != (self.file is not None):
            raise ValueError("give 'file' exactly when source = \"file\"")
        if self.peildatum is not None and self.source != "embedded":
            raise ValueError("'peildatum' is only for source = \"embedded\"")
        return self


NAME = re.compile(r"[^\W_][\w.-]{0,149}")


class Scenario(Strict):
    name: str = Field(description="names the results folder (results/<name>), so no paths")
    description: str = ""
    seed: Annotated[int, Field(ge=0, le=2**63 - 1)]
    start: Day
    horizon: Day
    service_order: Literal["risk_first", "fifo"] = "risk_first"
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

    @field_validator("name")
    @classmethod
    def _folder_name(cls, name: str) -> str:
        if not NAME.fullmatch(name) or len(name.encode()) > 200:
            raise ValueError("must be 1-150 letters, digits, '-', '_' or '.', starting with a letter or "
                             "digit (it names the results folder)")
        return name

    @model_validator(mode="after")
    def _dates(self) -> Scenario:
        if not self.start < self.horizon:
            raise ValueError("horizon must be after start")
        names = [flow.name for flow in self.inflow]
        if len(set(names)) != len(names):
            raise ValueError("inflow names must be unique (they prefix the new addresses' ids)")
        for flow in self.inflow:
            if flow.from_ < self.start or flow.to > self.horizon:
                raise ValueError(f"inflow '{flow.name}' must lie between start and horizon")
        if self.population.peildatum not in (None, self.start):
            raise ValueError("population.peildatum must be the scenario's start date")
        return self


# -- loading -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadedScenario:
    """A validated scenario plus what a manifest needs to reproduce it."""

    scenario: Scenario
    path: Path
    files: dict[str, str]  # every file of the extends chain, relative to the first: path -> text
    population_file: Path | None

    @property
    def content_hash(self) -> str:
        h = hashlib.sha256()
        for name, text in self.files.items():
            h.update(name.encode() + b"\0" + text.encode() + b"\0")
        return h.hexdigest()


def load_scenario(path: str | Path, overrides: dict[str, Any] | None = None) -> LoadedScenario:
    """Read, merge (`extends`) and validate a scenario; raise InputError naming file and key.
    `overrides` (dotted key -> value, e.g. a sweep point) are merged last, as if from one more
    file named "--vary"; they are kept with the files, so the content hash covers them."""
    path = Path(path)
    files: dict[str, str] = {}
    origin: dict[tuple, Path] = {}
    merged = _read_chain(path.resolve(), files, origin, chain=())
    files = {_relative(Path(f), path.resolve().parent): text for f, text in files.items()}
    if overrides:
        nested: dict = {}
        for key, value in overrides.items():
            *parents, last = key.split(".")
            here = nested
            for part in parents:
                here = here.setdefault(part, {})
            here[last] = value
        _merge(merged, nested, origin, Path(VARY), ())
        files[VARY] = json.dumps(overrides, sort_keys=True, default=str)
    try:
        scenario = Scenario.model_validate(merged)
    except ValidationError as exc:
        raise InputError(_describe(exc, origin, path)) from None
    population_file = None
    if scenario.population.file is not None:
        where = _file_for(("population", "file"), origin, path.resolve())
        population_file = (where.parent / scenario.population.file).resolve()
    return LoadedScenario(scenario, path, files, population_file)


def _relative(file: Path, folder: Path) -> str:
    try:
        return str(file.relative_to(folder))
    except ValueError:
        return str(file)


def _read_chain(path: Path, files: dict, origin: dict, chain: tuple) -> dict:
    if path in chain:
        loop = " -> ".join(p.name for p in (*chain, path))
        raise InputError(f"{chain[-1]}: extends: circular extends ({loop})")
    if len(chain) >= MAX_EXTENDS_DEPTH:
        raise InputError(f"{path}: extends: chain deeper than {MAX_EXTENDS_DEPTH} files")
    where = f"{chain[-1]}: extends" if chain else "scenario"
    text = read_text(path, MAX_SCENARIO_BYTES, where, "a scenario is a TOML file")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: invalid TOML: {exc}") from None
    except RecursionError:
        raise InputError(f"{path}: invalid TOML: arrays or tables nested too deeply") from None
    files[str(path)] = text
    parent = data.pop("extends", None)
    base: dict = {}
    if parent is not None:
        if not isinstance(parent, str) or not parent or "\0" in parent:
            raise InputError(f"{path}: extends: must be a file name (got {_short(parent)})")
        folder = (chain[0] if chain else path).parent
        target = (path.parent / parent).resolve()
        if not target.is_relative_to(folder):
            raise InputError(f"{path}: extends: {parent!r} lies outside the scenario's folder {folder}; "
                             "allowed: a file in that folder or below it (copy the file there)")
        base = _read_chain(target, files, origin, (*chain, path))
    _merge(base, data, origin, path, ())
    return base


def _merge(base: dict, override: dict, origin: dict, path: Path, prefix: tuple) -> None:
    """Tables merge key by key; a distribution (a table with `dist`) and any other value, lists
    included, replace the inherited one whole. `origin` records which file set each key."""
    for key, value in override.items():
        here = (*prefix, key)
        if isinstance(value, dict) and isinstance(base.get(key), dict) and "dist" not in value:
            _merge(base[key], value, origin, path, here)
        else:
            base[key] = value
            for old in [k for k in origin if k[: len(here)] == here]:
                del origin[old]
        origin[here] = path


def _file_for(loc: tuple, origin: dict, default: Path) -> Path:
    for n in range(len(loc), 0, -1):
        if loc[:n] in origin:
            return origin[loc[:n]]
    return default


def _describe(exc: ValidationError, origin: dict, path: Path) -> str:
    """One line: the file that set the key, the key path, what is wrong, what is allowed."""
    errors = exc.errors()
    err = max(errors, key=lambda e: len(e["loc"]))  # of a union's attempts, the one that got furthest
    loc = tuple(str(p) for p in err["loc"] if not _is_union_tag(p))
    key = ".".join(loc) or "(top level)"
    file = _file_for(loc, origin, path)
    if err["type"] == "extra_forbidden":
        allowed = _allowed_keys(loc[:-1])
        what = "unknown key" + (f"; allowed: {', '.join(allowed)}" if allowed else "")
    elif err["type"] == "missing":
        what = "missing key"
    else:
        what = f"{err['msg'].removeprefix('Value error, ')} (got {_short(err.get('input'))})"
    n_more = len({tuple(e["loc"][:2]) for e in errors}) - 1  # a union's attempts count once
    more = f" (and {n_more} more problems)" if n_more > 0 else ""
    return f"{file}: {key}: {what}{more}"


_UNION_TAGS = {"fixed", "exponential", "lognormal", "gamma", "triangular", "empirical"}


def _is_union_tag(part: Any) -> bool:
    """pydantic's names for the branches of a union, which are not keys of the file."""
    return isinstance(part, str) and (
        part in _UNION_TAGS or "[" in part or part.startswith(("function-", "constrained-"))
    )


def _allowed_keys(loc: tuple) -> list[str]:
    model: Any = Scenario
    for part in loc:
        if part.isdigit():
            continue
        field = getattr(model, "model_fields", {}).get(part)
        if field is None:
            return []
        model = _model_of(field.annotation)
        if model is None:
            return []
    return [f.alias or name for name, f in model.model_fields.items()]


def _model_of(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


def _short(value: Any) -> str:
    text = value.isoformat() if isinstance(value, date) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
