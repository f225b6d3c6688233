"""The files of a results folder, named once: the writers (versterking.outputs.folders), the readers
(report, workbook, lookup, figures, the web app) and docs/reference/results-folder.md use these."""

MANIFEST = "manifest.json"          # what made the folder (versterking.outputs.manifest)
SUMMARY = "summary.txt"             # what the command printed
REPORT = "rapport"                  # the report's subfolder: figures and rapport.html
REPORT_PAGE = "rapport.html"

# a run's tables (versterking.runs.tables.Tables' fields) and their files, for one run or many
TABLES = {
    "milestones": "milestones_quarterly.csv",
    "production": "production_quarterly.csv",
    "end_dates": "end_dates.csv",
    "durations": "step_durations.csv",
    "resources": "resources_quarterly.csv",
    "bottlenecks": "bottlenecks.csv",
    "bottlenecks_gemeente": "bottlenecks_gemeente.csv",
}
MILESTONES, PRODUCTION, END_DATES, DURATIONS, RESOURCES, BOTTLENECKS, BOTTLENECKS_GEMEENTE = TABLES.values()
PER_REPLICATION = "per_replicatie.csv"  # every replication's metrics and drawn values
DECOMPOSITION = "decompositie.csv"      # which uncertain parameter the spread comes from
CLAIMS = "uitspraken.csv"               # where the scenario's published end dates fall
EVENTS = "events.parquet"               # one row per address per step
ADDRESSES, CLUSTERS = "adressen.csv", "clusters.csv"  # each address's and cluster's dates

COMPARISON = "vergelijking.csv"         # compare
KNELPUNTEN = "knelpunten.csv"           # compare and sensitivity: the binding resource per year
SWEEP_PARQUET, SWEEP_CSV = "sweep.parquet", "sweep.csv"
# backtest: every later published figure against each origin's band; the verdict per origin; the chart
BACKTEST_FIGURES, BACKTEST_SUMMARY = "backtest.csv", "backtest_samenvatting.csv"
BACKTEST_CHART = "backtest.png"
