"""The results folder: tables, event log, summary and manifest, written atomically."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import pandas as pd

from . import tables
from .errors import InputError
from .model import RunResult
from .scenario import LoadedScenario

DEPENDENCIES = ("simpy", "numpy", "pandas", "scipy", "pydantic", "click", "tqdm", "pyarrow")


@dataclass
class Tables:
    milestones: pd.DataFrame
    production: pd.DataFrame
    end_dates: pd.DataFrame
    durations: pd.DataFrame
    resources: pd.DataFrame
    bottlenecks: pd.DataFrame


def make_tables(r: RunResult) -> Tables:
    resources = tables.resources_quarterly(r)
    return Tables(tables.milestones_quarterly(r), tables.production_quarterly(r), tables.end_dates(r),
                  tables.step_durations(r), resources, tables.bottlenecks(resources))


def check_writable(out: Path, force: bool) -> None:
    """Fail before running, not after: an existing folder is never replaced without --force."""
    if out.exists() and not force:
        raise InputError(f"{out}: results folder exists; choose another --out or pass --force")
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: exists and is not a folder")


def write_results(r: RunResult, t: Tables, loaded: LoadedScenario, out: Path, force: bool,
                  command: list[str], summary: str) -> Path:
    """Write everything into a temporary sibling folder, then move it into place in one rename."""
    check_writable(out, force)
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        files = {
            "milestones_quarterly.csv": t.milestones,
            "production_quarterly.csv": t.production,
            "end_dates.csv": t.end_dates,
            "step_durations.csv": t.durations,
            "resources_quarterly.csv": t.resources,
            "bottlenecks.csv": t.bottlenecks,
        }
        for name, df in files.items():
            df.to_csv(tmp / name, index=False, float_format="%.4f", lineterminator="\n")
        tables.event_log(r).to_parquet(tmp / "events.parquet", index=False)
        (tmp / "summary.txt").write_text(summary + "\n", encoding="utf-8")
        manifest = _manifest(r, loaded, command, tmp)
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str) + "\n",
                                           encoding="utf-8")
        if out.exists():
            old = out.parent / f".{out.name}.old-{os.getpid()}"
            out.rename(old)
            tmp.rename(out)
            shutil.rmtree(old)
        else:
            tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _manifest(r: RunResult, loaded: LoadedScenario, command: list[str], folder: Path) -> dict:
    sc = r.scenario
    population: dict = {"source": sc.population.source, "addresses": len(r.addresses)}
    if loaded.population_file is not None:
        population |= {"file": str(loaded.population_file),
                       "sha256": _sha256(loaded.population_file.read_bytes())}
    return {
        "package": "versterking",
        "version": metadata.version("versterking"),
        "command": command,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "seed": sc.seed,
        "scenario": {
            "name": sc.name,
            "path": str(loaded.path),
            "sha256": loaded.content_hash,
            "files": loaded.files,
            "resolved": sc.model_dump(mode="json", by_alias=True),
        },
        "population": population,
        "run": {"end_day": r.end_time, "wall_seconds": round(r.wall_seconds, 3)},
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "dependencies": {d: metadata.version(d) for d in DEPENDENCIES},
        "outputs": {p.name: _sha256(p.read_bytes()) for p in sorted(folder.iterdir())},
    }
