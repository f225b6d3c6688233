"""`versterking lookup`: when one address or one cluster reaches each milestone, read from a results
folder's adressen.csv / clusters.csv, in words a resident or a municipality can use."""

from __future__ import annotations

import difflib
import json
import textwrap
from pathlib import Path

import pandas as pd

from .. import filenames
from ..calendar import dutch_date
from ..domain import AHEAD, MILESTONES, OPNAME, VOLTOOID
from ..errors import InputError
from ..runs.address_dates import KANS, PERCENTILES, STRAAT, TE_VERSTERKEN
from .printout import runs


def lookup_text(folder: Path, address: str | None = None, cluster: str | None = None) -> str:
    """What `lookup` prints for one address or one cluster (exactly one of them) of a run's results
    folder."""
    if (address is None) == (cluster is None):
        raise InputError("lookup: give exactly one of --address ID and --cluster ID")
    manifest = _manifest(folder)
    addresses = _table(folder, filenames.ADDRESSES)
    horizon = dutch_date(manifest["scenario"]["resolved"]["horizon"])
    if address is not None:
        staying_out = manifest["scenario"]["resolved"]["shares"].get("niet_deelnemend", 0.0)
        row = _row(addresses, "address_id", address, folder / filenames.ADDRESSES)
        lines = _address(row, horizon, staying_out)
    else:
        row = _row(_table(folder, filenames.CLUSTERS), "cluster_id", cluster, folder / filenames.CLUSTERS)
        lines = _cluster(row, addresses[addresses["cluster_id"] == cluster], horizon)
    return "\n".join([*lines, "", *_footer(manifest)])


def _manifest(folder: Path) -> dict:
    path = folder / filenames.MANIFEST
    if not path.is_file():
        raise InputError(f"{folder}: not a results folder (no manifest.json); give the folder that "
                         "`versterking run` wrote")
    return json.loads(path.read_text(encoding="utf-8"))


def _table(folder: Path, name: str) -> pd.DataFrame:
    path = folder / name
    if not path.is_file():
        raise InputError(f"{path}: not found; this folder was written by `versterking compare` or an "
                         "older version; run `versterking run` again")
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _row(table: pd.DataFrame, key: str, value: str, path: Path) -> pd.Series:
    found = table[table[key] == value]
    if found.empty:
        close = difflib.get_close_matches(value, table[key].tolist(), n=3, cutoff=0.6)
        example = f"; e.g. {table[key].iloc[0]}" if len(table) else ""
        hint = f"; did you mean {', '.join(close)}?" if close else example
        raise InputError(f"{path}: {key} '{value}' not found among {len(table):,} rows{hint}")
    return found.iloc[0]


def _cells(row: pd.Series, name: str, horizon: str) -> list[str]:
    return [dutch_date(row[f"{name} {p}"], missing=f"na {horizon}") for p in PERCENTILES]


def _line(first: str, width: int, cells: list[str]) -> str:
    return (f"{first:<{width}}  " + "  ".join(f"{c:<13}" for c in cells)).rstrip()


def _milestone_table(row: pd.Series, held: int, horizon: str, title: str) -> list[str]:
    width = max(len(title), *(len(m) for m in AHEAD))
    lines = [_line(title, width, list(PERCENTILES))]
    for k, name in enumerate(AHEAD, start=1):
        lines.append(_line(name, width, ["al bereikt"] if k <= held else _cells(row, name, horizon)))
    return lines


def _address(row: pd.Series, horizon: str, staying_out: float = 0.0) -> list[str]:
    """`staying_out`: the share of owners who do not take part (of addresses not yet beoordeeld)."""
    held = MILESTONES.index(row["stand bij start"])
    lines = [f"Adres {row['address_id']}: gemeente {row['gemeente']}, cluster {row['cluster_id']}, "
             f"gebouw {row['building_id']}; risicoprofiel {row['risk_profile']}, {row['owner_type']}",
             f"Stand bij de start: {row['stand bij start']} (sinds {dutch_date(row['sinds'])})"]
    if held == VOLTOOID:
        return lines + ["Dit adres was bij de start al voltooid."]
    lines.append(f"Versterking nodig in {100 * float(row[KANS]):.0f}% van de replicaties "
                 "(anders voldoet het aan de norm of is geen beoordeling nodig).")
    if staying_out and held <= OPNAME:
        share = f"{100 * staying_out:.0f}%"
        lines.append(textwrap.fill(
            f"Doet de eigenaar niet mee (geen contact of weigering: in dit scenario rond {share} van de "
            f"adressen die nog niet beoordeeld zijn), dan blijft het adres open: 'na {horizon}'.", 100))
    return lines + ["", *_milestone_table(row, held, horizon, "mijlpaal")]


def _cluster(row: pd.Series, members: pd.DataFrame, horizon: str) -> list[str]:
    held = MILESTONES.index(row["stand bij start"])
    stand = members["stand bij start"].value_counts().reindex(MILESTONES).dropna().astype(int)
    width = max(12, *(len(a) for a in members["address_id"]))
    lines = [f"Cluster {row['cluster_id']}: gemeente {row['gemeente']}, {int(row['adressen'])} adressen",
             "Stand bij de start: " + ", ".join(f"{n} {m}" for m, n in stand.items()),
             "Verwacht aantal adressen dat nog versterkt wordt: "
             + f"{float(row[TE_VERSTERKEN]):.1f}".replace(".", ","),
             *_street(row),
             "", *_milestone_table(row, held, horizon, "hele cluster"), "",
             _line(f"{'adres':<{width}}  {'stand bij start':<16}", 0,
                   [f"voltooid {p}" for p in PERCENTILES] + ["kans versterking"])]
    for _, m in members.iterrows():
        done = m["stand bij start"] == MILESTONES[VOLTOOID]
        cells = ["al bereikt", "", "", ""] if done else [*_cells(m, AHEAD[-1], horizon),
                                                         f"{100 * float(m[KANS]):.0f}%"]
        lines.append(_line(f"{m['address_id']:<{width}}  {m['stand bij start']:<16}", 0, cells))
    return lines


def _street(row: pd.Series) -> list[str]:
    """How long the street stays unfinished (clusters.csv of earlier versions have no such column)."""
    p50, p90 = (row.get(f"{STRAAT} {p} (jaar)", "") for p in ("P50", "P90"))
    if not p50:
        return []
    return [f"Straat onaf (eerste tot laatste nog te voltooien adres voltooid): P50 {float(p50):.1f} jaar, "
            f"P90 {float(p90):.1f} jaar".replace(".", ",")]


def _footer(manifest: dict) -> list[str]:
    resolved = manifest["scenario"]["resolved"]
    n = manifest.get("replications", 1)
    spread = runs(n) if n > 1 else "1 run: P10 = P50 = P90"
    lines = [f"Scenario {resolved['name']} (seed {manifest['seed']}, {spread}; "
             f"versterking {manifest['version']}). Een mijlpaal telt als bereikt zodra het adres hem of "
             "een latere haalt (wie aan de norm voldoet, passeert planvorming en uitvoering bij voltooid)."]
    if manifest["population"]["source"] == "embedded":
        lines.append("Let op: het ingebouwde adressenbestand is een reconstructie uit de gepubliceerde "
                     "aantallen (SodM 2020), geen echte adressen; geef een eigen adresbestand voor echte.")
    return [textwrap.fill(line, 100) for line in lines]
