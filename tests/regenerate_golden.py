"""Regenerate the golden back-test files in tests/golden/ (end dates and milestones per quarter of basis and
of a small scenario with every measure on, one run and five replications).

    python tests/regenerate_golden.py

Only when a change of the numbers is intended, and say so in that commit: tests/test_golden.py holds
every other change to these tables as a failure.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from versterking.cli import main

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).resolve().parent / "golden"
SCENARIOS = {"basis": ROOT / "scenarios" / "basis.toml",
             "alle-maatregelen": GOLDEN / "alle-maatregelen.toml"}
CASES = [(scenario, replications) for scenario in SCENARIOS for replications in (1, 5)]
TABLES = ("end_dates.csv", "milestones_quarterly.csv")


def golden_file(scenario: str, replications: int, table: str) -> Path:
    return GOLDEN / f"{scenario}-{replications}-{table}.gz"


def produce(scenario: str, replications: int, out: Path) -> dict[str, pd.DataFrame]:
    """Run the case through the command line, as a user would, and read back its tables."""
    result = CliRunner().invoke(main, ["run", str(SCENARIOS[scenario]), "--replications", str(replications),
                                       "--out", str(out), "--no-progress"], catch_exceptions=False)
    if result.exit_code != 0:
        raise RuntimeError(result.output)
    return {table: read(out / table) for table in TABLES}


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, keep_default_na=False, dtype=str)


def main_() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for scenario, replications in CASES:
            tables = produce(scenario, replications, Path(tmp) / f"{scenario}-{replications}")
            for table, df in tables.items():
                path = golden_file(scenario, replications, table)
                df.to_csv(path, index=False, lineterminator="\n",
                          compression={"method": "gzip", "mtime": 0})
                print(f"{path.relative_to(ROOT)}: {len(df)} rows", file=sys.stderr)


if __name__ == "__main__":
    main_()
