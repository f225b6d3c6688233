"""Golden back tests: the end dates and the milestones per quarter of basis and of a small scenario with
every measure on, one run and five replications, held cell for cell against tests/golden/ (written by
tests/regenerate_golden.py). A restructure that changes none of the numbers passes; any change of the
numbers fails until the files are regenerated on purpose."""

from __future__ import annotations

import pandas as pd
import pytest
from regenerate_golden import CASES, golden_file, produce, read

pytestmark = pytest.mark.no_cover  # full runs of basis, compared cell for cell: numbers, not code paths

CASE_IDS = [f"{scenario}-{replications}" for scenario, replications in CASES]


@pytest.mark.parametrize(("scenario", "replications"),
                         [pytest.param(s, r, marks=[pytest.mark.slow] if s == "basis" else [])
                          for s, r in CASES], ids=CASE_IDS)
def test_tables_equal_the_golden_files(scenario, replications, tmp_path):
    for table, df in produce(scenario, replications, tmp_path / "run").items():
        expected = read(golden_file(scenario, replications, table))
        pd.testing.assert_frame_equal(df, expected, check_exact=True,
                                      obj=f"{scenario}-{replications} {table}")
