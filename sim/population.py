"""The starting werkvoorraad: one row per address, from the embedded SodM 2020 reconstruction or
from a user's address file (CSV or Parquet) in the same columns."""

from __future__ import annotations

import tomllib
from datetime import date
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InputError
from .scenario import OWNERS, PROFILES, LoadedScenario

MILESTONES = ("nog niet gestart", "opname", "beoordeling", "planvorming", "uitvoering", "voltooid")
SUBSTEPS = ("voorbereiden", "uitvoeringsplan opstellen", "versterkingsbesluit")
COLUMNS = (
    "address_id", "gemeente", "risk_profile", "owner_type", "building_id", "cluster_id",
    "milestone", "milestone_date", "planvorming_substep",
)
CUMULATIVE = ("werkvoorraad", "opname gereed", "beoordeling gereed", "planvorming gestart",
              "uitvoering gereed")
EMBEDDED = "werkvoorraad_2020-07-17.toml"


# -- the embedded reconstruction -----------------------------------------------------------------


def embedded_werkvoorraad() -> pd.DataFrame:
    """26,716 addresses on 17 Jul 2020, reproducing SodM 2020 tabel 2.1 and 2.5 exactly."""
    data = tomllib.loads(resources.files("sim").joinpath("data", EMBEDDED).read_text("utf-8"))
    rng = np.random.default_rng(data["population_seed"])
    rows = []
    for profile in PROFILES:
        total = np.array(data["cumulative"]["all"][profile])
        corporatie = np.array(data["cumulative"]["corporatie"][profile])
        for owner, cum in (("particulier", total - corporatie), ("corporatie", corporatie)):
            # stock per milestone = difference of consecutive cumulative counts
            stock = [cum[0] - cum[1], cum[1] - cum[2], cum[2] - cum[3], cum[3] - cum[4], 0, cum[4]]
            for milestone, count in zip(MILESTONES, stock, strict=True):
                rows += [(profile, owner, milestone)] * int(count)
    df = pd.DataFrame(rows, columns=["risk_profile", "owner_type", "milestone"])
    df = df.iloc[rng.permutation(len(df))].reset_index(drop=True)
    df["planvorming_substep"] = ""
    _split_planvorming(df, data["planvorming"])
    df["milestone_date"] = _entry_dates(df, data, rng)
    df["gemeente"] = _gemeenten(df, data["gemeenten"], rng)
    df = _buildings_and_clusters(df, data["groups"], rng)
    df = df.sort_values(["gemeente", "cluster_id", "building_id", "milestone_date"], kind="stable")
    df["address_id"] = [f"A{i:06d}" for i in range(1, len(df) + 1)]
    return df[list(COLUMNS)].reset_index(drop=True)


def _split_planvorming(df: pd.DataFrame, counts: dict) -> None:
    """Of the (already shuffled) planvorming stock: the published sub-step counts, rest uitvoering."""
    rows = df.index[df["milestone"] == "planvorming"]
    n_plan, n_besluit = counts["uitvoeringsplan_opstellen"], counts["versterkingsbesluit"]
    if n_plan + n_besluit > len(rows):
        raise ValueError("planvorming sub-step counts exceed the planvorming stock")
    df.loc[rows[:n_plan], "planvorming_substep"] = SUBSTEPS[1]
    df.loc[rows[n_plan:n_plan + n_besluit], "planvorming_substep"] = SUBSTEPS[2]
    df.loc[rows[n_plan + n_besluit:], "milestone"] = "uitvoering"


def _entry_dates(df: pd.DataFrame, data: dict, rng: np.random.Generator) -> np.ndarray:
    """Each stock holds the most recent entrants to its milestone (first in, first out)."""
    h = data["history"]
    sources = {
        "nog niet gestart": (h["scope_periods"], h["scope_added"]),
        "opname": (h["periods"], h["opgenomen"]),
        "beoordeling": (h["periods"], h["beoordeeld"]),
        "planvorming": (h["periods"], h["planvorming_gestart"]),
        "uitvoering": ([h["uitvoering_started"]], [10**9]),
        "voltooid": (h["periods"], h["uitgevoerd"]),
    }
    dates = np.empty(len(df), dtype="datetime64[D]")
    for milestone, (periods, counts) in sources.items():
        rows = np.flatnonzero(df["milestone"].to_numpy() == milestone)
        dates[rows] = _latest_dates(periods, counts, len(rows), rng)
    return dates


