"""What a scenario's files say about each number they set: the comments that go with a key cite its
source or say ASSUMPTION with its reasoning. The web app shows them next to the values (the files
stay the one place they are written), and the test that every shipped number is cited reads them."""

from __future__ import annotations

import re
import tomllib
from typing import Any

import pandas as pd

from .loader import VARY, LoadedScenario

HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
KEY = re.compile(r"""^\s*([A-Za-z0-9_.\"-]+)\s*=\s*(.*)$""")
COLUMNS = ["bestand", "sleutel", "waarde", "bereik", "bron"]


def parameters(loaded: LoadedScenario) -> pd.DataFrame:
    """Every key the scenario's files set, the scenario's own file first and then what it extends
    (a key set in two files: the first row is the one in force), with its value in words (a range as
    its name and low - mode - high, not as TOML), the ranges at or under the key with the key each sits
    on, and the comments that go with it."""
    rows = []
    for name, text in loaded.files.items():
        if name == VARY:
            continue
        for key, value, comment in commented_keys(text):
            under = [p for p in loaded.scenario.uncertain if p.key == key or p.key.startswith(f"{key}.")]
            rows.append({"bestand": name, "sleutel": key, "waarde": readable(value),
                         "bereik": "; ".join(f"{p.name} op {p.key}: {_range(p)}" for p in under),
                         "bron": comment})
    return pd.DataFrame(rows, columns=COLUMNS)


def _range(p) -> str:
    spec = p.spec.model_dump()
    if {"low", "mode", "high"} <= spec.keys():
        return f"{spec['low']:g} - {spec['mode']:g} - {spec['high']:g} ({spec['uncertain']})"
    return ", ".join(f"{k} {v:g}" for k, v in spec.items() if isinstance(v, float | int)) + \
        f" ({spec['uncertain']})"


def readable(value: str) -> str:
    """A value as written in TOML, in words: a range as `name: low - mode - high`, a capacity list as
    `vanaf <date>: <value>; ...`, a table as `key value, ...`; what does not parse stays as written."""
    try:
        return _words(tomllib.loads(f"v = {value}")["v"])
    except (tomllib.TOMLDecodeError, ValueError, TypeError):
        return value


def _words(v: Any) -> str:
    if isinstance(v, dict) and {"uncertain", "low", "mode", "high"} <= v.keys():
        return f"{v.get('name', 'bereik')}: {_words(v['low'])} - {_words(v['mode'])} - {_words(v['high'])}"
    if isinstance(v, dict) and "uncertain" in v:
        return f"{v.get('name', 'bereik')}: " + ", ".join(f"{k} {_words(x)}" for k, x in v.items()
                                                        if k not in ("uncertain", "name"))
    if isinstance(v, dict) and "from" in v and "value" in v:
        return f"vanaf {v['from']}: {_words(v['value'])}" + "".join(
            f", {k} {_words(x)}" for k, x in v.items() if k not in ("from", "value"))
    if isinstance(v, dict):
        return ", ".join(f"{k} {_words(x)}" for k, x in v.items())
    if isinstance(v, list):
        return "; ".join(_words(x) for x in v)
    if isinstance(v, bool):
        return "ja" if v else "nee"
    if isinstance(v, int):
        return str(v)  # a seed stays 20200717, not 2.02007e+07
    if isinstance(v, float):
        return f"{v:g}" if v == 0 or 1e-4 <= abs(v) < 1e6 else str(v)
    return str(v)


def commented_keys(text: str) -> list[tuple[str, str, str]]:
    """(dotted key, value as written, its comments) for every key of a TOML text. The files write a
    comment block above the keys it cites (up to the next block or blank line) and a short comment
    beside a key that adds to it: a key gets both. An entry of an array of tables
    is numbered from 0 ([[inflow]] -> inflow.0.name). The comment that opens the file describes
    the file and goes with no key."""
    out: list[tuple[str, str, str]] = []
    table, counts = "", {}
    for number, paragraph in enumerate(re.split(r"\n\s*\n", text)):
        block: list[str] = []  # the latest comment block
        fresh = False  # that block is right above the coming key
        header_of_file = number == 0  # the file's opening comment describes the file, not a key
        pending: list | None = None  # a key whose value runs over several lines
        for line in paragraph.splitlines():
            code, _, note = line.partition("#")
            note = note.strip()
            if pending is not None:
                pending[1] += " " + code.strip()
                pending[2] += [note] if note else []
                if _balanced(pending[1]):
                    out.append((pending[0], pending[1].strip(), " ".join(pending[2])))
                    pending = None
                continue
            if not code.strip():
                if note and not header_of_file:
                    block = block + [note] if fresh else [note]
                    fresh = True
                continue
            header_of_file = False
            header = HEADER.match(line)
            if header:
                table = header.group(2).strip()
                if header.group(1) == "[[":
                    counts[table] = counts.get(table, -1) + 1
                    table = f"{table}.{counts[table]}"
                continue
            key = KEY.match(code)
            if key:
                name = key.group(1).replace('"', "")
                full = f"{table}.{name}" if table else name
                value = key.group(2).strip()
                notes = block + ([note] if note else [])
                fresh = False
                if _balanced(value):
                    out.append((full, value, " ".join(notes)))
                else:
                    pending = [full, value, notes]
    return out


def _balanced(value: str) -> bool:
    bare = re.sub(r'"[^"]*"', "", value)
    return bare.count("[") == bare.count("]") and bare.count("{") == bare.count("}")
