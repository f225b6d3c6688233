"""What `versterking sensitivity` prints and writes: the ranking, a tornado chart, the Morris chart
and the binding resource per year, in a results folder."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from .. import filenames
from ..calendar import date_at  # noqa: E402
from ..inputs.loader import LoadedScenario  # noqa: E402
from ..outputs.folders import write_csv  # noqa: E402
from ..outputs.manifest import population_manifest, scenario_manifest, write_manifest  # noqa: E402
from ..outputs.printout import bottleneck_runs  # noqa: E402
from ..writing import atomic_folder  # noqa: E402
from .sensitivity import Sensitivity  # noqa: E402


def sensitivity_text(s: Sensitivity) -> str:
    start = s.scenario.start
    lines = [f"gevoeligheid: {s.scenario.name}, {s.metric} (gemiddelde over de replicaties), "
             f"parameters x {1 - s.change:g} en x {1 + s.change:g}; {s.runs} modelruns",
             f"  zoals het scenario is: {date_at(start, s.base):%d-%m-%Y}",
             "  een voor een (grootste uitslag eerst):"]
    for name, low, high, swing in s.one_at_a_time.head(8).itertuples(index=False):
        lines.append(f"    {name:<36} {date_at(start, low):%d-%m-%Y} .. {date_at(start, high):%d-%m-%Y}"
                     f"  ({swing / 365.25:.1f} jaar)")
    lines.append("  Morris (mu*: gemiddeld absoluut effect in dagen; sigma: wisselwerking en kromming):")
    for row in s.morris.head(8).itertuples(index=False):
        lines.append(f"    {row[0]:<36} mu* {row[1]:8.0f} +- {row[2]:.0f}   sigma {row[4]:8.0f}")
    lines.append(f"  knelpunt per jaar: {bottleneck_runs(s.bottlenecks)}")
    if s.censored:
        lines.append(f"  LET OP: {s.censored} runs haalden de mijlpaal niet voor de horizon; die tellen "
                     "als de horizon")
    return "\n".join(lines)


def tornado(s: Sensitivity, path: Path) -> None:
    t = s.one_at_a_time.iloc[::-1]
    fig, ax = plt.subplots(figsize=(8, 0.35 * len(t) + 1.5))
    base = s.base / 365.25
    for i, (low, high) in enumerate(zip(t["dag laag"] / 365.25, t["dag hoog"] / 365.25, strict=True)):
        ax.barh(i, low - base, left=base, color="#4c72b0", height=0.6)
        ax.barh(i, high - base, left=base, color="#dd8452", height=0.6)
    ax.set_yticks(range(len(t)), t["parameter"])
    ax.axvline(base, color="black", lw=0.8)
    ax.set_xlabel(f"{s.metric}: jaren na {s.scenario.start:%d-%m-%Y} (blauw x {1 - s.change:g}, "
                  f"oranje x {1 + s.change:g})")
    ax.set_title(f"{s.scenario.name}: een parameter tegelijk, {s.replications} replicaties per punt")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def morris_chart(s: Sensitivity, path: Path) -> None:
    fig, ax = plt.subplots(figsize=(7, 5))
    ax.scatter(s.morris["mu*"] / 365.25, s.morris["sigma"] / 365.25, color="#4c72b0")
    labelled = s.morris[s.morris["mu*"] >= 0.02 * s.morris["mu*"].max()].head(8)  # the rest overlap at 0
    for row in labelled.itertuples(index=False):
        ax.annotate(row[0], (row[1] / 365.25, row[4] / 365.25), fontsize=8, xytext=(4, 2),
                    textcoords="offset points")
    ax.set_xlabel("mu*: gemiddeld absoluut effect (jaren)")
    ax.set_ylabel("sigma: spreiding van het effect (jaren)")
    ax.set_title(f"{s.scenario.name}: Morris, {s.metric}")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_sensitivity(s: Sensitivity, loaded: LoadedScenario, addresses: int, out: Path, force: bool,
                      command: list[str], text: str) -> None:
    start = s.scenario.start
    with atomic_folder(out, force) as tmp:
        t = s.one_at_a_time
        oat = t.assign(**{"datum laag": [date_at(start, d) for d in t["dag laag"]],
                          "datum hoog": [date_at(start, d) for d in t["dag hoog"]]})
        write_csv(oat, tmp / "een_voor_een.csv")
        write_csv(s.morris, tmp / "morris.csv")
        write_csv(s.bottlenecks, tmp / filenames.KNELPUNTEN)
        tornado(s, tmp / "tornado.png")
        morris_chart(s, tmp / "morris.png")
        (tmp / filenames.SUMMARY).write_text(text + "\n", encoding="utf-8")
        write_manifest(tmp, command, {
            "seed": s.scenario.seed, "scenario": scenario_manifest(loaded, s.scenario),
            "population": population_manifest(loaded, addresses),
            "sensitivity": {"metric": s.metric, "change": s.change, "replications": s.replications,
                            "runs": s.runs}})