def _latest_dates(periods: list, counts: list, n: int, rng: np.random.Generator) -> np.ndarray:
    out: list[np.ndarray] = []
    need = n
    for (first, last), count in zip(reversed(periods), reversed(counts), strict=True):
        take = min(need, count)
        span = (last - first).days + 1
        out.append(np.datetime64(first, "D") + rng.integers(0, span, take).astype("timedelta64[D]"))
        need -= take
        if need == 0:
            break
    if need:
        raise ValueError(f"history has {n - need} entrants for a stock of {n}")
    return rng.permutation(np.concatenate(out)) if out else np.array([], "datetime64[D]")


def _gemeenten(df: pd.DataFrame, gemeenten: dict, rng: np.random.Generator) -> np.ndarray:
    out = np.empty(len(df), dtype=object)
    corporatie = gemeenten["corporatie"]
    particulier = {g: n - corporatie.get(g, 0) for g, n in gemeenten["totaal"].items()}
    for owner, counts in (("particulier", particulier), ("corporatie", corporatie)):
        rows = np.flatnonzero(df["owner_type"].to_numpy() == owner)
        labels = np.repeat(list(counts), list(counts.values()))
        if len(labels) != len(rows):
            raise ValueError(f"gemeente counts for {owner} add up to {len(labels)}, not {len(rows)}")
        out[rows] = rng.permutation(labels)
    return out


def _buildings_and_clusters(df: pd.DataFrame, groups: dict, rng: np.random.Generator) -> pd.DataFrame:
    """Corporatie blocks share gemeente, profile and milestone; clusters run through a gemeente in
    milestone order, keeping each building whole."""
    df = df.sort_values(["gemeente", "milestone", "risk_profile", "owner_type", "milestone_date"],
                        kind="stable")
    building = np.empty(len(df), dtype=object)
    corp = (df["owner_type"] == "corporatie").to_numpy()
    keys = df[["gemeente", "milestone", "risk_profile"]].astype(str).agg("|".join, axis=1).to_numpy()
    n_b = 0
    i = 0
    while i < len(df):
        size = int(rng.integers(1, groups["building_max_addresses"] + 1)) if corp[i] else 1
        j = i + 1
        while j < len(df) and j - i < size and corp[j] and keys[j] == keys[i]:
            j += 1
        n_b += 1
        building[i:j] = f"B{n_b:06d}"
        i = j
    df["building_id"] = building
    order = {m: k for k, m in enumerate(MILESTONES)}
    df = df.assign(_m=df["milestone"].map(order)).sort_values(["gemeente", "_m", "building_id"],
                                                              kind="stable")
    cluster = np.empty(len(df), dtype=object)
    gem, bld = df["gemeente"].to_numpy(), df["building_id"].to_numpy()
    lo, hi = groups["cluster_min_addresses"], groups["cluster_max_addresses"]
    n_c, i = 0, 0
    while i < len(df):
        size = int(rng.integers(lo, hi + 1))
        j = min(i + size, len(df))
        while j < len(df) and bld[j] == bld[j - 1]:
            j += 1  # keep the building whole
        cut = np.flatnonzero(gem[i:j] != gem[i])
        j = i + int(cut[0]) if len(cut) else j
        n_c += 1
        cluster[i:j] = f"C{n_c:05d}"
        i = j
    return df.assign(cluster_id=cluster).drop(columns="_m")


# -- a user's address file ------------------------------------------------------------------------


