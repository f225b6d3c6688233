"""Hostile and broken input: no scenario or address file may crash the loaders with a traceback,
hang, or run quietly. Each is refused with one line that names the file and the key or row; through
the CLI that is exit status 2 and no results folder. Valid inputs the fuzzers stumble on must run."""

from __future__ import annotations

import copy
import datetime as dt
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import tomli_w
from click.testing import CliRunner
from conftest import ALL_MEASURES, BASE, address_table
from hypothesis import HealthCheck, currently_in_test_context, event, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from versterking import load_population, load_scenario, run_scenario
from versterking.cli import main
from versterking.domain import ADDRESS_COLUMNS as COLUMNS
from versterking.engine.distributions import from_uniforms
from versterking.errors import InputError

# HOSTILE_EXAMPLES=5000 and FUZZ_RUNS=20000 for a longer campaign than CI's
FUZZ = settings(max_examples=int(os.environ.get("HOSTILE_EXAMPLES", 300)), derandomize=True,
                database=None, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
SCENARIO = BASE + ALL_MEASURES  # every key the schema has, in one valid file
# the command of the interpreter running the suite (the package it tests), not the first on PATH
VERSTERKING = str(Path(sys.executable).parent / "versterking")
U = np.array([0.0, 1e-12, 0.5, 1 - 2**-53])  # the extreme uniforms a run can draw
FUZZ_RUNS = int(os.environ.get("FUZZ_RUNS", 2000))  # atheris inputs per target


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    address_table().to_csv(tmp_path / "adressen.csv", index=False)
    return tmp_path


def outcome(path: Path) -> str | None:
    """The one-line refusal, or None for a valid input, which is then run."""
    try:
        loaded = load_scenario(path)
        population = load_population(loaded)
    except InputError as exc:
        message = str(exc)
        assert message and "\n" not in message and "Traceback" not in message
        assert message.startswith((str(path.parent), "population.file")), message  # names the file
        _count("refused")
        return message
    _runs(loaded.scenario, population)
    _count("valid, ran")
    return None


def _count(what: str) -> None:
    """Tally outcomes in hypothesis's statistics (pytest --hypothesis-show-statistics)."""
    if currently_in_test_context():
        event(what)


def _runs(sc, population) -> None:
    """Every duration the scenario can draw is a finite number of days, and the run completes."""
    for spec in _durations(sc):
        days = from_uniforms(spec, U)
        assert np.isfinite(days).all() and (days >= 0).all(), spec
    op = sc.measures.opname_op_verzoek
    arriving = sum(f.addresses for f in sc.inflow) + (op.addresses if op else 0)
    if arriving <= 1000:  # larger valid inflows are legal; they are just slow to run here
        run_scenario(sc, population)


def _durations(model: BaseModel):
    for name in type(model).model_fields:
        value = getattr(model, name)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, BaseModel):
                yield from [item] if hasattr(item, "dist") else _durations(item)


# -- the scenario loader: mutated scenarios, raw bytes and text, damaged files -------------------


def _damage(raw: bytearray, at: int, kind: str, data: bytes) -> None:
    """Delete, insert or overwrite len(data) bytes at `at`, in place."""
    if kind == "delete":
        del raw[at:at + len(data)]
    elif kind == "insert":
        raw[at:at] = data
    else:
        raw[at:at + len(data)] = data


VALID = tomllib.loads(SCENARIO)


def _key_paths(node, prefix=()):
    for key, value in node.items() if isinstance(node, dict) else enumerate(node):
        yield (*prefix, key)
        if isinstance(value, dict | list):
            yield from _key_paths(value, (*prefix, key))


