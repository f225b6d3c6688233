"""versterking: a discrete-event capacity simulator for the Groningen versterkingsopgave.

The Python API, and the only door to the package: the `versterking` command and the web app use
nothing else (an import-linter contract). Every experiment returns data (tidy DataFrames); writing a
results folder is a separate step:

    import versterking as vs

    basis = vs.load_scenario("basis")                 # a file, or a name from the shipped library
    forecast = vs.run(basis, replications=50)         # .tables (milestones, end_dates, ...), .per_replication
    print(vs.run_text(forecast))
    vs.write_run(forecast, "results/basis")
    vs.report("results/basis")                        # the figures and rapport.html

    comparison = vs.compare(["basis", "versnellingspakket"], replications=5)   # .table, .per_replication
    grid = vs.sweep("basis", [("resources.bouwcapaciteit.factor", [1, 1.5, 2])], replications=10)
    approx = vs.preview(basis)                       # the flow model in a second: an approximation
    ranking = vs.sensitivity("basis")                 # which parameters move the end date most
    answer = vs.seek("basis", vs.Question(date(2026, 12, 31), 0.9))   # terug redeneren
    print(vs.lookup_text("results/basis", address="A001529"))
    fit = vs.calibrate("replay-2018")                 # the 2018 - 2020 replay fitted (about 3 minutes)
    history = vs.calibrate_history("replay-2020")     # 2020 - 2024: growth and norm shares fitted
    held = vs.backtest(["verwachting"])               # the forecast against what was published later

The names that need matplotlib or openpyxl (the report, the workbook, the sensitivity's and the
calibration's writers) load it when first used, so that `import versterking` stays quick.
"""

from importlib import import_module
from typing import Any

from .analyses.sensitivity import Sensitivity, sensitivity
from .analyses.target import Answer, Question, extra_with_steps, seek
from .analyses.target_output import answer_text, write_answer
from .calibration.backtest import Backtest, backtest
from .calibration.fit import Calibration, calibrate
from .calibration.fit import check as check_calibration
from .calibration.history_fit import HistoryFit
from .calibration.history_fit import fit_history as calibrate_history
from .calibration.lpa2020 import text as lpa2020_text
from .calibration.lpa2020 import validate as check_lpa2020
from .engine.result import RunResult
from .engine.run import run_scenario
from .errors import InputError
from .inputs.loader import LoadedScenario, library, load_scenario
from .inputs.notes import parameters as scenario_keys
from .inputs.package_data import library_names
from .inputs.population import load_population
from .inputs.scenario import Scenario
from .inputs.uncertain import TriangularRange
from .outputs.folders import write_comparison, write_run, write_sweep
from .outputs.lookup import lookup_text
from .outputs.printout import comparison_text, preview_text, run_text, sweep_text
from .outputs.reading import read_table
from .runs.backends import Progress
from .runs.comparison import Comparison, comparable, compare, compared_variants, headline
from .runs.forecast import Forecast, run
from .runs.preview import Preview, preview
from .runs.sweep import CACHE, Sweep, parse_axis, sweep
from .runs.tables import Tables, make_tables
from .version import __version__

# name -> (module, its name there): imported when first asked for
_LAZY = {
    "report": (".outputs.report", "report"),
    "write_report": (".outputs.report", "write_report"),
    "write_workbook": (".outputs.workbook", "write_workbook"),
    "sensitivity_text": (".analyses.sensitivity_output", "sensitivity_text"),
    "write_sensitivity": (".analyses.sensitivity_output", "write_sensitivity"),
    "backtest_text": (".calibration.backtest_output", "backtest_text"),
    "write_backtest": (".calibration.backtest_output", "write_backtest"),
    "history_text": (".calibration.history_report", "history_text"),
    "write_history": (".calibration.history_report", "write_history"),
    "check_history": (".calibration.history_report", "check_history"),
    "history_check_text": (".calibration.history_report", "check_text"),
    "history_holds": (".calibration.history_report", "passes"),
    "calibration_cells": (".calibration.report", "cell_table"),
    "write_calibration": (".calibration.report", "write_report"),
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'versterking' has no attribute {name!r}")
    module, attribute = _LAZY[name]
    return getattr(import_module(module, __name__), attribute)


__all__ = [
    "Answer", "Backtest", "CACHE", "Calibration", "Comparison", "Forecast", "HistoryFit", "InputError",
    "LoadedScenario", "Preview", "Progress", "Question", "RunResult", "Scenario", "Sensitivity", "Sweep",
    "Tables", "TriangularRange", "__version__", "answer_text", "backtest", "calibrate", "calibrate_history",
    "check_calibration", "check_lpa2020", "comparable", "compare", "compared_variants", "comparison_text",
    "extra_with_steps", "headline", "library", "library_names", "load_population", "load_scenario",
    "lookup_text", "lpa2020_text", "make_tables", "parse_axis", "preview", "preview_text", "read_table",
    "run", "run_scenario", "run_text", "scenario_keys", "seek", "sensitivity", "sweep", "sweep_text",
    "write_answer", "write_comparison", "write_run", "write_sweep", *_LAZY,
]
