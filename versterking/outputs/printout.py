"""What the commands print, in the dashboard's Dutch: a forecast's end dates and what binds, the
side-by-side table of a comparison (with what each measure buys), and a sweep's points."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..calendar import date_at, dutch_date, dutch_number
from ..domain import PHASES, PROFILES, TOTAAL, VERSTERKT, VOLDOET
from ..engine.measures import inflows
from ..runs import draws
from ..runs.aggregate import (
    BLIJVEN_OPEN,
    DEELNEMERS_VOLTOOID,
    PARTS_EIND,
    STRAAT,
    TEKORT,
    VOLTOOID_EIND,
    late_quantile,
    spread,
)
from ..runs.comparison import Comparison, headline
from ..runs.decomposition import MIN_REPLICATIONS, REST, ranking
from ..runs.forecast import Forecast
from ..runs.preview import Preview
from ..runs.sweep import Sweep
from ..runs.tables import taking_part


def runs(n: int) -> str:
    """'50 replicaties', or '1 run'."""
    return f"{n} replicaties" if n != 1 else "1 run"


def bottleneck_runs(bottlenecks: pd.DataFrame, column: str = "knelpunt") -> str:
    """Consecutive years with the same binding resource, e.g. '2020-2021 opnamecapaciteit'."""
    spans: list[list] = []
    for year, name in zip(bottlenecks["jaar"], bottlenecks[column], strict=True):
        if spans and spans[-1][2] == name and spans[-1][1] == year - 1:
            spans[-1][1] = year
        else:
            spans.append([year, year, name])
    parts = [f"{a}-{b} {n}" if a != b else f"{a} {n}" for a, b, n in spans if n not in ("geen", "-")]
    return "; ".join(parts[:6]) + (" ..." if len(parts) > 6 else "") if parts else "geen"


def years(days: float) -> str:
    """A difference in days as years, the Dutch way: '+0,2 jr', '−2,9 jr'."""
    return f"{days / 365.25:+.1f} jr".replace(".", ",").replace("-", "\u2212")


def table_text(rows: list[list[str]]) -> list[str]:
    """Rows of cells as left-aligned columns (the first row is the header)."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(x.ljust(w) for x, w in zip(r, widths, strict=True)).rstrip() for r in rows]


# -- run -----------------------------------------------------------------------------------------


def preview_text(p: Preview) -> str:
    """The flow model's dates, labelled for what they are: a benadering, not the forecast."""
    sc = p.scenario
    total = p.result.total.sum()
    per_year = p.voltooid_per_year()
    marks = per_year[(per_year["jaar"] % 5 == 0) | (per_year["jaar"] == per_year["jaar"].iloc[-1])]
    return "\n".join([
        f"{sc.name}: BENADERING met het stroommodel, {counted(sc, total)}; onzekerheden op hun "
        f"modus, geen ruis, {p.seconds:.2f} s",
        "  geen voorspelling: `versterking run` zonder --preview geeft de datums met hun bandbreedte",
        f"  voltooid: 50% op {dutch_date(p.done(50))}, 95% op {dutch_date(p.done(95))}, "
        f"100% op {dutch_date(p.done(100))}",
        "  100% per risicoprofiel: " + ", ".join(f"{g} {dutch_date(p.done(100, g))}" for g in PROFILES),
        "  voltooid eind jaar: " + ", ".join(f"{r.jaar} {r.aandeel:.0%}" for r in marks.itertuples()),
    ])


def counted(sc, total: float, werkvoorraad: float | None = None) -> str:
    """The addresses the dates count: the werkvoorraad at the start and, where they come in later (an
    inflow, opname op verzoek), how many and by what, so that 26.716 and 27.216 are never confused."""
    flows = inflows(sc)
    if werkvoorraad is None:
        werkvoorraad = total - sum(flow.addresses for flow, _, _ in flows)
    added = round(total - werkvoorraad)
    if not flows or added <= 0:
        return f"{dutch_number(total)} adressen"
    return (f"{dutch_number(total)} adressen ({dutch_number(werkvoorraad)} in de werkvoorraad, "
            f"{dutch_number(added)} erbij: {', '.join(flow.name for flow, _, _ in flows)})")


