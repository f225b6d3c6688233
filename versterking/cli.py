"""The `versterking` command: parses, calls the Python API (versterking/__init__.py), prints.

Bad input is one line on stderr and exit status 2, before anything runs; nothing is written over an
existing result without --force.
"""

from __future__ import annotations

import errno
import sys
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import click

import versterking as vs

from . import filenames, limits
from .domain import COMPLETIONS
from .errors import InputError
from .version import __version__
from .writing import check_writable


@click.group()
@click.version_option(__version__, prog_name="versterking")
def main() -> None:
    """Forecast the Groningen versterkingsopgave from a scenario file (or a scenario of the shipped
    library by name: `versterking scenarios` lists them)."""


LINES = "lines"  # no terminal and no --progress/--no-progress: a line per tenth done


def _progress(ctx: click.Context, param: click.Parameter, value: bool | None) -> bool | str:
    return (True if sys.stderr.isatty() else LINES) if value is None else value


def _ticks(progress: bool | str, total: int, label: str, unit: str) -> bool | Callable[[int], None]:
    """A bar on a terminal; in a log (CI, a scheduler, a pipe) a line per tenth done instead, so that a
    long run is seen to be alive."""
    if progress != LINES:
        return progress
    done, shown = [0], [0]

    def tick(n: int) -> None:
        done[0] += n
        tenth = done[0] * 10 // total
        if tenth > shown[0]:
            shown[0] = tenth
            click.echo(f"  {label}: {done[0]} van {total} {unit} ({10 * tenth}%)", err=True)

    return tick


SCENARIO = click.argument("scenario", type=click.Path(path_type=Path))
WORKERS = click.option("--workers", type=click.IntRange(1, 256), default=None,
                       help="Local processes (default: all cores); results do not depend on it.")
MILESTONE = click.option("--milestone", type=click.Choice(list(COMPLETIONS)), default="100%",
                         show_default=True,
                         help="100% or 95% of all addresses voltooid, all whose owner takes part "
                              "(deelnemers), or every address of one risk profile.")
SCHEDULER = click.option("--scheduler", metavar="ADDRESS", default=None,
                         help="Run on this Dask cluster (tcp://host:port) instead of local processes.")
PROGRESS = click.option("--progress/--no-progress", default=None, callback=_progress,
                        help="Progress bar (default: on when the terminal is interactive).")
FORCE = click.option("--force", is_flag=True, help="Replace an existing results folder.")
AT_MODE = click.option("--at-mode", is_flag=True,
                       help="Every uncertain number at its mode: a point forecast whose band holds only the "
                            "durations' noise (default: each replication draws them).")
SEED = click.option("--seed", type=click.IntRange(*limits.SEED), default=None,
                    help="Root seed of the replications (default: the scenario's seed).")


@main.command()
@SCENARIO
@click.option("--replications", type=click.IntRange(*limits.RUN_REPLICATIONS), default=50,
              show_default=True,
              help="Independent replications; 1 gives a single run with its full event log.")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Results folder (default: results/<scenario name>).")
@SEED
@click.option("--events", is_flag=True,
              help="With replications: also write replication 0's full event log.")
@click.option("--report", is_flag=True, help="Also write rapport/: figures and a self-contained HTML report.")
@click.option("--preview", is_flag=True,
              help="Only print the flow model's approximation at the modes (about a second; writes nothing).")
@AT_MODE
@WORKERS
@SCHEDULER
@FORCE
@PROGRESS
def run(scenario: Path, replications: int, out: Path | None, seed: int | None, events: bool,
        report: bool, preview: bool, at_mode: bool, workers: int | None, scheduler: str | None, force: bool,
        progress: bool) -> None:
    """Run SCENARIO and write a results folder: with replications, every table as mean, P10, P50
    and P90 over them (column `statistiek`) and the end dates per replication."""
    with _input_errors():
        loaded = vs.load_scenario(scenario)
        if preview:
            click.echo(vs.preview_text(vs.preview(loaded)))
            return
        out = out or Path("results") / loaded.scenario.name
        check_writable(out, force)
        population = vs.load_population(loaded)
        ticks = _ticks(progress, replications, loaded.scenario.name, "replicaties")
        result = vs.run(loaded, replications, seed, population=population, events=events, workers=workers,
                          scheduler=scheduler, progress=ticks, at_mode=at_mode)
        vs.write_run(result, out, force, sys.argv, report)
    click.echo(vs.run_text(result))
    click.echo(f"  resultaten: {out}")


