"""The web app's folder: the scenarios a user saved (each extends one it started from) and the results
of every run, kept by what decides them (the scenario's content hash, the seed, the replications and
the version), so that opening a scenario again shows its results at once. Plain functions over the
package's API; the pages call them."""

from __future__ import annotations

import hashlib
import re
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import tomli_w

from .. import LoadedScenario, Progress, filenames, library_names, load_scenario, run, write_run
from ..errors import InputError
from ..version import __version__
from ..writing import atomic_file

NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,59}")
EDITED = "aanpassing"  # what the loader's errors call a change made in the app's forms


@dataclass(frozen=True)
class Workspace:
    folder: Path
    workers: int | None = None
    scheduler: str | None = None  # a Dask scheduler's address: runs go there

    @property
    def scenarios(self) -> Path:
        return self.folder / "scenarios"

    @property
    def results(self) -> Path:
        return self.folder / "resultaten"


def choices(ws: Workspace) -> list[dict[str, str]]:
    """The scenarios to pick from: the shipped library by name, then the user's saved files."""
    saved = sorted(ws.scenarios.glob("*.toml")) if ws.scenarios.is_dir() else []
    return ([{"label": name, "value": name} for name in library_names()]
            + [{"label": f"{p.stem} (eigen)", "value": str(p)} for p in saved])


def loaded(scenario: str, overrides: dict[str, Any] | None = None) -> LoadedScenario:
    """The scenario with the app's changes; an error names the change as `aanpassing: key: ...`."""
    return load_scenario(scenario, overrides or None, overrides_from=EDITED)


def results_folder(ws: Workspace, item: LoadedScenario, replications: int, seed: int | None) -> Path:
    """Where the results of this scenario, seed and number of replications are kept."""
    seed = item.scenario.seed if seed is None else seed
    key = hashlib.sha256(f"{item.content_hash}|{seed}|{replications}|{__version__}".encode()).hexdigest()
    return ws.results / f"{item.scenario.name}-{key[:12]}"


def cached(ws: Workspace, scenario: str, overrides: dict | None, replications: int, seed: int | None
           ) -> Path | None:
    folder = results_folder(ws, loaded(scenario, overrides), replications, seed)
    return folder if (folder / filenames.MANIFEST).exists() else None


def forecast(ws: Workspace, scenario: str, overrides: dict | None, replications: int, seed: int | None,
             progress: Progress = False) -> Path:
    """Run the scenario (unless its results are kept already) and keep its results folder."""
    item = loaded(scenario, overrides)
    folder = results_folder(ws, item, replications, seed)
    if not (folder / filenames.MANIFEST).exists():
        f = run(item, replications, seed, workers=ws.workers, scheduler=ws.scheduler, progress=progress)
        write_run(f, folder, force=True, command=["versterking", "app"])
    return folder


def report(folder: Path) -> Path:
    """The folder's HTML report (written once)."""
    page = folder / filenames.REPORT / filenames.REPORT_PAGE
    from .. import report  # matplotlib only when a report is asked for

    return page if page.exists() else report(folder, force=True)


def workbook(folder: Path) -> Path:
    path = folder.parent / f"{folder.name}.xlsx"
    if not path.exists():
        from .. import write_workbook  # openpyxl only when a workbook is asked for

        write_workbook(folder, path)
    return path


def archive(folder: Path) -> Path:
    """The results folder as one zip file."""
    path = folder.parent / f"{folder.name}.zip"
    if not path.exists():
        with atomic_file(path, force=False, what="zip file") as tmp:
            shutil.make_archive(str(tmp.with_suffix("")), "zip", folder.parent, folder.name)
            tmp.with_suffix(".zip").rename(tmp)
    return path


SAVED = " (aangepast in de app)"  # said once in a description, however often it is saved again


def save(ws: Workspace, parent: str, name: str, overrides: dict[str, Any]) -> Path:
    """A new scenario file in the workspace that extends `parent` with `overrides` (dotted keys). It is
    checked as a scenario before it is written; an existing file is never replaced."""
    if not NAME.fullmatch(name):
        raise InputError(f"naam: {name!r}: allowed are 1-60 lower-case letters, digits, '-' and '_', "
                         "starting with a letter or digit")
    path = ws.scenarios / f"{name}.toml"
    if path.exists() or name in library_names():
        raise InputError(f"naam: {name!r} exists already; choose another name")
    loaded(parent, overrides)  # every change checked as the command line checks a scenario
    base = loaded(parent)
    ws.scenarios.mkdir(parents=True, exist_ok=True)
    extends = base.extends_from(ws.scenarios)
    head = {"extends": extends, "name": name,
            "description": base.scenario.description.removesuffix(SAVED) + SAVED}
    # one dotted key a change, under the comment that says whose number it is (the app's "bron")
    text = (f"# Saved by `versterking app` (versterking {__version__}): {name} is {extends} with the "
            "changes below.\n\n" + tomli_w.dumps(head) + "\n"
            f"# ASSUMPTION: the user's what-if, entered in the app on {date.today()}; the sources of the\n"
            f"# other numbers are in {extends}.\n"
            + "".join(f"{key} = {_inline(value)}\n" for key, value in overrides.items()))
    with atomic_file(path, force=False, what="scenario file") as tmp:
        tmp.write_text(text, encoding="utf-8")
        load_scenario(tmp)  # the file as written must load (the same validation as on the command line)
    return path


def _inline(value: Any) -> str:
    """A value as TOML on one line (a table as an inline table)."""
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_inline(v)}" for k, v in value.items()) + " }"
    return tomli_w.dumps({"v": value})[len("v = "):].strip()