def run_text(f: Forecast) -> str:
    """When the opgave is done and what binds: for replications the P50 with the P10 - P90 spread."""
    sc = f.scenario
    replicated = f.replications > 1
    ends = f.tables.end_dates
    ends = ends[ends["niveau"] != "gemeente"].set_index(["groep", "statistiek"] if replicated else "groep")

    def cell(group: str, column: str, stat: str = "P50"):
        value = ends.loc[(group, stat) if replicated else group, column]
        return None if value is None or pd.isna(value) else value

    def has_addresses(group: str) -> bool:
        return bool(cell(group, "adressen"))

    def spread(group: str, column: str) -> str:
        p10, p50, p90 = (dutch_date(cell(group, column, s)) for s in ("P10", "P50", "P90"))
        return f"{p50} ({p10} - {p90})"

    def p50(group: str, column: str) -> str:
        return dutch_date(cell(group, column)) if has_addresses(group) else "geen adressen"

    seed = f"root seed {f.seed}" if replicated else f"seed {f.seed}"
    total = cell(TOTAAL, "adressen", "P50") if replicated else cell(TOTAAL, "adressen")
    lines = [f"{sc.name}: {counted(sc, total or 0, f.werkvoorraad)} vanaf {dutch_date(sc.start)}, "
             f"{runs(f.replications)} ({seed}, {f.wall_seconds:.1f} s)"]
    if sc.description:
        lines.append(f"  {sc.description}")
    if sc.measures.active():
        lines.append("  maatregelen: " + ", ".join(sc.measures.active()))
    if not has_addresses(TOTAAL):
        lines.append("  voltooid: geen adressen")
    elif replicated:
        lines.append(f"  voltooid, P50 (P10 - P90): 95% op {spread(TOTAAL, '95% voltooid')}, "
                     f"100% op {spread(TOTAAL, '100% voltooid')}")
    else:
        lines.append(f"  voltooid: 95% op {p50(TOTAAL, '95% voltooid')}, "
                     f"100% op {p50(TOTAAL, '100% voltooid')}")
    p = " (P50)" if replicated else ""
    who, by_profile = "100%", {g: p50(g, "100% voltooid") for g in PROFILES}
    if (part := participants(f)) is not None:  # owners stay out: 100% never comes
        who = "100% van wie meedoet"
        by_profile = {g: dutch_date(date_at(sc.start, late_quantile(part[f"{DEELNEMERS_VOLTOOID} {g}"], 0.5)))
                      for g in PROFILES}
    lines += [f"  {who} per risicoprofiel{p}: " + ", ".join(f"{g} {d}" for g, d in by_profile.items()),
              f"  fase gereed{p}: " + ", ".join(f"{ph} {p50(TOTAAL, f'{ph} gereed')}" for ph in PHASES),
              f"  knelpunt{' (in de meeste replicaties)' if replicated else ''}: "
              + bottleneck_runs(f.tables.bottlenecks)]
    lines += taking_part_lines(f)
    lines += claim_lines(f)
    lines += street_lines(f)
    lines += uncertainty_lines(f)
    return "\n".join(lines)


def participants(f: Forecast) -> dict[str, np.ndarray] | None:
    """Where owners do not take part, its metrics (runs.tables.taking_part) over the replications, or of
    the single run; None when everyone takes part."""
    if f.per_replication is not None:
        table = f.per_replication
        names = table["maatstaf"]
        mine = table[names.str.startswith(DEELNEMERS_VOLTOOID) | (names == BLIJVEN_OPEN)]
        if mine.empty:
            return None
        return {name: g["waarde"].to_numpy(float) for name, g in mine.groupby("maatstaf", sort=False)}
    if f.run is None or (metrics := taking_part(f.run)) is None:
        return None
    return {name: np.array([value]) for name, value in metrics.items()}


def taking_part_lines(f: Forecast) -> list[str]:
    """Owners who do not take part keep 100% from ever being reached: when everyone else is done,
    and how many addresses stay open."""
    if (part := participants(f)) is None:
        return []
    days, left = part[DEELNEMERS_VOLTOOID], part[BLIJVEN_OPEN]
    when, n = spread(days), spread(left)
    on = {k: dutch_date(date_at(f.scenario.start, when[k])) for k in ("P10", "P50", "P90")}
    left = {k: dutch_number(n[k]) for k in ("P10", "P50", "P90")}
    if len(days) == 1:
        return [f"  100% van wie meedoet: {on['P50']}; blijven open (eigenaar doet niet mee): {left['P50']} "
                "adressen"]
    return [f"  100% van wie meedoet, P50 (P10 - P90): {on['P50']} ({on['P10']} - {on['P90']}); blijven open "
            f"(eigenaar doet niet mee): {left['P50']} ({left['P10']} - {left['P90']}) adressen"]


