"""End to end through the command line, on the shipped basis scenario and on small ones."""

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import invoke

from versterking.cli import main
from versterking.outputs import folders

ROOT = Path(__file__).resolve().parents[1]
BASIS = ROOT / "scenarios" / "basis.toml"
CSVS = ["milestones_quarterly.csv", "production_quarterly.csv", "end_dates.csv", "step_durations.csv",
        "resources_quarterly.csv", "bottlenecks.csv", "bottlenecks_gemeente.csv", "adressen.csv",
        "clusters.csv"]



@pytest.fixture(scope="module")
def basis_runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("basis")
    a = invoke("run", BASIS, "--replications", 1, "--out", base / "a")
    b = invoke("run", BASIS, "--replications", 1, "--out", base / "b")
    assert a.exit_code == 0 and b.exit_code == 0, a.output + b.output
    return base, a.output


@pytest.mark.slow
def test_basis_prints_end_date_and_bottleneck(basis_runs):
    _, output = basis_runs
    assert "26.716 adressen" in output
    assert "voltooid: 95% op" in output and "knelpunt:" in output and "bouwcapaciteit" in output


@pytest.mark.slow
def test_basis_same_seed_gives_byte_identical_csvs(basis_runs):
    base, _ = basis_runs
    for name in CSVS:
        assert (base / "a" / name).read_bytes() == (base / "b" / name).read_bytes(), name


@pytest.mark.slow
def test_basis_milestone_table_starts_at_tabel_2_1_and_totals_26716(basis_runs):
    base, _ = basis_runs
    m = pd.read_csv(base / "a" / "milestones_quarterly.csv")
    totaal = m[m["niveau"] == "totaal"].set_index("kwartaal")
    start = totaal.loc["start"]
    # tabel 2.1 as stocks: 26,716 - 15,967 not started; 15,967 - 9,207 opgenomen; ...
    assert start[["nog niet gestart", "opname", "beoordeling", "planvorming", "uitvoering",
                  "voltooid"]].tolist() == [10749, 6760, 3646, 4060, 324, 1177]
    assert totaal.loc["Q3 2020", "totaal"] == 26716
    assert (totaal["totaal"] == 26716).all()
    assert set(m["niveau"]) == {"totaal", "risicoprofiel", "gemeente"}


@pytest.mark.slow
def test_basis_results_folder_has_everything_a_reviewer_needs(basis_runs):
    base, _ = basis_runs
    folder = base / "a"
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        CSVS + ["events.parquet", "manifest.json", "summary.txt", ".versterking-files"])
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["seed"] == 20200717 and manifest["scenario"]["name"] == "basis"
    assert "basis.toml" in manifest["scenario"]["files"]
    assert set(manifest["dependencies"]) >= {"simpy", "numpy", "pandas", "scipy"}
    assert manifest["outputs"].keys() >= set(CSVS)
    events = pd.read_parquet(folder / "events.parquet")
    assert {"address_id", "stap", "middel", "start", "einde"} <= set(events.columns)
    assert (events["einde"] >= events["start"]).all()
    assert not list(base.glob(".*tmp*"))


def test_refuses_to_overwrite_without_force(small):
    out = small.parent / "uit"
    assert invoke("run", small, "--out", out).exit_code == 0
    stamp = (out / "manifest.json").read_text()
    again = CliRunner().invoke(main, ["run", str(small), "--out", str(out)])
    assert again.exit_code == 2 and "results folder exists" in again.output
    assert (out / "manifest.json").read_text() == stamp
    assert invoke("run", small, "--out", out, "--force", "--seed", "3").exit_code == 0
    assert json.loads((out / "manifest.json").read_text())["seed"] == 3
    assert sorted(p.name for p in small.parent.iterdir() if p.name.startswith(".")) == []


def test_failure_while_writing_leaves_no_folder(small, monkeypatch):
    def broken(_):
        raise RuntimeError("disk full")

    monkeypatch.setattr(folders, "run_text", broken)  # the last file before the manifest
    out = small.parent / "uit"
    with pytest.raises(RuntimeError):
        invoke("run", small, "--replications", 1, "--out", out)
    assert not out.exists()
    assert not [p for p in small.parent.iterdir() if p.name.startswith(".uit")]


def test_validate(small):
    result = invoke("validate", small)
    assert result.exit_code == 0 and "ok (klein, 80 adressen" in result.output


def test_force_never_deletes_a_users_files(small, tmp_path, monkeypatch):
    """--force on what the tool did not write (a project folder, the current folder, a user's scenario
    or workbook, a folder named like the report) is one line, exit 2, and every file stays."""
    proj = tmp_path / "proj"
    (proj / "src").mkdir(parents=True)
    (proj / "src" / "main.py").write_text("print('mijn werk')\n")
    (proj / "notes.txt").write_text("niet weggooien\n")
    (proj / "mijn.toml").write_text('name = "mijn"\n')
    pd.DataFrame({"a": [1]}).to_excel(proj / "planning.xlsx", index=False)
    other = small.parent / "ander.toml"
    other.write_text('extends = "base.toml"\nname = "ander"\n')
    results = small.parent / "uit"
    assert invoke("run", small, "--out", results).exit_code == 0
    (results / "rapport").mkdir()
    (results / "rapport" / "eigen.txt").write_text("van mij\n")
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    monkeypatch.chdir(proj)
    cases = [
        ["run", small, "--out", proj], ["run", small, "--out", "."], ["compare", small, other, "--out", proj],
        ["sweep", small, "--vary", "seed=1,2", "--out", proj], ["sensitivity", small, "--out", proj],
        ["target", small, "--done-by", "2030-01-01", "--out", proj],
        ["target", small, "--done-by", "2030-01-01", "--scenario-out", "mijn.toml"],
        ["report", results], ["export", results, "--xlsx", "planning.xlsx"],
        ["calibrate", "--scenario", "mijn.toml"], ["calibrate", "--scenario", "x.toml", "--report", proj],
    ]
    for case in cases:
        result = invoke(*case, "--force")
        assert result.exit_code == 2, (case, result.output)
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and "not replaced: --force replaces only a" in lines[0], (case, result.output)
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


def test_without_a_terminal_a_run_says_a_line_per_tenth_done(small):
    """In a log (CI, a scheduler, a pipe) a long run is seen to be alive; --no-progress keeps it quiet."""
    result = CliRunner().invoke(main, ["run", str(small), "--replications", "5", "--out",
                                       str(small.parent / "uit")])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [f"  klein: {k} van 5 replicaties ({20 * k}%)" for k in range(1, 6)]
    quiet = CliRunner().invoke(main, ["run", str(small), "--replications", "5", "--no-progress", "--out",
                                      str(small.parent / "stil")])
    assert quiet.exit_code == 0 and quiet.stderr == ""
