# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # For a planner: what do the versnellingsmaatregelen buy, per gemeente?
#
# **Question.** With the measures of the Versnellingspakket (as announced, and as delayed) and with
# SodM's crisisaanpak, when is the opgave done, compared with the current pace (basis)? And how does
# the werkvoorraad of one gemeente move quarter by quarter?
#
# This notebook uses the `versterking` command as the README documents it, with **5 replications per
# scenario** instead of 50, so that it runs in a few minutes on 2 cores; the P10-P90 ranges are
# therefore rough. Run from the repository root (`jupyter lab`, then open this file).

# %%
import os
import subprocess
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

ROOT = Path.cwd() if (Path.cwd() / "scenarios").exists() else Path.cwd().parent
os.chdir(ROOT)
OUT = Path(os.environ.get("NOTEBOOK_RESULTS", "results/notebooks"))
SCENARIOS = ["basis", "versnellingspakket", "versnellingspakket-vertraagd", "crisisaanpak"]


def versterking(*args: str) -> str:
    """Run the command line tool and return what it prints."""
    done = subprocess.run(["versterking", *args], capture_output=True, text=True, check=True)
    return done.stdout


# %% [markdown]
# ## Compare the scenarios under common random numbers
# `versterking compare` runs every scenario with the same seeds, so differences come from the
# scenarios, not from luck.

# %%
folder = OUT / "vergelijking"
print(versterking("compare", *[f"scenarios/{s}.toml" for s in SCENARIOS], "--replications", "5",
                  "--out", str(folder), "--force", "--no-progress"))

# %%
table = pd.read_csv(folder / "vergelijking.csv")
end = table[table["maatstaf"] == "100% voltooid"].set_index("scenario")
start = pd.Timestamp("2020-07-17")
end_dates = end[["P10", "P50", "P90"]].apply(lambda col: start + pd.to_timedelta(col, unit="D"))
end_dates

# %%
fig, ax = plt.subplots(figsize=(7, 3))
for i, (_, row) in enumerate(end_dates.iterrows()):
    ax.plot([row["P10"], row["P90"]], [i, i], color="#4c72b0", lw=6, alpha=0.4)
    ax.plot(row["P50"], i, "o", color="#4c72b0")
ax.set_yticks(range(len(end_dates)), end_dates.index)
ax.set_title("100% voltooid: P50 and P10 - P90 (5 replications)")
fig.tight_layout()

# %% [markdown]
# ## One gemeente, quarter by quarter
# A single scenario run writes `milestones_quarterly.csv`: addresses per dashboard milestone at the
# end of every quarter, for the whole opgave, per risk profile and per gemeente.

# %%
run = OUT / "versnellingspakket"
print(versterking("run", "scenarios/versnellingspakket.toml", "--replications", "5", "--out", str(run),
                  "--force", "--no-progress"))
milestones = pd.read_csv(run / "milestones_quarterly.csv")
gemeente = milestones[(milestones["niveau"] == "gemeente") & (milestones["statistiek"] == "gemiddeld")]
print(sorted(gemeente["groep"].unique()))

# %%
groningen = gemeente[gemeente["groep"] == "Groningen"].set_index("peildatum")
columns = ["nog niet gestart", "opname", "beoordeling", "planvorming", "uitvoering", "voltooid"]
groningen[columns].head(16).round(0)

# %%
ax = groningen[columns].iloc[:40].plot.area(figsize=(9, 4), title="Gemeente Groningen, versnellingspakket")
ax.set_ylabel("adressen (gemiddelde over 5 replicaties)")

# %% [markdown]
# ## Answer
# In plain words, from the numbers above (100% voltooid, P50 over the replications):

# %%
p50 = end_dates["P50"]
for name in SCENARIOS:
    gain = (p50["basis"] - p50[name]).days / 365.25
    than = "" if name == "basis" else f", {gain:.0f} jaar eerder dan basis"
    print(f"{name}: de hele opgave voltooid rond {p50[name]:%m-%Y}{than}")
print("Gemeente Groningen: de tabel en figuur hierboven geven per kwartaal hoeveel adressen waar staan.")
print("Met 5 replicaties zijn de banden ruw; neem er 50 voor een plan.")
