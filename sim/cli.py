"""Command line: `versterking run SCENARIO` and `versterking validate SCENARIO`."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path

import click

from . import __version__
from .errors import InputError
from .model import run_scenario
from .population import load_population
from .results import check_writable, make_tables, write_results
from .scenario import load_scenario
from .summary import summary_text


@click.group()
@click.version_option(__version__, prog_name="versterking")
def main() -> None:
    """Forecast the Groningen versterkingsopgave from a scenario file."""


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Results folder (default: results/<scenario name>).")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=None,
              help="Override the scenario's seed.")
@click.option("--force", is_flag=True, help="Replace an existing results folder.")
@click.option("--progress/--no-progress", default=None,
              help="Progress bar (default: on when the terminal is interactive).")
def run(scenario: Path, out: Path | None, seed: int | None, force: bool,
        progress: bool | None) -> None:
    """Run SCENARIO once and write a results folder."""
    with _input_errors():
        loaded = load_scenario(scenario)
        sc = loaded.scenario if seed is None else loaded.scenario.model_copy(update={"seed": seed})
        out = out or Path("results") / sc.name
        check_writable(out, force)
        population = load_population(loaded)
        show = sys.stderr.isatty() if progress is None else progress
        result = run_scenario(sc, population, progress=show)
        tables = make_tables(result)
        text = summary_text(result, tables)
        folder = write_results(result, tables, loaded, out, force, sys.argv, text)
    click.echo(text)
    click.echo(f"  resultaten: {folder}")


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path))
def validate(scenario: Path) -> None:
    """Check SCENARIO and its address file without running it."""
    with _input_errors():
        loaded = load_scenario(scenario)
        population = load_population(loaded)
    sc = loaded.scenario
    click.echo(f"{scenario}: ok ({sc.name}, {len(population):,} adressen, "
               f"{len(loaded.files)} bestand(en), sha256 {loaded.content_hash[:12]})")


@contextmanager
def _input_errors():
    """Bad input: one line on stderr, exit status 2, nothing written."""
    try:
        yield
    except InputError as exc:
        click.echo(f"versterking: error: {exc}", err=True)
        sys.exit(2)
