"""Loading a scenario: TOML files that may `extends` another, merged key by key and validated, with
every error as one line naming the file that set the key. A scenario is a path, or the name of a
scenario in the shipped library (`versterking scenarios` lists them); a file may extend one by name
(`extends = "basis"`), so a what-if needs no copy of the library.

Scenario files are data: they are parsed with tomllib and validated by pydantic; nothing in them is
evaluated or imported.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import InputError
from .files import read_text
from .package_data import library_names, library_path, scenario_library
from .scenario import Scenario
from .uncertain import is_uncertain, put, take_uncertain

VARY = "--vary"  # where overrides say they come from in errors and manifests

MAX_EXTENDS_DEPTH = 20
MAX_SCENARIO_BYTES = 4_000_000  # an empirical table of 100,000 durations fits easily


@dataclass(frozen=True)
class LoadedScenario:
    """A validated scenario plus what a manifest needs to reproduce it."""

    scenario: Scenario
    path: Path
    files: dict[str, str]  # every file of the extends chain -> its text; names relative to the first
    # file's folder, or "<library>/<name>.toml" for a library file reached by `extends = "<name>"`
    population_file: Path | None

    @property
    def library_name(self) -> str | None:
        """The name of a scenario of the shipped library (what `extends = "<name>"` takes), else None."""
        return self.path.stem if self.path.resolve().parent == scenario_library() else None

    def extends_from(self, folder: Path) -> str:
        """What a scenario file in `folder` writes to extend this one: the library name, or the path
        relative to the folder (which must hold it, or hold it below)."""
        if self.library_name is not None:
            return self.library_name
        if not self.path.resolve().is_relative_to(folder.resolve()):
            raise InputError(f"{folder}: a scenario here cannot extend {self.path}, which lies outside it; "
                             "write it in that file's folder (or below), or extend a library scenario")
        return Path(os.path.relpath(self.path.resolve(), folder.resolve())).as_posix()

    @property
    def content_hash(self) -> str:
        h = hashlib.sha256()
        for name, text in self.files.items():
            h.update(name.encode() + b"\0" + text.encode() + b"\0")
        return h.hexdigest()


def load_scenario(scenario: str | Path, overrides: dict[str, Any] | None = None, *,
                  overrides_from: str = VARY) -> LoadedScenario:
    """Read, merge (`extends`) and validate a scenario (a path, or a name from the shipped library);
    raise InputError naming file and key. `overrides` (dotted key -> value, e.g. a sweep point) are
    merged last, as if from one more file, which errors name `overrides_from` (the command line's
    option, or the web app's form); they are kept with the files, so the content hash covers them."""
    path = scenario_path(scenario)
    files: dict[str, str] = {}
    origin: dict[tuple, Path] = {}
    merged = _read_chain(path.resolve(), files, origin, chain=(), folder=path.resolve().parent)
    files = {_key(Path(f), path.resolve().parent): text for f, text in files.items()}
    if overrides:
        nested: dict = {}
        for key, value in overrides.items():
            *parents, last = key.split(".")
            here = nested
            for part in parents:
                here = here.setdefault(part, {})
            here[last] = value
        _merge(merged, nested, origin, Path(overrides_from), ())
        files[VARY] = json.dumps(overrides, sort_keys=True, default=str)
    scenario = _validated(merged, origin, path)
    population_file = None
    if scenario.population.file is not None:
        population_file = _address_file(_file_for(("population", "file"), origin, path.resolve()),
                                        scenario.population.file, Path(overrides_from),
                                        stand=scenario.population.source == "stand")
    return LoadedScenario(scenario, path, files, population_file)


def _address_file(where: Path, name: str, overrides: Path, stand: bool = False) -> Path:
    """The address (or stand) file lies where `extends` may reach: in the folder of the scenario file
    that names it or below (an app's saved scenario cannot point at the server's files), and is CSV or
    Parquet (a stand: TOML). One given as an override (`--vary`, the Python API) is the caller's own
    path, relative to here."""
    folder = where.parent.resolve()
    target = (folder / name).resolve()
    suffixes, kind = ((".toml",), "a .toml stand file") if stand else ((".csv", ".parquet"),
                                                                        "a .csv or .parquet file")
    if Path(name).suffix.lower() not in suffixes:
        what = "a stand" if stand else "an address"
        raise InputError(f"{where}: population.file: {_short(name)} is not {what} "
                         f"file; allowed: {kind} in the scenario's folder or below it")
    if where != overrides and not target.is_relative_to(folder):
        raise InputError(f"{where}: population.file: {_short(name)} lies outside the scenario's folder "
                         f"{folder}; allowed: a file in that folder or below it (copy the file there)")
    return target


def _validated(merged: dict, origin: dict, path: Path) -> Scenario:
    """The scenario at the point values of its uncertain numbers, checked also with all of them at
    their low and at their high ends, so that a range that leaves what a key allows is refused here
    and not in the middle of a run."""
    if "uncertain" in merged:
        raise InputError(f"{_file_for(('uncertain',), origin, path)}: uncertain: not a key of a scenario; "
                         "write a distribution in place of a number (docs/reference/scenario-files.md)")
    parameters = take_uncertain(merged, lambda loc: str(_file_for(loc, origin, path)))
    try:
        scenario = Scenario.model_validate({**merged, "uncertain": parameters})
    except ValidationError as exc:
        raise InputError(_describe(exc, origin, path)) from None
    for end, label in ((0, "low"), (1, "high")) if parameters else ():  # wrong only at an end of a range
        extreme = put(copy.deepcopy(merged), parameters, lambda p, end=end: p.spec.ends()[end])
        try:
            Scenario.model_validate(extreme)
        except ValidationError as exc:
            raise InputError(f"{_describe(exc, origin, path)} with the uncertain numbers at their {label} "
                             "end") from None
    return scenario


def scenario_path(scenario: str | Path) -> Path:
    """The file of a scenario: the path as given, or for a bare name (no folder, no suffix) that is no
    file here, the shipped scenario of that name."""
    path = Path(scenario)
    if not _bare(str(scenario)) or _is_there(path):
        return path
    shipped = library_path(path.name)
    if shipped is None:
        raise InputError(f"{scenario}: no such file, nor a scenario of that name in the library; the "
                         f"library has: {', '.join(library_names())}")
    return shipped


def _is_there(path: Path) -> bool:
    try:
        return path.exists()
    except (OSError, ValueError):  # a NUL byte, a name too long: the file reader says so in one line
        return True


def as_loaded(scenario: LoadedScenario | str | Path) -> LoadedScenario:
    """A scenario as the API takes it: loaded already, or a file or a library name to load."""
    return scenario if isinstance(scenario, LoadedScenario) else load_scenario(scenario)


def library() -> list[LoadedScenario]:
    """Every scenario of the shipped library, loaded (so each is valid), in name order."""
    return [load_scenario(name) for name in library_names()]


LIBRARY = "<library>"  # where a manifest says a file of the shipped library came from


def _key(file: Path, folder: Path) -> str:
    """A file of the chain as the manifest names it: relative to the scenario's folder, or (reached by
    `extends = "<name>"`) as a file of the shipped library, so that the content hash is the same on
    every machine."""
    if file.is_relative_to(folder):
        return str(file.relative_to(folder))
    return f"{LIBRARY}/{file.relative_to(scenario_library())}"


def _bare(name: str) -> bool:
    """A name with no folder and no suffix: a scenario of the library, unless a file of that name is there."""
    return not Path(name).suffix and len(Path(name).parts) == 1


def _read_chain(path: Path, files: dict, origin: dict, chain: tuple, folder: Path) -> dict:
    """Read `path` and what it extends; `folder` is where the chain may take its files from (the
    scenario's folder, or the library's once the chain extends a library scenario by name)."""
    if path in chain:
        loop = " -> ".join(p.name for p in (*chain, path))
        raise InputError(f"{chain[-1]}: extends: circular extends ({loop})")
    if len(chain) >= MAX_EXTENDS_DEPTH:
        raise InputError(f"{path}: extends: chain deeper than {MAX_EXTENDS_DEPTH} files")
    where = f"{chain[-1]}: extends" if chain else "scenario"
    text = read_text(path, MAX_SCENARIO_BYTES, where, "a scenario is a TOML file")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: invalid TOML: {exc}") from None
    except RecursionError:
        raise InputError(f"{path}: invalid TOML: arrays or tables nested too deeply") from None
    files[str(path)] = text
    parent = data.pop("extends", None)
    base: dict = {}
    if parent is not None:
        if not isinstance(parent, str) or not parent or "\0" in parent:
            raise InputError(f"{path}: extends: must be a file name (got {_short(parent)})")
        target = (path.parent / parent).resolve()
        shipped = library_path(parent) if _bare(parent) and not _is_there(target) else None
        if shipped is not None:  # extends = "basis": the library's basis
            folder = scenario_library()
            target = shipped.resolve()
        elif not target.is_relative_to(folder):
            raise InputError(f"{path}: extends: {parent!r} lies outside the scenario's folder {folder}; "
                             "allowed: a file in that folder or below it (copy the file there), or a "
                             f"scenario of the library by name (extends = \"basis\")")
        base = _read_chain(target, files, origin, (*chain, path), folder)
    _merge(base, data, origin, path, ())
    return base


def _merge(base: dict, override: dict, origin: dict, path: Path, prefix: tuple) -> None:
    """Tables merge key by key; a distribution (a table with `dist` or `uncertain`) and any other
    value, lists included, replace the inherited one whole, except a table whose keys are positions in
    the inherited list. `origin` records which file set each key."""
    for key, value in override.items():
        here = (*prefix, key)
        if isinstance(value, dict) and isinstance(base.get(key), dict) and "dist" not in value \
                and not is_uncertain(value):
            _merge(base[key], value, origin, path, here)
        elif isinstance(value, dict) and isinstance(base.get(key), list) and value \
                and all(map(str.isdigit, value)):
            _merge_positions(base[key], value, origin, path, here)
        else:
            base[key] = value
            for old in [k for k in origin if k[: len(here)] == here]:
                del origin[old]
        origin[here] = path


def _merge_positions(items: list, change: dict, origin: dict, path: Path, key: tuple) -> None:
    """A list changed by position (`capacity.1.value = 300`, in a file or an override): that element
    merged as a table would be, the rest of the list kept."""
    for position, value in change.items():
        if int(position) >= len(items):
            raise InputError(f"{path}: {'.'.join(key)}.{position}: no such position; the list has "
                             f"{len(items)} (0 to {len(items) - 1})")
        element = {position: items[int(position)]}
        _merge(element, {position: value}, origin, path, key)
        items[int(position)] = element[position]


def _file_for(loc: tuple, origin: dict, default: Path) -> Path:
    for n in range(len(loc), 0, -1):
        if loc[:n] in origin:
            return origin[loc[:n]]
    return default


def _describe(exc: ValidationError, origin: dict, path: Path) -> str:
    """One line: the file that set the key, the key path, what is wrong, what is allowed."""
    errors = exc.errors()
    err = max(errors, key=lambda e: len(e["loc"]))  # of a union's attempts, the one that got furthest
    loc = tuple(str(p) for p in err["loc"] if not _is_union_tag(p))
    key = ".".join(loc) or "(top level)"
    file = _file_for(loc, origin, path)
    if err["type"] == "extra_forbidden":
        allowed = _allowed_keys(loc[:-1])
        what = "unknown key" + (f"; allowed: {', '.join(allowed)}" if allowed else "")
    elif err["type"] == "missing":
        what = "missing key"
    elif isinstance(err.get("input"), dict | list):  # a table's own check: the message says what
        what = err["msg"].removeprefix("Value error, ")
    else:
        what = f"{err['msg'].removeprefix('Value error, ')} (got {_short(err.get('input'))})"
    n_more = len({tuple(e["loc"][:2]) for e in errors}) - 1  # a union's attempts count once
    more = f" (and {n_more} more problems)" if n_more > 0 else ""
    return f"{file}: {key}: {what}{more}"


_UNION_TAGS = {"fixed", "exponential", "lognormal", "gamma", "triangular", "empirical"}


def _is_union_tag(part: Any) -> bool:
    """pydantic's names for the branches of a union, which are not keys of the file."""
    return isinstance(part, str) and (
        part in _UNION_TAGS or "[" in part or part.startswith(("function-", "constrained-"))
    )


def _allowed_keys(loc: tuple) -> list[str]:
    model: Any = Scenario
    for part in loc:
        if part.isdigit():
            continue
        field = getattr(model, "model_fields", {}).get(part)
        if field is None:
            return []
        model = _model_of(field.annotation)
        if model is None:
            return []
    return [f.alias or name for name, f in model.model_fields.items()
            if not (model is Scenario and name == "uncertain")]  # the loader's, from the ranges: no key


def _model_of(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


def _short(value: Any) -> str:
    text = value.isoformat() if isinstance(value, date) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