PATHS = sorted(_key_paths(VALID), key=str)
NAMED = [
    10**30, -(10**30), 2**63, 2**64, -1, 0, float("nan"), float("inf"), -float("inf"), 1e308, 5e-324,
    "", "x" * 5000, "\x00", "../../elders", "/etc/passwd", dt.date(9999, 12, 31), dt.date(1, 1, 1),
    dt.date(1999, 12, 31), dt.date(2199, 12, 31), dt.datetime(2020, 1, 1, 12, 0), dt.time(12, 0), True,
    [], [1, 2], {}, {"dist": "fixed"}, {"dist": "fixed", "value": 0},
    {"dist": "lognormal", "mean": 1e-300, "sd": 3}, {"dist": "gamma", "mean": 36500, "sd": 1e-300},
    {"dist": "empirical", "values": [1, 2], "weights": [1e308, 1e308]},
    {"dist": "triangular", "low": 0, "mode": 0, "high": 5e-324},
    [{"from": dt.date(9999, 1, 1), "value": 1}], [{"from": dt.date(2020, 7, 17), "value": float("nan")}],
]
VALUES = st.one_of(st.sampled_from(NAMED), st.integers(), st.floats(), st.text(max_size=30), st.dates(),
                   st.booleans())
EDITS = st.lists(st.tuples(st.sampled_from(["set", "delete", "add"]), st.sampled_from(PATHS), VALUES),
                 min_size=1, max_size=3)


def _edit(data: dict, edits) -> dict:
    data = copy.deepcopy(data)
    for kind, path, value in edits:
        value = copy.deepcopy(value)  # NAMED's tables are shared between examples
        here = data
        try:
            for key in path[:-1]:
                here = here[key]
            if kind == "set":
                here[path[-1]] = value
            elif kind == "delete":
                del here[path[-1]]
            elif isinstance(here[path[-1]], dict):
                here[path[-1]]["onbekend"] = value
        except (KeyError, IndexError, TypeError):
            pass  # an earlier edit removed or replaced the path
    return data


@FUZZ
@given(edits=EDITS)
def test_mutated_scenarios_are_refused_in_one_line_or_run(folder, edits):
    path = folder / "s.toml"
    path.write_text(tomli_w.dumps(_edit(VALID, edits)), encoding="utf-8")
    outcome(path)


@FUZZ
@given(raw=st.one_of(
    st.binary(max_size=3000),
    st.text(max_size=400).map(str.encode),
    st.text(st.sampled_from(list("[]{}=\"'.,#\n \\-:_ab019")), max_size=400).map(str.encode),
))
def test_bytes_and_text_are_never_a_scenario(folder, raw):
    path = folder / "s.toml"
    path.write_bytes(raw)
    assert outcome(path) is not None


@FUZZ
@given(damage=st.lists(st.tuples(st.integers(0, len(SCENARIO) - 1),
                                 st.sampled_from(["delete", "insert", "replace"]),
                                 st.binary(min_size=1, max_size=3)), min_size=1, max_size=4))
def test_damaged_scenario_files_are_refused_in_one_line_or_run(folder, damage):
    raw = bytearray(SCENARIO.encode())
    for at, kind, data in damage:
        _damage(raw, min(at, len(raw)), kind, data)
    path = folder / "s.toml"
    path.write_bytes(bytes(raw))
    outcome(path)


# -- the address file: hostile cells, damaged and foreign files -----------------------------------

ADDRESSES = address_table()
SMALL = BASE.replace("2060-12-31", "2030-12-31")  # every address with its file; ten years suffice


def _address_file(name: str) -> str:
    return SMALL.replace("adressen.csv", name)
CELLS = st.one_of(st.sampled_from([
    "", " ", "9999-12-31", "0001-01-01", "1999-12-31", "2020-02-30", "2020-7-1", "20200701",
    "2020-07-18", "1e308", "nan", "NaN", "None", "NULL", "P50\x00", "\x00", "\ufeff", "P99", "Opname",
    "voltooid ", "-1", "2" * 400, '"', "a,b", "a\nb", "=cmd|' /C calc'!A0",
]), st.text(max_size=20))


@FUZZ
@given(cells=st.lists(st.tuples(st.integers(0, len(ADDRESSES) - 1), st.sampled_from(COLUMNS), CELLS),
                      min_size=1, max_size=4))
