"""The embedded werkvoorraad: the opgave on 17 Jul 2020 reconstructed address by address from SodM
2020's counts (tabel 2.1, 2.2 and 2.5, par. 3.8), or as it stood on an earlier peildatum for a
replay of history. The counts and their sources are in inputs/data/werkvoorraad_2020-07-17.toml."""

from __future__ import annotations

import tomllib
from datetime import date, timedelta
from functools import cache

import numpy as np
import pandas as pd

from ..domain import ADDRESS_COLUMNS, MILESTONES, OWNERS, PROFILES, SUBSTEPS, VERSTERKT, VOLDOET
from .counts import apportion
from .package_data import embedded, embedded_path
from .stand import Stand, read_stand, stock_per_cell

EMBEDDED = "werkvoorraad_2020-07-17.toml"
# A column a stand's addresses carry when voltooid holds addresses that met the norm: how each
# voltooid one got there (VERSTERKT or VOLDOET); the address file's columns do not have it.
DONE_AS = "voltooid_als"


def embedded_werkvoorraad(peildatum: date | None = None,
                          added_later: dict[tuple[str, str], int] | None = None) -> pd.DataFrame:
    """The opgave on 17 Jul 2020, reproducing SodM 2020 tabel 2.1 and 2.5 exactly (its stand,
    stand_2020-07-17.toml); or, for an earlier `peildatum` (see `reconstruction_dates`), as
    reconstructed from tabel 2.2 for a replay of history. `added_later`: addresses per (risk profile,
    owner type) that join after the peildatum."""
    data, stand = embedded_data(), embedded_stand()
    if peildatum is None or peildatum == stand.datum:
        return werkvoorraad_from_stand(stand)
    rng = np.random.default_rng(data["population_seed"])
    df, history = _reconstruct(data, stand, peildatum, added_later or {})
    return _addresses(df, data, history, rng, published_start=False, lpa=False)


def werkvoorraad_from_stand(stand: Stand) -> pd.DataFrame:
    """A stand address by address. Rows per risk profile, owner type and milestone: the stand's own
    where it publishes them (tabel 2.1's form), else its counts divided in the mix of the 2020 opgave
    (ASSUMPTION: no split by risk profile or owner type is published after July 2020). When each
    address reached its milestone: for the 2020 stand tabel 2.2's history; for a later stand, not
    published, so (ASSUMPTION) uniformly within the year before the stand, first in line first.
    Gemeenten are the embedded werkvoorraad's, in proportion (illustratief) except for the 2020
    stand, which places gemeente Groningen's published counts."""
    data = embedded_data()
    rng = np.random.default_rng(data["population_seed"])
    weights = {(p, o): float(c[0]) for (p, o), c in embedded_stand().reached.items()}
    rows = []
    for profile, owner, milestone, count in stock_per_cell(stand, weights):
        rows += [(profile, owner, milestone)] * int(count)
    df = pd.DataFrame(rows, columns=["risk_profile", "owner_type", "milestone"])
    df = df.iloc[rng.permutation(len(df))].reset_index(drop=True)
    # ASSUMPTION: within each stock the historic batches mixed profiles and owner types evenly
    cell = df.groupby(["milestone", "risk_profile", "owner_type"], sort=False)
    df["position"] = (cell.cumcount() + 0.5) / cell["milestone"].transform("size")
    df["planvorming_substep"] = ""
    _split_planvorming(df, stand.substeps, combined=stand.reached is not None)
    first = stand.datum == embedded_stand().datum
    history = data["history"] if first else _year_before(stand.datum, len(df))
    df = _addresses(df, data, history, rng, published_start=first, lpa=first)
    if stand.parts is not None and stand.parts[VOLDOET]:
        done = np.flatnonzero(df["milestone"].to_numpy() == "voltooid")
        df[DONE_AS] = ""
        df.loc[done, DONE_AS] = VERSTERKT
        df.loc[rng.choice(done, stand.parts[VOLDOET], replace=False), DONE_AS] = VOLDOET
    return df


def _addresses(df: pd.DataFrame, data: dict, history: dict, rng: np.random.Generator,
               published_start: bool, lpa: bool) -> pd.DataFrame:
    """Entry dates, gemeenten, local plans, buildings and clusters, and the ids, in the address file's
    columns."""
    df["milestone_date"] = _entry_dates(df, history, rng)
    df["gemeente"] = _gemeenten(df, data["gemeenten"], rng, published_start=published_start)
    df["lpa_jaar"] = _lpa_years(df, data["lpa"]) if lpa else ""  # the plans of 2020
    for column in ("batch", "corporatie", "ernst", "schrijnend"):
        df[column] = ""  # not published per address
    df = _buildings_and_clusters(df, data["groups"], rng)
    df = df.sort_values(["gemeente", "cluster_id", "building_id", "milestone_date"], kind="stable")
    df["address_id"] = [f"A{i:06d}" for i in range(1, len(df) + 1)]
    return df[list(ADDRESS_COLUMNS)].reset_index(drop=True)


