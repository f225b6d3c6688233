"""What `versterking target` prints and writes: the plan per resource and year, the answer as a
scenario file that extends the input (runnable and reviewable), and a results folder with the plan,
the search path, the margin and the check."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path

import pandas as pd

from .. import filenames
from ..calendar import dutch_date, dutch_number
from ..inputs.loader import LoadedScenario
from ..outputs.folders import write_csv
from ..outputs.manifest import population_manifest, scenario_manifest, write_manifest
from ..version import __version__
from ..writing import atomic_file, atomic_folder
from .target import Answer, extra_with_steps, quantile_date


def answer_text(a: Answer) -> str:
    q, sc = a.question, a.scenario
    flow = [e for e in a.evaluations if e.model == "stroommodel"]
    simulated = [e for e in a.evaluations if e.model == "simulatie"]
    lines = [f"terug redeneren: {sc.name}, {q.label}",
             f"  zoektocht: {len(flow)} evaluaties met het stroommodel, {len(simulated)} met de simulatie "
             f"({q.replications} replicaties), marge op {q.margin} en controle op {q.verify} nieuwe; "
             f"{a.runs} simulaties in totaal (root seed {a.root}), {a.seconds / 60:.1f} min",
             "  groeigrenzen (scenario [target]):", *_limits(a)]
    met, n, low, high = a.interval()
    when = quantile_date(sc.start, a.verification["dag"].to_numpy(), q.confidence)
    if a.plan is None:
        lines += [f"  ONHAALBAAR: ook met het snelste toegestane pad haalt {met} van {n} nieuwe replicaties "
                  "de datum.",
                  f"  vroegst haalbare datum op dat pad ({q.confidence:.0%} van de replicaties): "
                  f"{dutch_date(when)}",
                  f"  bindende grens: {a.binding}"]
        return "\n".join(lines)
    yearly = a.yearly()
    if len(yearly):
        for column, title in (("plekken", "plekken per middel, eind van het jaar"),
                              ("adressen per jaar", "adressen per jaar die dat aankan (plekken x 365 / "
                                                    "dagen per adres)")):
            wide = yearly.pivot(index="middel", columns="jaar", values=column).loc[list(a.plan)]
            lines += [f"  {title}:", _indent(wide.rename_axis(index=None, columns=None).to_string())]
        units = yearly[yearly["eenheid"] != ""]
        if len(units):
            wide = units.pivot(index="middel", columns="jaar", values="eenheden").astype(int)
            wide = wide.loc[[n for n in a.plan if n in wide.index]]
            wide.index = [f"{n} ({a.scenario.target.productivity[n].unit})" for n in wide.index]
            lines += ["  in eenheden (adressen per jaar / wat één eenheid per jaar doet, [target] "
                      "productivity; naar boven afgerond):",
                      _indent(wide.rename_axis(index=None, columns=None).to_string())]
        growing = [f"{n} {dutch_date(steps[0][0])}" for n, steps in a.plan.items() if steps[-1][1]]
        lines.append("  (groei vanaf: " + ", ".join(growing) + ")")
    lines.append(f"  kosten (gewicht x extra plek-jaren tot de datum): {dutch_number(a.cost)}")
    if len(a.margin):
        last = a.margin.iloc[-1]
        kept, runs, need, of = (int(last[c]) for c in ("gehaald", "gedraaid", "nodig", "van"))
        lines.append(f"  marge: na {len(a.margin)} poging(en) haalt het plan de datum in {kept} van {runs} "
                     f"nieuwe replicaties (nodig: {need} van {of})")
    lines.append(f"  controle op {n} andere nieuwe replicaties: {met} van {n} halen de datum ({met / n:.0%}; "
                 f"95%-interval {low:.0%} - {high:.0%}); {q.confidence:.0%}-punt {dutch_date(when)}")
    if met / n < q.confidence:
        lines.append("  LET OP: de controle haalt de gevraagde zekerheid niet; herhaal met meer "
                     "--replications, --margin en --verify")
    if len(a.contributions):
        lines.append("  zonder de extra van één middel (stroommodel, benadering): " + ", ".join(
            f"{name} {dutch_date(day)}" for name, day in a.contributions.itertuples(index=False)))
    lines += [f"  {note}" for note in a.notes]
    return "\n".join(lines)


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines())


def _limits(a: Answer) -> list[str]:
    lines = []
    for name, path in a.paths.items():
        bits = [f"groei vanaf {dutch_date(path.steps[0][0])}"]
        if path.max_growth is not None:
            bits.append(f"ten hoogste +{path.max_growth:.0%} per jaar")
        bits.append(f"ten hoogste {dutch_number(path.max_extra)} plekken extra")
        lines.append(f"    {name}: {dutch_number(path.in_force)} plekken nu; " + ", ".join(bits))
    return lines


def answer_toml(a: Answer, loaded: LoadedScenario, scenario_out: Path, command: list[str]) -> str:
    """The answer as a scenario that extends the input: only the `extra` of the resources that grow."""
    q = a.question
    met, n, low, high = a.interval()
    parent = loaded.extends_from(scenario_out.parent)
    lines = [f"# GENERATED by `versterking {' '.join(command[1:])}` (versterking {__version__}).",
             f"# Terug redeneren: a plan per resource and year from {a.start_of_extra}, within the",
             "# lead times and growth limits of the scenario's [target], with which",
             f"# {q.label} (search: the flow model, then {q.replications} replications, root seed {a.root};",
             f"# a margin on {q.margin} fresh replications).",
             f"# Checked on {n} further fresh replications: {met} of {n} met the date "
             f"(95% interval {low:.0%} - {high:.0%}).",
             "# Cost weights per slot: target.cost of the scenario it extends.",
             "",
             f'extends = "{parent}"',
             f'name = "{scenario_out.stem}"',
             f'description = "{loaded.scenario.name} met extra capaciteit: {q.label}"']
    for name, steps in a.plan.items():
        if not any(x for _, x in steps):
            continue
        schedule = getattr(a.scenario.resources, name).extra
        entries = ",\n  ".join(f"{{ from = {c.from_}, value = {c.value:g} }}"
                               for c in extra_with_steps(schedule, steps))
        lines += ["", f"[resources.{name}]",
                  f"# terug redeneren's plan (see the header): {a.paths[name].in_force:,} slots in force on "
                  f"{a.start_of_extra}, plus these from each date",
                  f"extra = [\n  {entries},\n]"]
    return "\n".join(lines) + "\n"


def write_answer(a: Answer, loaded: LoadedScenario, addresses: int, out: Path, scenario_out: Path | None,
                 force: bool, command: list[str], text: str) -> None:
    """The results folder, and (when there is an answer) the scenario file, each whole or absent: the
    scenario is moved into place only after the folder is."""
    answer = a.plan is not None and scenario_out is not None
    with atomic_file(scenario_out, force, "scenario file") if answer else nullcontext() as tmp_scenario:
        if answer:
            tmp_scenario.write_text(answer_toml(a, loaded, scenario_out, command), encoding="utf-8")
        with atomic_folder(out, force) as tmp:
            if a.plan is not None:
                write_csv(a.table(), tmp / "doel.csv")
                write_csv(a.yearly(), tmp / "doel_per_jaar.csv")
            write_csv(pd.DataFrame([{"model": e.model, **e.shares, "gehaald": e.met, "gedraaid": e.runs,
                                     "haalbaar": e.feasible} for e in a.evaluations]), tmp / "zoekpad.csv")
            write_csv(a.margin, tmp / "marge.csv")
            write_csv(a.verification, tmp / "controle.csv")
            (tmp / filenames.SUMMARY).write_text(text + "\n", encoding="utf-8")
            write_manifest(tmp, command, {
                "question": {"done_by": a.question.done_by, "confidence": a.question.confidence,
                             "milestone": a.question.milestone, "replications": a.question.replications,
                             "margin": a.question.margin, "verify": a.question.verify},
                "seed": a.root, "scenario": scenario_manifest(loaded, a.scenario),
                "population": population_manifest(loaded, addresses),
                "runs": a.runs, "shares": a.shares,
                "plan": {n: [[str(d), x] for d, x in steps] for n, steps in (a.plan or {}).items()},
                "scenario_out": str(scenario_out) if answer else None})