def test_hostile_address_cells_are_named_by_row_and_column_or_run(folder, cells):
    df = ADDRESSES.copy()
    for row, column, value in cells:
        df.loc[row, column] = value
    df.to_csv(folder / "adressen.csv", index=False)
    (folder / "s.toml").write_text(SMALL, encoding="utf-8")
    message = outcome(folder / "s.toml")
    assert message is None or "adressen.csv: " in message


@FUZZ
@given(damage=st.lists(st.tuples(st.floats(0, 1), st.sampled_from(["delete", "insert", "replace"]),
                                 st.binary(min_size=1, max_size=3)), min_size=1, max_size=4))
def test_damaged_address_files_are_refused_in_one_line_or_run(folder, damage):
    raw = bytearray(ADDRESSES.to_csv(index=False).encode())
    for share, kind, data in damage:
        _damage(raw, int(share * len(raw)), kind, data)
    (folder / "adressen.csv").write_bytes(bytes(raw))
    (folder / "s.toml").write_text(SMALL, encoding="utf-8")
    outcome(folder / "s.toml")


def _parquet(folder: Path, table: pa.Table) -> Path:
    pq.write_table(table, folder / "adressen.parquet")
    path = folder / "s.toml"
    path.write_text(SMALL.replace("adressen.csv", "adressen.parquet"), encoding="utf-8")
    return path


def _typed(column: str, array: pa.Array) -> pa.Table:
    table = pa.Table.from_pandas(ADDRESSES, preserve_index=False).replace_schema_metadata(None)
    return table.set_column(table.schema.get_field_index(column), column, array)


n = len(ADDRESSES)
PARQUET = [
    ("dates of year 9999", _typed("milestone_date", pa.array([dt.datetime(9999, 12, 31)] * n,
                                                              pa.timestamp("s"))),
     "row 1, column milestone_date"),
    ("numbers as ids", _typed("address_id", pa.array(np.arange(n) % 3)), "duplicate address_id"),
    ("NaN in a column", _typed("risk_profile", pa.array([float("nan")] * n)), "column risk_profile"),
    ("no rows", pa.Table.from_pandas(ADDRESSES.iloc[:0], preserve_index=False), "no addresses"),
    ("no columns", pa.table({"x": [1, 2]}), "missing column(s) address_id"),
]


@pytest.mark.parametrize(("case", "table", "message"), PARQUET, ids=[p[0] for p in PARQUET])
def test_hostile_parquet_files_are_refused_in_one_line(folder, case, table, message):
    assert message in outcome(_parquet(folder, table))


def test_parquet_dates_as_timestamps_or_dates_are_read(folder):
    """As pandas writes a date column, and as Arrow's own date type."""
    when = pd.to_datetime(ADDRESSES["milestone_date"])
    frame = pa.Table.from_pandas(ADDRESSES.assign(milestone_date=when), preserve_index=False)
    assert outcome(_parquet(folder, frame)) is None
    assert outcome(_parquet(folder, _typed("milestone_date", pa.array(when.dt.date)))) is None


def test_excel_csv_with_byte_order_mark_is_read_and_semicolons_are_named(folder):
    (folder / "s.toml").write_text(SMALL, encoding="utf-8")
    ADDRESSES.to_csv(folder / "adressen.csv", index=False, encoding="utf-8-sig")
    assert outcome(folder / "s.toml") is None
    ADDRESSES.to_csv(folder / "adressen.csv", index=False, sep=";")
    assert "separated by ';'" in outcome(folder / "s.toml")
    ADDRESSES.assign(gemeente="Súdwest-Fryslân").to_csv(folder / "adressen.csv", index=False,
                                                        encoding="latin-1")
    assert "not UTF-8" in outcome(folder / "s.toml")


# -- the named cases, through the command line ---------------------------------------------------


def _write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


def _big(folder: Path, name: str, size: int = 100 * 2**20) -> Path:
    with open(folder / name, "wb") as f:  # sparse: 100 MB without writing them
        f.truncate(size)
    return folder / name


