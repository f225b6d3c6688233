"""What `versterking calibrate --history` writes and prints: the fitted replay of 2020 - 2024 as a
scenario (GENERATED, extending the replay), and its report: every figure against the fit, the
parameters with their standard errors, a figure of the series."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from ..domain import VERSTERKT, VOLDOET  # noqa: E402
from ..errors import InputError  # noqa: E402
from ..inputs.loader import LoadedScenario, load_scenario  # noqa: E402
from ..version import __version__  # noqa: E402
from ..writing import atomic_file, atomic_folder  # noqa: E402
from . import history_fit  # noqa: E402
from .backtest_output import finish, yearly  # noqa: E402
from .history_fit import GROWING, SHARES, HistoryFit  # noqa: E402

# the line of a fitted history scenario that `calibrate --check` holds it to
RECORD = re.compile(r"^# fit: kosten (?P<cost>[0-9.]+), (?P<held>[0-9]+) van (?P<fitted>[0-9]+) cijfers",
                    re.M)
CHECK_MARGIN = 1.1  # the check passes while the cost is at most this times the recorded one
COLUMNS = ["datum", "maat", "soort", "vanaf", "waarde", "stroommodel", "gesimuleerd", "tolerantie", "residu",
           "gefit", "reden", "source"]


def held(table: pd.DataFrame) -> int:
    fitted = table[table["gefit"]]
    return int((fitted["residu"].abs() <= 1).sum())


def history_text(h: HistoryFit) -> str:
    lines = [f"historie 17-07-2020 - 31-12-2024: {held(h.table)} van {int(h.table['gefit'].sum())} gefitte "
             f"cijfers binnen de tolerantie in de simulatie (kosten {h.cost:.1f}; {h.rounds} ronden, "
             f"{h.flow_evaluations} runs van het stroommodel, {h.replications} replicaties per ronde)"]
    for name, value, se, determined in h.values.itertuples(index=False):
        note = "" if determined else "  (niet bepaald door de cijfers)"
        lines.append(f"  {name:<48} {value:6.3f} +- {se:.3f}{note}")
    return "\n".join(lines)


def history_toml(h: HistoryFit, extends: str, header: str) -> str:
    """The fitted numbers as a scenario that extends the replay."""
    values = dict(zip(h.parameters.names, zip(h.x, h.spread, strict=True), strict=True))
    lines = [header.rstrip(), f"# fit: kosten {h.cost:.1f}, {held(h.table)} van "
             f"{int(h.table['gefit'].sum())} cijfers binnen de tolerantie (calibrate --check houdt het "
             "daaraan)", "",
             f'extends = "{extends}"', 'name = "historie-2020"',
             'description = "Historie 17 jul 2020 - 31 dec 2024 met gefitte groei en aandelen die aan de '
             'norm voldoen"', ""]
    for r in GROWING:
        value, se = values[f"resources.{r}.growth.max_growth"]
        lines += [f"[resources.{r}.growth]",
                  f"max_growth = {value:.4f}  # calibrate --history, standaardfout {se:.3f}", ""]
    lines += ["[shares]", "meets_norm_changes = ["]
    for day in h.parameters.norm_years:
        value, se = values[f"meets_norm vanaf {day}"]
        lines.append(f"  {{ from = {day}, P50 = {value:.4f}, P90 = {value:.4f}, grijs = {value:.4f} }},"
                     f"  # calibrate --history, standaardfout {se:.3f}")
    lines.append("]")
    for name in SHARES:
        value, se = values[f"shares.{name}"]
        lines.append(f"{name} = {value:.4f}  # calibrate --history, standaardfout {se:.3f}")
    return "\n".join(lines) + "\n"


def history_figure(table: pd.DataFrame, path: Path) -> None:
    """The cumulative series and the beoordelingen a year: published against the fitted replay."""
    panels = [("voltooid", "stand"), (VERSTERKT, "stand"), (VOLDOET, "stand"), ("beoordeeld", "stroom")]
    fig, axes = plt.subplots(1, len(panels), figsize=(18, 4.2))
    for ax, (maat, soort) in zip(axes, panels, strict=True):
        shown = table[(table["maat"] == maat) & (table["soort"] == soort)]
        for k, (_, part) in enumerate(shown.groupby(shown["vanaf"].map(str), sort=False)):  # a year each
            days, first = pd.to_datetime(part["datum"]), k == 0  # the legend names the first only
            ax.plot(days, part["gesimuleerd"], "o-", color="C0", ms=4,
                    label="replay (gefit, simulatie)" * first)
            ax.scatter(days, part["waarde"], color="black", s=16, zorder=3, label="gepubliceerd" * first)
            ax.fill_between(days, part["waarde"] - part["tolerantie"], part["waarde"] + part["tolerantie"],
                            color="grey", alpha=0.2, label="tolerantie" * first)
        ax.set_title(maat + (" (sinds 1 januari)" if soort == "stroom" else ""))
        yearly(ax)
    finish(fig, axes, "Historie 2020 - 2024: de gefitte replay tegen de gepubliceerde cijfers", path)


def write_history(h: HistoryFit, scenario_out: Path, folder: Path, argv: list[str],
                  force: bool = False) -> None:
    """The fitted scenario and the report folder, each whole or not at all."""
    command = "versterking calibrate " + " ".join(argv[2:]) if len(argv) > 2 else "versterking calibrate"
    extends = h.loaded.extends_from(scenario_out.parent)
    header = (f"# GENERATED by `{command}` (versterking {__version__}); do not edit:\n"
              f"# rerun the command. The replay of {h.loaded.path.name} with the mechanisms' numbers\n"
              f"# fitted to what NCG and SodM published from Jul 2020 to Dec 2024; every figure is in\n"
              f"# {folder}/.")
    with atomic_file(scenario_out, force, "scenario file") as scenario_tmp, \
            atomic_folder(folder, force, "calibration report") as tmp:
        h.table[COLUMNS].to_csv(tmp / "historie.csv", index=False)
        h.values.to_csv(tmp / "historie_parameters.csv", index=False)
        history_figure(h.table, tmp / "historie.png")
        (tmp / "README.md").write_text(_report_text(h, command), "utf-8")
        scenario_tmp.write_text(history_toml(h, extends, header), "utf-8")


def check_history(scenario: str | Path = "historie-2020", replications: int = 4,
                  workers: int | None = None) -> tuple[pd.DataFrame, float, float]:
    """The fitted history scenario replayed as it is: its table, its cost, and the cost it recorded."""
    loaded: LoadedScenario = load_scenario(scenario)
    record = RECORD.search(loaded.path.read_text("utf-8"))
    if record is None:
        raise InputError(f"{loaded.path}: not a fitted history scenario (no '# fit: kosten ...' line from "
                         "versterking calibrate --history)")
    table, cost = history_fit.replay_history(loaded, replications, workers)
    return table, cost, float(record["cost"])


def _report_text(h: HistoryFit, command: str) -> str:
    fitted = h.table[h.table["gefit"]]
    shown = h.table[~h.table["gefit"]]
    worst = fitted.assign(a=fitted["residu"].abs()).sort_values("a", ascending=False).head(8)
    rows = "\n".join(f"| {r.datum} | {r.maat} | {r.soort} | {r.waarde:,.0f} | {r.gesimuleerd:,.0f} | "
                     f"{r.residu:+.1f} |" for r in worst.itertuples())
    params = "\n".join(f"| {n} | {v:.3f} | {se:.3f} | {'ja' if ok else 'nee'} |"
                       for n, v, se, ok in h.values.itertuples(index=False))
    reasons = shown.groupby("reden").size()
    return f"""# Calibration report: 17 Jul 2020 - 31 Dec 2024

