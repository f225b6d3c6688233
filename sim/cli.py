"""Command line: `versterking run`, `compare`, `sweep`, `report`, `export`, `lookup`, `validate` and
`calibrate`."""

from __future__ import annotations

import errno
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


WORKERS = click.option("--workers", type=click.IntRange(1, 256), default=None,
                       help="Local processes (default: all cores); results do not depend on it.")
MILESTONE = click.option("--milestone", type=click.Choice(["100%", "95%", "P50", "P90", "grijs"]),
                         default="100%", show_default=True,
                         help="100% or 95% of all addresses voltooid, or every address of one risk profile.")
SCHEDULER = click.option("--scheduler", metavar="ADDRESS", default=None,
                         help="Run on this Dask cluster (tcp://host:port) instead of local processes.")


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--replications", type=click.IntRange(1, 100_000), default=50, show_default=True,
              help="Independent replications; 1 gives a single run with its full event log.")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Results folder (default: results/<scenario name>).")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=None,
              help="Override the scenario's seed (the root seed of the replications).")
@click.option("--events", is_flag=True,
              help="With replications: also write replication 0's full event log.")
@click.option("--report", is_flag=True, help="Also write rapport/: figures and a self-contained HTML report.")
@WORKERS
@SCHEDULER
@click.option("--force", is_flag=True, help="Replace an existing results folder.")
@click.option("--progress/--no-progress", default=None,
              help="Progress bar (default: on when the terminal is interactive).")
def run(scenario: Path, replications: int, out: Path | None, seed: int | None, events: bool,
        report: bool, workers: int | None, scheduler: str | None, force: bool,
        progress: bool | None) -> None:
    """Run SCENARIO and write a results folder: with replications, every table as mean, P10, P50
    and P90 over them (column `statistiek`) and the end dates per replication."""
    with _input_errors():
        loaded = load_scenario(scenario)
        sc = loaded.scenario if seed is None else loaded.scenario.model_copy(update={"seed": seed})
        out = out or Path("results") / sc.name
        check_writable(out, force)
        population = load_population(loaded)
        show = sys.stderr.isatty() if progress is None else progress
        if replications > 1:
            from .run_report import run_replications

            text, _ = run_replications(loaded, population, replications, sc.seed, workers,
                                            scheduler, events, out, force, sys.argv, show, report)
        else:
            result = run_scenario(sc, population, progress=show)
            tables = make_tables(result)
            text = summary_text(result, tables)
            write_results(result, tables, loaded, out, force, sys.argv, text, report)
    click.echo(text)
    click.echo(f"  resultaten: {out}")


@main.command()
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--replications", type=click.IntRange(1, 1000), default=5, show_default=True,
              help="Replications per scenario, the same seeds in every scenario.")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=None,
              help="Root seed (default: the first scenario's seed).")
@click.option("--report", is_flag=True, help="Also write rapport/ with a self-contained HTML report.")
@click.option("--attribution", is_flag=True,
              help="Also run each scenario's measures alone and left out, to show what each buys.")
@WORKERS
@SCHEDULER
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Results folder (default: results/vergelijking-<names>).")
@click.option("--force", is_flag=True, help="Replace an existing results folder.")
@click.option("--progress/--no-progress", default=None,
              help="Progress bar (default: on when the terminal is interactive).")
def compare(scenarios: tuple[Path, ...], replications: int, seed: int | None, report: bool,
            attribution: bool,
            workers: int | None, scheduler: str | None, out: Path | None, force: bool,
            progress: bool | None) -> None:
    """Run SCENARIOS side by side with common random numbers and show the differences with the
    first: end dates per phase and risk profile, 95%/100% voltooid, the binding resource per year
    and the peak wisselwoningen shortage."""
    from .comparison_report import run_comparison

    with _input_errors():
        loaded = [load_scenario(path) for path in scenarios]
        names = [item.scenario.name for item in loaded]
        twice = [n for n in names if names.count(n) > 1]
        if twice:
            raise InputError(f"{scenarios[names.index(twice[0])]}: name: '{twice[0]}' is the name of "
                             "two compared scenarios (it labels the columns); give each its own")
        out = out or Path("results") / ("vergelijking-" + "-".join(names))[:120]
        check_writable(out, force)
        show = sys.stderr.isatty() if progress is None else progress
        text, _ = run_comparison(loaded, replications, seed, attribution, workers, scheduler, out, force,
                                 sys.argv, show, report)
    click.echo(text)
    click.echo(f"  resultaten: {out}")


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--vary", "axes", multiple=True, required=True, metavar="KEY=V1,V2,...",
              help="An axis of the grid: a scenario key and its values, e.g. "
                   "resources.bouwcapaciteit.factor=1,1.5,2 (repeat for more axes).")
