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
# # For a reviewer: can I reproduce an end date, and does the model match the published history?
#
# **Question.** Given a results folder, can I rerun it from its manifest alone and get the same
# numbers to the byte? Does the calibrated model still meet the published SodM tables? And what
# happened to a few individual addresses?
#
# Uses the package's Python API (the README's "Python API"), with **3 replications** instead of 50;
# reproducibility does not depend on that. Open it in Jupyter from this folder.

# %%
import json
import os
import tempfile
from pathlib import Path

import versterking as vs
from versterking.calibration.fit import check

OUT = Path(os.environ.get("NOTEBOOK_RESULTS", "results"))

# %% [markdown]
# ## A run, and its manifest
# Every results folder carries `manifest.json`: the command, the scenario files verbatim, the seed,
# package and dependency versions, and a sha256 of every file written.

# %%
first = vs.write_run(vs.run("basis", replications=3), OUT / "eerste", force=True)
manifest = json.loads((first / "manifest.json").read_text())
print("seed:", manifest["seed"], " replications:", manifest["replications"],
      " scenario sha256:", manifest["scenario"]["sha256"][:16])
print("files of the extends chain:", list(manifest["scenario"]["files"]))

# %% [markdown]
# ## Reproduce it from the manifest alone
# Write the scenario files the manifest holds into an empty folder, run them with the recorded seed
# and number of replications, and compare every table's sha256 with the manifest (summary.txt and
# the manifest also record how long the run took).

# %%
with tempfile.TemporaryDirectory() as tmp:
    files = manifest["scenario"]["files"]  # "<library>/...": a file of the installed library, by name
    for name, text in files.items():
        if not name.startswith("<library>/"):
            (Path(tmp) / name).parent.mkdir(parents=True, exist_ok=True)
            (Path(tmp) / name).write_text(text)
    scenario = vs.load_scenario(Path(tmp) / next(iter(files)))  # the first file is the scenario itself
    again = vs.run(scenario, replications=manifest["replications"], seed=manifest["seed"])
    redone = json.loads((vs.write_run(again, OUT / "opnieuw", force=True) / "manifest.json").read_text())
same = {name: redone["outputs"][name] == digest for name, digest in manifest["outputs"].items()
        if name.endswith((".csv", ".parquet"))}
print(same)
assert all(same.values()), "a file differs from the manifest's record"

# %% [markdown]
# ## The calibration against the published tables
# `check()` (`versterking calibrate --check`) replays 2018 - 17 Jul 2020 with the calibrated
# scenario and holds it against SodM 2020 tabel 2.1, 2.2 and 2.4 (the report in
# `calibration/report/` has every cell).

# %%
cells = check()
held = cells[cells["held_to"].notna()]
print(f"{int(held['ok'].sum())} van {len(held)} getoetste cellen binnen tolerantie")

# %% [markdown]
# ## A few addresses, step by step
# A single run (`replications=1`) keeps its full event log: one row per address per step.

# %%
events = vs.run("basis", replications=1).events
print(list(events.columns))
some = events["address_id"].drop_duplicates().sample(3, random_state=1)
events[events["address_id"].isin(some)].sort_values(["address_id", "start"])

# %% [markdown]
# ## Answer
# In plain words, from the cells above:

# %%
print(f"Reproduceerbaar: {sum(same.values())} van {len(same)} tabellen byte-identiek na een nieuwe run "
      "uit alleen het manifest.")
print(f"Kalibratie: {int(held['ok'].sum())} van {len(held)} getoetste cellen binnen tolerantie.")
print(f"Gebeurtenissen: {len(events):,} regels voor {events['address_id'].nunique():,} adressen in één run.")
