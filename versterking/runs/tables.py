"""The tables of one run, as tidy DataFrames with the dashboard's Dutch names: milestones per
quarter, production per quarter, end dates, step durations, resources per quarter, the binding
resource per year, and the event log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from ..calendar import date_at, dates_at, days_since, quarter_ends, quarter_label
from ..domain import (
    BEOORDELING,
    HANDED_OVER_BY,
    ILLUSTRATIEF,
    MILESTONES,
    OPNAME,
    PLANVORMING_STEPS,
    PRAKTIJKAANPAK,
    PROFILES,
    REFERENTIEWONING,
    RESOURCES,
    ROUTES,
    S_BEOORDELING,
    S_BESLUIT,
    S_OPNAME,
    S_UITVOERING,
    S_UITVOERINGSPLAN,
    S_VOORBEREIDEN,
    STEP_RESOURCE,
    STEPS,
    TOTAAL,
    UITVOERING,
    VERSTERKT,
    VOLDOET,
    VOLTOOID,
)
from ..engine.result import RunResult
from .aggregate import BLIJVEN_OPEN, DEELNEMERS_VOLTOOID
from .waiting import bottlenecks_per_gemeente


@dataclass
class Tables:
    """A run's tables (for replications: each cell as mean, P10, P50, P90 over them, column
    `statistiek`)."""

    milestones: pd.DataFrame
    production: pd.DataFrame
    end_dates: pd.DataFrame
    durations: pd.DataFrame
    resources: pd.DataFrame
    bottlenecks: pd.DataFrame
    bottlenecks_gemeente: pd.DataFrame  # per gemeente and year, where its addresses wait most


def make_tables(r: RunResult) -> Tables:
    resources = resources_quarterly(r)
    assumed = split_is_assumed(r.scenario)
    return Tables(illustrative(milestones_quarterly(r), assumed), production_quarterly(r),
                  illustrative(end_dates(r), assumed), step_durations(r),
                  illustrative_parts(resources, r.scenario), bottlenecks(resources),
                  illustrative_gemeenten(bottlenecks_per_gemeente(r), assumed))



def split_is_assumed(sc) -> bool:
    """Whether the addresses' gemeenten are an assumed split (the embedded werkvoorraad or a stand: only
    Groningen's count is published) rather than an address file's."""
    return sc.population.source in ("embedded", "stand")


def illustrative(table: pd.DataFrame, assumed: bool) -> pd.DataFrame:
    """Per-gemeente rows that rest on an assumed split say so in a column of their own."""
    return table.assign(**{ILLUSTRATIEF: np.where((table["niveau"] == "gemeente") & assumed, "ja", "")})


def illustrative_gemeenten(table: pd.DataFrame, assumed: bool) -> pd.DataFrame:
    """A table per gemeente (column `gemeente`) that rests on an assumed split says so."""
    return table.assign(**{ILLUSTRATIEF: "ja" if assumed else ""})


def illustrative_parts(resources: pd.DataFrame, sc) -> pd.DataFrame:
    """The parts of a resource divided over the gemeenten rest on the gemeenten's assumed split too."""
    by_gemeente = [name for name in RESOURCES if (split := getattr(sc.resources, name).split) is not None
                   and split.by == "gemeente"]
    part = resources["middel"].str.split("/").str[0].isin(by_gemeente) & resources["middel"].str.contains("/")
    return resources.assign(**{ILLUSTRATIEF: np.where(part & split_is_assumed(sc), "ja", "")})


def illustrative_groups(table: pd.DataFrame) -> set[str]:
    """The groups a written table marks illustratief (none in folders of earlier versions)."""
    if ILLUSTRATIEF not in table.columns:
        return set()
    return set(table.loc[table[ILLUSTRATIEF] == "ja", "groep"])


def groups(r: RunResult) -> list[tuple[str, str, np.ndarray]]:
    """(niveau, groep, addresses): the whole opgave, each risk profile, each gemeente."""
    out = [(TOTAAL, TOTAAL, np.ones(len(r.addresses), bool))]
    out += [("risicoprofiel", p, (r.addresses["risk_profile"] == p).to_numpy()) for p in PROFILES]
    out += [("gemeente", g, (r.addresses["gemeente"] == g).to_numpy())
            for g in sorted(r.addresses["gemeente"].unique())]
    return out


def report_dates(r: RunResult) -> list[date]:
    """The start date and every quarter end up to the one that holds the run's end."""
    start = r.scenario.start
    return [start, *[q for q in quarter_ends(start, date_at(start, r.end_time)) if q > start]]


def _end_of(r: RunResult, day: date) -> float:
    """Simulation time at the end of `day`."""
    return days_since(r.scenario.start, day) + 1.0