def read_addresses(path: Path, start: date) -> pd.DataFrame:
    """Read and validate an address file; any bad row stops the run with its row and column."""
    if not path.exists():
        raise InputError(f"{path}: address file not found")
    try:
        if path.suffix.lower() == ".parquet":
            df = pd.read_parquet(path).astype(str).replace({"None": "", "nan": "", "NaT": ""})
        else:
            df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text; expected CSV with columns {', '.join(COLUMNS)}") from None
    except Exception as exc:  # noqa: BLE001 - any parser failure is the file's fault
        raise InputError(f"{path}: cannot read as {'Parquet' if path.suffix == '.parquet' else 'CSV'}: "
                         f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
    if "planvorming_substep" not in df.columns:
        df["planvorming_substep"] = ""
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)}; "
                         f"required: {', '.join(COLUMNS[:-1])} (planvorming_substep optional)")
    if len(df) == 0:
        raise InputError(f"{path}: no addresses (file has a header but no rows)")
    df = df[list(COLUMNS)].apply(lambda s: s.str.strip())
    problems: list[str] = []
    _check(df, "address_id", df["address_id"] == "", "empty", None, problems)
    _check(df, "address_id", df["address_id"].duplicated(), "duplicate address_id", None, problems)
    for col in ("gemeente", "building_id", "cluster_id"):
        _check(df, col, df[col] == "", "empty", None, problems)
    _check(df, "risk_profile", ~df["risk_profile"].isin(PROFILES), "unknown", PROFILES, problems)
    _check(df, "owner_type", ~df["owner_type"].isin(OWNERS), "unknown", OWNERS, problems)
    _check(df, "milestone", ~df["milestone"].isin(MILESTONES), "unknown", MILESTONES, problems)
    dates = pd.to_datetime(df["milestone_date"], format="%Y-%m-%d", errors="coerce")
    _check(df, "milestone_date", dates.isna(), "not a date YYYY-MM-DD", None, problems)
    _check(df, "milestone_date", dates > pd.Timestamp(start), f"after the scenario start {start}",
           None, problems)
    sub = df["planvorming_substep"]
    in_plan = df["milestone"] == "planvorming"
    _check(df, "planvorming_substep", in_plan & ~sub.isin(("", *SUBSTEPS)), "unknown",
           SUBSTEPS, problems)
    _check(df, "planvorming_substep", ~in_plan & (sub != ""),
           "only allowed when milestone is planvorming", None, problems)
    if problems:
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        raise InputError(f"{path}: {problems[0]}{more}")
    df.loc[in_plan & (sub == ""), "planvorming_substep"] = SUBSTEPS[0]
    df["milestone_date"] = dates.to_numpy().astype("datetime64[D]")
    return df.reset_index(drop=True)


def _check(df, col, bad, what, allowed, problems) -> None:
    for row in np.flatnonzero(np.asarray(bad))[:1]:
        tail = f"; allowed: {', '.join(allowed)}" if allowed else ""
        problems.append(f"row {row + 1}, column {col}: {what} (got {df[col].iloc[row]!r}){tail}")
    problems.extend([""] * max(0, int(np.asarray(bad).sum()) - 1))


def cumulative_counts(df: pd.DataFrame) -> pd.DataFrame:
    """Addresses that reached each milestone, per risk profile: the shape of SodM tabel 2.1."""
    rank = df["milestone"].map({m: k for k, m in enumerate(MILESTONES)})
    rows = {}
    for profile in PROFILES:
        r = rank[df["risk_profile"] == profile]
        rows[profile] = [len(r), (r >= 1).sum(), (r >= 2).sum(), (r >= 3).sum(), (r >= 5).sum()]
    out = pd.DataFrame.from_dict(rows, orient="index", columns=list(CUMULATIVE)).astype("int64")
    out.loc["totaal"] = out.sum()
    return out


def load_population(loaded: LoadedScenario) -> pd.DataFrame:
    """The starting werkvoorraad a scenario asks for."""
    source = loaded.scenario.population.source
    if source == "embedded":
        return embedded_werkvoorraad()
    if source == "empty":
        return pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
    return read_addresses(loaded.population_file, loaded.scenario.start)
