"""Simulation time is days (float) since the scenario's start date; this module converts."""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pandas as pd


def days_since(start: date, day: date) -> float:
    return float((day - start).days)


def date_at(start: date, t: float) -> date | None:
    """The calendar day on which simulation time t falls (None for NaN: never happened)."""
    if t is None or math.isnan(t):
        return None
    return start + timedelta(days=math.floor(t))


def dates_at(start: date, t: np.ndarray) -> np.ndarray:
    """Vectorised date_at as datetime64[D]; NaN becomes NaT."""
    t = np.asarray(t, dtype=float)
    out = np.full(t.shape, np.datetime64("NaT"), dtype="datetime64[D]")
    ok = ~np.isnan(t)
    out[ok] = np.datetime64(start, "D") + np.floor(t[ok]).astype("timedelta64[D]")
    return out


def quarter_ends(first: date, last: date) -> list[date]:
    """Quarter ends (31-3, 30-6, 30-9, 31-12) from the one on/after `first` to the one on/after `last`."""
    ends = []
    year, q = first.year, (first.month - 1) // 3 + 1
    while True:
        end = _quarter_end(year, q)
        ends.append(end)
        if end >= last:
            return ends
        year, q = (year + 1, 1) if q == 4 else (year, q + 1)


def _quarter_end(year: int, q: int) -> date:
    return date(year, 12, 31) if q == 4 else date(year, 3 * q + 1, 1) - timedelta(days=1)


def quarter_label(day: date) -> str:
    return f"Q{(day.month - 1) // 3 + 1} {day.year}"


NOT_REACHED = "na de horizon"


def dutch_number(x: float) -> str:
    """A whole number as the dashboard writes it: 26.716."""
    return f"{x:,.0f}".replace(",", ".")


def dutch_date(value, missing: str = NOT_REACHED) -> str:
    """A day as the dashboard writes it (dd-mm-jjjj): a date, or an ISO date as a results CSV holds it.
    Nothing (None, NaN, NaT, empty) means not reached before the horizon: `missing`."""
    if isinstance(value, str):
        if not value:
            return missing
        value = date.fromisoformat(value[:10])
    if value is None or pd.isna(value):
        return missing
    return value.strftime("%d-%m-%Y")


def quarter_dates(labels: pd.Series) -> pd.DatetimeIndex:
    """'Q3 2020' -> 2020-09-30."""
    return pd.PeriodIndex([f"{q[-4:]}{q[:2]}" for q in labels], freq="Q").end_time.normalize()