def _quarter_edges(r: RunResult, days: list[date]) -> np.ndarray:
    """Bin edges from the start to the end of each reported quarter."""
    return np.array([0.0] + [_end_of(r, d) for d in days[1:]])


def milestone_state(r: RunResult, day: date) -> np.ndarray:
    """Milestone index held by each address at the end of `day` (-1: not yet in the opgave); on
    the start date, the werkvoorraad as it was given, before anything moved."""
    if day == r.scenario.start:
        return np.where(r.reached[:, 0] <= 0, r.held, -1)
    return state_before(r.reached, _end_of(r, day))


def state_before(reached: np.ndarray, t: float) -> np.ndarray:
    """The last milestone each address reached before time t (-1: not yet in the opgave)."""
    state = np.full(len(reached), -1)
    for k in range(len(MILESTONES)):
        state = np.where(reached[:, k] < t, k, state)
    return state


def reinforced(r: RunResult) -> np.ndarray:
    """Per address: reached uitvoering (a voltooid one was versterkt, not found to meet the norm)."""
    return ~np.isnan(r.reached[:, UITVOERING])


def milestones_quarterly(r: RunResult) -> pd.DataFrame:
    """Addresses per milestone at each quarter end (seed 001's dashboard), for the whole opgave,
    per risk profile and per gemeente; voltooid also in its parts, versterkt and voldoet aan de norm
    (these two are not counted again in `totaal`)."""
    through_uitvoering = reinforced(r)
    by_group = groups(r)
    rows = []
    for day in report_dates(r):
        state = milestone_state(r, day)
        label = "start" if day == r.scenario.start else quarter_label(day)
        for level, name, mask in by_group:
            s = state[mask]
            counts = np.bincount(s[s >= 0], minlength=len(MILESTONES))
            versterkt = int(((s == VOLTOOID) & through_uitvoering[mask]).sum())
            rows.append((label, day, level, name, *counts.tolist(), versterkt,
                         int(counts[VOLTOOID]) - versterkt, int(counts.sum())))
    return pd.DataFrame(rows, columns=["kwartaal", "peildatum", "niveau", "groep",
                                       *MILESTONES, VERSTERKT, VOLDOET, "totaal"])


PRODUCTION = {  # tabel 2.2's rows: the moment that counts for each
    "opgenomen": ("ended", S_OPNAME),
    "beoordeeld": ("ended", S_BEOORDELING),
    "planvorming gestart": ("started", S_UITVOERINGSPLAN),
    "project uitgevoerd": ("ended", S_UITVOERING),
}


def production_quarterly(r: RunResult) -> pd.DataFrame:
    """Addresses completing each phase per quarter, in the shape of SodM 2020 tabel 2.2 (only work
    done in the run; the start date opens the first, partial quarter)."""
    days = report_dates(r)
    edges = _quarter_edges(r, days)
    arrays = {"ended": r.ended, "started": r.started}
    out = pd.DataFrame({"kwartaal": [quarter_label(d) for d in days[1:]], "peildatum": days[1:]})
    for name, (kind, col) in PRODUCTION.items():
        t = arrays[kind][:, col]
        out[name] = np.histogram(t[~np.isnan(t)], bins=edges)[0] if len(edges) > 1 else []
    return out


def end_dates(r: RunResult) -> pd.DataFrame:
    """When each phase is finished (its last address through it) and when 95% and 100% of the
    addresses are voltooid, for the opgave, each risk profile and each gemeente; empty where that is
    not reached before the horizon."""
    rows = []
    done = r.reached[:, VOLTOOID]
    # an address is past a phase once it reached the milestone after it (work under way at the
    # start has no end in the run); the steps whose last end closes the phase
    plan_done = ~np.isnan(r.ended[:, S_BESLUIT]) | ~np.isnan(r.reached[:, UITVOERING])
    passed = {"opname": (~np.isnan(r.reached[:, OPNAME]), [S_OPNAME]),
              "beoordeling": (~np.isnan(r.reached[:, BEOORDELING]), [S_BEOORDELING]),
              "planvorming": (plan_done, list(PLANVORMING_STEPS)),
              "uitvoering": (~np.isnan(done), [S_UITVOERING])}
    for level, name, mask in groups(r):
        row = {"niveau": level, "groep": name, "adressen": int(mask.sum())}
        unfinished = mask & np.isnan(done) & r.takes_part  # who does not take part holds no phase open
        for phase, (past, steps) in passed.items():
            if (unfinished & ~past).any():
                row[f"{phase} gereed"] = None  # someone still has to go through it
                continue
            ends = r.ended[mask][:, steps]
            last = np.nanmax(ends) if np.isfinite(ends).any() else 0.0  # done before the start
            row[f"{phase} gereed"] = date_at(r.scenario.start, last)
        for pct in (95, 100):
            row[f"{pct}% voltooid"] = _quantile_date(r, done[mask], pct)
        rows.append(row)
    return pd.DataFrame(rows)


