"""The files that come with the package, found from an installed copy in any folder: the shipped
scenario library (the repository's scenarios/), the published figures the model is held against
(calibration/data/) and the embedded werkvoorraad (inputs/data/). pyproject.toml maps the first two
into the package as versterking.inputs.scenarios and versterking.inputs.published."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

SCENARIOS, PUBLISHED, EMBEDDED = "scenarios", "published", "data"  # folders of versterking/inputs/


def _folder(name: str) -> Path:
    folder = resources.files(__package__) / name
    if not isinstance(folder, Path) or not folder.is_dir():
        raise RuntimeError(
            f"versterking: the package data inputs/{name}/ is missing from {resources.files(__package__)}: "
            "this is the source tree, not an installed copy. Install it (`pip install .`, or for "
            "development `pip install -e . --config-settings editable_mode=strict`) and run Python from "
            "outside the repository's root")
    return folder


def scenario_library() -> Path:
    """The folder of the shipped scenarios."""
    return _folder(SCENARIOS)


def library_names() -> list[str]:
    """The shipped scenarios by name (the file name without .toml), sorted."""
    return sorted(p.stem for p in scenario_library().glob("*.toml"))


def library_path(name: str) -> Path | None:
    """The shipped scenario called `name`, if there is one."""
    path = scenario_library() / f"{name}.toml"
    return path if name in library_names() else None


def published(name: str) -> Path:
    """A table of published figures (calibration/data/ in the repository)."""
    return _folder(PUBLISHED) / name


def published_folder() -> Path:
    return _folder(PUBLISHED)


def embedded(name: str) -> str:
    """The text of a data file of the embedded werkvoorraad."""
    return embedded_path(name).read_text("utf-8")


def embedded_path(name: str) -> Path:
    return _folder(EMBEDDED) / name