def _chain(folder: Path, depth: int) -> Path:
    _write(folder, "f0.toml", SMALL)
    for k in range(1, depth + 1):
        _write(folder, f"f{k}.toml", f'extends = "f{k - 1}.toml"\n')
    return folder / f"f{depth}.toml"


def _fifo(folder: Path, name: str) -> Path:
    (folder / name).unlink(missing_ok=True)
    os.mkfifo(folder / name)
    return folder / name


CASES = [
    ("huge number", lambda f: _write(f, "s.toml", SMALL.replace("seed = 7", "seed = " + "9" * 30)),
     "s.toml: seed: Input should be less than or equal to 9223372036854775807"),
    ("huge capacity", lambda f: _write(f, "s.toml", SMALL.replace("capacity = 3", "capacity = 1e308")),
     "s.toml: resources.opnamecapaciteit.capacity"),
    ("nan", lambda f: _write(f, "s.toml", SMALL.replace("capacity = 3", "capacity = nan")),
     "s.toml: resources.opnamecapaciteit.capacity"),
    ("infinity", lambda f: _write(f, "s.toml", SMALL.replace("value = 90", "value = inf")),
     "s.toml: durations.uitvoering.value: Input should be a finite number"),
    ("year 9999", lambda f: _write(f, "s.toml", SMALL.replace("2030-12-31", "9999-12-31")),
     "s.toml: horizon: Input should be less than or equal to 2199-12-31 (got 9999-12-31)"),
    ("year 9999 in a schedule", lambda f: _write(f, "s.toml", SMALL.replace("2021-06-01", "9999-06-01")),
     "s.toml: resources.bouwcapaciteit.capacity.1.from: Input should be less than or equal to 2199"),
    ("empty file", lambda f: _write(f, "s.toml", ""), "s.toml: name: missing key"),
    ("binary garbage", lambda f: _write(f, "s.toml", np.random.default_rng(1).bytes(4096)),
     "s.toml: not UTF-8 text"),
    ("100 MB scenario", lambda f: _big(f, "s.toml"), "s.toml: 104.9 MB, more than the 4 MB allowed"),
    ("100 MB address file", lambda f: (_big(f, "adressen.csv"), _write(f, "s.toml", SMALL))[1],
     "adressen.csv: 104.9 MB, more than the 80 MB allowed"),
    ("nested too deeply", lambda f: _write(f, "s.toml", "a = " + "[" * 100_000 + "]" * 100_000),
     "s.toml: invalid TOML: arrays or tables nested too deeply"),
    ("extends chain of 25", lambda f: _chain(f, 25), "extends: chain deeper than 20 files"),
    ("extends itself", lambda f: _write(f, "s.toml", 'extends = "s.toml"\n'),
     "s.toml: extends: circular extends (s.toml -> s.toml)"),
    ("extends outside the folder", lambda f: _write(f, "s.toml", 'extends = "../base.toml"\n'),
     "s.toml: extends: '../base.toml' lies outside the scenario's folder"),
    ("extends an absolute path", lambda f: _write(f, "s.toml", 'extends = "/etc/passwd"\n'),
     "lies outside the scenario's folder"),
    ("extends a symlink out", lambda f: (os.symlink("/dev/zero", f / "z.toml"),
                                         _write(f, "s.toml", 'extends = "z.toml"\n'))[1],
     "lies outside the scenario's folder"),
    ("extends a pipe", lambda f: (_fifo(f, "p.toml"), _write(f, "s.toml", 'extends = "p.toml"\n'))[1],
     "p.toml: not a regular file"),
    ("extends a NUL byte", lambda f: _write(f, "s.toml", 'extends = "a\\u0000b"\n'),
     "s.toml: extends: must be a file name"),
    ("scenario is a pipe", lambda f: _fifo(f, "s.toml"), "s.toml: not a regular file"),
    ("address file is a pipe", lambda f: (_fifo(f, "adressen.csv"), _write(f, "s.toml", SMALL))[1],
     "adressen.csv: not a regular file"),
    ("address file name too long",
     lambda f: _write(f, "s.toml", SMALL.replace("adressen.csv", "x" * 5000 + ".csv")),
     "population.file: cannot open"),
    ("address file is a system file", lambda f: _write(f, "s.toml", _address_file("/etc/passwd")),
     "s.toml: population.file: '/etc/passwd' is not an address file; allowed: a .csv or .parquet file"),
    ("address file by absolute path", lambda f: _write(f, "s.toml", _address_file("/tmp/a.csv")),
     "s.toml: population.file: '/tmp/a.csv' lies outside the scenario's folder"),
    ("address file above the folder", lambda f: _write(f, "s.toml", _address_file("../a.csv")),
     "lies outside the scenario's folder"),
    ("address file a symlink out", lambda f: (os.symlink("/etc/hostname", f / "h.csv"),
                                              _write(f, "s.toml", _address_file("h.csv")))[1],
     "s.toml: population.file: 'h.csv' lies outside the scenario's folder"),
    ("non-UTF-8", lambda f: _write(f, "s.toml", SMALL.replace('"klein"', '"kle\xefn"').encode("latin-1")),
     "s.toml: not UTF-8 text"),
    ("duplicate keys", lambda f: _write(f, "s.toml", 'seed = 8\n' + SMALL), "s.toml: invalid TOML"),
    ("a path as name", lambda f: _write(f, "s.toml", SMALL.replace('"klein"', '"../../elders"')),
     "s.toml: name: must be 1-150 letters"),
    ("inflow of 10 million", lambda f: _write(f, "s.toml", SMALL + """
[[inflow]]
name = "veel"
from = 2021-01-01
to = 2022-01-01
addresses = 10000000
risk_profile = { P50 = 1.0 }
"""), "s.toml: inflow.0.addresses: Input should be less than or equal to 1000000"),
]


