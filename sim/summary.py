"""The few lines a run prints: when the opgave is done and what binds."""

from __future__ import annotations

import pandas as pd

from .model import RunResult
from .results import Tables


def runs(n: int) -> str:
    """'50 replicaties', or '1 run'."""
    return f"{n} replicaties" if n != 1 else "1 run"


def _fmt(day) -> str:
    return day.strftime("%d-%m-%Y") if day is not None else "na de horizon"


def summary_text(r: RunResult, t: Tables) -> str:
    sc = r.scenario
    ends = t.end_dates.set_index("groep")
    total = ends.loc["totaal"]
    lines = [
        f"{sc.name}: {len(r.addresses):,}".replace(",", ".")
        + f" adressen vanaf {_fmt(sc.start)} (seed {sc.seed}, {r.wall_seconds:.1f} s)",
        f"  voltooid: 95% op {_fmt(total['95% voltooid'])}, 100% op {_fmt(total['100% voltooid'])}"
        if total["adressen"] else "  voltooid: geen adressen",
        "  100% per risicoprofiel: " + ", ".join(
            f"{p} {_fmt(ends.loc[p, '100% voltooid']) if ends.loc[p, 'adressen'] else 'geen adressen'}"
            for p in ("P50", "P90", "grijs")),
        "  fase gereed: " + ", ".join(
            f"{phase} {_fmt(total[f'{phase} gereed'])}"
            for phase in ("opname", "beoordeling", "planvorming", "uitvoering")),
        "  knelpunt: " + bottleneck_runs(t.bottlenecks),
    ]
    if sc.measures.active():
        lines.insert(1, "  maatregelen: " + ", ".join(sc.measures.active()))
    return "\n".join(lines)


def bottleneck_runs(bottlenecks: pd.DataFrame, column: str = "knelpunt") -> str:
    """Consecutive years with the same binding resource, e.g. '2020-2021 opnamecapaciteit'."""
    runs: list[list] = []
    for year, name in zip(bottlenecks["jaar"], bottlenecks[column], strict=True):
        if runs and runs[-1][2] == name and runs[-1][1] == year - 1:
            runs[-1][1] = year
        else:
            runs.append([year, year, name])
    parts = [f"{a}-{b} {n}" if a != b else f"{a} {n}" for a, b, n in runs if n not in ("geen", "-")]
    return "; ".join(parts[:6]) + (" ..." if len(parts) > 6 else "") if parts else "geen"


def replications_text(name: str, addresses: int, start, replications: int, root_seed: int,
                      wall_seconds: float, end_dates: pd.DataFrame, bottlenecks: pd.DataFrame,
                      measures: list[str]) -> str:
    """The run's lines for many replications: P50 dates with the P10 - P90 spread."""
    ends = end_dates.set_index(["groep", "statistiek"])

    def spread(group: str, column: str) -> str:
        p10, p50, p90 = (ends.loc[(group, s), column] for s in ("P10", "P50", "P90"))
        return f"{_fmt(_day(p50))} ({_fmt(_day(p10))} - {_fmt(_day(p90))})"

    def p50(group: str, column: str) -> str:
        if not ends.loc[(group, "P50"), "adressen"]:
            return "geen adressen"
        return _fmt(_day(ends.loc[(group, "P50"), column]))

    lines = [
        f"{name}: {addresses:,}".replace(",", ".") + f" adressen vanaf {_fmt(start)}, {replications} "
        f"replicaties (root seed {root_seed}, {wall_seconds:.1f} s)",
        "  voltooid, P50 (P10 - P90): 95% op " + spread("totaal", "95% voltooid")
        + ", 100% op " + spread("totaal", "100% voltooid"),
        "  100% per risicoprofiel (P50): " + ", ".join(
            f"{p} {p50(p, '100% voltooid')}" for p in ("P50", "P90", "grijs")),
        "  fase gereed (P50): " + ", ".join(
            f"{phase} {p50('totaal', f'{phase} gereed')}"
            for phase in ("opname", "beoordeling", "planvorming", "uitvoering")),
        "  knelpunt (in de meeste replicaties): " + bottleneck_runs(bottlenecks),
    ]
    if measures:
        lines.insert(1, "  maatregelen: " + ", ".join(measures))
    return "\n".join(lines)


def _day(value):
    return None if value is None or pd.isna(value) else value