@click.option("--replications", type=click.IntRange(1, 100_000), default=20, show_default=True,
              help="Replications per point, the same seeds in every point.")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=None,
              help="Root seed (default: the scenario's seed).")
@WORKERS
@SCHEDULER
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Results folder (default: results/sweep-<scenario name>).")
@click.option("--cache", type=click.Path(path_type=Path), default=Path("results/.cache"),
              show_default=True, help="Finished points, reused by a resumed or overlapping sweep.")
@click.option("--force", is_flag=True, help="Replace an existing results folder.")
@click.option("--progress/--no-progress", default=None,
              help="Progress bar (default: on when the terminal is interactive).")
def sweep(scenario: Path, axes: tuple[str, ...], replications: int, seed: int | None,
          workers: int | None, scheduler: str | None, out: Path | None, cache: Path, force: bool,
          progress: bool | None) -> None:
    """Run SCENARIO at every combination of the --vary values and write one tidy table (Parquet and
    CSV) of end-date percentiles per point. Interrupted? Run the same command again: finished
    points come from the cache."""
    from .sweep import parse_axis, run_sweep

    with _input_errors():
        grid = [parse_axis(text) for text in axes]
        base = load_scenario(scenario)
        out = out or Path("results") / f"sweep-{base.scenario.name}"
        check_writable(out, force)
        root = base.scenario.seed if seed is None else seed
        show = sys.stderr.isatty() if progress is None else progress
        text, _ = run_sweep(base, grid, replications, root, workers, scheduler, out, cache, force,
                                 sys.argv, show)
    click.echo(text)
    click.echo(f"  resultaten: {out}")


@main.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace an existing report.")
def report(folder: Path, force: bool) -> None:
    """Write FOLDER/rapport/: the figures and one self-contained HTML file (opens offline) for the
    results folder of a run or a comparison."""
    from .results import REPORT, results_folder, write_report

    with _input_errors():
        if not (folder / "manifest.json").is_file():
            raise InputError(f"{folder}: not a results folder (no manifest.json); give the folder that "
                             "`versterking run` or `compare` wrote")
        with results_folder(folder / REPORT, force) as tmp:
            write_report(folder, tmp)
    click.echo(f"  rapport: {folder / REPORT / 'rapport.html'}")


@main.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--xlsx", "xlsx", type=click.Path(path_type=Path), required=True,
              help="The workbook to write (.xlsx).")
@click.option("--force", is_flag=True, help="Replace an existing workbook.")
def export(folder: Path, xlsx: Path, force: bool) -> None:
    """Write the results folder of a run as one Excel workbook: milestones per quarter (totaal, per
    risicoprofiel, per gemeente; the mean over the replications), end dates, production, step
    durations, resources, bottlenecks and the scenario's parameters."""
    from .workbook import write_workbook

    with _input_errors():
        if not (folder / "milestones_quarterly.csv").is_file() or not (folder / "manifest.json").is_file():
            raise InputError(f"{folder}: not the results folder of a run (no milestones_quarterly.csv or "
                             "manifest.json)")
        if xlsx.suffix.lower() != ".xlsx":
            raise InputError(f"--xlsx: {xlsx}: the file name must end in .xlsx")
        if xlsx.exists() and not force:
            raise InputError(f"{xlsx}: exists; pass --force to replace it")
        write_workbook(folder, xlsx)
    click.echo(f"  werkboek: {xlsx}")


@main.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--address", metavar="ID", default=None, help="An address_id from the address file.")
@click.option("--cluster", metavar="ID", default=None, help="A cluster_id from the address file.")
def lookup(folder: Path, address: str | None, cluster: str | None) -> None:
    """When is my house done: P10 / P50 / P90 of the date one address (or every address of one
    cluster) reaches each milestone still ahead, from the results folder of a run. The whole table
    is FOLDER/adressen.csv (and clusters.csv), for filtering per gemeente, cluster or street."""
    from .lookup import lookup_text

    with _input_errors():
        if (address is None) == (cluster is None):
            raise InputError("lookup: give exactly one of --address ID and --cluster ID")
        text = lookup_text(folder, address, cluster)
    click.echo(text)


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--done-by", required=True, type=click.DateTime(["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="The date the milestone must be reached by.")
@click.option("--confidence", type=click.FloatRange(0.0, 1.0, min_open=True), default=0.9,
              show_default=True, help="Share of the replications that must reach it in time.")
