"""The figures of a results folder, drawn from its CSV files (so any folder can be drawn again
later): dashboard, fan chart, completion curves, bottlenecks, wisselwoningen, step durations.

Dutch labels, dates on the time axis, sized for A4 width; each figure as PNG and SVG.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, never a window
matplotlib.rcParams["svg.hashsalt"] = "versterking"  # fixed element ids: the same figure, the same file

import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from .. import filenames  # noqa: E402
from ..calendar import dutch_date, quarter_dates  # noqa: E402
from ..domain import COLORS, LAYERS, MILESTONES, RESOURCE_NAMES, TOTAAL, VERSTERKT  # noqa: E402
from ..inputs.embedded import embedded_stand  # noqa: E402
from ..inputs.package_data import published  # noqa: E402
from ..runs.decomposition import REST  # noqa: E402
from ..runs.tables import illustrative_groups  # noqa: E402
from .printout import runs  # noqa: E402
from .reading import read_table  # noqa: E402

WIDTH = 8.3  # inches: A4 width
def _replications(folder: Path) -> int:
    per = folder / filenames.PER_REPLICATION
    return int(pd.read_csv(per, usecols=["replicatie"])["replicatie"].nunique()) if per.exists() else 1


def _date_axis(ax, every: int = 10) -> None:
    ax.xaxis.set_major_locator(mdates.YearLocator(base=every))
    ax.xaxis.set_minor_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.grid(True, axis="y", alpha=0.3)


def _save(fig, out: Path, name: str, layout: bool = True) -> list[Path]:
    if layout:
        fig.tight_layout()
    paths = [out / f"{name}.png", out / f"{name}.svg"]
    fig.savefig(paths[0], dpi=150)
    fig.savefig(paths[1], metadata={"Date": None})  # no timestamp: the same run gives the same file
    plt.close(fig)
    return paths


# -- the figures ---------------------------------------------------------------------------------


def dashboard(folder: Path, out: Path) -> list[Path]:
    """Addresses per milestone each quarter, stacked, for the opgave and per risk profile (means
    over the replications, which add up to the total); voltooid as versterkt and voldoet aan de norm
    (a folder of an older version: voltooid whole)."""
    m = read_table(folder, filenames.MILESTONES)
    layers = LAYERS if VERSTERKT in m.columns else MILESTONES
    mean = m[m["statistiek"] == "gemiddeld"]
    groups = [("totaal", "totaal", "Hele opgave"), ("risicoprofiel", "P50", "Risicoprofiel P50"),
              ("risicoprofiel", "P90", "Risicoprofiel P90"), ("risicoprofiel", "grijs", "Grijs gebied")]
    fig, axes = plt.subplots(2, 2, figsize=(WIDTH, 6.2), sharex=True)
    start = mean["peildatum"].min()
    for ax, (level, group, title) in zip(axes.flat, groups, strict=True):
        g = mean[(mean["niveau"] == level) & (mean["groep"] == group)].sort_values("peildatum")
        ax.stackplot(g["peildatum"], *[g[k] for k in layers], colors=[COLORS[k] for k in layers],
                     labels=layers, linewidth=0)
        ax.axvline(start, color="black", linestyle="--", linewidth=0.8)
        ax.set_title(title, fontsize=10)
        ax.set_ylabel("adressen")
        _date_axis(ax, every=20)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    n = _replications(folder)
    fig.suptitle(f"Adressen per mijlpaal per kwartaal ({'gemiddelde over ' if n > 1 else ''}{runs(n)})"
                 f"\nstippellijn: peildatum {start:%d-%m-%Y}, de gegeven stand"
                 f"{' (SodM tabel 2.1)' if start.date() == embedded_stand().datum else ''}; daarna prognose",
                 fontsize=9)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    fig.legend(handles[::-1], labels[::-1], loc="lower center", ncol=len(layers), fontsize=7.5, frameon=False)
    return _save(fig, out, "dashboard", layout=False)


def dashboard_groningen(folder: Path, out: Path) -> list[Path]:
    """Gemeente Groningen: the published dashboard quarters (seed 001) and the forecast after them,
    side by side as stacked bars per quarter for the first years."""
    m = read_table(folder, filenames.MILESTONES)
    g = m[(m["statistiek"] == "gemiddeld") & (m["groep"] == "Groningen")].sort_values("peildatum")
    history = pd.read_csv(published("dashboard_groningen.csv"), parse_dates=["date"])
    history = history.pivot_table(index="date", columns="milestone", values="addresses").reindex(
        columns=MILESTONES).fillna(0)
    forecast = g.set_index("peildatum")[list(MILESTONES)].iloc[:21]  # about five years
    fig, ax = plt.subplots(figsize=(WIDTH, 3.6))
    for frame, hatch, alpha in ((history, "//", 0.6), (forecast, "", 1.0)):
        bottom = np.zeros(len(frame))
        for k in MILESTONES:
            ax.bar(frame.index, frame[k], bottom=bottom, width=70, color=COLORS[k], hatch=hatch,
                   alpha=alpha, edgecolor="white", linewidth=0.3, label=k if hatch == "" else None)
            bottom += frame[k].to_numpy()
    if len(history):
        ax.axvspan(history.index.min() - pd.Timedelta(days=45), history.index.max() + pd.Timedelta(days=45),
                   color="#f0f0f0", zorder=0)
        ax.text(history.index.min(), ax.get_ylim()[1] * 0.97, "gepubliceerd\n(dashboard)", fontsize=7,
                va="top")
    ax.set_ylabel("adressen")
    assumed = bool(illustrative_groups(g))
    ax.set_title("Gemeente Groningen: gepubliceerd dashboard (gearceerd) en prognose (gemiddelde)"
                 + ("\nillustratief: de adressen over de gemeenten verdeeld naar aanname" if assumed else ""),
                 fontsize=10)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.legend(fontsize=7, ncol=6, loc="upper center", bbox_to_anchor=(0.5, -0.1), frameon=False)
    return _save(fig, out, "dashboard_groningen")


def fan(folders: list[tuple[str, Path]], out: Path, name: str = "waaier") -> list[Path]:
    """Cumulative voltooid over time with its P10 - P90 band and P50 line, one colour a scenario."""
    fig, ax = plt.subplots(figsize=(WIDTH, 3.8))
    opgave = None  # the first scenario's number of addresses, dotted
    for k, (label, folder) in enumerate(folders):
        m = read_table(folder, filenames.MILESTONES)
        totaal = m[m["niveau"] == "totaal"]
        opgave = totaal["totaal"].max() if opgave is None else opgave
        t = totaal.pivot_table(index="peildatum", columns="statistiek", values="voltooid")
        color = plt.cm.tab10(k)
        ax.fill_between(t.index, t["P10"], t["P90"], color=color, alpha=0.25, linewidth=0)
        ends = read_table(folder, filenames.END_DATES)
        if "niveau" in ends.columns:  # folders of earlier versions have no gemeente rows
            ends = ends[ends["niveau"] == TOTAAL]
        ends = ends.set_index(["groep", "statistiek"])["100% voltooid"]
        p10, p50, p90 = (dutch_date(ends.get(("totaal", s))) for s in ("P10", "P50", "P90"))
        ax.plot(t.index, t["P50"], color=color,
                label=f"{label}: P50, band P10 - P90 (100% voltooid P50 {p50}, P10 - P90 {p10} - {p90})")
        if VERSTERKT in totaal.columns:  # of which versterkt (the rest met the norm)
            v = totaal.pivot_table(index="peildatum", columns="statistiek", values=VERSTERKT)
            ax.plot(v.index, v["P50"], color=color, linestyle="--", linewidth=1,
                    label=f"{label}: waarvan {VERSTERKT} (P50)")
    ax.axhline(opgave, color="black", linewidth=0.6, linestyle=":")
    ax.set_ylabel("adressen voltooid")
    ax.set_title("Voltooid (cumulatief) met spreiding over de replicaties", fontsize=10)
    _date_axis(ax)
    ax.legend(fontsize=7, frameon=False, loc="lower right")
    return _save(fig, out, name)


def completion(folder: Path, out: Path) -> list[Path]:
    """Share voltooid over time (P50) per risk profile and per gemeente."""
    m = read_table(folder, filenames.MILESTONES)
    p50 = m[m["statistiek"] == "P50"]
    p50 = p50.assign(aandeel=p50["voltooid"] / p50["totaal"].where(p50["totaal"] > 0))
    fig, axes = plt.subplots(1, 2, figsize=(WIDTH, 3.4), sharey=True)
    for ax, level, title in ((axes[0], "risicoprofiel", "per risicoprofiel"),
                             (axes[1], "gemeente", "per gemeente")):
        for group, g in p50[p50["niveau"].isin([level, "totaal"])].groupby("groep", sort=False):
            style = {"color": "black", "linewidth": 1.6} if group == "totaal" else {"linewidth": 1}
            ax.plot(g["peildatum"], 100 * g["aandeel"], label=group, **style)
        assumed = level == "gemeente" and bool(illustrative_groups(p50))
        ax.set_title(f"Voltooid (P50) {title}" + (" (illustratief)" if assumed else ""), fontsize=10)
        _date_axis(ax)
        ax.legend(fontsize=6.5, frameon=False)
    axes[0].set_ylabel("% van de adressen voltooid")
    return _save(fig, out, "voltooiing")


def bottlenecks(folder: Path, out: Path) -> list[Path]:
    """Bezetting and waiting line per resource per quarter (P50): where the work piles up."""
    r = read_table(folder, filenames.RESOURCES)
    p50 = r[r["statistiek"] == "P50"]
    quarters = list(dict.fromkeys(p50["kwartaal"]))
    names = list(RESOURCE_NAMES)
    fig, axes = plt.subplots(2, 1, figsize=(WIDTH, 4.6), sharex=True)
    for ax, column, title, cmap in ((axes[0], "bezetting", "Bezetting (P50)", "viridis"),
                                    (axes[1], "wachtrij", "Wachtrij in adressen (P50, log)", "magma_r")):
        grid = p50.pivot_table(index="middel", columns="kwartaal", values=column).reindex(
            index=names, columns=quarters)
        data = grid.to_numpy(float)
        if column == "wachtrij":
            data = np.log10(1 + data)
        image = ax.imshow(data, aspect="auto", cmap=cmap, interpolation="nearest")
        ax.set_yticks(range(len(names)), [RESOURCE_NAMES[n] for n in names], fontsize=8)
        ax.set_title(title, fontsize=10)
        bar = fig.colorbar(image, ax=ax, pad=0.01)
        if column == "wachtrij":
            values = [0, 10, 100, 1000, 10000]
            bar.set_ticks(np.log10(1 + np.array(values)),
                          labels=[f"{v:,}".replace(",", ".") for v in values])
    years = [i for i, q in enumerate(quarters) if q.startswith("Q1") and int(q[-4:]) % 10 == 0]
    axes[1].set_xticks(years, [quarters[i][-4:] for i in years])
    return _save(fig, out, "knelpunten")


def wisselwoningen(folder: Path, out: Path) -> list[Path]:
    """Wisselwoningen: supply (capacity) against demand (in use plus waiting), shortage shaded."""
    r = read_table(folder, filenames.RESOURCES)
    w = r[(r["middel"] == "wisselwoningen") & (r["statistiek"] == "P50")]
    quarter_ends = quarter_dates(w["kwartaal"])
    demand = (w["in gebruik"] + w["wachtrij"]).to_numpy(float)
    supply = w["capaciteit"].to_numpy(float)
    fig, ax = plt.subplots(figsize=(WIDTH, 3.2))
    ax.plot(quarter_ends, supply, color="#3182bd", label="aanbod (capaciteit)")
    ax.plot(quarter_ends, demand, color="#e6550d", label="vraag (in gebruik + wachtend)")
    ax.fill_between(quarter_ends, supply, demand, where=demand > supply, color="#e6550d", alpha=0.3,
                    label="tekort", interpolate=True)
    ax.set_ylabel("wisselwoningen")
    ax.set_title("Wisselwoningen: vraag en aanbod per kwartaal (P50)", fontsize=10)
    _date_axis(ax)
    ax.legend(fontsize=8, frameon=False)
    return _save(fig, out, "wisselwoningen")


def durations(folder: Path, out: Path) -> list[Path]:
    """Days per step and the intervals of SodM tabel 2.4 (P10 - P90 over addresses, P50 marked),
    with the published medians for comparison."""
    d = read_table(folder, filenames.DURATIONS)
    d = d[(d["statistiek"] == "P50") & (d["adressen"] > 0)]
    tabel = pd.read_csv(published("tabel_2_4.csv"))
    tabel = tabel[tabel["category"] == "gehele traject doorlopen"]
    fig, ax = plt.subplots(figsize=(WIDTH, 0.28 * len(d) + 1.2))
    y = np.arange(len(d))[::-1]
    ax.hlines(y, d["P10"], d["P90"], color="#9ecae1", linewidth=6, label="P10 - P90 over de adressen")
    ax.plot(d["P50"], y, "|", color="#08519c", markersize=12, label="P50")
    ax.plot(d["gemiddeld"], y, "o", color="#08519c", markersize=3, label="gemiddeld")
    for interval, days in zip(tabel["interval"], tabel["days"], strict=True):
        name = ("opname -> uitvoering gereed (tabel 2.4 totaal)" if interval == "totaal"
                else f"{interval} (tabel 2.4)")
        rows = np.flatnonzero(d["stap"].to_numpy() == name)
        if len(rows):
            ax.plot(days, y[rows[0]], "D", color="#e6550d", markersize=5,
                    label="SodM tabel 2.4 (gereed tot jul 2020)" if interval == "totaal" else None)
    ax.set_yticks(y, d["stap"].str.replace("_", " "), fontsize=7)
    ax.set_xscale("log")
    ax.set_xlim(left=1)
    ax.set_xlabel("dagen (logaritmische schaal)")
    ax.set_title("Duur per stap en per traject (prognose, P50 over de replicaties)", fontsize=10)
    ax.grid(True, axis="x", alpha=0.3)
    ax.legend(fontsize=7, frameon=False, loc="upper center", bbox_to_anchor=(0.35, -0.12), ncol=4)
    return _save(fig, out, "doorlooptijden")


def decomposition(folder: Path, out: Path) -> list[Path]:
    """Where the spread comes from: per output a bar of the first-order shares of the uncertain
    parameters (the largest five by name, the others together) and the rest (noise, interactions).
    Nothing to draw without decompositie.csv (no parameters drawn)."""
    if not (folder / filenames.DECOMPOSITION).exists():
        return []
    d = pd.read_csv(folder / filenames.DECOMPOSITION)
    d["aandeel"] = d["aandeel"].clip(lower=0.0)
    params = d[d["bron"] != REST]
    top = params.groupby("bron")["aandeel"].mean().sort_values(ascending=False).index[:5].tolist()
    outputs = list(dict.fromkeys(d["maatstaf"]))
    sources = [*top, "overige parameters", REST]
    shares = {source: [] for source in sources}
    for output in outputs:
        mine = d[d["maatstaf"] == output].set_index("bron")["aandeel"]
        for source in top:
            shares[source].append(float(mine.get(source, 0.0)))
        shares["overige parameters"].append(float(mine.drop([*top, REST], errors="ignore").sum()))
        shares[REST].append(float(mine.get(REST, 0.0)))
    # Estimated shares need not add up to 1 (a rank regression on few replications overshoots): each
    # bar is scaled to 1 and, where the estimates overshoot, their raw sum is written beside it.
    raw = np.sum([shares[source] for source in sources], axis=0)
    scale = np.where(raw > 1.0, raw, 1.0)
    colors = [*plt.get_cmap("tab10").colors[:len(top)], "#969696", "#d9d9d9"]
    fig, ax = plt.subplots(figsize=(WIDTH, 0.3 * len(outputs) + 1.6))
    y = np.arange(len(outputs))[::-1]
    left = np.zeros(len(outputs))
    for source, color in zip(sources, colors, strict=True):
        ax.barh(y, np.array(shares[source]) / scale, left=left, color=color, label=source, height=0.7)
        left += np.array(shares[source]) / scale
    for row, total in zip(y, raw, strict=True):
        if total > 1.0:
            ax.text(1.01, row, f"som {total:.2f}".replace(".", ","), va="center", fontsize=6.5, color="#555")
    ax.set_yticks(y, outputs, fontsize=7)
    ax.set_xlim(0, 1.12 if (raw > 1.0).any() else 1.0)
    ax.set_xlabel("aandeel in de spreiding over de replicaties (gestandaardiseerde rangregressie); "
                  "tellen de schattingen op tot meer dan 1 (te weinig replicaties), dan is de balk "
                  "herschaald naar 1 en staat de som ernaast", fontsize=7)
    replications = int(d["replicaties"].iloc[0])
    ax.set_title(f"Waar de spreiding vandaan komt ({replications} replicaties; marges in decompositie.csv)",
                 fontsize=10)
    ax.legend(fontsize=7, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=4)
    return _save(fig, out, "decompositie")


FIGURES = {  # file name -> (what it shows, for the report and the README)
    "dashboard": "adressen per mijlpaal per kwartaal, hele opgave en per risicoprofiel",
    "dashboard_groningen": "gemeente Groningen: gepubliceerd dashboard en prognose",
    "waaier": "voltooid (cumulatief) met P10 - P90 band",
    "voltooiing": "aandeel voltooid per risicoprofiel en per gemeente (per gemeente illustratief zonder "
                  "adressenbestand)",
    "knelpunten": "bezetting en wachtrij per middel per kwartaal",
    "wisselwoningen": "wisselwoningen: vraag, aanbod en tekort",
    "doorlooptijden": "duur per stap en per traject, met SodM tabel 2.4",
    "decompositie": "waar de spreiding vandaan komt: elke onzekere parameter en de ruis",
}


def draw_all(folder: Path, out: Path, label: str) -> list[Path]:
    """Every figure of one run's results folder into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for draw in (dashboard, dashboard_groningen, completion, bottlenecks, wisselwoningen, durations,
                 decomposition):
        paths += draw(folder, out)
    paths += fan([(label, folder)], out)
    return paths
