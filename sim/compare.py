"""Scenarios side by side, under common random numbers, and what each measure buys.

Every scenario runs the same replications with the same seeds. Draws are made per address and per
named stream (sim.randomness), so in replication r every scenario gives each address the same
durations and outcomes: a difference between scenarios comes from the scenarios, not from noise.
Differences are taken per replication (paired) and then summarised.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

import numpy as np
import pandas as pd

from .blocks import PROFILES
from .calendar import date_at
from .replications import PHASES, TEKORT
from .scenario import Scenario

# the rows of the side-by-side table, in order (per risk profile: when its last address is done)
HEADLINE = (*[f"{p} gereed" for p in PHASES], "95% voltooid", "100% voltooid",
            *[f"100% voltooid {p}" for p in PROFILES])


# -- summaries -----------------------------------------------------------------------------------


def per_replication(results: list[dict], start: date) -> pd.DataFrame:
    """Long table: scenario, replication, seed, measure, day and date."""
    rows = []
    for res in results:
        for name, value in res["metrics"].items():
            is_date = name != TEKORT
            rows.append((res["label"], res["replicatie"], res["seed"], name, value,
                         date_at(start, value) if is_date and np.isfinite(value) else None))
    return pd.DataFrame(rows, columns=["scenario", "replicatie", "seed", "maatstaf", "waarde", "datum"])


def side_by_side(long: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    """Per scenario and measure: P10, P50, P90 over the replications, and the paired difference
    with the first scenario (P50 of the per-replication differences; days, or addresses for the
    shortage)."""
    wide = long.pivot_table(index=["maatstaf", "replicatie"], columns="scenario", values="waarde",
                            dropna=False)
    rows = []
    names = list(dict.fromkeys(long["maatstaf"]))
    for measure in names:
        block = wide.loc[measure]
        first = block[order[0]]
        for label in order:
            values = block[label].to_numpy(float)
            diff = values - first.to_numpy(float)
            rows.append({"maatstaf": measure, "scenario": label, **spread(values),
                         "verschil_P50": late_quantile(diff, 0.5)})
    return pd.DataFrame(rows)


def spread(values: np.ndarray) -> dict[str, float]:
    """P10, P50, P90 over replications and how many did not get there before the horizon."""
    return {"P10": late_quantile(values, 0.1), "P50": late_quantile(values, 0.5),
            "P90": late_quantile(values, 0.9), "na_horizon": int(np.isnan(values).sum())}


def late_quantile(values: np.ndarray, q: float) -> float:
    """A quantile that treats 'not reached before the horizon' (NaN) as later than any date."""
    v = np.where(np.isnan(values), np.inf, values)
    x = float(np.quantile(v, q, method="inverted_cdf")) if len(v) else np.nan
    return np.nan if np.isinf(x) else x


def bottlenecks_by_year(results: list[dict], order: list[str]) -> pd.DataFrame:
    """Per year and scenario, the binding resource most replications agree on."""
    years = sorted({y for res in results for y in res["knelpunt"]})
    table = {"jaar": years}
    for label in order:
        mine = [res["knelpunt"] for res in results if res["label"] == label]
        table[label] = [_mode([k.get(y, "-") for k in mine]) for y in years]
    return pd.DataFrame(table)


def _mode(values: list[str]) -> str:
    counts = Counter(values).most_common()
    top = sorted(v for v, c in counts if c == counts[0][1])
    return top[0]


# -- attribution ---------------------------------------------------------------------------------


def attribution_variants(sc: Scenario) -> list[tuple[str, Scenario]]:
    """The scenario with no measures, each measure alone and each left out (all together is the
    scenario itself, labelled "alle" by the caller)."""
    names = sc.measures.active()

    def variant(keep: set[str]) -> Scenario:
        return sc.model_copy(update={"measures": sc.measures.only(keep)})

    out = [("geen", variant(set()))]
    out += [(f"alleen {m}", variant({m})) for m in names]
    out += [(f"zonder {m}", variant(set(names) - {m})) for m in names]
    return out


def attribution_table(long: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Per measure, the years gained on 95% and 100% voltooid (P50 of paired differences; positive
    = earlier): alone on top of no measures, and as the last one added to all the others. The last
    rows: all together, the sum of the gains alone, and the difference (interaction)."""
    wide = long.pivot_table(index=["maatstaf", "replicatie"], columns="scenario", values="waarde",
                            dropna=False)
    rows = []
    for metric in ("95% voltooid", "100% voltooid"):
        block = wide.loc[metric]

        def gain(a: str, b: str, block: pd.DataFrame = block) -> float:
            return late_quantile((block[a] - block[b]).to_numpy(float), 0.5) / 365.25

        alone = {m: gain("geen", f"alleen {m}") for m in names}
        for m in names:
            rows.append({"maatstaf": metric, "maatregel": m, "winst alleen (jaar)": alone[m],
                         "winst als laatste (jaar)": gain(f"zonder {m}", "alle")})
        together = gain("geen", "alle")
        rows.append({"maatstaf": metric, "maatregel": "alle samen",
                     "winst alleen (jaar)": together, "winst als laatste (jaar)": np.nan})
        total = float(np.sum(list(alone.values())))
        rows.append({"maatstaf": metric, "maatregel": "som van los",
                     "winst alleen (jaar)": total, "winst als laatste (jaar)": np.nan})
        rows.append({"maatstaf": metric, "maatregel": "wisselwerking (samen - som)",
                     "winst alleen (jaar)": together - total, "winst als laatste (jaar)": np.nan})
    return pd.DataFrame(rows)


# -- text ----------------------------------------------------------------------------------------


def format_side_by_side(table: pd.DataFrame, order: list[str], start: date) -> str:
    """The table a planner reads: P50 dates per scenario, and the difference with the first."""
    lines = []
    shown = [*HEADLINE, TEKORT]
    cells = {(r.maatstaf, r.scenario): r for r in table.itertuples()}
    header = ["maatstaf", *order]
    body = []
    for measure in shown:
        row = [measure]
        for k, label in enumerate(order):
            r = cells[(measure, label)]
            if measure == TEKORT:
                text = f"{r.P50:.0f}" + (f" ({r.verschil_P50:+.0f})" if k else "")
            else:
                text = date_at(start, r.P50).strftime("%d-%m-%Y") if np.isfinite(r.P50) else "na horizon"
                if k and np.isfinite(r.verschil_P50):
                    text += f" ({_years(r.verschil_P50)})"
            row.append(text)
        body.append(row)
    widths = [max(len(str(x[i])) for x in [header, *body]) for i in range(len(header))]
    for row in [header, *body]:
        lines.append("  ".join(str(x).ljust(w) for x, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines)


def _years(days: float) -> str:
    return f"{days / 365.25:+.1f} jr".replace(".", ",").replace("-", "\u2212")