@main.command()
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--replications", type=click.IntRange(*limits.COMPARE_REPLICATIONS), default=5,
              show_default=True,
              help="Replications per scenario, the same seeds in every scenario.")
@click.option("--seed", type=click.IntRange(*limits.SEED), default=None,
              help="Root seed (default: the first scenario's seed).")
@click.option("--report", is_flag=True, help="Also write rapport/ with a self-contained HTML report.")
@click.option("--attribution", is_flag=True,
              help="Also run each scenario's measures alone and left out, to show what each buys.")
@AT_MODE
@WORKERS
@SCHEDULER
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Results folder (default: results/vergelijking-<names>).")
@FORCE
@PROGRESS
def compare(scenarios: tuple[Path, ...], replications: int, seed: int | None, report: bool,
            attribution: bool, at_mode: bool, workers: int | None, scheduler: str | None, out: Path | None,
            force: bool, progress: bool) -> None:
    """Run SCENARIOS side by side with common random numbers and show the differences with the
    first: end dates per phase and risk profile, 95%/100% voltooid, the binding resource per year
    and the peak wisselwoningen shortage."""
    with _input_errors():
        loaded = vs.comparable([vs.load_scenario(path) for path in scenarios])
        names = [item.scenario.name for item in loaded]
        out = out or Path("results") / ("vergelijking-" + "-".join(names))[:120]
        check_writable(out, force)
        runs = replications * len(vs.compared_variants([item.scenario for item in loaded], attribution))
        result = vs.compare(loaded, replications, seed, attribution=attribution, workers=workers,
                                scheduler=scheduler, progress=_ticks(progress, runs, "vergelijking", "runs"),
                                at_mode=at_mode)
        vs.write_comparison(result, out, force, sys.argv, report)
    click.echo(vs.comparison_text(result))
    click.echo(f"  resultaten: {out}")


@main.command()
@SCENARIO
@click.option("--vary", "axes", multiple=True, required=True, metavar="KEY=V1,V2,...",
              help="An axis of the grid: a scenario key and its values, e.g. "
                   "resources.bouwcapaciteit.factor=1,1.5,2 (repeat for more axes).")
@click.option("--replications", type=click.IntRange(*limits.RUN_REPLICATIONS), default=20,
              show_default=True,
              help="Replications per point, the same seeds in every point.")
@SEED
@WORKERS
@SCHEDULER
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Results folder (default: results/sweep-<scenario name>).")
@click.option("--cache", type=click.Path(path_type=Path), default=vs.CACHE, show_default=True,
              help="Finished points, reused by a resumed or overlapping sweep.")
@FORCE
@PROGRESS
def sweep(scenario: Path, axes: tuple[str, ...], replications: int, seed: int | None,
          workers: int | None, scheduler: str | None, out: Path | None, cache: Path, force: bool,
          progress: bool) -> None:
    """Run SCENARIO at every combination of the --vary values and write one tidy table (Parquet and
    CSV) of end-date percentiles per point. Interrupted? Run the same command again: finished
    points come from the cache."""
    with _input_errors():
        grid = [vs.parse_axis(text) for text in axes]
        base = vs.load_scenario(scenario)
        out = out or Path("results") / f"sweep-{base.scenario.name}"
        check_writable(out, force)
        result = vs.sweep(base, grid, replications, seed, cache=cache, workers=workers, scheduler=scheduler,
                           progress=progress is True)
        vs.write_sweep(result, out, force, sys.argv)
    click.echo(vs.sweep_text(result))
    click.echo(f"  resultaten: {out}")