def _quantile_date(r: RunResult, done: np.ndarray, pct: int) -> date | None:
    return date_at(r.scenario.start, share_done_day(done, pct)) if len(done) else None


def taking_part(r: RunResult) -> dict[str, float] | None:
    """Where owners do not take part, a replication's metrics for it: the day all others are voltooid,
    how many addresses stay open, and the day per risk profile (NaN: not before the horizon, or none of
    that profile); None when everyone takes part."""
    if r.takes_part.all():
        return None
    profiles = r.addresses["risk_profile"].to_numpy()
    metrics = {DEELNEMERS_VOLTOOID: share_done_day(r.reached[r.takes_part, VOLTOOID], 100),
               BLIJVEN_OPEN: float((~r.takes_part).sum())}
    for p in PROFILES:
        mine = r.takes_part & (profiles == p)
        metrics[f"{DEELNEMERS_VOLTOOID} {p}"] = (share_done_day(r.reached[mine, VOLTOOID], 100) if mine.any()
                                                 else np.nan)
    return metrics


def share_done_day(done: np.ndarray, pct: int) -> float:
    """The day `pct`% of these addresses is voltooid (NaN: not before the horizon)."""
    need = int(np.ceil(len(done) * pct / 100))
    return max(float(np.sort(done)[need - 1]), 0.0)  # NaN sorts last (and stays NaN)


def step_durations(r: RunResult) -> pd.DataFrame:
    """Waiting and working time per step (days), and the intervals of SodM 2020 tabel 2.4, for the
    work done in the run (the time before the start is unknown and left out)."""
    q, s, e = r.queued, r.started, r.ended
    plan = list(PLANVORMING_STEPS)
    # the planvorming slot is granted at the first sub-step the address does (it may resume later)
    granted = {k: s[:, k] for k in (S_OPNAME, S_BEOORDELING, S_UITVOERING)}
    granted[S_VOORBEREIDEN] = np.fmin.reduce(s[:, plan], axis=1)
    waits = {S_OPNAME: "opname", S_BEOORDELING: "beoordeling",
             S_VOORBEREIDEN: "planvorming", S_UITVOERING: "uitvoering"}
    rows = []
    for k, step in enumerate(STEPS):
        if k in waits:
            rows.append(_spread(f"wachten op {waits[k]}", granted[k] - q[:, k]))
        rows.append(_spread(step, e[:, k] - s[:, k]))
    opname_end = e[:, S_OPNAME]
    beoordeling_end = e[:, S_BEOORDELING]
    advised = ~np.isnan(r.queued[:, S_VOORBEREIDEN])
    plan_start = s[:, S_UITVOERINGSPLAN]
    rows.append(_spread("opname -> beoordeling gereed (tabel 2.4)", beoordeling_end - opname_end))
    rows.append(_spread("beoordeling gereed -> planvorming gestart (tabel 2.4)",
                        np.where(advised, plan_start - beoordeling_end, np.nan)))
    rows.append(_spread("planvorming gestart -> uitvoering gereed (tabel 2.4)",
                        e[:, S_UITVOERING] - plan_start))
    rows.append(_spread("opname -> uitvoering gereed (tabel 2.4 totaal)",
                        e[:, S_UITVOERING] - opname_end))
    return pd.DataFrame(rows, columns=["stap", "adressen", "gemiddeld", "P10", "P50", "P90"])


def _spread(name: str, days: np.ndarray) -> tuple:
    d = days[~np.isnan(days)]
    if len(d) == 0:
        return (name, 0, np.nan, np.nan, np.nan, np.nan)
    return (name, len(d), float(d.mean()), *np.percentile(d, [10, 50, 90]).tolist())


