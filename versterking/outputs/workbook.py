"""`versterking export --xlsx`: a results folder as one Excel workbook in the dashboard's layout
(seed 001: a row per quarter, a column per milestone), with real dates and numbers, Dutch headers and
frozen header rows and filters; per address and per cluster the milestone dates P10 / P50 / P90."""

from __future__ import annotations

import errno
import json
import os
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pandas as pd

from .. import filenames
from ..domain import ILLUSTRATIEF, MILESTONES, OPTIONAL_COLUMNS, VERSTERKT, VOLDOET
from ..errors import InputError
from ..runs.address_dates import PERCENTILES
from ..runs.aggregate import DATE_COLUMNS
from ..runs.tables import illustrative_groups
from ..writing import CREATOR, atomic_file


def _read(folder: Path, name: str, dates: tuple[str, ...] = ("peildatum",)) -> pd.DataFrame:
    return _as_dates(pd.read_csv(folder / name), dates)


def _as_dates(df: pd.DataFrame, columns) -> pd.DataFrame:
    """Date columns as dates (empty: not reached before the horizon, or already held)."""
    for column in columns:
        if column in df.columns:
            df[column] = [d.date() if pd.notna(d) else None for d in pd.to_datetime(df[column])]
    return df


def _pick(df: pd.DataFrame, statistic: str) -> pd.DataFrame:
    """One statistic of a replicated table (a single run's table as it is)."""
    if "statistiek" not in df.columns:
        return df
    return df[df["statistiek"] == statistic].drop(columns="statistiek")


def sheets(folder: Path) -> dict[str, pd.DataFrame]:
    """The workbook's sheets, in order."""
    m = _pick(_read(folder, filenames.MILESTONES), "gemiddeld")
    split = [VERSTERKT, VOLDOET] if VERSTERKT in m.columns else []  # older folders: voltooid whole
    columns = ["kwartaal", "peildatum", *MILESTONES, *split, "totaal"]
    out = {"Mijlpalen totaal": m[m["niveau"] == "totaal"][columns]}
    for level, title in (("risicoprofiel", "Mijlpalen risicoprofiel"), ("gemeente", "Mijlpalen gemeente")):
        assumed = level == "gemeente" and bool(illustrative_groups(m))
        marked = [ILLUSTRATIEF] if assumed else []  # only where the split is an assumption
        out[title] = m[m["niveau"] == level][["groep", *marked, *columns]].rename(columns={"groep": level})
    out["Einddatums"] = _read(folder, filenames.END_DATES, tuple(DATE_COLUMNS))
    out["Productie"] = _read(folder, filenames.PRODUCTION)
    out["Doorlooptijden"] = _read(folder, filenames.DURATIONS)
    out["Middelen"] = _read(folder, filenames.RESOURCES)
    out["Knelpunten"] = _read(folder, filenames.BOTTLENECKS)
    if (folder / filenames.BOTTLENECKS_GEMEENTE).is_file():  # folders of earlier versions have none
        out["Knelpunten gemeente"] = _read(folder, filenames.BOTTLENECKS_GEMEENTE)
    if (folder / filenames.DECOMPOSITION).is_file():  # uncertain parameters drawn: where the spread is from
        out["Spreiding"] = pd.read_csv(folder / filenames.DECOMPOSITION)
    for title, file in (("Adressen", filenames.ADDRESSES), ("Clusters", filenames.CLUSTERS)):
        if (folder / file).is_file():  # folders of older versions have no per-address dates
            ids = {c: str for c in ("address_id", "cluster_id", "building_id", "gemeente", *OPTIONAL_COLUMNS)}
            table = pd.read_csv(folder / file, dtype=ids)
            out[title] = _as_dates(table, [c for c in table.columns if c == "sinds" or c[-3:] in PERCENTILES])
    manifest = json.loads((folder / filenames.MANIFEST).read_text(encoding="utf-8"))
    out["Scenario"] = pd.DataFrame(_flatten(manifest["scenario"]["resolved"]), columns=["sleutel", "waarde"])
    return out


def _flatten(value, prefix: str = "") -> list[tuple[str, object]]:
    if isinstance(value, dict):
        return [row for k, v in value.items() for row in _flatten(v, f"{prefix}.{k}" if prefix else k)]
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return [row for i, v in enumerate(value) for row in _flatten(v, f"{prefix}[{i}]")]
    return [(prefix, value if isinstance(value, (int, float, str, bool, type(None))) else str(value))]


def write_workbook(folder: Path, path: Path, force: bool = False) -> Path:
    """The results folder of a run as one Excel workbook at `path` (.xlsx), written whole or not at
    all (versterking.writing): an interrupted export leaves no half workbook."""
    if not (folder / filenames.MILESTONES).is_file() or not (folder / filenames.MANIFEST).is_file():
        raise InputError(f"{folder}: not the results folder of a run (no {filenames.MILESTONES} or "
                         f"{filenames.MANIFEST})")
    if path.suffix.lower() != ".xlsx":
        raise InputError(f"--xlsx: {path}: the file name must end in .xlsx")
    with atomic_file(path, force, "workbook") as tmp, _disk_errors(tmp), \
            pd.ExcelWriter(tmp, engine="openpyxl") as writer:
        writer.book.properties.creator = CREATOR  # how --force knows the workbook is the tool's
        for name, df in sheets(folder).items():
            df.to_excel(writer, sheet_name=name, index=False, freeze_panes=(1, 0))
            sheet = writer.sheets[name]
            sheet.auto_filter.ref = sheet.dimensions  # filter per gemeente, cluster, street
            for cells in sheet.columns:
                width = max(len(str(c.value)) if c.value is not None else 0 for c in cells[:200])
                sheet.column_dimensions[cells[0].column_letter].width = min(max(width, 8) + 2, 50)
                for c in cells[1:]:
                    if isinstance(c.value, date):
                        c.number_format = "DD-MM-YYYY"
    return path


@contextmanager
def _disk_errors(path: Path):
    """With lxml installed openpyxl writes through it, and a full disk comes as lxml's
    SerialisationError("IO_EFBIG") instead of an OSError: turn it back into the OSError it is."""
    try:
        yield
    except Exception as exc:
        lxml_io = type(exc).__name__ == "SerialisationError" and str(exc).startswith("IO_")
        code = getattr(errno, str(exc)[3:], None) if lxml_io else None
        if code is None:
            raise
        raise OSError(code, os.strerror(code), str(path)) from exc
