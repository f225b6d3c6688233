"""Benchmark: the fit of 2018 - 2020 (`versterking calibrate`, checked as CI checks it), the fit of
2020 - 2024 (`versterking calibrate --history`) and the backtest from every published stand, before and
after the method learns (`versterking backtest ... --learn`), each in a scratch folder as a user runs
them. Prints wall times against the targets of issue 37 and the backtest's verdict per origin, not
asserted.

    python bench/bench_history.py           # about 15 minutes on 2 cores
    python bench/bench_history.py --quick   # the backtest from 31 Oct 2021 only, 10 replications
    python bench/bench_history.py --keep D  # and keep the scratch folder as D (the docs' chart)
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ORIGINS = ["verwachting", "vanaf-2021-10-31", "vanaf-2022-12-31", "vanaf-2023-11-30"]
TARGET = {"calibrate": 5.0, "calibrate --history": 5.0, "backtest": 15.0}  # minutes on 2 cores (issue 37)
BEFORE = {"calibrate": "22.7 min on 4 Dec 2026 (the search on the simulation, now --method simulatie: 352 "
                       "evaluations of 4 replications a fit; fit and backtest one after the other)",
          "calibrate --history": "2.3 min on 6 Dec 2026 (618 flow-model runs, 3 rounds of 4 replications)"}
CLI = [sys.executable, "-c", "from versterking.cli import main; main()"]


def timed(args: list[str], cwd: Path) -> float:
    began = time.perf_counter()
    subprocess.run([*CLI, *args], check=True, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return (time.perf_counter() - began) / 60


def main(quick: bool, keep: Path | None) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        here = Path(scratch) if keep is None else keep
        here.mkdir(parents=True, exist_ok=True)
        if not quick:
            minutes = timed(["calibrate", "--scenario", "gekalibreerd.toml", "--report", "rapport-2018"],
                            here)
            check = subprocess.run([*CLI, "calibrate", "--check", "--scenario", "gekalibreerd.toml"],
                                   cwd=here, capture_output=True, text=True)
            held = [line.strip() for line in check.stdout.splitlines() if "getoetste cellen" in line]
            print(f"calibrate: {minutes:.1f} min (target {TARGET['calibrate']:.0f}); its fit checked: "
                  f"{held[0] if held else check.stdout[-200:]}\n  before: {BEFORE['calibrate']}")
            fit = ["calibrate", "--history", "--scenario", "historie.toml", "--report", "rapport"]
            minutes = timed(fit, here)
            print(f"calibrate --history: {minutes:.1f} min (target {TARGET['calibrate --history']:.0f}); "
                  f"before: {BEFORE['calibrate --history']}")
        origins, replications = (ORIGINS[1:2], 10) if quick else (ORIGINS, 50)
        backtest = ["backtest", *origins, "--learn", "--replications", str(replications), "--out", "bt"]
        minutes = timed(backtest, here)
        print(f"backtest of {len(origins)} origin(s) with --learn, {replications} replications: "
              f"{minutes:.1f} min (target {TARGET['backtest']:.0f} for all four)")
        summary = pd.read_csv(here / "bt" / "backtest_samenvatting.csv")
        whole = summary[summary["maat"] == "alle"]
        print(whole[["scenario", "vanaf stand", "cijfers", "binnen", "fout (punten)", "breedte (punten)"]]
              .to_string(index=False, float_format=lambda x: f"{x:.2f}"))


if __name__ == "__main__":
    args = sys.argv[1:]
    main("--quick" in args, Path(args[args.index("--keep") + 1]) if "--keep" in args else None)