@main.command()
def scenarios() -> None:
    """List the shipped scenario library: each scenario's name (what `versterking run NAME` takes) and
    what it represents."""
    with _input_errors():
        shipped = vs.library()
    width = max(len(item.path.stem) for item in shipped)
    for item in shipped:
        click.echo(f"{item.path.stem:<{width}}  {item.scenario.description}")
    click.echo(f"\n({len(shipped)} scenario's in {shipped[0].path.parent}; copy one to change it, or "
               "write a file that extends it)")


@main.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace an existing report.")
def report(folder: Path, force: bool) -> None:
    """Write FOLDER/rapport/: the figures and one self-contained HTML file (opens offline) for the
    results folder of a run or a comparison."""
    with _input_errors():
        page = vs.report(folder, force)  # matplotlib only when a report is asked for
    click.echo(f"  rapport: {page}")


@main.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--xlsx", "xlsx", type=click.Path(path_type=Path), required=True,
              help="The workbook to write (.xlsx).")
@click.option("--force", is_flag=True, help="Replace an existing workbook.")
def export(folder: Path, xlsx: Path, force: bool) -> None:
    """Write the results folder of a run as one Excel workbook: milestones per quarter (totaal, per
    risicoprofiel, per gemeente; the mean over the replications), end dates, production, step
    durations, resources, bottlenecks and the scenario's parameters."""
    with _input_errors():
        vs.write_workbook(folder, xlsx, force)
    click.echo(f"  werkboek: {xlsx}")


@main.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--address", metavar="ID", default=None, help="An address_id from the address file.")
@click.option("--cluster", metavar="ID", default=None, help="A cluster_id from the address file.")
def lookup(folder: Path, address: str | None, cluster: str | None) -> None:
    """When is my house done: P10 / P50 / P90 of the date one address (or every address of one
    cluster) reaches each milestone still ahead, from the results folder of a run. The whole table
    is FOLDER/adressen.csv (and clusters.csv), for filtering per gemeente, cluster or street."""
    with _input_errors():
        text = vs.lookup_text(folder, address, cluster)
    click.echo(text)