@pytest.mark.parametrize(("case", "make", "message"), CASES, ids=[c[0] for c in CASES])
def test_named_hostile_input_exits_2_with_one_line_and_writes_nothing(tmp_path, case, make, message):
    folder = tmp_path / "in"
    folder.mkdir()
    address_table().to_csv(folder / "adressen.csv", index=False)
    path = make(folder)
    before = sorted(os.listdir(tmp_path)), sorted(os.listdir(folder))
    result = subprocess.run([VERSTERKING, "run", str(path), "--out", str(tmp_path / "uit")],
                            capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stdout == "" and result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("versterking: error: ") and message in result.stderr, result.stderr
    assert (sorted(os.listdir(tmp_path)), sorted(os.listdir(folder))) == before  # no results, nothing


def test_validate_says_the_same(tmp_path):
    _write(tmp_path, "s.toml", 'extends = "../x.toml"\n')
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "s.toml")])
    assert result.exit_code == 2 and "lies outside the scenario's folder" in result.output


# -- coverage-guided: atheris (libFuzzer) mutates the seed files towards new code paths --------


@pytest.mark.slow
@pytest.mark.parametrize("target", ["scenario", "addresses"])
def test_coverage_guided_fuzzing_finds_no_crash(tmp_path, target):
    pytest.importorskip("atheris", reason="coverage-guided fuzzing NOT run: atheris has wheels for Linux "
                                         "x86_64 only (the -rs summary lists this skip)")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    if target == "scenario":
        (corpus / "alles.toml").write_text(SCENARIO, encoding="utf-8")
        for path in (Path(__file__).parents[1] / "scenarios").glob("*.toml"):
            shutil.copy(path, corpus)
    else:
        ADDRESSES.to_csv(corpus / "adressen.csv", index=False)
    harness = Path(__file__).parent / "fuzz" / "atheris_inputs.py"
    result = subprocess.run([sys.executable, str(harness), target, str(corpus), f"-atheris_runs={FUZZ_RUNS}",
                             "-seed=1"], capture_output=True, text=True, timeout=900, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"Done {FUZZ_RUNS} " in result.stderr
