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
# # For a policy adviser: what would more builders or wisselwoningen buy, and what matters most?
#
# **Question.** At the current pace (basis), what does +50% bouwcapaciteit from 2021 buy, what do
# 350 extra wisselwoningen from 2021 buy, and both? Which parameters move the end date most? And
# what would it take to be done by the end of 2026?
#
# Uses the package's Python API (the README's "Python API"), with **5 replications per point** (and
# a very small sensitivity design) so that it runs in a few minutes on 2 cores; the answers are therefore
# rough. Open it in Jupyter from this folder.

# %%
import os
from datetime import date
from pathlib import Path

import versterking as vs

OUT = Path(os.environ.get("NOTEBOOK_RESULTS", "results"))
REPLICATIONS = int(os.environ.get("NOTEBOOK_REPLICATIONS", 5))  # the test suite runs it with 2

# %% [markdown]
# ## What-ifs as a sweep
# Every resource has `extra`: a schedule of slots added to the one in force. basis has 309
# bouwcapaciteit slots from the peildatum on (the library's `gekalibreerd`), so +50% is 155 more.
# The sweep runs all four combinations with the same seeds.

# %%
from2021 = date(2021, 1, 1)
axes = [("resources.bouwcapaciteit.extra", [[], [{"from": from2021, "value": 155}]]),
        ("resources.wisselwoningen.extra", [[], [{"from": from2021, "value": 350}]])]
grid = vs.sweep("basis", axes, replications=REPLICATIONS, cache=OUT / "cache")
print(vs.sweep_text(grid))
vs.write_sweep(grid, OUT / "sweep", force=True)

# %%
done = grid.table[grid.table["maatstaf"] == "100% voltooid"]
done

# %% [markdown]
# ## Which parameters move the end date most
# `vs.sensitivity` varies every capacity, duration and share group by +-20%, one at a time and
# together (Morris). Here with 1 replication per point and 2 trajectories, so that the notebook runs in
# about two minutes: read the order, not the sizes (the README shows the full design on basis).

# %%
ranking = vs.sensitivity("basis", replications=1, trajectories=2, morris_replications=1)
ranking.one_at_a_time.head(8)

# %% [markdown]
# ## Done by the end of 2026?
# `versterking target` reasons back from a date to a plan per resource and year, within the growth
# limits of basis's `[target]` (every resource at most doubles a year, after a lead time). With those
# limits the end of 2026 is out of reach (the README shows the answer, ONHAALBAAR, with the earliest
# date the fastest path reaches); the end of 2030 is not. The plan for 2030 is a scenario of the
# library that extends basis; here we run it.

# %%
answer = vs.load_scenario("basis-doel-2030-12-31")
print(answer.path.read_text())
doel = vs.run(answer, replications=REPLICATIONS)
print(vs.run_text(doel))

# %% [markdown]
# ## Answer
# In plain words, from the numbers above:

# %%
def years(p50_days: float) -> float:
    return p50_days / 365.25


base = done["P50"].iloc[0]
for _, point in done.iterrows():
    options = (("bouwcapaciteit +50%", point["resources.bouwcapaciteit.extra"]),
               ("wisselwoningen +350", point["resources.wisselwoningen.extra"]))
    what = " en ".join(w for w, extra in options if len(extra))
    print(f"{what or 'basis'}: 100% voltooid {years(point['P50'] - base):+.1f} jaar ten opzichte van basis")
print("Grootste invloed op de einddatum:", ", ".join(ranking.one_at_a_time["parameter"].head(3)))
ends = doel.tables.end_dates
print("Met het antwoord van target:",
      ends[(ends["groep"] == "totaal") & (ends["statistiek"] == "P50")]["100% voltooid"].iloc[0],
      "(P50 van 100% voltooid; doel 2030-12-31)")