Generated by `{command}`; regenerate with the same command (add `--force`). The fitted scenario is
`scenarios/historie-2020.toml`; `versterking calibrate --check` replays it and fails if its cost rises
more than {100 * (CHECK_MARGIN - 1):.0f}% above the one it recorded.

## Method
{history_fit.__doc__.strip()}

## Fit
{held(h.table)} of {len(fitted)} fitted figures are within their tolerance in the simulation ({h.replications}
replications at the modes); cost {h.cost:.1f}; {h.rounds} rounds, {h.flow_evaluations} runs of the flow model.
{len(shown)} figures are shown and not fitted: {"; ".join(f"{n} {r}" for r, n in reasons.items())}.

![The series](historie.png)

The figures furthest off (residual in tolerances; `historie.csv` has every one):

| datum | maat | soort | gepubliceerd | gesimuleerd | residu |
|---|---|---|---|---|---|
{rows}

## Parameters (standard errors from the flow model's Jacobian at the fit)

| parameter | waarde | standaardfout | bepaald door de cijfers |
|---|---|---|---|
{params}
"""


def check_text(table: pd.DataFrame, cost: float, recorded: float) -> str:
    fitted = table[table["gefit"]]
    verdict = "binnen" if cost <= CHECK_MARGIN * recorded else "BUITEN"
    return (f"historie 2020 - 2024: {held(table)} van {len(fitted)} gefitte cijfers binnen de tolerantie; "
            f"kosten {cost:.1f} tegen {recorded:.1f} bij de fit ({verdict} de marge van "
            f"{100 * (CHECK_MARGIN - 1):.0f}%)")


def passes(cost: float, recorded: float) -> bool:
    return bool(np.isfinite(cost)) and cost <= CHECK_MARGIN * recorded
