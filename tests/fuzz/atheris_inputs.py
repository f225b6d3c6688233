"""Coverage-guided fuzzing (atheris, libFuzzer) of the two readers of a user's files: the scenario
loader and the address-file reader. Any exception other than a one-line InputError is a crash.

    python tests/fuzz/atheris_inputs.py scenario|addresses [CORPUS_DIR] [-atheris_runs=N]

tests/test_hostile_input.py runs both for a fixed number of inputs from a seed corpus; run it
longer by hand with -max_total_time=SECONDS."""

import sys
import tempfile
from pathlib import Path

import atheris
import numpy  # noqa: F401 - imported first, so that only our code and tomllib are instrumented
import pandas  # noqa: F401
import pydantic  # noqa: F401
import scipy.stats  # noqa: F401

with atheris.instrument_imports():
    import tomllib  # noqa: F401

    from versterking import load_population, load_scenario
    from versterking.errors import InputError

sys.path.insert(0, str(Path(__file__).parents[1]))
from conftest import BASE, address_table  # noqa: E402 - the tests' small valid scenario

FOLDER = Path(tempfile.mkdtemp(prefix="fuzz-"))


def scenario(data: bytes) -> None:
    path = FOLDER / "s.toml"
    path.write_bytes(data)
    _load(path)


def addresses(data: bytes) -> None:
    (FOLDER / "adressen.csv").write_bytes(data)
    _load(FOLDER / "base.toml")


def _load(path: Path) -> None:
    try:
        load_population(load_scenario(path))
    except InputError as exc:
        if "\n" in str(exc) or not str(exc):
            raise AssertionError(f"not one line: {exc!r}") from None


if __name__ == "__main__":
    target = {"scenario": scenario, "addresses": addresses}[sys.argv.pop(1)]
    (FOLDER / "base.toml").write_text(BASE, encoding="utf-8")
    address_table().to_csv(FOLDER / "adressen.csv", index=False)
    atheris.Setup(sys.argv, target)
    atheris.Fuzz()
