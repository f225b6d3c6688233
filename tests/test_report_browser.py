"""The report in a real browser: headless Chromium renders it offline, logs no console errors and
takes a screenshot (kept next to the report). Skipped only outside CI when Chromium is missing."""

from __future__ import annotations

import os
import shutil
import subprocess

import matplotlib.image as mpimg
import pytest
from click.testing import CliRunner

from versterking.cli import main

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--enable-logging=stderr", "--v=1"]  # v=1: console messages are logged as INFO:CONSOLE


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"), reason="Chromium not installed")
def test_report_renders_in_chromium_without_console_errors(small, tmp_path):
    assert CHROMIUM, "CI must have Chromium (see .ci/run)"
    out = tmp_path / "run"
    result = CliRunner().invoke(main, ["run", str(small), "--replications", "3", "--workers", "1",
                                       "--report", "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    shot = out / "rapport" / "screenshot.png"
    assert _console(out / "rapport" / "rapport.html", shot, tmp_path) == []
    # the same check does see an error when there is one
    canary = tmp_path / "canary.html"
    canary.write_text('<html><body><script>console.error("kapot")</script></body></html>')
    assert any("kapot" in line for line in _console(canary, tmp_path / "canary.png", tmp_path))
    image = mpimg.imread(shot)
    assert image.shape[:2] == (2000, 1100) and image[..., :3].std() > 0.05


def _console(page, shot, tmp_path) -> list[str]:
    proc = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
                           "--window-size=1100,2000", f"--screenshot={shot}", page.as_uri()],
                          capture_output=True, text=True, timeout=120)
    assert shot.exists(), proc.stderr[-2000:]
    return [line for line in proc.stderr.splitlines() if ":CONSOLE" in line]
