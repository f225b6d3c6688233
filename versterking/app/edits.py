"""What a planner may change in a scenario from the web app, and the changes as the dotted-key
overrides the loader takes (the same keys a scenario file or `sweep --vary` writes): each resource's
factor on its capacity, each active measure's start date, and the low, mode and high of each
triangular range. Every check is the scenario schema's own (versterking.inputs.loader)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from .. import LoadedScenario, TriangularRange
from ..domain import RESOURCES
from ..errors import InputError
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
    """Every field of the form, each label unique: a range says its name and the key it sits on. A
    factor that is a range is edited as the range (its plain field would replace the range by a number)."""
    sc = item.scenario
    ranges = {p.key for p in sc.uncertain}
    out = [Field(f"resources.{name}.factor", "", f"{name}: factor op de capaciteit",
                 getattr(sc.resources, name).factor, "number")
           for name in RESOURCES if f"resources.{name}.factor" not in ranges]
    for name in sc.measures.active():
        block = sc.measures.get(name)
        if hasattr(block, "from_"):
            out.append(Field(f"measures.{name}.from", "", f"{name}: vanaf (JJJJ-MM-DD)",
                             block.from_.isoformat(), "date"))
    for p in sc.uncertain:
        if isinstance(p.spec, TriangularRange):
            out += [Field(p.key, part, f"{p.name} ({p.key}): {label}",
                          _as_written(getattr(p.spec, part), p.whole), "number")
                    for part, label in zip(PARTS, ("laag", "modus", "hoog"), strict=True)]
    return out


def overrides(item: LoadedScenario, values: dict[str, Any]) -> dict[str, Any]:
    """The changed fields (by Field.id) as overrides; a range changed in any part is given whole. A value
    equal to the scenario's (46 and 46.0 alike) is no change; an empty or unreadable one is left out
    (`problems` names it)."""
    out: dict[str, Any] = {}
    specs = {p.key: p for p in item.scenario.uncertain}
    for f in fields(item):
        new = values.get(f.id, f.value)
        if _same(new, f.value) or _unreadable(new, f.kind):
            continue
        if f.part:
            p = specs[f.key]
            named = {"name": p.spec.name} if p.spec.name else {}
            whole = out.setdefault(f.key, {"uncertain": "triangular", **named,
                                           **{k: _as_written(getattr(p.spec, k), p.whole) for k in PARTS}})
            whole[f.part] = _as_written(float(new), p.whole)
        else:
            out[f.key] = date.fromisoformat(str(new).strip()) if f.kind == "date" else float(new)
    return out


def problems(item: LoadedScenario, values: dict[str, Any]) -> dict[str, str]:
    """Per field id, a field that holds no number or no date: one Dutch line (the loader checks the rest)."""
    out = {}
    for f in fields(item):
        new = values.get(f.id, f.value)
        if _unreadable(new, f.kind):
            out[f.id] = (f"{f.label}: {'' if new is None else new!r} is geen datum (JJJJ-MM-DD)"
                         if f.kind == "date" else f"{f.label}: vul een getal in")
    return out


def check(scenario: str, changes: dict[str, Any]) -> str | None:
    """None if the scenario with these changes is valid, else the loader's one-line error (the command
    line's rule), its common phrases in Dutch."""
    try:
        loaded(scenario, changes)
    except InputError as exc:
        return dutch(str(exc))
    return None


DUTCH = [  # the schema's phrases (pydantic's and the loader's) as the app says them
    (r"Input should be greater than or equal to ([-\d.e+]+)", r"moet minstens \1 zijn"),
    (r"Input should be less than or equal to ([-\d.e+]+)", r"mag hoogstens \1 zijn"),
    (r"Input should be greater than ([-\d.e+]+)", r"moet groter zijn dan \1"),
    (r"Input should be less than ([-\d.e+]+)", r"moet kleiner zijn dan \1"),
    (r"Input should be a finite number", "moet een eindig getal zijn"),
    (r"Input should be a valid date[^(]*", "moet een datum JJJJ-MM-DD zijn "),
    (r"needs low <= mode <= high", "laag <= modus <= hoog is nodig"),
    (r"must be after", "moet liggen na"),
    (r" with the uncertain numbers at their low end", " met de onzekere getallen op hun laagste waarde"),
    (r" with the uncertain numbers at their high end", " met de onzekere getallen op hun hoogste waarde"),
    (r"\(got ", "(ingevuld: "),
]


def dutch(message: str) -> str:
    for phrase, words in DUTCH:
        message = re.sub(phrase, words, message)
    return message


def _as_written(x: float, whole: bool) -> float | int:
    """A range whose bounds are whole numbers draws whole numbers: keep them whole when they still are."""
    return int(x) if whole and float(x).is_integer() else float(x)


def _same(new: Any, old: Any) -> bool:
    if new is None or isinstance(old, str):
        return str(new).strip() == str(old)
    try:
        return float(new) == float(old)
    except (TypeError, ValueError):
        return False


def _unreadable(value: Any, kind: str) -> bool:
    if kind == "date":
        try:
            date.fromisoformat(str(value).strip())
        except ValueError:
            return True
        return False
    try:
        return value is None or isinstance(value, bool) or not math.isfinite(float(value))
    except (TypeError, ValueError):
        return True
