"""A user's address file (CSV or Parquet, one row per address, as the NCG bronbestand would give
it), read defensively: any bad row stops the run with its row number and column. The columns are
documented in docs/how-to/address-file.md; the optional ones may be missing or empty (not known)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from ..domain import ADDRESS_COLUMNS as COLUMNS
from ..domain import ERNST, MILESTONES, OPTIONAL_COLUMNS, OWNERS, PROFILES, SUBSTEPS, TOTAAL
from ..errors import InputError
from .blocks import FIRST_DAY, MAX_ADDRESSES
from .files import check_file

MAX_ADDRESS_BYTES = 80_000_000  # about 1,000,000 rows of CSV
REQUIRED = ("address_id", "gemeente", "risk_profile", "owner_type", "milestone", "milestone_date")
YES, NO = ("ja", "1", "true", "yes"), ("nee", "0", "false", "no")
LPA_YEARS = range(2015, 2101)


def read_addresses(path: Path, start: date) -> pd.DataFrame:
    """Read and validate an address file; any bad row stops the run with its row and column."""
    what = f"an address file is CSV or Parquet with columns {', '.join(COLUMNS)}"
    check_file(path, MAX_ADDRESS_BYTES, "population.file", what)
    parquet = path.suffix.lower() == ".parquet"
    try:
        if parquet:
            rows = pq.ParquetFile(path).metadata.num_rows
            if rows > MAX_ADDRESSES:
                raise InputError(f"{path}: {rows:,} rows; at most {MAX_ADDRESSES:,} addresses are read")
            df = pd.read_parquet(path)
            for column in df.columns[[pd.api.types.is_datetime64_any_dtype(t) for t in df.dtypes]]:
                df[column] = df[column].dt.strftime("%Y-%m-%d")  # a timestamp column: its day
            df = df.astype(str).replace({"None": "", "nan": "", "NaT": ""})
        else:
            df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")  # Excel's BOM
    except InputError:
        raise
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text; {what}") from None
    except Exception as exc:  # noqa: BLE001 - any parser failure is the file's fault
        raise InputError(f"{path}: cannot read as {'Parquet' if parquet else 'CSV'}: "
                         f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
    if len(df.columns) == 1 and ";" in df.columns[0]:
        raise InputError(f"{path}: columns separated by ';'; expected ',' (save as CSV UTF-8, comma)")
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        optional = [c for c in COLUMNS if c not in REQUIRED]
        raise InputError(f"{path}: missing column(s) {', '.join(missing)}; "
                         f"required: {', '.join(REQUIRED)} (optional: {', '.join(optional)})")
    for column in ("planvorming_substep", *OPTIONAL_COLUMNS):
        if column not in df.columns:
            df[column] = ""
    if "building_id" not in df.columns:  # each address its own building, each building its own cluster
        df["building_id"] = df["address_id"]
    if "cluster_id" not in df.columns:
        df["cluster_id"] = df["building_id"]
    if len(df) == 0:
        raise InputError(f"{path}: no addresses (file has a header but no rows)")
    if len(df) > MAX_ADDRESSES:
        raise InputError(f"{path}: {len(df):,} rows; at most {MAX_ADDRESSES:,} addresses are read")
    df = df[list(COLUMNS)].apply(lambda s: s.str.strip())
    problems: list[str] = []
    _check(df, "address_id", df["address_id"] == "", "empty", None, problems)
    _check(df, "address_id", df["address_id"].duplicated(), "duplicate address_id", None, problems)
    for col in ("gemeente", "building_id", "cluster_id"):
        _check(df, col, df[col] == "", "empty", None, problems)
    _check(df, "gemeente", df["gemeente"].isin((TOTAAL, *PROFILES)),
           "names a group of the tables; not allowed: totaal, P50, P90, grijs", None, problems)
    _check(df, "risk_profile", ~df["risk_profile"].isin(PROFILES), "unknown", PROFILES, problems)
    _check(df, "owner_type", ~df["owner_type"].isin(OWNERS), "unknown", OWNERS, problems)
    _check(df, "milestone", ~df["milestone"].isin(MILESTONES), "unknown", MILESTONES, problems)
    dates = pd.to_datetime(df["milestone_date"], format="%Y-%m-%d", errors="coerce")
    _check(df, "milestone_date", dates.isna() | (dates < pd.Timestamp(FIRST_DAY)),
           f"not a date YYYY-MM-DD from {FIRST_DAY} on", None, problems)
    _check(df, "milestone_date", dates > pd.Timestamp(start), f"after the scenario start {start}",
           None, problems)
    sub = df["planvorming_substep"]
    in_plan = df["milestone"] == "planvorming"
    _check(df, "planvorming_substep", in_plan & ~sub.isin(("", *SUBSTEPS)), "unknown",
           SUBSTEPS, problems)
    _check(df, "planvorming_substep", ~in_plan & (sub != ""),
           "only allowed when milestone is planvorming", None, problems)
    lpa = pd.to_numeric(df["lpa_jaar"].where(df["lpa_jaar"] != ""), errors="coerce")
    _check(df, "lpa_jaar", (df["lpa_jaar"] != "") & ~lpa.isin(LPA_YEARS),
           f"not a year {LPA_YEARS.start}-{LPA_YEARS.stop - 1} (or empty: in no plan)", None, problems)
    _check(df, "ernst", ~df["ernst"].isin(("", *map(str, ERNST))),
           "unknown (empty: not known)", tuple(map(str, ERNST)), problems)
    hardship = df["schrijnend"].str.lower()
    _check(df, "schrijnend", ~hardship.isin(("", *YES, *NO)), "unknown (empty: not known)",
           ("ja", "nee"), problems)
    if problems:
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        raise InputError(f"{path}: {problems[0]}{more}")
    df.loc[in_plan & (sub == ""), "planvorming_substep"] = SUBSTEPS[0]
    df["schrijnend"] = np.select([hardship.isin(YES), hardship.isin(NO)], ["ja", "nee"], "")
    df["milestone_date"] = dates.to_numpy().astype("datetime64[D]")
    return df.reset_index(drop=True)


def _check(df, col, bad, what, allowed, problems) -> None:
    for row in np.flatnonzero(np.asarray(bad))[:1]:
        tail = f"; allowed: {', '.join(allowed)}" if allowed else ""
        problems.append(f"row {row + 1}, column {col}: {what} (got {df[col].iloc[row]!r}){tail}")
    problems.extend([""] * max(0, int(np.asarray(bad).sum()) - 1))
