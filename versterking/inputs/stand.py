"""A stand: how many addresses held each of the dashboard's milestones on a date, as NCG or SodM
published it. A forecast can start from any stand; SodM 2020 tabel 2.1 is the stand of 17 Jul 2020.

A stand file (TOML, docs/reference/stand-files.md) gives the werkvoorraad and its count per milestone
(`mijlpalen`), or the six phases NCG reported in 2021 (`fasen`), and where published: voltooid in its
parts, planvorming in its sub-steps, and per risk profile the cumulative counts of tabel 2.1
(`bereikt`, with `bereikt_corporatie` as tabel 2.5). What a stand does not publish is split by the
rules in `verdeling`, each an ASSUMPTION the file states.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationError, model_validator

from ..domain import CUMULATIVE, MILESTONES, PROFILES, SUBSTEPS, VERSTERKT, VOLDOET
from ..errors import InputError
from .blocks import MAX_ADDRESSES, Day, Share, Strict
from .counts import apportion
from .files import read_text

MAX_STAND_BYTES = 1_000_000
Count = Annotated[int, Field(ge=0, le=MAX_ADDRESSES)]
Milestone = Literal[MILESTONES]
Part = Literal[VERSTERKT, VOLDOET]
Substep = Literal[SUBSTEPS[1:]]
Phase = Literal["1", "2", "3", "4", "5", "6"]

# NCG's six phases of Oct 2021 (shared/published/README.md item 6) and the milestones they hold. Phase 4
# (versterkingsadvies vastgesteld, uitvoeringsplan not ready) holds beoordeling and planvorming; phase 5
# (uitvoeringsplan ready, construction prepared or under way) the versterkingsbesluit sub-step of
# planvorming (bouw voorbereiden, as SodM 2020 par. 3.8 counts it) and uitvoering. `verdeling` splits them.
PHASE_MILESTONES = {"1": "nog niet gestart", "2": "nog niet gestart", "3": "opname", "4": "beoordeling",
                    "5": "uitvoering", "6": "voltooid"}


class Verdeling(Strict):
    """The rules for what a stand does not publish (each an ASSUMPTION the stand file cites)."""

    fase4_planvorming: Share = Field(
        0.0, description="of phase 4, the share whose uitvoeringsplan is being drawn up (planvorming)")
    fase5_bouwvoorbereiding: Share = Field(
        0.0, description="of phase 5, the share whose construction is prepared, not yet under way")
    versterkingsbesluit: Share = Field(
        263 / 4060, description="of planvorming, the share in its last sub-step where the stand does not say "
                                "(SodM 2020 par. 3.8: 263 of 4,060)")


class StandFile(Strict):
    datum: Day
    werkvoorraad: Count
    bron: str = ""
    mijlpalen: dict[Milestone, Count] | None = None
    fasen: dict[Phase, Count] | None = None
    voltooid: dict[Part, Count] | None = None
    planvorming: dict[Substep, Count] | None = None
    bereikt: dict[Literal[PROFILES], list[Count]] | None = None
    bereikt_corporatie: dict[Literal[PROFILES], list[Count]] | None = None
    verdeling: Verdeling = Verdeling()

    @model_validator(mode="after")
    def _one_form(self) -> StandFile:
        if (self.mijlpalen is None) == (self.fasen is None):
            raise ValueError("give the counts either per milestone (mijlpalen) or in NCG's six phases "
                             "(fasen)")
        if (self.bereikt_corporatie is not None) and self.bereikt is None:
            raise ValueError("bereikt_corporatie needs bereikt (all owners) beside it")
        return self


@dataclass(frozen=True)
class Stand:
    """A stand, checked: counts per milestone that add up to the werkvoorraad."""

    path: Path
    datum: date
    werkvoorraad: int
    milestones: dict[str, int]           # every milestone, the whole opgave
    parts: dict[str, int] | None         # voltooid as versterkt and voldoet aan de norm, if published
    substeps: dict[str, int]             # planvorming's sub-steps (SUBSTEPS[1:]), published or by the rule
    # per (risk profile, owner type): addresses that reached each of tabel 2.1's columns (CUMULATIVE),
    # if published; planvorming and uitvoering are then one stock per cell, split by `milestones`
    reached: dict[tuple[str, str], list[int]] | None


def read_stand(path: Path, where: str = "population.file", today: date | None = None) -> Stand:
    """Read and check a stand file; one line naming the file and key if it is wrong."""
    text = read_text(path, MAX_STAND_BYTES, where, "a stand file (TOML)")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML: {exc}") from None
    try:
        raw = StandFile.model_validate(data)
    except ValidationError as exc:
        raise InputError(f"{path}: {_describe(exc)}") from None
    return checked(raw, path, today or date.today())


def checked(raw: StandFile, path: Path, today: date) -> Stand:
    def bad(key: str, what: str) -> InputError:
        return InputError(f"{path}: {key}: {what}")

    if raw.datum > today:
        raise bad("datum", f"{raw.datum} lies in the future; allowed: a date the counts were published for")
    milestones = _milestones(raw, bad)
    total = sum(milestones.values())
    if total != raw.werkvoorraad:
        form = "mijlpalen" if raw.mijlpalen is not None else "fasen"
        raise bad(form, f"add up to {total:,}, not to the werkvoorraad {raw.werkvoorraad:,}; allowed: "
                        "counts that together are the werkvoorraad")
    parts = None
    if raw.voltooid is not None:
        if set(raw.voltooid) != {VERSTERKT, VOLDOET}:
            raise bad("voltooid", f"give both {VERSTERKT} and {VOLDOET}")
        if sum(raw.voltooid.values()) != milestones["voltooid"]:
            raise bad("voltooid", f"the parts add up to {sum(raw.voltooid.values()):,}, not to voltooid "
                                  f"{milestones['voltooid']:,}")
        parts = {VERSTERKT: raw.voltooid[VERSTERKT], VOLDOET: raw.voltooid[VOLDOET]}
    substeps = _substeps(raw, milestones["planvorming"], bad)
    reached = _reached(raw, milestones, bad) if raw.bereikt is not None else None
    return Stand(path, raw.datum, raw.werkvoorraad, milestones, parts, substeps, reached)


def _milestones(raw: StandFile, bad) -> dict[str, int]:
    if raw.mijlpalen is not None:
        missing = [m for m in MILESTONES if m not in raw.mijlpalen]
        if missing:
            raise bad("mijlpalen", f"no count for {', '.join(missing)}; allowed: a count for each of "
                                   f"{', '.join(MILESTONES)}")
        return {m: raw.mijlpalen[m] for m in MILESTONES}
    fasen = raw.fasen or {}
    missing = [p for p in PHASE_MILESTONES if p not in fasen]
    if missing:
        raise bad("fasen", f"no count for phase {', '.join(missing)}; allowed: a count for each of 1 - 6")
    out = dict.fromkeys(MILESTONES, 0)
    for phase, milestone in PHASE_MILESTONES.items():
        out[milestone] += fasen[phase]
    rule = raw.verdeling
    out["planvorming"] = round(fasen["4"] * rule.fase4_planvorming)
    out["beoordeling"] -= out["planvorming"]
    voorbereiding = _voorbereiding(raw)
    out["planvorming"] += voorbereiding
    out["uitvoering"] -= voorbereiding
    return out


def _voorbereiding(raw: StandFile) -> int:
    """Of NCG's phase 5, those preparing construction (planvorming's versterkingsbesluit)."""
    return round(raw.fasen["5"] * raw.verdeling.fase5_bouwvoorbereiding)


def _substeps(raw: StandFile, planvorming: int, bad) -> dict[str, int]:
    """The planvorming stock in its last two sub-steps (the first, voorbereiden, comes before the
    milestone). Not published: the rule's share in the last, the rest in uitvoeringsplan opstellen;
    a stand in phases has its phase-5 voorbereiding there too."""
    if raw.planvorming is not None:
        given = {s: raw.planvorming.get(s, 0) for s in SUBSTEPS[1:]}
        if sum(given.values()) > planvorming:
            raise bad("planvorming", f"the sub-steps hold {sum(given.values()):,}, more than planvorming "
                                     f"{planvorming:,}")
        given[SUBSTEPS[1]] = planvorming - given[SUBSTEPS[2]]
        return given
    if raw.fasen is not None:
        besluit = _voorbereiding(raw)
    else:
        besluit = round(planvorming * raw.verdeling.versterkingsbesluit)
    return {SUBSTEPS[1]: planvorming - besluit, SUBSTEPS[2]: besluit}


def _reached(raw: StandFile, milestones: dict[str, int], bad) -> dict[tuple[str, str], list[int]]:
    """Per cell the cumulative counts; they must fall from column to column and add up to the stand."""
    allowed = f"{len(CUMULATIVE)} counts ({', '.join(CUMULATIVE)}), each at most the one before"
    cells: dict[tuple[str, str], list[int]] = {}
    corporatie = raw.bereikt_corporatie or {}
    for profile in PROFILES:
        every = raw.bereikt.get(profile)
        corp = corporatie.get(profile, [0] * len(CUMULATIVE))
        for key, counts in ((f"bereikt.{profile}", every), (f"bereikt_corporatie.{profile}", corp)):
            if counts is None:
                raise bad(key, f"missing; allowed: {allowed}")
            if len(counts) != len(CUMULATIVE) or any(b > a for a, b in zip(counts, counts[1:], strict=False)):
                raise bad(key, f"{counts}; allowed: {allowed}")
        particulier = [a - c for a, c in zip(every, corp, strict=True)]
        if any(x < 0 for x in particulier):
            raise bad(f"bereikt_corporatie.{profile}", "a part larger than its whole (more corporatie "
                                                      "addresses than addresses)")
        if any(b > a for a, b in zip(particulier, particulier[1:], strict=False)):
            raise bad(f"bereikt_corporatie.{profile}", "leaves the particulier counts rising from one "
                                                      "milestone to the next")
        cells[(profile, "particulier")], cells[(profile, "corporatie")] = particulier, list(corp)
    cum = [sum(c[k] for c in cells.values()) for k in range(len(CUMULATIVE))]
    stock = {"nog niet gestart": cum[0] - cum[1], "opname": cum[1] - cum[2], "beoordeling": cum[2] - cum[3],
             "planvorming en uitvoering": cum[3] - cum[4], "voltooid": cum[4]}
    given = {**{m: milestones[m] for m in ("nog niet gestart", "opname", "beoordeling", "voltooid")},
             "planvorming en uitvoering": milestones["planvorming"] + milestones["uitvoering"]}
    for name, n in stock.items():
        if n != given[name]:
            raise bad("bereikt", f"gives {n:,} addresses in {name}, the milestones {given[name]:,}; allowed: "
                                 "counts per risk profile that add up to the stand's")
    return cells


def stock_per_cell(stand: Stand, weights: dict[tuple[str, str], float]) -> list[tuple[str, str, str, int]]:
    """(risk profile, owner type, milestone, addresses). Published per cell (tabel 2.1's form): the
    differences of its cumulative counts, planvorming and uitvoering one stock held as planvorming
    (split later by the stand's totals). Otherwise each milestone's count (voltooid: each part) is
    divided over the cells by `weights` (ASSUMPTION: the caller's mix)."""
    if stand.reached is not None:
        rows = []
        for (profile, owner), cum in stand.reached.items():
            stock = [cum[0] - cum[1], cum[1] - cum[2], cum[2] - cum[3], cum[3] - cum[4], 0, cum[4]]
            rows += [(profile, owner, m, n) for m, n in zip(MILESTONES, stock, strict=True)]
        return rows
    cells = list(weights)
    per_cell: dict[tuple[str, str], list[int]] = {c: [] for c in cells}
    for milestone in MILESTONES:
        counts = apportion([weights[c] for c in cells], stand.milestones[milestone])
        for c, n in zip(cells, counts.tolist(), strict=True):
            per_cell[c].append(n)
    return [(p, o, m, n) for (p, o), counts in per_cell.items()
            for m, n in zip(MILESTONES, counts, strict=True)]


def _describe(exc: ValidationError) -> str:
    err = exc.errors()[0]
    key = ".".join(str(p) for p in err["loc"] if not str(p).startswith(("literal[", "function-")))
    if err["type"] == "extra_forbidden":
        table = Verdeling if err["loc"][0] == "verdeling" else StandFile
        what = f"unknown key; allowed: {', '.join(table.model_fields)}"
    elif err["type"] == "missing":
        what = "missing key"
    else:
        what = err["msg"].removeprefix("Value error, ")
        if not isinstance(err.get("input"), dict | list):
            what += f" (got {str(err.get('input'))[:60]})"
    return f"{key or '(top level)'}: {what}"