@MILESTONE
@click.option("--from", "from_", type=click.DateTime(["%Y-%m-%d"]), metavar="YYYY-MM-DD", default=None,
              help="Extra capacity from this date (default: the scenario's target.from, else its start).")
@click.option("--replications", type=click.IntRange(1, 1000), default=20, show_default=True,
              help="Replications per evaluation in the search (the same seeds in every one).")
@click.option("--verify", type=click.IntRange(1, 10_000), default=40, show_default=True,
              help="Fresh replications the answer is checked on.")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=None, help="Root seed.")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Results folder (default: results/doel-<scenario>-<date>).")
@click.option("--scenario-out", type=click.Path(path_type=Path), default=None,
              help="The answer as a scenario file (default: next to SCENARIO, <name>-doel-<date>.toml).")
@WORKERS
@SCHEDULER
@click.option("--force", is_flag=True, help="Replace an existing results folder and scenario file.")
def target(scenario: Path, done_by, confidence: float, milestone: str, from_, replications: int,
           verify: int, seed: int | None, out: Path | None, scenario_out: Path | None,
           workers: int | None, scheduler: str | None, force: bool) -> None:
    """Terug redeneren: the least extra capacity per resource (weighted by target.cost in the
    scenario) with which the milestone is reached by --done-by in --confidence of the replications,
    checked on fresh replications; written as a scenario that extends SCENARIO. Says so when no
    allowed increase is enough, with the earliest date the maximum reaches."""
    from .target import Question, seek
    from .target_report import answer_text, write_answer

    with _input_errors():
        loaded = load_scenario(scenario)
        sc = loaded.scenario
        update = {} if seed is None else {"seed": seed}
        if from_ is not None:
            update["target"] = sc.target.model_copy(update={"from_": from_.date()})
        sc = sc.model_copy(update=update)
        stem = f"{sc.name}-doel-{done_by:%Y-%m-%d}"
        out = out or Path("results") / f"doel-{sc.name}-{done_by:%Y-%m-%d}"
        scenario_out = scenario_out or scenario.parent / f"{stem}.toml"
        check_writable(out, force)
        if scenario_out.exists() and not force:
            raise InputError(f"{scenario_out}: exists; pass --force to replace it")
        if scenario_out.resolve().parent != scenario.resolve().parent:
            raise InputError(f"--scenario-out: {scenario_out} is not in {scenario.parent}; the answer "
                             "extends SCENARIO, so it goes in the same folder")
        population = load_population(loaded)
        question = Question(done_by.date(), confidence, milestone, replications, verify)
        answer = seek(sc, population, question, workers, scheduler,
                      log=lambda text: click.echo(text, err=True))
        text = answer_text(answer)
        write_answer(answer, loaded, len(population), out, scenario_out, force, sys.argv, text)
    click.echo(text)
    click.echo(f"  resultaten: {out}" + (f"\n  scenario: {scenario_out}" if answer.extra is not None else ""))


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@MILESTONE
@click.option("--change", type=click.FloatRange(0.01, 0.9), default=0.2, show_default=True,
              help="Each parameter times 1 - change and 1 + change.")
@click.option("--replications", type=click.IntRange(1, 1000), default=10, show_default=True,
              help="Replications per one-at-a-time point.")
@click.option("--trajectories", type=click.IntRange(2, 1000), default=10, show_default=True,
              help="Morris trajectories (each: parameters + 1 points).")
@click.option("--morris-replications", type=click.IntRange(1, 1000), default=2, show_default=True,
              help="Replications per Morris point.")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=None, help="Root seed.")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Results folder (default: results/gevoeligheid-<scenario name>).")
@WORKERS
@SCHEDULER
@click.option("--force", is_flag=True, help="Replace an existing results folder.")
@click.option("--progress/--no-progress", default=None,
              help="Progress bar (default: on when the terminal is interactive).")
def sensitivity(scenario: Path, milestone: str, change: float, replications: int, trajectories: int,
                morris_replications: int, seed: int | None, out: Path | None, workers: int | None,
                scheduler: str | None, force: bool, progress: bool | None) -> None:
    """Which parameters move the end date most: each capacity, duration and share group one at a
    time (tornado chart) and together (Morris elementary effects, SALib), with the number of model
    runs; and the binding resource per year. Figures and tables in the results folder."""
    from tqdm import tqdm

    from .sensitivity import analyse, parameters
    from .sensitivity_report import sensitivity_text, write_sensitivity

    with _input_errors():
        loaded = load_scenario(scenario)
        sc = loaded.scenario if seed is None else loaded.scenario.model_copy(update={"seed": seed})
        out = out or Path("results") / f"gevoeligheid-{sc.name}"
        check_writable(out, force)
        population = load_population(loaded)
        k = len(parameters(sc))
        total = (2 * k + 1) * replications + trajectories * (k + 1) * morris_replications
        show = sys.stderr.isatty() if progress is None else progress
        with tqdm(total=total, desc="gevoeligheid", unit="run", disable=not show, leave=False) as bar:
            result = analyse(sc, population, milestone, change, replications, trajectories,
                             morris_replications, workers, scheduler, bar.update)
        text = sensitivity_text(result)
        write_sensitivity(result, loaded, len(population), out, force, sys.argv, text)
    click.echo(text)
    click.echo(f"  resultaten: {out}")


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


