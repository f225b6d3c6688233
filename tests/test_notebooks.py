"""The notebooks (notebooks/*.py, jupytext percent scripts paired with .ipynb files without outputs)
run from top to bottom on a clean install, through the Python API the README documents, in their own
folder as Jupyter runs them (so `import versterking` is the installed package, not the source tree)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.py"))


def test_there_is_a_notebook_for_each_kind_of_user():
    assert {p.stem for p in NOTEBOOKS} == {"planner", "beleid", "reviewer"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_the_paired_notebook_matches_its_script_and_has_no_outputs(path):
    """Regenerate with `jupytext --sync notebooks/*.py` after editing either."""
    paired = nbformat.read(path.with_suffix(".ipynb"), as_version=4)
    script = jupytext.read(path)
    assert [(c.cell_type, c.source) for c in paired.cells] == [(c.cell_type, c.source) for c in script.cells]
    code = [c for c in paired.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_the_notebook_runs(path, tmp_path, monkeypatch):
    monkeypatch.setenv("NOTEBOOK_RESULTS", str(tmp_path))
    monkeypatch.setenv("NOTEBOOK_REPLICATIONS", "2")  # top to bottom is what is tested, not the numbers
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    notebook = jupytext.read(path)
    NotebookClient(notebook, timeout=900, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute()
    last = notebook.cells[-1]
    assert last.cell_type == "code" and last.outputs, "the answer is printed at the bottom"