def _year_before(datum: date, n: int) -> dict:
    """A history for a stand without one: every stock entered in the year before the stand."""
    year = [[datum - timedelta(days=364), datum]]
    return {"periods": year, "scope_periods": year, "uitvoering_periods": year,
            **{key: [n] for key in ("opgenomen", "beoordeeld", "planvorming_gestart", "uitgevoerd",
                                    "scope_added", "uitvoering_started")}}


def embedded_data() -> dict:
    return tomllib.loads(embedded(EMBEDDED))


@cache
def embedded_stand() -> Stand:
    """SodM 2020 tabel 2.1 as a stand."""
    return read_stand(embedded_path(embedded_data()["stand"]), f"{EMBEDDED}: stand")


def reconstruction_dates() -> list[date]:
    """Dates the opgave can be reconstructed on: the starts of tabel 2.2's periods before the scope
    grew (Jun 2019) and before "planvorming gestart" was redefined (2020)."""
    data = embedded_data()
    growth = data["history"]["scope_periods"][1][0]
    return [first for first, _ in data["history"]["periods"][1:] if first < growth]


def _reconstruct(data: dict, stand: Stand, peildatum: date, added_later: dict) -> tuple[pd.DataFrame, dict]:
    """The opgave on `peildatum`, wound back from 17 Jul 2020 along one first-in-first-out order.

    Totals per milestone: tabel 2.2 summed over the periods before the peildatum. Of the addresses
    whose planvorming had started (then "project vastgesteld") and that were not uitgevoerd, all are
    put in (or waiting for) uitvoering (ASSUMPTION: 240 + 355 were uitgevoerd in the next 18
    months, more than the 729 could have yielded from an earlier sub-step). Which
    addresses: if every step served first in, first out, the addresses past a milestone on any date
    are the first ones in one common order, and tabel 2.1 (with 2.5) gives how many of each risk
    profile and owner type the first 1,177, 5,561, 9,207, 15,967 and 26,716 hold. Between those
    points the mix is taken as even (ASSUMPTION). The scope: the 2020 opgave minus what the
    scenario's inflows add later."""
    h = data["history"]
    if peildatum not in reconstruction_dates():
        raise ValueError(peildatum)
    k = [first for first, _ in h["periods"]].index(peildatum)
    cells = [(p, o) for p in PROFILES for o in OWNERS]
    now = np.array([stand.reached[cell] for cell in cells])  # (cells, 5) cumulative
    knots = np.r_[0, now.sum(axis=0)[::-1]]                      # 0, 1,177, ..., 26,716
    scope = now[:, 0] - np.array([added_later.get(c, 0) for c in cells])
    if (scope < 0).any():
        raise ValueError(f"inflows after {peildatum} exceed the 2020 opgave: {scope.tolist()}")
    rows, positions = [], []
    for j, cell in enumerate(cells):
        reached = np.r_[0, now[j, ::-1]] + np.arange(6) * 1e-9  # addresses of this cell by position
        positions.append(np.interp(np.arange(scope[j]) + 0.5, reached, knots))
        rows += [cell] * int(scope[j])
    df = pd.DataFrame(rows, columns=["risk_profile", "owner_type"])
    df["position"] = np.concatenate(positions)
    df = df.sort_values("position", kind="stable").reset_index(drop=True)
    passed = [sum(h[key][:k]) for key in ("uitgevoerd", "planvorming_gestart", "beoordeeld", "opgenomen")]
    rank = np.arange(len(df))
    df["milestone"] = np.select(
        [rank < passed[0], rank < passed[1], rank < passed[2], rank < passed[3]],
        ["voltooid", "uitvoering", "beoordeling", "opname"], "nog niet gestart")
    df["planvorming_substep"] = ""
    history = {key: value[:k] for key, value in h.items() if isinstance(value, list) and
               len(value) == len(h["periods"])}
    history["scope_periods"] = [[h["scope_periods"][0][0], peildatum - timedelta(days=1)]]
    history["scope_added"] = [len(df)]
    history["uitvoering_periods"] = history["periods"]
    history["uitvoering_started"] = history["planvorming_gestart"]
    return df, history


def _split_planvorming(df: pd.DataFrame, counts: dict, combined: bool) -> None:
    """Of the (already shuffled) planvorming stock: the sub-step counts; where the stand gives
    planvorming and uitvoering as one stock per cell (`combined`), the rest is in uitvoering."""
    rows = df.index[df["milestone"] == "planvorming"]
    n_plan, n_besluit = counts[SUBSTEPS[1]], counts[SUBSTEPS[2]]
    if n_plan + n_besluit > len(rows) or (not combined and n_plan + n_besluit != len(rows)):
        raise ValueError("planvorming sub-step counts do not match the planvorming stock")
    df.loc[rows[:n_plan], "planvorming_substep"] = SUBSTEPS[1]
    df.loc[rows[n_plan:n_plan + n_besluit], "planvorming_substep"] = SUBSTEPS[2]
    df.loc[rows[n_plan + n_besluit:], "milestone"] = "uitvoering"


