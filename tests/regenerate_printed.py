"""Regenerate what the README and the docs show a command printing, from real runs of the installed
command in an empty folder, so the pages can never drift from the code:

    python tests/regenerate_printed.py                 # every block (about 20 minutes on 2 cores)
    python tests/regenerate_printed.py run-verwachting lookup

Each block in a page is marked by the line `<!-- printed: NAME -->` just before it. The output is kept
in tests/golden/printed/NAME.txt and written into every page that marks the block;
tests/test_docs.py checks that each marked block is its file; CI (.ci/run) runs `run verwachting`
and `lookup` as a new user and compares what they print with these files.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRINTED = Path(__file__).resolve().parent / "golden" / "printed"
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
# name -> (the command after `versterking`, shown with a "$ " prompt line or not); in this order, in
# one folder (lookup reads the folder run-basis wrote)
COMMANDS = {
    "run-actueel": (["run", "actueel"], False),
    "run-actueel-sodm-tempo": (["run", "actueel-sodm-tempo"], False),
    "run-actueel-ncg-plan": (["run", "actueel-ncg-plan"], False),
    "run-actueel-groei": (["run", "actueel-groei"], False),
    "target-actueel-ncg": (["target", "actueel", "--milestone", "deelnemers", "--done-by", "2032-12-31",
                            "--confidence", "0.5"], False),
    "run-verwachting": (["run", "verwachting"], False),
    "run-basis": (["run", "basis"], False),
    "lookup": (["lookup", "results/verwachting", "--address", "A001529"], True),
    "compare-measures": (["compare", "basis", "versnellingspakket", "crisisaanpak"], False),
    "sensitivity": (["sensitivity", "basis"], False),
    "target": (["target", "basis", "--done-by", "2026-12-31", "--confidence", "0.9"], False),
    "target-2030": (["target", "basis", "--done-by", "2030-12-31", "--confidence", "0.9"], False),
}
MARK = re.compile(r"(<!-- printed: ([\w-]+) -->\n```\n)(.*?)(```)", re.S)


def printed(name: str, folder: Path) -> str:
    """What `versterking <command>` prints on standard output, run in `folder`."""
    args, prompt = COMMANDS[name]
    versterking = Path(sys.executable).parent / "versterking"
    out = subprocess.run([str(versterking), *args], cwd=folder, capture_output=True, text=True,
                         check=True).stdout  # a progress bar goes to standard error
    return (f"$ versterking {' '.join(args)}\n" if prompt else "") + out


def blocks(text: str) -> list[tuple[str, str]]:
    """(name, content) of every marked block of a page."""
    return [(m.group(2), m.group(3)) for m in MARK.finditer(text)]


def write_pages() -> None:
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        new = MARK.sub(lambda m: m.group(1) + (PRINTED / f"{m.group(2)}.txt").read_text(encoding="utf-8")
                       + m.group(4), text)
        if new != text:
            page.write_text(new, encoding="utf-8")


def main(names: list[str]) -> None:
    names = names or list(COMMANDS)
    PRINTED.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        for name in COMMANDS:
            if name in names or (name == "run-verwachting" and "lookup" in names):
                text = printed(name, Path(scratch))
                if name in names:
                    (PRINTED / f"{name}.txt").write_text(text, encoding="utf-8")
                    print(f"{name}: {len(text.splitlines())} lines")
    write_pages()


if __name__ == "__main__":
    main(sys.argv[1:])
