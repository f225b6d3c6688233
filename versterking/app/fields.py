"""The numbers a user types beside a scenario in the web app (replications, seed, a share, extra
slots, a date), read by the command line's rules (versterking.limits, the schema's bounds) into a value,
or refused with one Dutch line that names the field: never silently replaced by a default."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from ..errors import InputError

WHOLE = re.compile(r"[+-]?\d+")


def span(bounds: tuple[float, float]) -> str:
    """A field's hint: `1 tot en met 1.000`."""
    return f"{_nl(bounds[0])} tot en met {_nl(bounds[1])}"


def whole(text: Any, label: str, bounds: tuple[int, int]) -> int:
    allowed = f"een geheel getal van {span(bounds)}"
    low, high = bounds
    value = _text(text)
    if not value:
        raise InputError(f"{label}: leeg; vul {allowed} in")
    if not WHOLE.fullmatch(value):
        raise InputError(f"{label}: {value!r} is geen geheel getal; toegestaan: {allowed}")
    if not low <= int(value) <= high:
        raise InputError(f"{label}: {_nl(int(value))} ligt buiten het toegestane; toegestaan: {allowed}")
    return int(value)


def optional_whole(text: Any, label: str, bounds: tuple[int, int]) -> int | None:
    """Empty is None (the scenario's own value)."""
    return None if not _text(text) else whole(text, label, bounds)


def share(text: Any, label: str, bounds: tuple[float, float]) -> float:
    """A share above low and at most high, written 0,9 or 0.9."""
    low, high = bounds
    allowed = f"een getal groter dan {_nl(low)} en ten hoogste {_nl(high)} (bijv. 0,9)"
    value = _text(text).replace(",", ".")
    try:
        x = float(value)
    except ValueError:
        raise InputError(f"{label}: {_text(text)!r} is geen getal; toegestaan: {allowed}") from None
    if not (math.isfinite(x) and low < x <= high):
        raise InputError(f"{label}: {_text(text)} ligt buiten het toegestane; toegestaan: {allowed}")
    return x


def day(text: Any, label: str, first: date, last: date) -> date:
    allowed = f"een datum JJJJ-MM-DD van {first} tot en met {last}"
    value = _text(text)
    try:
        d = date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{label}: {value!r} is geen datum; toegestaan: {allowed}") from None
    if not first <= d <= last:
        raise InputError(f"{label}: {d} ligt buiten het toegestane; toegestaan: {allowed}")
    return d


def read(parse: Callable[..., Any], *args: Any) -> tuple[Any, str]:
    """A field read by `parse` (one of the above): its value and "", or None and its error line."""
    try:
        return parse(*args), ""
    except InputError as exc:
        return None, str(exc)


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a number field's 20.0 is 20
    return "" if value is None else str(value).strip()


def _nl(x: float) -> str:
    """A number as the Dutch write it: 100.000, 0,9."""
    if float(x).is_integer():
        return f"{int(x):,}".replace(",", ".")
    return f"{x:g}".replace(".", ",")
