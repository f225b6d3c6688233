"""The README is part of the product: its example runs and CI runs its test command verbatim."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def code_blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)


@pytest.mark.slow
def test_python_api_example_runs(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    (example,) = [b for b in code_blocks("python") if "load_scenario" in b]
    exec(compile(example, "README.md", "exec"), {})
    assert "voltooid: 95% op" in capsys.readouterr().out


def test_ci_runs_the_readme_test_command_verbatim():
    install_and_run, tests = code_blocks("bash")[:2]
    assert install_and_run.strip() == "pip install . && versterking run scenarios/basis.toml"
    assert tests.strip() in (ROOT / ".ci" / "run").read_text().splitlines()


def test_every_shipped_scenario_loads():
    from versterking import load_scenario

    for path in sorted((ROOT / "scenarios").glob("*.toml")):
        sc = load_scenario(path).scenario
        assert sc.description, path.name
