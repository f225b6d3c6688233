"""What a planner may change in a scenario from the web app, and the changes as the dotted-key
overrides the loader takes (the same keys a scenario file or `sweep --vary` writes): each resource's
factor on its capacity, each active measure's start date, and the low, mode and high of each
triangular range. Every check is the scenario schema's own (versterking.inputs.loader)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from ..domain import RESOURCES
from ..errors import InputError
from ..inputs.loader import LoadedScenario
from ..inputs.uncertain import TriangularRange
from .workspace import loaded

PARTS = ("low", "mode", "high")


@dataclass(frozen=True)
class Field:
    key: str            # the override's dotted key
    part: str           # "" for a plain value; low, mode or high of a range
    label: str
    value: Any          # as the scenario has it
    kind: str           # "number" or "date"

    @property
    def id(self) -> str:
        return f"{self.key}|{self.part}" if self.part else self.key


def fields(item: LoadedScenario) -> list[Field]:
    sc = item.scenario
    out = [Field(f"resources.{name}.factor", "", f"{name}: factor op de capaciteit",
                 getattr(sc.resources, name).factor, "number") for name in RESOURCES]
    for name in sc.measures.active():
        block = sc.measures.get(name)
        if hasattr(block, "from_"):
            out.append(Field(f"measures.{name}.from", "", f"{name}: vanaf (JJJJ-MM-DD)",
                             block.from_.isoformat(), "date"))
    for p in sc.uncertain:
        if isinstance(p.spec, TriangularRange):
            out += [Field(p.key, part, f"{p.name}: {label}", getattr(p.spec, part), "number")
                    for part, label in zip(PARTS, ("laag", "modus", "hoog"), strict=True)]
    return out


def overrides(item: LoadedScenario, values: dict[str, Any]) -> dict[str, Any]:
    """The changed fields (by Field.id) as overrides; a range changed in any part is given whole."""
    out: dict[str, Any] = {}
    specs = {p.key: p for p in item.scenario.uncertain}
    for f in fields(item):
        new = values.get(f.id, f.value)
        if new is None or str(new) == str(f.value):
            continue
        if f.part:
            p = specs[f.key]
            whole = out.setdefault(f.key, {"uncertain": "triangular", "name": p.name,
                                           **{k: getattr(p.spec, k) for k in PARTS}})
            whole[f.part] = _number(new)
        else:
            out[f.key] = _date(new) if f.kind == "date" else _number(new)
    return out


def check(scenario: str, changes: dict[str, Any]) -> str | None:
    """None if the scenario with these changes is valid, else the loader's one-line error."""
    try:
        loaded(scenario, changes)
    except InputError as exc:
        return str(exc)
    return None


def _number(value: Any) -> float | int:
    x = float(value)
    return int(x) if x.is_integer() and not isinstance(value, float) else x


def _date(value: Any) -> date | str:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return str(value)  # the loader names the key and what a date must look like
