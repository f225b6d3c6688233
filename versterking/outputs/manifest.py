"""manifest.json: what was run, with what, and a checksum of every file written, so that a reviewer
can reproduce a results folder to the byte (the same scenario files, seed and version)."""

from __future__ import annotations

import hashlib
import json
import platform
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import pandas as pd

from .. import filenames
from ..inputs.files import file_sha256
from ..inputs.loader import LoadedScenario
from ..inputs.scenario import Scenario
from ..runs.draws import in_use
from ..version import __version__

DEPENDENCIES = ("simpy", "numpy", "pandas", "scipy", "pydantic", "click", "tqdm", "pyarrow", "distributed",
                "openpyxl", "SALib")


def write_manifest(folder: Path, command: list[str], content: dict) -> None:
    """`content` says what was run (`seed` is the root seed to pass to --seed); the rest is added:
    versions, the command, and a sha256 of every file already in `folder`."""
    manifest = {
        "package": "versterking",
        "version": __version__,
        "command": command,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        **content,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "dependencies": {d: metadata.version(d) for d in DEPENDENCIES},
        "outputs": {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                    for p in sorted(folder.iterdir()) if p.is_file()},
    }
    (folder / filenames.MANIFEST).write_text(json.dumps(manifest, indent=2, default=str) + "\n",
                                          encoding="utf-8")


def scenario_manifest(loaded: LoadedScenario, sc: Scenario | None = None) -> dict:
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


def uncertain_manifest(sc: Scenario, drawn: pd.DataFrame | None, at_mode: bool) -> dict:
    """The uncertain parameters: what each could be, how they were drawn, and each replication's
    values (a list per name, by replication)."""
    return {
        "parameters": [{"name": p.name, "key": p.key, "file": p.file, "whole": p.whole,
                        "distribution": p.spec.model_dump(exclude_none=True), "mode": p.point()}
                       for p in in_use(sc)],
        "draws": "at the modes" if at_mode or not in_use(sc) else
                 "Latin hypercube over the replications, one stream per parameter name "
                 "(versterking.runs.draws)",
        "values": {} if drawn is None else {c: drawn[c].tolist() for c in drawn.columns},
    }