def claim_lines(f: Forecast) -> list[str]:
    """Where the published end dates the scenario names fall in this band."""
    claims = f.claims
    if not len(claims):
        return []
    return ["  uitspraken, in deze band:"] + [
        f"    {c['uitspraak']} ({c['mijlpaal']} uiterlijk {dutch_date(c['uiterlijk'])}): haalt "
        f"{c['aandeel replicaties']:.0%} van de replicaties" for c in claims.to_dict("records")]


def street_lines(f: Forecast) -> list[str]:
    """How long a cluster's street stays unfinished (its first to its last address voltooid), over
    the clusters, when the clusters are more than single buildings."""
    if f.per_replication is None or not (f.clusters["adressen"] > 1).any():
        return []
    m = f.per_replication.groupby("maatstaf")["waarde"].median()
    if not all(name in m and np.isfinite(m[name]) for name in STRAAT):
        return []
    p50, p90 = (f"{m[name] / 365.25:.1f}".replace(".", ",") for name in STRAAT)
    return [f"  straat onaf (eerste tot laatste adres van een cluster voltooid), over de clusters: "
            f"P50 {p50} jr, P90 {p90} jr (P50 over de replicaties)"]


def percent(share: float) -> str:
    return f"{100 * share:.0f}%"


def uncertainty_lines(f: Forecast) -> list[str]:
    """What the band holds: the uncertain parameters drawn (and which of them the spread of 100%
    voltooid comes from), or only the durations' noise."""
    k = len(draws.names(f.scenario))
    if k == 0:
        return ["  spreiding: alleen de ruis in de doorlooptijden (geen onzekere parameters)"]
    if f.at_mode:
        return [f"  spreiding: alleen de ruis in de doorlooptijden; {k} onzekere parameters op hun modus "
                "(puntschatting)"]
    if f.replications == 1:
        return [f"  {k} onzekere parameters getrokken (1 run: geen spreiding)"]
    lines = [f"  spreiding: ruis in de doorlooptijden en {k} onzekere parameters (Latijnse hyperkubus)"]
    least = max(MIN_REPLICATIONS, k + 10)
    if f.decomposition is None or f.replications < least:
        lines.append(f"  bron van de spreiding: te weinig replicaties (minstens {least})")
        return lines
    # where owners stay out 100% never comes: the day all others are done is the end that varies
    output = (DEELNEMERS_VOLTOOID if DEELNEMERS_VOLTOOID in set(f.decomposition["maatstaf"])
              else "100% voltooid")
    top = ranking(f.decomposition, output)
    if top.empty:
        lines.append(f"  bron van de spreiding: {output} is in elke replicatie gelijk (of na de horizon)")
        return lines
    params = top[top["bron"] != REST].head(3)
    rest = top[top["bron"] == REST].iloc[0]
    parts = [f"{r.bron} {percent(max(r.aandeel, 0.0))} (\u00b1{percent(r.marge)})"
             for r in params.itertuples()]
    lines.append(f"  spreiding {output} door: " + ", ".join(parts) + f"; {REST} {percent(rest.aandeel)}")
    if rest["nodig voor marge 0.05"] > rest.replicaties:
        lines.append(f"  (rangregressie over {rest.replicaties} replicaties; \u00b15% vraagt er zo'n "
                     f"{rest['nodig voor marge 0.05']:,})".replace(",", "."))
    return lines


# -- compare -------------------------------------------------------------------------------------