def resources_quarterly(r: RunResult) -> pd.DataFrame:
    """Per resource and quarter, time-weighted: capacity, in use, utilisation, waiting and the
    shortage that holds work up (for the wisselwoningen: addresses that could have started uitvoering,
    a builder was free, but for one). Utilisation is in use over max(capacity, in use): after a
    decrease, work still running counts as capacity. A resource divided by a verdeelsleutel has a row
    per part too (middel "naam/groep")."""
    days = report_dates(r)
    edges = _quarter_edges(r, days)
    edges[-1] = max(min(edges[-1], r.end_time), edges[-2] if len(edges) > 1 else 0.0)
    integrals = {name: areas(r.monitors[name], edges) for name in RESOURCES}
    for name, parts in r.part_monitors.items():
        for group, m in parts.items():
            integrals[f"{name}/{group}"] = areas(m, edges)
    width = np.diff(edges)
    rows = []
    for name, values in integrals.items():
        for i, day in enumerate(days[1:]):
            cap, use, wait, effective, short = values[i]
            w = width[i] if width[i] > 0 else np.nan
            rows.append((quarter_label(day), name, cap / w, use / w,
                         use / effective if effective > 0 else np.nan, wait / w, short / w))
    return pd.DataFrame(rows, columns=["kwartaal", "middel", "capaciteit", "in gebruik", "bezetting",
                                       "wachtrij", "tekort"])


def areas(m: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Integrals of capacity, in use, waiting, max(capacity, in use) and short between consecutive
    edges (the state is piecewise constant between records)."""
    if len(m) == 0:
        return np.zeros((len(edges) - 1, 5))
    t = m[:, 0]
    values = np.column_stack([m[:, 2], m[:, 1], m[:, 3], np.maximum(m[:, 1], m[:, 2]), m[:, 4]])
    # keep the last record at each instant
    keep = np.append(t[1:] != t[:-1], True)
    t, values = t[keep], values[keep]
    seg = np.diff(np.append(t, np.inf))
    cum = np.vstack([np.zeros(5), np.cumsum(values[:-1] * seg[:-1, None], axis=0)])

    def integral(x: float) -> np.ndarray:
        i = np.searchsorted(t, x, side="right") - 1
        if i < 0:
            return np.zeros(5)
        return cum[i] + values[i] * (x - t[i])

    at = np.array([integral(x) for x in edges])
    return np.diff(at, axis=0)


def bottlenecks(resources: pd.DataFrame) -> pd.DataFrame:
    """Per year, the binding resource: the one with the longest waiting line (each waiting address
    counts at the resource that holds it up; see versterking.engine.resources)."""
    df = resources[resources["middel"].isin(RESOURCES)]  # whole resources, not their parts
    df = df.assign(jaar=df["kwartaal"].str[-4:].astype(int))
    yearly = df.groupby(["jaar", "middel"], as_index=False)[["bezetting", "wachtrij"]].mean()
    rows = []
    for year, g in yearly.groupby("jaar"):
        top = g.sort_values(["wachtrij", "middel"], ascending=[False, True]).iloc[0]
        if not top["wachtrij"] >= 1:  # also NaN: a quarter of zero length
            rows.append((year, "geen", np.nan, 0.0))
        else:
            rows.append((year, top["middel"], top["bezetting"], top["wachtrij"]))
    return pd.DataFrame(rows, columns=["jaar", "knelpunt", "bezetting", "wachtrij"])


def event_log(r: RunResult) -> pd.DataFrame:
    """One row per address per step it went through in the run: waiting, start, end, the resource
    that did the work, and for the beoordeling how it was done (the measures' routes)."""
    a, k = np.nonzero(~np.isnan(r.started))
    start = r.scenario.start
    middel = np.array(STEP_RESOURCE, dtype=object)[k]
    beoordeling = k == S_BEOORDELING
    route = r.route[a]
    middel[beoordeling & (route == PRAKTIJKAANPAK)] = "geen (aannemer)"
    middel[beoordeling & (route == REFERENTIEWONING)] = "geen (referentiewoning)"
    middel[(k == S_BESLUIT) & (r.handed_over[a] > 0)] = "geen (bedrijfsbureau)"
    return pd.DataFrame({
        "address_id": r.addresses["address_id"].to_numpy()[a],
        "stap": np.array(STEPS)[k],
        "middel": middel,
        "aanpak": np.where(beoordeling, np.array(ROUTES, dtype=object)[route], ""),
        "overgedragen": np.array(HANDED_OVER_BY, dtype=object)[r.handed_over[a]],
        "wachtrij_vanaf": dates_at(start, r.queued[a, k]),
        "start": dates_at(start, r.started[a, k]),
        "einde": dates_at(start, r.ended[a, k]),
        "start_dag": r.started[a, k],
        "einde_dag": r.ended[a, k],
        "wisselwoning": (r.needs_wisselwoning[a] & (k == S_UITVOERING)),
    })


def wisselwoningen_tekort(r: RunResult) -> int:
    """The most addresses at once that could have started uitvoering (a builder slot was free) but
    for a wisselwoning."""
    short = r.monitors["wisselwoningen"][:, 4]
    return int(short.max()) if len(short) else 0
