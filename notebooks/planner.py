# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.7
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
# This notebook uses the package's Python API (the README's "Python API"), with **5 replications per
# scenario** instead of 50, so that it runs in a few minutes on 2 cores; the P10-P90 ranges are
# therefore rough. Open it in Jupyter from this folder (`jupyter lab`, then this file).

# %%
import os
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

import versterking as vs

OUT = Path(os.environ.get("NOTEBOOK_RESULTS", "results"))
REPLICATIONS = int(os.environ.get("NOTEBOOK_REPLICATIONS", 5))  # the test suite runs it with 2
SCENARIOS = ["basis", "versnellingspakket", "versnellingspakket-vertraagd", "crisisaanpak"]

# %% [markdown]
# ## Compare the scenarios under common random numbers
# `vs.compare` runs every scenario of the shipped library with the same seeds, so differences come
# from the scenarios, not from luck. It returns data; writing a results folder is a separate step.

# %%
comparison = vs.compare(SCENARIOS, replications=REPLICATIONS)
print(vs.comparison_text(comparison))
vs.write_comparison(comparison, OUT / "vergelijking", force=True)

# %%
end = comparison.table[comparison.table["maatstaf"] == "100% voltooid"].set_index("scenario")
start = pd.Timestamp(comparison.scenarios[0].scenario.start)
end_dates = end[["P10", "P50", "P90"]].apply(lambda col: start + pd.to_timedelta(col, unit="D"))
end_dates

# %%
fig, ax = plt.subplots(figsize=(7, 3))
for i, (_, row) in enumerate(end_dates.iterrows()):
    ax.plot([row["P10"], row["P90"]], [i, i], color="#4c72b0", lw=6, alpha=0.4)
    ax.plot(row["P50"], i, "o", color="#4c72b0")
ax.set_yticks(range(len(end_dates)), end_dates.index)
ax.set_title(f"100% voltooid: P50 and P10 - P90 ({REPLICATIONS} replications)")
fig.tight_layout()

# %% [markdown]
# ## One gemeente, quarter by quarter
# A forecast's `tables.milestones` holds the addresses per dashboard milestone at the end of every
# quarter, for the whole opgave, per risk profile and per gemeente.

# %%
forecast = vs.run("versnellingspakket", replications=REPLICATIONS)
print(vs.run_text(forecast))
milestones = forecast.tables.milestones
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
