"""Reading a results folder back: its tables as the figures, the report and the web app draw them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def read_table(folder: Path, name: str) -> pd.DataFrame:
    """A table of the folder with a `statistiek` column; a single run's values count as every
    statistic (there is no spread to show)."""
    df = pd.read_csv(folder / name)
    if "peildatum" in df.columns:
        df["peildatum"] = pd.to_datetime(df["peildatum"])
    if "statistiek" not in df.columns:
        df = pd.concat([df.assign(statistiek=s) for s in ("gemiddeld", "P10", "P50", "P90")],
                       ignore_index=True)
    return df
