"""The installed package, as a new user meets it: the suite imports the installed copy (not the source
tree), the shipped scenario library and the published figures come with it, and the command works
from an empty folder outside the repository."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import versterking
from versterking import InputError, load_scenario
from versterking.cli import main
from versterking.inputs.package_data import library_names, published, published_folder, scenario_library

ROOT = Path(__file__).resolve().parents[1]
VERSTERKING = Path(sys.executable).parent / "versterking"


def test_the_suite_tests_the_installed_package_not_the_source_tree():
    """`pytest` from the repository imports the installed copy: what the package leaves out (its
    package data) fails here, as it would for a user. (`python -m pytest` would put the repository
    first on sys.path and import the source tree.)"""
    assert not Path(versterking.__file__).resolve().is_relative_to(ROOT / "versterking")


def test_the_library_is_the_repositorys_scenarios_folder():
    shipped, data = ROOT / "scenarios", ROOT / "calibration" / "data"
    assert library_names() == sorted(p.stem for p in shipped.glob("*.toml"))
    for name in library_names():
        assert (scenario_library() / f"{name}.toml").read_bytes() == (shipped / f"{name}.toml").read_bytes()
    assert sorted(p.name for p in published_folder().glob("*.csv")) == sorted(
        p.name for p in data.glob("*.csv"))
    assert published("tabel_2_4.csv").read_bytes() == (data / "tabel_2_4.csv").read_bytes()


def test_a_scenario_is_a_path_or_a_name_from_the_library(tmp_path, monkeypatch):
    shipped = load_scenario("basis")
    assert shipped.path == scenario_library() / "basis.toml" and shipped.scenario.name == "basis"
    assert set(shipped.files) == {"basis.toml", "gekalibreerd.toml", "replay-2018.toml"}
    with pytest.raises(InputError, match="nor a scenario of that name in the library; the library has: "):
        load_scenario("bassis")
    monkeypatch.chdir(tmp_path)  # a file here of the same name wins over the library
    (tmp_path / "basis").write_text((ROOT / "tests" / "golden" / "alle-maatregelen.toml").read_text())
    shutil.copy(ROOT / "tests" / "golden" / "adressen.csv", tmp_path)
    assert load_scenario("basis").scenario.name == "alle-maatregelen"
    with pytest.raises(InputError, match="file not found"):
        load_scenario("elders/basis.toml")  # a path is never looked up in the library


def test_a_what_if_extends_a_library_scenario_by_name(tmp_path):
    """A file of one's own, anywhere: `extends = "basis"` takes the library's basis (and its chain),
    named in the manifest as library files, so the content hash is the same on every machine."""
    what_if = tmp_path / "bouw-plus-50.toml"
    what_if.write_text('extends = "basis"\nname = "bouw-plus-50"\n[resources.bouwcapaciteit]\nfactor = 1.5\n')
    loaded = load_scenario(what_if)
    assert loaded.scenario.resources.bouwcapaciteit.factor == 1.5 and loaded.scenario.seed == 20200717
    assert list(loaded.files) == ["bouw-plus-50.toml", "<library>/basis.toml", "<library>/gekalibreerd.toml",
                                  "<library>/replay-2018.toml"]
    assert loaded.files["<library>/basis.toml"] == (ROOT / "scenarios" / "basis.toml").read_text()
    (tmp_path / "basis").write_text('name = "eigen"')  # a file of that name is taken instead
    with pytest.raises(InputError, match="missing key"):
        load_scenario(what_if)


def test_versterking_scenarios_lists_the_library_with_each_description():
    result = CliRunner().invoke(main, ["scenarios"], catch_exceptions=False)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    for item in versterking.library():
        assert any(line.startswith(item.path.stem + " ") and line.endswith(item.scenario.description)
                   for line in lines), item.path.stem
    assert f"{len(library_names())} scenario's in " in result.output


@pytest.mark.slow
def test_the_installed_command_works_from_an_empty_folder(tmp_path):
    """A new user's session, far from the repository: a library scenario with --report, the export,
    the lookup and the calibration check need nothing but the installed package."""
    def versterking_(*args: str) -> str:
        done = subprocess.run([str(VERSTERKING), *args], cwd=tmp_path, capture_output=True, text=True,
                              timeout=600)
        assert done.returncode == 0, done.stderr
        return done.stdout

    out = versterking_("run", "basis", "--replications", "2", "--report", "--out", "r", "--no-progress")
    assert "26.716 adressen" in out and (tmp_path / "r" / "rapport" / "rapport.html").is_file()
    assert "werkboek" in versterking_("export", "r", "--xlsx", "r.xlsx") and (tmp_path / "r.xlsx").is_file()
    assert "Adres A001529" in versterking_("lookup", "r", "--address", "A001529")
    assert "25 van 25 getoetste cellen binnen tolerantie" in versterking_("calibrate", "--check")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r", "r.xlsx"]
