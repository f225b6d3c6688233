"""versterking: a discrete-event capacity simulator for the Groningen versterkingsopgave.

Python API (the CLI is a thin layer on top):

    from sim import load_scenario, load_population, run_scenario, make_tables
    loaded = load_scenario("scenarios/basis.toml")
    result = run_scenario(loaded.scenario, load_population(loaded))
    tables = make_tables(result)          # milestones, end_dates, durations, resources, bottlenecks
"""

from importlib.metadata import PackageNotFoundError, version

from .errors import InputError
from .model import RunResult, run_scenario
from .population import load_population
from .results import Tables, make_tables, write_results
from .scenario import LoadedScenario, Scenario, load_scenario
from .summary import summary_text

try:
    __version__ = version("versterking")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

__all__ = [
    "InputError", "LoadedScenario", "RunResult", "Scenario", "Tables", "load_population",
    "load_scenario", "make_tables", "run_scenario", "summary_text", "write_results",
]
