"""The calibration report: fit and backtest tables per cell, and figures of simulated against
published, written as Markdown, CSV and PNG so that it reads on GitHub and diffs in review."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
from pathlib import Path  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from ..inputs.loader import load_scenario  # noqa: E402
from ..version import __version__  # noqa: E402
from ..writing import atomic_file, atomic_folder  # noqa: E402
from .fit import BACKTEST_UNTIL, PEILDATUM, calibrated_toml  # noqa: E402
from .fit import __doc__ as calibrate_doc  # noqa: E402
from .observe import PHASES  # noqa: E402

COLUMNS = {"table": "tabel", "key1": "rij", "key2": "kolom", "published": "gepubliceerd",
           "simulated": "gesimuleerd", "low": "min", "high": "max", "error": "afwijking",
           "held_to": "tolerantie", "ok": "binnen tolerantie"}


def cell_table(df: pd.DataFrame) -> pd.DataFrame:
    """The per-cell table with Dutch headers, errors in percent, as written to CSV."""
    out = df[[c for c in COLUMNS if c in df] + [c for c in ("sample",) if c in df]].copy()
    out["error"] = (100 * out["error"]).round(1)
    out["held_to"] = (100 * out["held_to"]).round(0)
    for col in ("simulated", "low", "high"):
        out[col] = out[col].round(0)
    return out.rename(columns={**COLUMNS, "sample": "steekproef"})


def markdown(df: pd.DataFrame) -> str:
    """A GitHub table of the per-cell results (no tabulate dependency)."""
    t = cell_table(df)
    head = "| " + " | ".join(t.columns) + " |\n|" + "---|" * len(t.columns) + "\n"
    rows = []
    for _, r in t.iterrows():
        cells = []
        for c, v in r.items():
            if isinstance(v, float) and np.isnan(v):
                cells.append("")
            elif c == "binnen tolerantie":
                cells.append("ja" if v else "**nee**")
            elif isinstance(v, float):
                cells.append(f"{v:,.0f}" if c not in ("afwijking",) else f"{v:+.1f}%")
            else:
                cells.append(str(v))
        rows.append("| " + " | ".join(cells) + " |")
    return head + "\n".join(rows) + "\n"


def production_figure(fit: pd.DataFrame, backtest: pd.DataFrame | None, path) -> None:
    """Per phase: published completions per period, the fit and the backtest, with the range over
    the replications."""
    fig, axes = plt.subplots(2, 2, figsize=(11, 7), constrained_layout=True)
    for ax, phase in zip(axes.flat, PHASES, strict=True):
        f = fit[(fit["table"] == "tabel 2.2") & (fit["key1"] == phase)]
        x = np.arange(len(f))
        ax.bar(x, f["published"], color="#bbbbbb", label="gepubliceerd (SodM 2020, tabel 2.2)")
        ax.errorbar(x - 0.15, f["simulated"], yerr=[f["simulated"] - f["low"], f["high"] - f["simulated"]],
                    fmt="o", color="#1f5fa8", label="fit (gemiddelde, min-max replicaties)")
        if backtest is not None:
            b = backtest[(backtest["table"] == "tabel 2.2") & (backtest["key1"] == phase)]
            b = b.set_index("key2").reindex(f["key2"])
            spread = [b["simulated"] - b["low"], b["high"] - b["simulated"]]
            ax.errorbar(x + 0.15, b["simulated"], yerr=spread, fmt="s", color="#d0661a",
                        label="backtest (fit t/m 2019)")
        ax.set_xticks(x, f["key2"], rotation=30)
        ax.set_title(phase)
        ax.set_ylabel("adressen per periode")
    axes.flat[0].legend(fontsize=8, loc="upper right")
    fig.suptitle("Productie per periode: gesimuleerd tegen gepubliceerd")
    fig.savefig(path, dpi=110)
    plt.close(fig)


def stock_figure(fit: pd.DataFrame, backtest: pd.DataFrame | None, path) -> None:
    """Tabel 2.1 per risk profile: published cumulative counts on 17 Jul 2020 against the replay."""
    f = fit[fit["table"] == "tabel 2.1"]
    profiles = list(dict.fromkeys(f["key1"]))
    fig, axes = plt.subplots(1, len(profiles), figsize=(11, 3.6), constrained_layout=True)
    for ax, profile in zip(np.atleast_1d(axes), profiles, strict=True):
        g = f[f["key1"] == profile]
        x = np.arange(len(g))
        ax.bar(x, g["published"], color="#bbbbbb", label="tabel 2.1")
        ax.plot(x - 0.15, g["simulated"], "o", color="#1f5fa8", label="fit")
        if backtest is not None:
            b = backtest[(backtest["table"] == "tabel 2.1") & (backtest["key1"] == profile)]
            ax.plot(x + 0.15, b.set_index("key2").reindex(g["key2"])["simulated"], "s",
                    color="#d0661a", label="backtest")
        ax.set_xticks(x, [k.replace(" gereed", "").replace(" gestart", "") for k in g["key2"]],
                      rotation=30)
        ax.set_title(profile)
    np.atleast_1d(axes)[0].set_ylabel("adressen (cumulatief, 17 jul 2020)")
    np.atleast_1d(axes)[0].legend(fontsize=8)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_report(result, replay: Path, scenario_out: Path, folder: Path, argv: list[str],
                 force: bool = False) -> None:
    """Write the calibrated scenario and the report folder, each whole or not at all
    (versterking.writing): a failure leaves the previous ones as they were. The calibrated scenario
    extends the replay: a file in its folder, or a library scenario by name."""
    problem, fit = result.problem, result.fit
    command = "versterking calibrate " + " ".join(argv[2:]) if len(argv) > 2 else "versterking calibrate"
    loaded = load_scenario(replay)
    extends = loaded.extends_from(scenario_out.parent)
    header = (f"# GENERATED by `{command}` (versterking {__version__}); do not edit:\n"
              f"# rerun the command. The replay of {loaded.path.name} with capacities and durations fitted\n"
              f"# to SodM 2020 tabel 2.1, 2.2 and 2.4; the fit per cell is in {folder}/.\n"
              f"# Running this file replays 1 Jan 2018 - {PEILDATUM}; scenarios/basis.toml extends it\n"
              f"# and forecasts from {PEILDATUM} at the measured current pace.")
    text = calibrated_toml(problem, fit.x, fit.table, extends, header)
    with atomic_file(scenario_out, force, "scenario file") as scenario_tmp, \
            atomic_folder(folder, force, "calibration report") as tmp:
        cell_table(fit.table).to_csv(tmp / "fit.csv", index=False)
        cell_table(result.backtest).to_csv(tmp / "backtest.csv", index=False)
        production_figure(fit.table, result.backtest, tmp / "productie.png")
        stock_figure(fit.table, result.backtest, tmp / "werkvoorraad.png")
        (tmp / "README.md").write_text(_report_text(result, command), "utf-8")
        scenario_tmp.write_text(text, "utf-8")


def _summary(df: pd.DataFrame) -> str:
    held = df[df["held_to"].notna()]
    worst = held.assign(ratio=np.abs(held["error"]) / held["held_to"]).sort_values("ratio", ascending=False)
    lines = [f"{int(held['ok'].sum())} of {len(held)} cells held to a tolerance are within it."]
    for table, g in held.groupby("table"):
        lines.append(f"- {table}: {int(g['ok'].sum())} of {len(g)} within ±{100 * g['held_to'].iloc[0]:.0f}%;"
                     f" largest error {g['error'].abs().max() * 100:.1f}%")
    lines.append("\nWorst cells (error relative to tolerance):\n")
    for r in worst.head(5).itertuples():
        lines.append(f"- {r.table}, {r.key1}, {r.key2}: published {r.published:,.0f}, simulated "
                     f"{r.simulated:,.0f} ({100 * r.error:+.1f}%, tolerance ±{100 * r.held_to:.0f}%)")
    return "\n".join(lines)


def _effort(fit, replications: int) -> str:
    if not fit.flow_evaluations:
        return (f"Fit (--method simulatie: the search on the simulation alone): {fit.evaluations} "
                f"evaluations of {replications} replications each")
    return (f"Fit: {fit.rounds} rounds, {fit.flow_evaluations} runs of the flow model and {fit.evaluations} "
            f"simulations of {replications} replications each")


def _report_text(result, command: str) -> str:
    problem, fit = result.problem, result.fit
    params = pd.DataFrame({"parameter": problem.names, "waarde": np.exp(fit.x)})
    out_of_sample = result.backtest[result.backtest["sample"] == "uit"]
    return f"""# Calibration report

Generated by `{command}`; regenerate with the same command (add `--force`). The calibrated scenario
is `scenarios/gekalibreerd.toml`; `versterking calibrate --check` replays it and fails if a target
is missed (CI runs it).

## Method
{calibrate_doc.strip()}

{_effort(fit, problem.replications)}; final objective {fit.cost:.1f}.

## Fit (all data to 17 Jul 2020)
{_summary(fit.table)}

![Production per period](productie.png)

![Werkvoorraad on 17 Jul 2020](werkvoorraad.png)

{markdown(fit.table)}

## Backtest (fit on data to {BACKTEST_UNTIL}, forecast Q1-Q2 2020 and the 17 Jul 2020 stock)
Out of sample:

{_summary(out_of_sample)}

{markdown(result.backtest)}

## Parameters (fitted throughput per year and duration scales)
{_plain(params)}
"""


def _plain(df: pd.DataFrame) -> str:
    rows = "\n".join(f"| {r.parameter} | {r.waarde:,.2f} |" for r in df.itertuples())
    return "| parameter | waarde |\n|---|---|\n" + rows + "\n"
