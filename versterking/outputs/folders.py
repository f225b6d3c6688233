"""Results folders: an experiment's tables as CSV (and Parquet), what it printed, and its manifest,
each folder written whole or not at all (versterking.writing), never over an existing one unless
asked."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .. import filenames
from ..runs.comparison import Comparison
from ..runs.forecast import Forecast
from ..runs.sweep import Sweep
from ..writing import atomic_folder
from .manifest import population_manifest, scenario_manifest, uncertain_manifest, write_manifest
from .printout import comparison_text, run_text, sweep_text


def write_csv(df: pd.DataFrame, path: Path) -> None:
    df.to_csv(path, index=False, float_format="%.4f", lineterminator="\n")


def write_run(f: Forecast, out: Path, force: bool = False, command: list[str] | None = None,
              report: bool = False) -> Path:
    """The forecast's folder: its tables, per_replicatie.csv (replications) or events.parquet (a single
    run, or --events), decompositie.csv (uncertain parameters drawn), uitspraken.csv (the scenario's
    claims), adressen.csv and clusters.csv,
    summary.txt, manifest.json; `report` adds rapport/."""
    with atomic_folder(out, force) as tmp:
        for name, file in filenames.TABLES.items():
            write_csv(getattr(f.tables, name), tmp / file)
        if f.per_replication is not None:
            write_csv(f.per_replication, tmp / filenames.PER_REPLICATION)
        if f.decomposition is not None and len(f.decomposition):
            write_csv(f.decomposition, tmp / filenames.DECOMPOSITION)
        if len(claims := f.claims):
            write_csv(claims, tmp / filenames.CLAIMS)
        write_csv(f.addresses, tmp / filenames.ADDRESSES)
        write_csv(f.clusters, tmp / filenames.CLUSTERS)
        if f.events is not None:
            f.events.to_parquet(tmp / filenames.EVENTS, index=False)
        (tmp / filenames.SUMMARY).write_text(run_text(f) + "\n", encoding="utf-8")
        write_manifest(tmp, command or [], {
            **_seeds(f),
            "event_log": None if f.events is None else "replicatie 0" if f.replications > 1 else "run",
            "scenario": scenario_manifest(f.loaded, f.scenario),
            "uncertain": uncertain_manifest(f.scenario, f.drawn, f.at_mode),
            "population": population_manifest(f.loaded, f.werkvoorraad),
            "run": {"wall_seconds": round(f.wall_seconds, 3), "backend": f.backend, "end_day_max": f.end_day},
        })
        if report:
            _report(tmp)
    return out.resolve()


def write_comparison(c: Comparison, out: Path, force: bool = False, command: list[str] | None = None,
                     report: bool = False) -> Path:
    """vergelijking.csv, per_replicatie.csv, knelpunten.csv, attributie-<name>.csv, summary.txt,
    manifest.json; `report` adds rapport/."""
    with atomic_folder(out, force) as tmp:
        write_csv(c.table, tmp / filenames.COMPARISON)
        write_csv(c.per_replication, tmp / filenames.PER_REPLICATION)
        write_csv(c.bottlenecks, tmp / filenames.KNELPUNTEN)
        for name, table in c.attribution.items():
            write_csv(table, tmp / f"attributie-{name}.csv")
        (tmp / filenames.SUMMARY).write_text(comparison_text(c) + "\n", encoding="utf-8")
        write_manifest(tmp, command or [], {
            **_seeds(c),
            "attribution": bool(c.attribution),
            "scenarios": [scenario_manifest(item) | {"population": population_manifest(item, n)}
                          for item, n in zip(c.scenarios, c.werkvoorraad, strict=True)],
        })
        if report:
            _report(tmp)
    return out.resolve()


def write_sweep(s: Sweep, out: Path, force: bool = False, command: list[str] | None = None) -> Path:
    """sweep.parquet and sweep.csv (the same table), summary.txt, manifest.json."""
    with atomic_folder(out, force) as tmp:
        s.table.to_parquet(tmp / filenames.SWEEP_PARQUET, index=False)
        write_csv(s.table, tmp / filenames.SWEEP_CSV)
        (tmp / filenames.SUMMARY).write_text(sweep_text(s) + "\n", encoding="utf-8")
        write_manifest(tmp, command or [], {
            **_seeds(s),
            "axes": dict(s.axes),
            "scenario": scenario_manifest(s.base),  # before the axes' values
            "population": population_manifest(s.base, s.werkvoorraad),
            "points": [{"punt": p.number, "waarden": p.values, "sha256": p.cache_key,
                        "uit_cache": p.number in s.from_cache} for p in s.points],
            "cache": str(s.cache.resolve()),
        })
    return out.resolve()


def _seeds(result: Forecast | Comparison | Sweep) -> dict:
    """What reproduces the replications: `seed` is the root seed (pass it to --seed)."""
    return {"seed": result.seed, "replications": result.replications, "seeds": result.seeds}


def _report(folder: Path) -> None:
    from .report import write_report  # matplotlib only when a report is asked for

    write_report(folder, folder / filenames.REPORT)
