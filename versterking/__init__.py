"""versterking: a discrete-event capacity simulator for the Groningen versterkingsopgave.

The Python API; the `versterking` command is a thin layer over it. Every experiment returns data
(tidy DataFrames); writing a results folder is a separate step:

    import versterking as vs

    basis = vs.load_scenario("basis")                 # a file, or a name from the shipped library
    forecast = vs.run(basis, replications=50)         # .tables (milestones, end_dates, ...), .per_replication
    print(vs.run_text(forecast))
    vs.write_run(forecast, "results/basis")

    comparison = vs.compare(["basis", "versnellingspakket"], replications=5)   # .table, .per_replication
    grid = vs.sweep("basis", [("resources.bouwcapaciteit.factor", [1, 1.5, 2])], replications=10)
    approx = vs.preview(basis)                       # the flow model in a second: an approximation
    ranking = vs.sensitivity("basis")                 # which parameters move the end date most
    answer = vs.seek(basis.scenario, vs.load_population(basis), vs.Question(date(2026, 12, 31), 0.9))
"""

from .analyses.sensitivity import Sensitivity, sensitivity
from .analyses.target import Answer, Question, seek
from .engine.result import RunResult
from .engine.run import run_scenario
from .errors import InputError
from .inputs.loader import LoadedScenario, library, load_scenario
from .inputs.population import load_population
from .inputs.scenario import Scenario
from .outputs.folders import write_comparison, write_run, write_sweep
from .outputs.printout import comparison_text, preview_text, run_text, sweep_text
from .runs.comparison import Comparison, compare
from .runs.forecast import Forecast, run
from .runs.preview import Preview, preview
from .runs.sweep import Sweep, sweep
from .runs.tables import Tables, make_tables
from .version import __version__

__all__ = [
    "Answer", "Comparison", "Forecast", "InputError", "LoadedScenario", "Preview", "Question", "RunResult",
    "Scenario", "Sensitivity", "Sweep", "Tables", "__version__", "compare", "comparison_text", "library",
    "load_population", "load_scenario", "make_tables", "preview", "preview_text", "run", "run_scenario",
    "run_text", "seek", "sensitivity", "sweep", "sweep_text", "write_comparison", "write_run", "write_sweep",
]