def comparison_text(c: Comparison) -> str:
    order, start = c.names, c.scenarios[0].scenario.start
    lines = [f"vergelijking van {len(order)} scenario's, {runs(c.replications)} elk, dezelfde "
             f"trekkingen per adres (root seed {c.seed}); P50 over de replicaties, tussen haakjes het "
             f"verschil met {order[0]} (P50 van de verschillen per replicatie)", ""]
    lines += [f"  {item.scenario.name}: {item.scenario.description}" for item in c.scenarios] + [""]
    cells = {(r.maatstaf, r.scenario): r for r in c.table.itertuples()}
    body = [["maatstaf", *order]]
    for metric in [*headline(c.table), TEKORT]:
        row = [metric]
        for k, label in enumerate(order):
            r = cells[(metric, label)]
            if metric == TEKORT:
                text = f"{r.P50:.0f}" + (f" ({r.verschil_P50:+.0f})" if k else "")
            else:
                text = dutch_date(date_at(start, r.P50))
                if k and np.isfinite(r.verschil_P50):
                    text += f" ({years(r.verschil_P50)})"
            row.append(text)
        body.append(row)
    lines += table_text(body)
    by_year = done_by_year(cells, order)
    if len(by_year) > 1:
        lines += ["", f"voltooid aan het eind van het jaar ({VERSTERKT} + {VOLDOET}), P50 van elk:"]
        lines += table_text(by_year)
    lines += ["", "knelpunt per jaar:"]
    lines += [f"  {label}: {bottleneck_runs(c.bottlenecks, label)}" for label in order]
    for name, attr in c.attribution.items():
        lines += ["", f"wat elke maatregel oplevert in {name} (jaren eerder voltooid, P50 van de "
                      "gepaarde verschillen):", attribution_text(attr)]
    return "\n".join(lines)


def done_by_year(cells: dict, order: list[str], years: tuple[int, ...] = (2022, 2026, 2030)
                 ) -> list[list[str]]:
    """Rows 'eind <year>' with per scenario 'voltooid (versterkt + voldoet aan de norm)'."""
    body = [["", *order]]
    for year in years:
        keys = [f"{VOLTOOID_EIND}{year}", *(f"{part}{year}" for part in PARTS_EIND)]
        if all((keys[0], label) in cells for label in order):
            counts = [[dutch_number(cells[(key, label)].P50) for key in keys] for label in order]
            body.append([f"eind {year}", *[f"{d} ({v} + {n})" for d, v, n in counts]])
    return body


def attribution_text(attr: pd.DataFrame) -> str:
    wide = attr.pivot_table(index="maatregel", columns="maatstaf", sort=False,
                            values=["winst alleen (jaar)", "winst als laatste (jaar)"], dropna=False)
    lines = [f"  {'maatregel':<30} {'alleen 95%':>11} {'alleen 100%':>12} {'als laatste 95%':>16} "
             f"{'als laatste 100%':>17}"]

    def cell(value: float, width: int) -> str:
        return (f"{value:+.1f}".replace(".", ",") if pd.notna(value) else "").rjust(width)

    for name in dict.fromkeys(attr["maatregel"]):
        row = wide.loc[name]
        lines.append(f"  {name:<30} {cell(row[('winst alleen (jaar)', '95% voltooid')], 11)} "
                     f"{cell(row[('winst alleen (jaar)', '100% voltooid')], 12)} "
                     f"{cell(row[('winst als laatste (jaar)', '95% voltooid')], 16)} "
                     f"{cell(row[('winst als laatste (jaar)', '100% voltooid')], 17)}")
    return "\n".join(lines)


# -- sweep ---------------------------------------------------------------------------------------


def sweep_text(s: Sweep) -> str:
    """Per point its values and the P50 end dates, with the P10 - P90 spread of 100% voltooid."""
    lines = [f"sweep over {len(s.points)} punten x {s.replications} replicaties (root seed {s.seed}, "
             f"dezelfde trekkingen in elk punt; {len(s.from_cache)} punt(en) uit de cache)", ""]
    shown = s.table[s.table["maatstaf"].isin(["95% voltooid", "100% voltooid"])]
    wide = shown.pivot_table(index="punt", columns="maatstaf", values=["P10 datum", "P50 datum",
                             "P90 datum"], aggfunc="first", dropna=False)

    def day(number: int, col: str, metric: str) -> str:
        return dutch_date(wide.loc[number, (col, metric)])

    body = [["punt", *[".".join(k.split(".")[-2:]) for k in s.keys], "95% voltooid P50",
             "100% voltooid P50 (P10 - P90)"]]
    for p in s.points:
        n = p.number
        body.append([str(n), *[str(p.values[k]) for k in s.keys], day(n, "P50 datum", "95% voltooid"),
                     f"{day(n, 'P50 datum', '100% voltooid')} ({day(n, 'P10 datum', '100% voltooid')} - "
                     f"{day(n, 'P90 datum', '100% voltooid')})"])
    return "\n".join(lines + table_text(body))
