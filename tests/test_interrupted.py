"""Runs that survive: a run or sweep stopped half-way (Ctrl-C or SIGKILL) leaves no results folder
and no worker behind; a sweep started again finishes from its cache with the same table as one that
was never stopped. A disk that fills up, or a place that cannot be written, gives one line and no
half-written folder."""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from versterking.cli import main

# the command of the interpreter running the suite (the package it tests), not the first on PATH
VERSTERKING = str(Path(sys.executable).parent / "versterking")


def _start(*args) -> subprocess.Popen:
    return subprocess.Popen([VERSTERKING, *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _processes_mentioning(text: str) -> list[int]:
    """Live processes whose command line holds `text` (forked workers keep their parent's)."""
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmdline = (proc / "cmdline").read_bytes().decode(errors="replace")
                state = (proc / "stat").read_text().split(") ")[-1][:1]
            except OSError:
                continue
            if text in cmdline and state != "Z":
                found.append(int(proc.name))
    return found


def _wait_for(condition, seconds: float = 60.0) -> None:
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.05)


def _leftovers(out: Path) -> list[Path]:
    return sorted(out.parent.glob(f".{out.name}.*"))


def _as_from_a_terminal() -> None:
    """For the child: Ctrl-C as a terminal delivers it. A shell without job control starts a background
    command with SIGINT ignored, and that is inherited (`bash -c 'pytest & wait'`: the suite, and every
    run it starts, ignore it; Python then installs no KeyboardInterrupt handler, rightly). A CI runner may
    start the suite so: the run then went on after SIGINT, silently, until the test gave up."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
def test_a_stopped_run_leaves_nothing_behind(small, tmp_path, sig):
    out, said = tmp_path / "gestopt", tmp_path / "stderr.txt"
    # its output to a file, not a pipe the test reads only at the end (a full pipe would block it)
    with said.open("w") as stderr:
        proc = subprocess.Popen([VERSTERKING, "run", str(small), "--replications", "5000", "--workers", "2",
                                 "--out", str(out), "--no-progress"],
                                stdout=subprocess.DEVNULL, stderr=stderr, preexec_fn=_as_from_a_terminal)
    # the run and its two workers exist (forked workers carry the run's command line), and they
    # have started: the signal must land in the replications, not in the imports before them
    _wait_for(lambda: len(_processes_mentioning(str(out))) >= 3, 120)
    time.sleep(1.0)
    assert proc.poll() is None
    proc.send_signal(sig)
    try:
        proc.wait(timeout=180)
    except subprocess.TimeoutExpired:
        state = [line for line in (Path("/proc") / str(proc.pid) / "status").read_text().splitlines()
                 if line.startswith(("State", "Sig"))]
        proc.kill()
        pytest.fail(f"still running 180 s after {sig.name}: {state}; it said: {said.read_text()[-2000:]}")
    assert proc.returncode != 0
    _wait_for(lambda: not _processes_mentioning(str(out)), 30)  # no orphaned workers
    assert not out.exists()
    if sig == signal.SIGINT:
        assert not _leftovers(out)
        assert "Traceback" not in said.read_text()


def test_leftovers_of_a_killed_run_are_cleared_or_restored(small, tmp_path):
    """SIGKILL while writing leaves a hidden temporary sibling; between the two renames of a --force
    run, the previous results as `.old-PID` and no folder. The next run clears the first and puts
    the second back (and so refuses to replace it without --force)."""
    out = tmp_path / "r"
    dead = 2**22 + 12345  # above the default pid_max: no such process
    (tmp_path / f".r.tmp-{dead}").mkdir()
    (tmp_path / f".r.tmp-{dead}" / "half.csv").write_text("x")
    result = CliRunner().invoke(main, ["run", str(small), "--replications", "1", "--out", str(out)])
    assert result.exit_code == 0 and not _leftovers(out)
    shutil.move(out, tmp_path / f".r.old-{dead}")
    again = CliRunner().invoke(main, ["run", str(small), "--replications", "1", "--out", str(out)])
    assert again.exit_code == 2 and "results folder exists" in again.output
    assert (out / "manifest.json").exists() and not _leftovers(out)


@pytest.mark.slow
def test_a_killed_sweep_resumes_from_its_cache_to_the_same_table(small, tmp_path):
    grid = ["--vary", "resources.bouwcapaciteit.factor=1,1.5,2,2.5,3,4", "--replications", 120,
            "--workers", 2]
    whole = _start("sweep", small, *grid, "--cache", tmp_path / "cache-heel", "--out", tmp_path / "heel")
    assert whole.wait(timeout=600) == 0, whole.stderr.read()

    cache, out = tmp_path / "cache", tmp_path / "hervat"
    proc = _start("sweep", small, *grid, "--cache", cache, "--out", out)
    _wait_for(lambda: len(list(cache.glob("*.parquet"))) >= 2, 300)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    _wait_for(lambda: not _processes_mentioning(str(out)), 30)
    assert not out.exists()
    finished = {p.name for p in cache.glob("*.parquet")}
    assert 2 <= len(finished) < 6

    again = _start("sweep", small, *grid, "--cache", cache, "--out", out)
    assert again.wait(timeout=600) == 0, again.stderr.read()
    manifest = json.loads((out / "manifest.json").read_text())
    reused = {p["sha256"] + ".parquet" for p in manifest["points"] if p["uit_cache"]}
    assert reused == finished  # every finished point reused, none redone
    assert (out / "sweep.csv").read_bytes() == (tmp_path / "heel" / "sweep.csv").read_bytes()


def _file_size_limit(limit: int):
    """For the child: files may not grow beyond `limit` bytes, as on a full disk (EFBIG instead of
    ENOSPC; root cannot be kept from writing any other way without mounting a disk)."""
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write fails instead of killing us
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


@pytest.mark.parametrize("replications", [1, 3])
def test_a_full_disk_gives_one_line_and_no_half_written_folder(small, tmp_path, replications):
    out = tmp_path / "vol"
    result = subprocess.run([VERSTERKING, "run", small, "--replications", str(replications), "--workers", "1",
                             "--out", out, "--no-progress"], capture_output=True, text=True, timeout=300,
                            preexec_fn=_file_size_limit(4096))
    assert result.returncode == 1, result.stderr
    assert result.stderr.count("\n") == 1 and "File too large" in result.stderr, result.stderr
    assert result.stderr.startswith("versterking: error: cannot write ")
    assert not out.exists() and _leftovers(out) == []


def test_a_full_disk_during_an_export_leaves_no_half_workbook(small, tmp_path):
    out = tmp_path / "uit"
    ran = CliRunner().invoke(main, ["run", str(small), "--replications", "1", "--out", str(out)])
    assert ran.exit_code == 0
    before = sorted(tmp_path.iterdir())
    xlsx = tmp_path / "werkboek.xlsx"
    result = subprocess.run([VERSTERKING, "export", out, "--xlsx", xlsx], capture_output=True, text=True,
                            timeout=300, preexec_fn=_file_size_limit(4096))
    assert result.returncode == 1 and "File too large" in result.stderr, result.stderr
    assert sorted(tmp_path.iterdir()) == before


@pytest.mark.parametrize("where", ["/proc/uit", "/sys/uit/a", "{file}/uit"])
def test_a_place_that_cannot_be_written_is_refused_before_running(small, tmp_path, where):
    (tmp_path / "bestand").write_text("")
    out = where.format(file=tmp_path / "bestand")
    result = CliRunner().invoke(main, ["run", str(small), "--out", out])
    assert result.exit_code == 2 and result.output.count("\n") == 1, result.output
    assert "cannot write the results folder here" in result.output or "is a file" in result.output
    assert not Path(out).exists()