def _entry_dates(df: pd.DataFrame, h: dict, rng: np.random.Generator) -> np.ndarray:
    """Each stock holds the most recent entrants to its milestone (first in, first out), dealt out
    in order of `position`: the address first in line entered first."""
    if "uitvoering_periods" in h:
        uitvoering = (h["uitvoering_periods"], h["uitvoering_started"])
    else:
        uitvoering = ([h["uitvoering_started"]], [10**9])
    sources = {
        "nog niet gestart": (h["scope_periods"], h["scope_added"]),
        "opname": (h["periods"], h["opgenomen"]),
        "beoordeling": (h["periods"], h["beoordeeld"]),
        "planvorming": (h["periods"], h["planvorming_gestart"]),
        "uitvoering": uitvoering,
        "voltooid": (h["periods"], h["uitgevoerd"]),
    }
    position = df["position"].to_numpy()
    dates = np.empty(len(df), dtype="datetime64[D]")
    for milestone, (periods, counts) in sources.items():
        rows = np.flatnonzero(df["milestone"].to_numpy() == milestone)
        rows = rows[np.argsort(position[rows], kind="stable")]
        dates[rows] = _latest_dates(periods, counts, len(rows), rng)
    return dates


def _latest_dates(periods: list, counts: list, n: int, rng: np.random.Generator) -> np.ndarray:
    """The n most recent entry dates, oldest first, spread uniformly within each period."""
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
    return np.sort(np.concatenate(out)) if out else np.array([], "datetime64[D]")


def _lpa_years(df: pd.DataFrame, lpa: dict) -> np.ndarray:
    """Which local plan an address is in. Beoordeeld ones and the LPA2019 rest of the opgenomen (the
    longest waiting) are LPA2019's, the other opgenomen LPA2020's; of those not yet opgenomen, all but
    the ones in no plan are LPA2020's, the most urgent profile first, then the longest in the opgave."""
    out = np.full(len(df), "", dtype=object)
    held = df["milestone"].map(MILESTONES.index).to_numpy()
    entered = df["milestone_date"].to_numpy()
    risk = df["risk_profile"].map(PROFILES.index).to_numpy()
    out[held >= MILESTONES.index("beoordeling")] = "2019"
    opgenomen = np.flatnonzero(held == MILESTONES.index("opname"))
    opgenomen = opgenomen[np.argsort(entered[opgenomen], kind="stable")]
    out[opgenomen] = "2020"
    out[opgenomen[:lpa["lpa2019_te_beoordelen"]]] = "2019"
    waiting = np.flatnonzero(held == 0)
    waiting = waiting[np.lexsort((entered[waiting], risk[waiting]))]
    out[waiting[:max(len(waiting) - lpa["zonder_plan"], 0)]] = "2020"
    return out


def _gemeenten(df: pd.DataFrame, gemeenten: dict, rng: np.random.Generator, published_start: bool
               ) -> np.ndarray:
    """Gemeente counts per owner type, apportioned to the addresses there are (exact for the 2020
    opgave, in proportion for a reconstruction). A gemeente whose milestones are published
    (`published_start`: the 2020 opgave) first takes that many addresses of each milestone."""
    out = np.empty(len(df), dtype=object)
    corporatie = dict(gemeenten["corporatie"])
    particulier = {g: n - corporatie.get(g, 0) for g, n in gemeenten["totaal"].items()}
    free = np.ones(len(df), bool)
    for g, by_milestone in (gemeenten.get("mijlpalen", {}) if published_start else {}).items():
        rows = _published_milestones(df, by_milestone, corporatie.pop(g, 0), rng)
        out[rows], free[rows] = g, False
        particulier.pop(g)
    for owner, counts in (("particulier", particulier), ("corporatie", corporatie)):
        rows = np.flatnonzero(free & (df["owner_type"].to_numpy() == owner))
        labels = np.repeat(list(counts), apportion(list(counts.values()), len(rows)))
        out[rows] = rng.permutation(labels)
    return out


def _published_milestones(df: pd.DataFrame, counts: dict[str, int], corporatie: int,
                          rng: np.random.Generator) -> np.ndarray:
    """Rows for a gemeente with `counts` addresses per milestone, `corporatie` of them a
    corporatie's, spread over the milestones in proportion to the corporaties' share of each."""
    milestone = df["milestone"].to_numpy()
    corp = df["owner_type"].to_numpy() == "corporatie"
    share = [corp[milestone == m].mean() if (milestone == m).any() else 0.0 for m in MILESTONES]
    n_corp = apportion([counts[m] * f for m, f in zip(MILESTONES, share, strict=True)], corporatie)
    rows = []
    for m, c in zip(MILESTONES, n_corp, strict=True):
        here = milestone == m
        pool_c, pool_p = np.flatnonzero(here & corp), np.flatnonzero(here & ~corp)
        c = min(int(c), len(pool_c), counts[m])
        if counts[m] - c > len(pool_p):
            raise ValueError(f"{counts[m]} addresses in milestone {m} asked for; the opgave holds fewer")
        rows += [rng.choice(pool_c, c, replace=False), rng.choice(pool_p, counts[m] - c, replace=False)]
    return np.concatenate(rows)


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