@main.command()
@SCENARIO
@click.option("--done-by", required=True, type=click.DateTime(["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="The date the milestone must be reached by.")
@click.option("--confidence", type=click.FloatRange(*limits.CONFIDENCE, min_open=True), default=0.9,
              show_default=True, help="Share of the replications that must reach it in time.")
@MILESTONE
@click.option("--from", "from_", type=click.DateTime(["%Y-%m-%d"]), metavar="YYYY-MM-DD", default=None,
              help="Extra capacity from this date (default: the scenario's target.from, else its start).")
@click.option("--replications", type=click.IntRange(1, 1000), default=10, show_default=True,
              help="Replications per evaluation in the search (the same seeds in every one).")
@click.option("--margin", type=click.IntRange(1, 10_000), default=30, show_default=True,
              help="Fresh replications the plan must meet the date in, in the share asked (else it grows).")
@click.option("--verify", type=click.IntRange(1, 10_000), default=40, show_default=True,
              help="Further fresh replications the answer is reported on.")
@SEED
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Results folder (default: results/doel-<scenario>-<date>).")
@click.option("--scenario-out", type=click.Path(path_type=Path), default=None,
              help="The answer as a scenario file, <name>-doel-<date>.toml (default: next to SCENARIO; for a "
                   "library scenario, in this folder).")
@WORKERS
@SCHEDULER
@click.option("--force", is_flag=True, help="Replace an existing results folder and scenario file.")
def target(scenario: Path, done_by, confidence: float, milestone: str, from_, replications: int,
           margin: int, verify: int, seed: int | None, out: Path | None, scenario_out: Path | None,
           workers: int | None, scheduler: str | None, force: bool) -> None:
    """Terug redeneren: a plan per resource and year, within the scenario's lead times and growth
    limits (its [target]), with which the milestone is reached by --done-by in --confidence of the
    replications: seeded by the flow model, refined by simulation, a margin added on fresh
    replications and the answer reported on others; written as a scenario that extends SCENARIO.
    Says ONHAALBAAR when the fastest allowed path misses the date, with the earliest date it reaches
    and the limit that binds."""
    with _input_errors():
        loaded = vs.load_scenario(scenario)
        sc = loaded.scenario
        stem = f"{sc.name}-doel-{done_by:%Y-%m-%d}"
        out = out or Path("results") / f"doel-{sc.name}-{done_by:%Y-%m-%d}"
        # the answer extends SCENARIO: next to it, or for a library scenario in this folder (by name)
        here = Path() if loaded.library_name is not None else loaded.path.parent
        scenario_out = scenario_out or here / f"{stem}.toml"
        check_writable(out, force)
        check_writable(scenario_out, force, "scenario file")
        try:
            loaded.extends_from(scenario_out.parent)
        except InputError as exc:
            raise InputError(f"--scenario-out: {exc}") from None
        population = vs.load_population(loaded)
        question = vs.Question(done_by.date(), confidence, milestone, replications, margin, verify)
        answer = vs.seek(loaded, question, seed, extra_from=from_.date() if from_ else None,
                         population=population, workers=workers, scheduler=scheduler,
                         log=lambda text: click.echo(text, err=True))
        text = vs.answer_text(answer)
        vs.write_answer(answer, loaded, len(population), out, scenario_out, force, sys.argv, text)
    click.echo(text)
    click.echo(f"  resultaten: {out}" + (f"\n  scenario: {scenario_out}" if answer.plan is not None else ""))


@main.command()
@SCENARIO
@MILESTONE
@click.option("--change", type=click.FloatRange(0.01, 0.9), default=0.2, show_default=True,
              help="Each parameter times 1 - change and 1 + change.")
@click.option("--replications", type=click.IntRange(1, 1000), default=10, show_default=True,
              help="Replications per one-at-a-time point.")
@click.option("--trajectories", type=click.IntRange(2, 1000), default=10, show_default=True,
              help="Morris trajectories (each: parameters + 1 points).")
@click.option("--morris-replications", type=click.IntRange(1, 1000), default=2, show_default=True,
              help="Replications per Morris point.")
@SEED
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Results folder (default: results/gevoeligheid-<scenario name>).")
@WORKERS
@SCHEDULER
@FORCE
@PROGRESS
def sensitivity(scenario: Path, milestone: str, change: float, replications: int, trajectories: int,
                morris_replications: int, seed: int | None, out: Path | None, workers: int | None,
                scheduler: str | None, force: bool, progress: bool) -> None:
    """Which parameters move the end date most: each capacity, duration and share group one at a
    time (tornado chart) and together (Morris elementary effects, SALib), with the number of model
    runs; and the binding resource per year. Figures and tables in the results folder."""
    with _input_errors():
        loaded = vs.load_scenario(scenario)
        out = out or Path("results") / f"gevoeligheid-{loaded.scenario.name}"
        check_writable(out, force)
        population = vs.load_population(loaded)
        result = vs.sensitivity(loaded, milestone, change, replications, trajectories, morris_replications,
                                seed, population=population, workers=workers, scheduler=scheduler,
                                progress=progress is True)
        text = vs.sensitivity_text(result)  # matplotlib only here
        vs.write_sensitivity(result, loaded, len(population), out, force, sys.argv, text)
    click.echo(text)
    click.echo(f"  resultaten: {out}")


@main.command()
@click.argument("scenarios", nargs=-1, type=click.Path(path_type=Path))
@click.option("--replications", type=click.IntRange(*limits.RUN_REPLICATIONS), default=50,
              show_default=True, help="Replications per scenario, as `run` makes them.")
@SEED
@WORKERS
@SCHEDULER
@click.option("--learn", is_flag=True,
              help="Also forecast each SCENARIO with the growth the figures published up to its start "
                   "determine (the replay-2020 fit, later figures masked), on the same seeds: the method "
                   "before and after it learns.")
@click.option("--out", type=click.Path(path_type=Path), default=Path("results") / "backtest",
              show_default=True, help="Results folder.")
@FORCE
@PROGRESS
def backtest(scenarios: tuple[Path, ...], replications: int, seed: int | None, workers: int | None,
             scheduler: str | None, learn: bool, out: Path, force: bool, progress: bool) -> None:
    """Hold forecasts against what NCG and SodM published after they started (2020 - 2024): per
    SCENARIO (default: verwachting, the seed's forecast, unchanged), every later figure's place in the
    P10 - P90 band, the P50's error and the band's width in points of the opgave."""
    with _input_errors():
        loaded = [vs.load_scenario(path) for path in scenarios or ("verwachting",)]
        check_writable(out, force)
        result = vs.backtest(loaded, replications, seed, learned=learn, workers=workers, scheduler=scheduler,
                             progress=_ticks(progress, replications * len(loaded) * (1 + learn), "backtest",
                                             "replicaties"),
                             log=lambda line: click.echo(line, err=True))
        text = vs.backtest_text(result)  # matplotlib only here
        vs.write_backtest(result, out, force, sys.argv, text)
    click.echo(text)
    click.echo(f"  resultaten: {out}")


@main.command()
@SCENARIO
def validate(scenario: Path) -> None:
    """Check SCENARIO and its address file without running it."""
    with _input_errors():
        loaded = vs.load_scenario(scenario)
        population = vs.load_population(loaded)
    sc = loaded.scenario
    click.echo(f"{scenario}: ok ({sc.name}, {len(population):,} adressen, "
               f"{len(loaded.files)} bestand(en), sha256 {loaded.content_hash[:12]})")


@main.command()
@click.option("--check", is_flag=True,
              help="Replay the calibrated scenarios and exit 1 if any target is missed (or, for 2020 - 2024, "
                   "if the fit no longer holds as it did).")
@click.option("--history", is_flag=True,
              help="The period 17 Jul 2020 - 31 Dec 2024: fit the replay-2020 set-up's growth and shares to "
                   "what NCG and SodM published (with --check: check only that period).")
@click.option("--replay", default=None,
              help="The replay set-up the fit starts from (a file, or a name from the library; default "
                   "replay-2018, with --history replay-2020).")
@click.option("--data", type=click.Path(path_type=Path), default=None,
              help="Folder with the published tables (CSV; default: those that come with the package).")
@click.option("--scenario", "scenario_out", type=click.Path(path_type=Path), default=None,
              help="Calibrated scenario to write (default: results/kalibratie/gekalibreerd.toml, with "
                   "--history historie-2020.toml) or, with --check, to check (default: the library's).")
@click.option("--report", type=click.Path(path_type=Path), default=None,
              help="Folder for the calibration report (default: rapport/ next to --scenario).")
@click.option("--replications", type=click.IntRange(1, 100), default=4, show_default=True,
              help="Replications per evaluation (the same seeds in every evaluation).")
@WORKERS
@click.option("--max-iterations", type=click.IntRange(1, 1000), default=40, show_default=True)
@click.option("--method", type=click.Choice(["stroommodel", "simulatie"]), default="stroommodel",
              show_default=True,
              help="2018 - 2020: search on the flow model corrected by the simulation (space mapping, "
                   "minutes), or on the simulation alone (as the shipped gekalibreerd.toml was made, "
                   "about 25 minutes).")
@click.option("--force", is_flag=True, help="Replace an existing calibrated scenario and report.")
def calibrate(check: bool, history: bool, replay: str | None, data: Path | None, scenario_out: Path | None,
              report: Path | None, replications: int, workers: int | None, max_iterations: int, method: str,
              force: bool) -> None:
    """Fit the replay of 2018 - 17 Jul 2020 to SodM 2020 tabel 2.1, 2.2 and 2.4, backtest it, and
    write the calibrated scenario (which the library's basis extends) and the report; with --history,
    the replay of 17 Jul 2020 - 2024 to what NCG and SodM published since. To regenerate the shipped
    ones, in the repository: --replay scenarios/replay-2018.toml --scenario scenarios/gekalibreerd.toml
    --report calibration/report --method simulatie --force (and --history --replay
    scenarios/replay-2020.toml --scenario scenarios/historie-2020.toml --report calibration/report-historie
    --force)."""
    with _input_errors():
        if check:
            _check_calibration(history, scenario_out, data, replications, workers)
            return
        name = "historie-2020" if history else "gekalibreerd"
        replay = replay or ("replay-2020" if history else "replay-2018")
        scenario_out = scenario_out or Path("results") / "kalibratie" / f"{name}.toml"
        report = report or scenario_out.parent / (filenames.REPORT + ("-historie" if history else ""))
        check_writable(scenario_out, force, "scenario file")
        check_writable(report, force, "calibration report")
        # the calibrated scenario extends the replay: a one-line error now, not after the fit
        vs.load_scenario(replay).extends_from(scenario_out.parent)
        log = lambda text: click.echo(text, err=True)  # noqa: E731
        if history:
            fitted = vs.calibrate_history(replay, replications, workers, log=log)
            click.echo(vs.history_text(fitted))
            vs.write_history(fitted, scenario_out, report, sys.argv, force)
        else:
            result = vs.calibrate(replay, data, replications, workers, max_iterations, method, log=log)
            vs.write_calibration(result, Path(replay), scenario_out, report, sys.argv, force)
    click.echo(f"  gekalibreerd scenario: {scenario_out}\n  rapport: {report / 'README.md'}")


def _check_calibration(history: bool, scenario: Path | None, data: Path | None, replications: int,
                       workers: int | None) -> None:
    """Both periods (or, with --history, 2020 - 2024 only): exit 1 if either fails."""
    failed = []
    if not history:
        table = vs.check_calibration(scenario or "gekalibreerd", data, replications, workers)
        click.echo(vs.calibration_cells(table).to_string(index=False))
        missed = table[~table["ok"]]
        held = int(table["held_to"].notna().sum())
        click.echo(f"\n{held - len(missed)} van {held} getoetste cellen binnen tolerantie "
                   f"({len(table) - held} getoond, niet getoetst: breuken en cellen onder de drempel)")
        click.echo("\n" + vs.lpa2020_text(vs.check_lpa2020(replications=2, workers=workers), 2))
        if len(missed):
            failed.append("buiten tolerantie: " + "; ".join(
                f"{r.table} {r.key1} {r.key2} ({100 * r.error:+.1f}%)" for r in missed.itertuples()))
    if history or scenario is None:
        table, cost, recorded = vs.check_history(scenario if history and scenario else "historie-2020",
                                                 replications, workers)
        click.echo("\n" + vs.history_check_text(table, cost, recorded))
        if not vs.history_holds(cost, recorded):
            failed.append(f"historie 2020 - 2024: kosten {cost:.1f}, bij de fit {recorded:.1f}")
    if failed:
        click.echo("\n".join(failed))
        sys.exit(1)


@main.command()
@click.option("--port", type=click.IntRange(1024, 65535), default=8050, show_default=True)
@click.option("--no-browser", is_flag=True, help="Do not open the browser (serve only).")
@click.option("--folder", type=click.Path(path_type=Path), default=Path("versterking-app"), show_default=True,
              help="Where the app keeps the scenarios saved in it and the results of its runs.")
@WORKERS
@SCHEDULER
def app(port: int, no_browser: bool, folder: Path, workers: int | None, scheduler: str | None) -> None:
    """Start the web app on this machine (http://127.0.0.1:PORT/) and open it in the browser: pick and
    edit a scenario, run it with a progress bar, compare, ask what-ifs and terug redeneren, look up an
    address. Stop with Ctrl-C."""
    from .app.server import serve
    from .app.workspace import Workspace

    with _input_errors():
        serve(Workspace(folder, workers, scheduler), port, browser=not no_browser)


# The machine, not the input: a full or read-only disk, a quota, a file size limit, lost rights.
ENVIRONMENT = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO}


@contextmanager
def _input_errors():
    """Bad input: one line on stderr, exit status 2, nothing written. A disk that fills up while
    writing: one line, exit status 1, and the half-written output is gone (versterking.writing)."""
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
