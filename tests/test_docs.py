"""The README and docs/ are part of the product: the README's two commands are the ones CI runs, its
Python example runs, every link points at a file that exists, and every scenario example loads."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import regenerate_printed as printed

from versterking import load_scenario

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
PAGES = [README, *sorted((ROOT / "docs").rglob("*.md"))]


def code_blocks(path: Path, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.S)


def test_ci_runs_the_readme_commands_verbatim():
    install_and_run, tests = code_blocks(README, "bash")[:2]
    assert install_and_run.strip() == "pip install . && versterking run actueel"
    assert tests.strip() == 'pip install ".[test]" && pytest'
    # verbatim, in a subshell: a failing install must stop `set -e` (the first half of an && list does not)
    assert f"({tests.strip()})" in (ROOT / ".ci" / "run").read_text().splitlines()


@pytest.mark.slow
def test_the_readme_python_example_runs_from_any_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (example,) = code_blocks(README, "python")
    exec(compile(example, "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert "basis: 26.716 adressen" in out and "95% op" in out


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_every_link_points_at_a_file(page):
    text = page.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
        if target.startswith(("http://", "https://")):
            continue
        assert (page.parent / target).exists(), f"{page.relative_to(ROOT)}: {target}"


SCENARIO_EXAMPLES = [(page, n, block) for page in PAGES for n, block in enumerate(code_blocks(page, "toml"))
                     if "extends" in block]


@pytest.mark.parametrize(("page", "n", "block"), SCENARIO_EXAMPLES,
                         ids=[f"{p.relative_to(ROOT)}-{n}" for p, n, _ in SCENARIO_EXAMPLES])
def test_every_scenario_example_loads(page, n, block, tmp_path):
    shutil.copy(ROOT / "tests" / "golden" / "adressen.csv", tmp_path)  # for an example with an address file
    path = tmp_path / "voorbeeld.toml"
    path.write_text(block, encoding="utf-8")
    assert load_scenario(path).scenario.name


def test_every_shipped_scenario_loads():
    for path in sorted((ROOT / "scenarios").glob("*.toml")):
        sc = load_scenario(path).scenario
        assert sc.description, path.name


MARKED = [(page, name, content) for page in PAGES
          for name, content in printed.blocks(page.read_text(encoding="utf-8"))]


def test_every_command_the_pages_show_printing_has_its_block_marked():
    """The output blocks of run, lookup, compare, sensitivity and target are marked, each once or more,
    and every golden file is used."""
    names = {name for _, name, _ in MARKED}
    assert names == set(printed.COMMANDS) == {p.stem for p in printed.PRINTED.glob("*.txt")}


@pytest.mark.parametrize(("page", "name", "content"), MARKED,
                         ids=[f"{p.relative_to(ROOT)}-{name}" for p, name, _ in MARKED])
def test_every_printed_block_is_what_the_command_printed(page, name, content):
    """Written by tests/regenerate_printed.py from a real run; edit the code, not the page."""
    assert content == (printed.PRINTED / f"{name}.txt").read_text(encoding="utf-8")
