"""The results folder: tables, event log, summary and manifest, written atomically."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import pandas as pd

from . import tables
from .address_dates import ADDRESSES, CLUSTERS, AddressDates, single_run
from .errors import InputError
from .model import RunResult
from .scenario import LoadedScenario

REPORT = "rapport"  # the report's subfolder: figures and rapport.html, made from the folder's files
DEPENDENCIES = ("simpy", "numpy", "pandas", "scipy", "pydantic", "click", "tqdm", "pyarrow", "distributed",
                "openpyxl", "SALib")


TABLE_FILES = {  # a run's tables (Tables' fields) and their files, for one run or many
    "milestones": "milestones_quarterly.csv",
    "production": "production_quarterly.csv",
    "end_dates": "end_dates.csv",
    "durations": "step_durations.csv",
    "resources": "resources_quarterly.csv",
    "bottlenecks": "bottlenecks.csv",
}


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
    """Fail before running, not after: an existing folder is never replaced without --force.
    First clear what a killed run left next to it."""
    _clear_leftovers(out.resolve())
    if out.exists() and not force:
        raise InputError(f"{out}: results folder exists; choose another --out or pass --force")
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: exists and is not a folder")
    _probe(out.resolve().parent)


def _probe(folder: Path) -> None:
    """Can a folder be made where the results go? Tried (and undone) on the nearest existing
    ancestor, because permission bits do not stop root, while a read-only disk or /proc does."""
    while not folder.exists():
        folder = folder.parent
    if not folder.is_dir():
        raise InputError(f"{folder}: is a file, so no results folder can be made below it")
    probe = folder / f".versterking-probe-{os.getpid()}"
    try:
        probe.mkdir()
        probe.rmdir()
    except OSError as exc:
        raise InputError(f"{folder}: cannot write the results folder here: {exc.strerror}") from None


def write_results(r: RunResult, t: Tables, loaded: LoadedScenario, out: Path, force: bool,
                  command: list[str], summary: str, report: bool = False) -> Path:
    with results_folder(out, force) as tmp:
        for name, file in TABLE_FILES.items():
            write_csv(getattr(t, name), tmp / file)
        tables.event_log(r).to_parquet(tmp / "events.parquet", index=False)
        with single_run(r) as dates:
            write_address_tables(dates, r.scenario.start, tmp)
        (tmp / "summary.txt").write_text(summary + "\n", encoding="utf-8")
        write_manifest(tmp, command, run_manifest(r, loaded))
        if report:
            write_report(tmp, tmp / REPORT)
    return out.resolve()


def write_csv(df: pd.DataFrame, path: Path) -> None:
    df.to_csv(path, index=False, float_format="%.4f", lineterminator="\n")


def write_address_tables(dates: AddressDates, start, folder: Path) -> None:
    """When is my house done: adressen.csv and clusters.csv (sim.address_dates)."""
    write_csv(dates.addresses(start), folder / ADDRESSES)
    write_csv(dates.clusters(start), folder / CLUSTERS)


def write_report(folder: Path, out: Path) -> Path:
    from .report import write_report as write  # matplotlib only when a report is asked for

    return write(folder, out)


@contextmanager
def results_folder(out: Path, force: bool):
    """Yield a temporary sibling folder to write into; move it into place in one rename at the end,
    or remove it if anything failed, so a results folder is always whole or absent."""
    check_writable(out, force)
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        yield tmp
        if out.exists():
            old = out.parent / f".{out.name}.old-{os.getpid()}"
            out.rename(old)
            tmp.rename(out)
            shutil.rmtree(old)
        else:
            tmp.rename(out)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, OSError) and exc.filename is None:
            exc.filename = str(out)  # a library's buffered write does not say which file
        raise


def _clear_leftovers(out: Path) -> None:
    """A run killed outright (SIGKILL, power cut) cannot remove its temporary sibling: remove those
    of processes that no longer exist. One killed between its two renames leaves the previous
    results as `.old-PID` and no folder: put them back."""
    for left in out.parent.glob(f".{out.name}.*-*"):
        kind, _, pid = left.name[len(out.name) + 2:].partition("-")
        if kind not in ("tmp", "old") or not pid.isdigit() or _alive(int(pid)):
            continue
        if kind == "old" and not out.exists():
            left.rename(out)
        else:
            shutil.rmtree(left, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether it exists
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, but is someone else's
        pass
    return True


def write_manifest(folder: Path, command: list[str], content: dict) -> None:
    """manifest.json: what was run and with what, plus a checksum of every file written before it."""
    manifest = {
        "package": "versterking",
        "version": metadata.version("versterking"),
        "command": command,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        **content,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "dependencies": {d: metadata.version(d) for d in DEPENDENCIES},
        "outputs": {p.name: _sha256(p.read_bytes()) for p in sorted(folder.iterdir())},
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str) + "\n",
                                          encoding="utf-8")


def scenario_manifest(loaded: LoadedScenario, sc=None) -> dict:
    """The scenario as files (the extends chain, verbatim) and as resolved values."""
    sc = sc or loaded.scenario
    return {
        "name": sc.name,
        "path": str(loaded.path),
        "sha256": loaded.content_hash,
        "files": loaded.files,
        "resolved": sc.model_dump(mode="json", by_alias=True),
    }


def population_manifest(loaded: LoadedScenario, addresses: int) -> dict:
    population: dict = {"source": loaded.scenario.population.source, "addresses": addresses}
    if loaded.population_file is not None:
        population |= {"file": str(loaded.population_file),
                       "sha256": file_sha256(loaded.population_file)}
    return population


def file_sha256(path: Path | None) -> str | None:
    return _sha256(path.read_bytes()) if path is not None else None


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def run_manifest(r: RunResult, loaded: LoadedScenario) -> dict:
    return {
        "seed": r.scenario.seed,
        "scenario": scenario_manifest(loaded, r.scenario),
        "population": population_manifest(loaded, len(r.addresses)),
        "run": {"end_day": r.end_time, "wall_seconds": round(r.wall_seconds, 3)},
    }