@main.command()
@click.option("--check", is_flag=True,
              help="Replay the shipped calibrated scenario and exit 1 if any target is missed.")
@click.option("--replay", type=click.Path(path_type=Path), default=Path("scenarios/replay-2018.toml"),
              show_default=True, help="The replay set-up the fit starts from.")
@click.option("--data", type=click.Path(path_type=Path), default=Path("calibration/data"),
              show_default=True, help="Folder with the published tables (CSV).")
@click.option("--scenario", "scenario_out", type=click.Path(path_type=Path),
              default=Path("scenarios/gekalibreerd.toml"), show_default=True,
              help="Calibrated scenario to write (or, with --check, to check).")
@click.option("--report", type=click.Path(path_type=Path), default=Path("calibration/report"),
              show_default=True, help="Folder for the calibration report.")
@click.option("--replications", type=click.IntRange(1, 100), default=4, show_default=True,
              help="Replications per evaluation (the same seeds in every evaluation).")
@click.option("--workers", type=click.IntRange(1, 256), default=None,
              help="Processes (default: all cores); results do not depend on it.")
@click.option("--max-iterations", type=click.IntRange(1, 1000), default=40, show_default=True)
@click.option("--force", is_flag=True, help="Replace an existing calibrated scenario and report.")
def calibrate(check: bool, replay: Path, data: Path, scenario_out: Path, report: Path,
              replications: int, workers: int | None, max_iterations: int, force: bool) -> None:
    """Fit the replay of 2018 - 17 Jul 2020 to SodM 2020 tabel 2.1, 2.2 and 2.4, backtest it, and
    write the calibrated scenario (which scenarios/basis.toml extends) and the report."""
    from . import calibrate as cal
    from .calibration_report import cell_table, write_report

    with _input_errors():
        if check:
            table = cal.check(scenario_out, data, replications, workers)
            click.echo(cell_table(table).to_string(index=False))
            missed = table[~table["ok"]]
            held = int(table["held_to"].notna().sum())
            click.echo(f"\n{held - len(missed)} van {held} getoetste cellen binnen tolerantie "
                       f"({len(table) - held} getoond, niet getoetst: breuken en cellen onder de drempel)")
            if len(missed):
                click.echo("buiten tolerantie: " + "; ".join(
                    f"{r.table} {r.key1} {r.key2} ({100 * r.error:+.1f}%)" for r in missed.itertuples()))
                sys.exit(1)
            return
        for path in (scenario_out, report):
            if path.exists() and not force:
                raise InputError(f"{path}: exists; pass --force to regenerate it")
        if not replay.resolve().is_relative_to(scenario_out.resolve().parent):
            raise InputError(f"--replay: {replay} lies outside {scenario_out.parent}, the folder of "
                             "--scenario; the calibrated scenario extends it, so it must be in that "
                             "folder or below")
        result = cal.calibrate(replay, data, replications, workers, max_iterations,
                               log=lambda text: click.echo(text, err=True))
        write_report(result, replay, scenario_out, report, sys.argv)
    click.echo(f"  gekalibreerd scenario: {scenario_out}\n  rapport: {report / 'README.md'}")


# The machine, not the input: a full or read-only disk, a quota, a file size limit, lost rights.
ENVIRONMENT = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO}


@contextmanager
def _input_errors():
    """Bad input: one line on stderr, exit status 2, nothing written. A disk that fills up while
    writing: one line, exit status 1, and the half-written folder is gone (results_folder)."""
    try:
        yield
    except InputError as exc:
        click.echo(f"versterking: error: {exc}", err=True)
        sys.exit(2)
    except OSError as exc:
        if exc.errno not in ENVIRONMENT:
            raise
        click.echo(f"versterking: error: cannot write {exc.filename or 'the results'}: {exc.strerror} "
                   "(nothing half-written is left behind)", err=True)
        sys.exit(1)
