"""What `versterking backtest` prints and writes: per origin the share of later figures inside the band,
the P50's error and the band's width; a table per figure; a chart of the bands against the published
figures; a results folder with its manifest."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from .. import filenames  # noqa: E402
from ..calendar import dutch_number  # noqa: E402
from ..domain import VERSTERKT, VOLDOET  # noqa: E402
from ..outputs.folders import write_csv  # noqa: E402
from ..outputs.manifest import population_manifest, scenario_manifest, write_manifest  # noqa: E402
from ..writing import atomic_folder  # noqa: E402
from .backtest import GOAL, Backtest  # noqa: E402
from .learned import Learned  # noqa: E402

CHARTED = ("voltooid", VERSTERKT, VOLDOET)  # the cumulative series NCG publishes most often


def _nl(x: float, digits: int = 1) -> str:
    return f"{x:.{digits}f}".replace(".", ",")


def backtest_text(bt: Backtest) -> str:
    """Per origin: the verdict over all later figures against the goal, per maat, and the figure
    the P50 missed most."""
    lines = [f"backtest: {len(bt.origins)} vertrekpunt(en), {bt.replications} replicaties elk; doel voor de "
             f"methode: {GOAL['binnen']:.0%} binnen P10 - P90, P50 gemiddeld hoogstens "
             f"{_nl(GOAL['fout'], 0)} punten ernaast, band gemiddeld hoogstens {_nl(GOAL['breedte'], 0)} "
             "punten breed"]
    lines += [f"  {lesson(taught, name)}" for name, taught in bt.lessons.items()]
    summary = bt.summary
    for o in bt.origins:
        rows = summary[summary["scenario"] == o.scenario.name]
        whole = rows[rows["maat"] == "alle"].iloc[0]
        lines.append(f"  {o.scenario.name} (vanaf {o.scenario.start:%d-%m-%Y}): {whole['cijfers']} latere "
                     f"cijfers; {whole['binnen']:.0%} binnen P10 - P90, P50 gemiddeld "
                     f"{_nl(whole['fout (punten)'])} punten ernaast, band gemiddeld "
                     f"{_nl(whole['breedte (punten)'])} punten breed")
        f = o.figures
        per = [f"{r['maat']} {round(r['binnen'] * r['cijfers'])}/{r['cijfers']}"
               for _, r in rows[rows["maat"] != "alle"].iterrows()]
        lines.append(f"    binnen de band, per maat: {', '.join(per)}")
        worst = f.loc[f["fout (punten)"].abs().idxmax()]
        lines.append(f"    verst ernaast: {worst['maat']} op {worst['datum']:%d-%m-%Y}: gepubliceerd "
                     f"{dutch_number(worst['gepubliceerd'])}, P50 {dutch_number(worst['P50'])} (P10 "
                     f"{dutch_number(worst['P10'])} - P90 {dutch_number(worst['P90'])}), "
                     f"{_nl(worst['fout (punten)'])} punten")
    return "\n".join(lines)


def lesson(taught: Learned, name: str) -> str:
    """What the method learned for one origin: each growth with its range and from how many figures,
    or why nothing."""
    if taught.fit is None:
        return f"{name}: vóór de stand is niets gepubliceerd om van te leren; de methode is het scenario zelf"
    fitted = int(taught.fit.table["gefit"].sum())
    if not taught.ranges:
        return (f"{name}: de {fitted} cijfers tot de stand bepalen geen groei; de methode is het scenario "
                "zelf")
    since = {r: f"; rij te lang sinds {day:%d-%m-%Y}" for r, day in taught.over_since.items()}
    grown = ", ".join(f"{r} {_nl(mode, 2)} ({_nl(low, 2)} - {_nl(high, 2)}{since.get(r, '')})"
                      for r, (low, mode, high) in taught.ranges.items())
    return (f"{name}: uit {fitted} cijfers tot de stand geleerd, groei per jaar (P50, bereik): {grown} "
            f"-> {taught.loaded.scenario.name}")


def backtest_chart(bt: Backtest, path: Path) -> None:
    """Per cumulative series: each origin's P10 - P90 band and P50 on the figures' days, and the
    published figures as dots."""
    fig, axes = plt.subplots(1, len(CHARTED), figsize=(5 * len(CHARTED), 4.2), sharey=False)
    figures = bt.figures
    for ax, maat in zip(axes, CHARTED, strict=True):
        shown = figures[(figures["maat"] == maat) & (figures["soort"] == "stand")]
        for k, (name, f) in enumerate(shown.groupby("scenario", sort=False)):
            days = pd.to_datetime(f["datum"])
            color = f"C{k}"
            ax.fill_between(days, f["P10"], f["P90"], color=color, alpha=0.25,
                            label=f"{name}: P10 - P90")
            ax.plot(days, f["P50"], color=color, lw=1.2, label=f"{name}: P50")
        published = shown.drop_duplicates("datum")
        ax.scatter(pd.to_datetime(published["datum"]), published["gepubliceerd"], color="black", s=14,
                   zorder=3, label="gepubliceerd (NCG, SodM)")
        ax.set_title(maat)
        ax.set_ylabel("adressen (cumulatief)")
        yearly(ax)
    finish(fig, axes, "Backtest: de band van de voorspelling tegen wat later gepubliceerd is", path)


def yearly(ax) -> None:
    """A tick a year, and a grid."""
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.grid(alpha=0.3)


def finish(fig, axes, title: str, path: Path) -> None:
    """The legend in the first panel, the title, the file."""
    axes[0].legend(fontsize=7, loc="upper left")
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_backtest(bt: Backtest, out: Path, force: bool, command: list[str], text: str) -> None:
    with atomic_folder(out, force) as tmp:
        write_csv(bt.figures, tmp / filenames.BACKTEST_FIGURES)
        write_csv(bt.summary, tmp / filenames.BACKTEST_SUMMARY)
        backtest_chart(bt, tmp / filenames.BACKTEST_CHART)
        (tmp / filenames.SUMMARY).write_text(text + "\n", encoding="utf-8")
        write_manifest(tmp, command, {
            "replications": bt.replications,
            "origins": [{"seed": o.scenario.seed, "seeds": o.seeds,
                         "scenario": scenario_manifest(o.loaded, o.scenario),
                         "population": population_manifest(o.loaded, o.addresses),
                         "learned": None if o.learned is None else _learned_manifest(o.learned)}
                        for o in bt.origins]})


def _learned_manifest(taught: Learned) -> dict:
    """What a reviewer needs to redo the lesson: the fit's figures, cost and rounds, and the ranges."""
    fit = taught.fit
    return {"replay": str(fit.loaded.path.name), "figures_fitted": int(fit.table["gefit"].sum()),
            "cost": round(fit.cost, 3), "rounds": fit.rounds, "replications": fit.replications,
            "max_growth": {r: dict(zip(("low", "mode", "high"), v, strict=True))
                           for r, v in taught.ranges.items()},
            "over_since": {r: day.isoformat() for r, day in taught.over_since.items()}}
