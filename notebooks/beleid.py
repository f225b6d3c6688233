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
# # For a policy adviser: what would more builders or wisselwoningen buy, and what matters most?
#
# **Question.** At the current pace (basis), what does +50% bouwcapaciteit from 2021 buy, what do
# 350 extra wisselwoningen from 2021 buy, and both? Which parameters move the end date most? And
# what would it take to be done by the end of 2026?
#
# Uses the `versterking` command as the README documents it, with **5 replications per point** (and
# a small sensitivity design) so that it runs in a few minutes on 2 cores; the answers are therefore
# rough. Run from the repository root.

# %%
import os
import subprocess
from pathlib import Path

import pandas as pd

ROOT = Path.cwd() if (Path.cwd() / "scenarios").exists() else Path.cwd().parent
os.chdir(ROOT)
OUT = Path(os.environ.get("NOTEBOOK_RESULTS", "results/notebooks"))


def versterking(*args: str) -> str:
    """Run the command line tool and return what it prints."""
    done = subprocess.run(["versterking", *args], capture_output=True, text=True, check=True)
    return done.stdout


# %% [markdown]
# ## What-ifs as a sweep
# Every resource has `extra`: a schedule of slots added to the one in force. basis has 309
# bouwcapaciteit slots from the peildatum on (`scenarios/gekalibreerd.toml`), so +50% is 155 more.
# The sweep runs all four combinations with the same seeds.

# %%
sweep = OUT / "sweep"
print(versterking(
    "sweep", "scenarios/basis.toml", "--replications", "5", "--out", str(sweep), "--force",
    "--cache", str(OUT / "cache"), "--no-progress",
    "--vary", "resources.bouwcapaciteit.extra=[],[{ from = 2021-01-01, value = 155 }]",
    "--vary", "resources.wisselwoningen.extra=[],[{ from = 2021-01-01, value = 350 }]"))

# %%
points = pd.read_csv(sweep / "sweep.csv")
print(list(points.columns))
done = points[points["maatstaf"] == "100% voltooid"]
done

# %% [markdown]
# ## Which parameters move the end date most
# `versterking sensitivity` varies every capacity, duration and share group by +-20%, one at a time
# and together (Morris). Here with 2 replications per point and 4 trajectories (the README shows the
# full design on basis).

# %%
print(versterking("sensitivity", "scenarios/basis.toml", "--replications", "2", "--trajectories", "4",
                  "--morris-replications", "1", "--out", str(OUT / "gevoeligheid"), "--force",
                  "--no-progress"))

# %% [markdown]
# ## Done by the end of 2026?
# `versterking target` found the extra capacity for 100% voltooid by 31-12-2026 (38 minutes on 2
# cores; the README shows it). Its answer is a scenario that extends basis; here we run it.

# %%
print(Path("scenarios/basis-doel-2026-12-31.toml").read_text())
print(versterking("run", "scenarios/basis-doel-2026-12-31.toml", "--replications", "5",
                  "--out", str(OUT / "doel"), "--force", "--no-progress"))

# %% [markdown]
# ## Answer
# In plain words, from the numbers above:

# %%
def years(p50_days: float) -> float:
    return p50_days / 365.25


p50 = done.set_index(["resources.bouwcapaciteit.extra", "resources.wisselwoningen.extra"])["P50"]
base = p50.iloc[0]
for (bouw, wissel), value in p50.items():
    options = (("bouwcapaciteit +50%", bouw != "[]"), ("wisselwoningen +350", wissel != "[]"))
    what = " en ".join(w for w, on in options if on)
    print(f"{what or 'basis'}: 100% voltooid {years(value - base):+.1f} jaar ten opzichte van basis")
ranking = pd.read_csv(OUT / "gevoeligheid" / "een_voor_een.csv")
print("Grootste invloed op de einddatum:", ", ".join(ranking["parameter"].head(3)))
ends = pd.read_csv(OUT / "doel" / "end_dates.csv")
print("Met het antwoord van target:",
      ends[(ends["groep"] == "totaal") & (ends["statistiek"] == "P50")]["100% voltooid"].iloc[0],
      "(P50 van 100% voltooid; doel 2026-12-31)")
