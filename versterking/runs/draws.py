"""The uncertain parameters' values per replication: a Latin hypercube over the replications, each
parameter from its own stream pinned by its name and the root seed, so that replication i sees the
same value of a parameter in every scenario that has it (common random numbers) and adding a
parameter never moves another's draws.

The stratification is written out rather than taken from scipy.stats.qmc.LatinHypercube: its draws
may change between scipy versions, and a reviewer must get the same numbers with any of them.
"""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd

from ..engine.randomness import stream
from ..errors import InputError
from ..inputs.scenario import Scenario
from ..inputs.uncertain import UncertainParameter, put


def in_use(sc: Scenario) -> list[UncertainParameter]:
    """The uncertain parameters a run uses: not those of a measure that is switched off (basis keeps
    the NPR 2020's ranges for the scenarios that switch it on)."""
    def switched_off(p: UncertainParameter) -> bool:
        return p.path[0] == "measures" and sc.measures.get(str(p.path[1])) is None

    return [p for p in sc.uncertain if not switched_off(p)]


def names(sc: Scenario) -> list[str]:
    """The uncertain parameters a run draws, by name (shared names once), in file order."""
    return list(dict.fromkeys(p.name for p in in_use(sc)))


def latin_hypercube(root: int, name: str, n: int) -> np.ndarray:
    """n uniforms, one in each of the strata [k/n, (k+1)/n), in a random order: parameter `name`'s."""
    rng = stream(root, "parameters", zlib.crc32(name.encode()))
    return (rng.permutation(n) + rng.random(n)) / n


def uniforms(sc: Scenario, root: int, n: int, at_mode: bool = False) -> pd.DataFrame | None:
    """Per replication (rows) the uniform of each parameter name (columns); None without uncertain
    parameters or at the modes."""
    if not names(sc) or at_mode:
        return None
    return pd.DataFrame({name: latin_hypercube(root, name, n) for name in names(sc)})


def values(sc: Scenario, u: pd.DataFrame | None) -> pd.DataFrame | None:
    """Per replication the value of each parameter name (of its first entry, for a shared name)."""
    if u is None:
        return None
    first = {}
    for p in in_use(sc):
        first.setdefault(p.name, p)
    return pd.DataFrame({name: [first[name].at(x) for x in u[name]] for name in u.columns})


def realised(sc: Scenario, u: dict[str, float] | None, replication: int = 0) -> Scenario:
    """The scenario with each uncertain number at its value for these uniforms (None: as loaded, at
    the modes). Its `uncertain` stays, so the run still knows what was drawn."""
    if u is None or not names(sc):
        return sc
    data = put(sc.model_dump(by_alias=True, exclude={"uncertain"}), in_use(sc), lambda p: p.at(u[p.name]))
    try:
        out = Scenario.model_validate(data)
    except ValueError as exc:  # ranges that only together break a rule (e.g. a ramp's order)
        first = sc.uncertain[0]
        raise InputError(f"{first.file}: uncertain values of replication {replication} break the scenario: "
                         f"{str(exc).splitlines()[-1].strip()}") from None
    return out.model_copy(update={"uncertain": sc.uncertain})

