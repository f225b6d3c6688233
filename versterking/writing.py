"""One way to write anything the tool leaves behind (a results folder, a sweep's cached point, a
workbook, an answer scenario, the calibration's scenario and report): into a hidden sibling first,
moved into place with one rename at the end, so that what is there is always whole or absent, and
never replaced unless asked (`force`). Even then only what the tool itself wrote is replaced: a
folder it wrote lists its files in `.versterking-files`, and a file it wrote says so in its first
line (a scenario) or its document properties (a workbook); anything else of a user's is refused."""

from __future__ import annotations

import json
import os
import re
import shutil
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from . import filenames
from .errors import InputError

WRITTEN = ".versterking-files"  # in every folder the tool writes: the files it wrote there
CREATOR = "versterking"  # a workbook's document property "creator"
HEADER = re.compile(rb"# (GENERATED|Saved) by `versterking ")  # a scenario file's first line


def check_writable(out: Path, force: bool, what: str = "results folder") -> None:
    """Fail before running, not after: an existing target is never replaced without --force, and
    with it only when the tool wrote it. First clear what a killed run left next to it."""
    _clear_leftovers(out.resolve())
    if out.exists() or out.is_symlink():
        if not force:
            raise InputError(f"{out}: {what} exists; choose another name or pass --force to replace it")
        foreign = not_written_here(out)
        if foreign is not None:
            raise InputError(f"{out}: not replaced: --force replaces only a {what} that versterking wrote, "
                             f"and {foreign}; choose another name, or move it away yourself")
    _probe(out.resolve().parent, what)


def not_written_here(path: Path) -> str | None:
    """Why `path` is not something the tool wrote (and so may not be replaced), or None if it is."""
    resolved = path.resolve()
    if path.is_symlink():
        return "it is a symbolic link"
    if resolved == Path.cwd().resolve() or resolved in Path.cwd().resolve().parents:
        return "it is the current folder or holds it"
    if resolved.is_dir():
        return _foreign_in_folder(resolved, Path())
    if not resolved.is_file():  # a pipe or a device: reading it could hang, and the tool writes none
        return "it is not a regular file"
    if resolved.suffix.lower() == ".xlsx":
        ours = _workbook_creator(resolved) == CREATOR
    else:
        with resolved.open("rb") as f:
            ours = HEADER.match(f.readline(200)) is not None
    return None if ours else "this file is not one it wrote"


def _foreign_in_folder(folder: Path, shown: Path) -> str | None:
    listed = _listed(folder)
    if listed is None:
        where = f"{shown.as_posix()}/" if shown.parts else "the folder "
        return f"{where}has no {WRITTEN} (the list of what it wrote there)"
    for root, dirs, files in os.walk(folder):
        here = Path(root)
        for name in sorted(files) + [d for d in sorted(dirs) if (here / d).is_symlink()]:
            relative = (here / name).relative_to(folder).as_posix()
            if relative not in listed:
                return f"it holds {(shown / relative).as_posix()}, which it did not write"
        for d in [d for d in dirs if (here / d).is_symlink() or _listed(here / d) is not None]:
            dirs.remove(d)  # a link is judged above; a folder written on its own (a report) below
            if not (here / d).is_symlink():
                foreign = _foreign_in_folder(here / d, shown / (here / d).relative_to(folder))
                if foreign is not None:
                    return foreign
    return None


def _listed(folder: Path) -> set[str] | None:
    """The files the tool wrote in `folder`: its list, or for a results folder of an earlier version
    (none had a list) the outputs of its manifest."""
    try:
        if (folder / WRITTEN).is_file():
            return {*json.loads((folder / WRITTEN).read_text(encoding="utf-8"))["files"], WRITTEN}
        manifest = json.loads((folder / filenames.MANIFEST).read_text(encoding="utf-8"))
        if manifest.get("package") == "versterking":
            return {*manifest["outputs"], filenames.MANIFEST}
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None


def _write_list(folder: Path) -> None:
    """The list of what was written, in `folder` and in each folder below it (a report inside a results
    folder may later be replaced on its own)."""
    for here in sorted((folder, *(p for p in folder.rglob("*") if p.is_dir())), reverse=True):
        files = sorted(p.relative_to(here).as_posix() for p in here.rglob("*") if not p.is_dir())
        (here / WRITTEN).write_text(json.dumps({"written_by": "versterking", "files": files}, indent=1)
                                    + "\n", encoding="utf-8")


def _workbook_creator(path: Path) -> str | None:
    try:
        with zipfile.ZipFile(path) as z:
            core = z.read("docProps/core.xml").decode("utf-8")
    except (OSError, KeyError, zipfile.BadZipFile, UnicodeDecodeError):
        return None
    found = re.search(r"<dc:creator>([^<]*)</dc:creator>", core)
    return found.group(1) if found else None


@contextmanager
def atomic_folder(out: Path, force: bool, what: str = "results folder") -> Iterator[Path]:
    """Yield a temporary sibling folder to write into; move it into place in one rename at the end,
    or remove it if anything failed. A folder already there is moved aside first and removed after."""
    check_writable(out, force, what)
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: exists and is not a folder")
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        yield tmp
        _write_list(tmp)
        if out.exists():
            old = out.parent / f".{out.name}.old-{os.getpid()}"
            out.rename(old)
            tmp.rename(out)
            shutil.rmtree(old)
        else:
            tmp.rename(out)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        _name_the_file(exc, out)
        raise


@contextmanager
def atomic_file(path: Path, force: bool, what: str = "file") -> Iterator[Path]:
    """Yield a temporary sibling path to write; it replaces `path` in one rename at the end, or is
    removed if anything failed (a full disk, Ctrl-C)."""
    check_writable(path, force, what)
    if path.is_dir():
        raise InputError(f"{path}: is a folder; the {what} is a file")
    path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.tmp-{os.getpid()}"
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        _name_the_file(exc, path)
        raise


def _name_the_file(exc: BaseException, target: Path) -> None:
    if isinstance(exc, OSError) and exc.filename is None:
        exc.filename = str(target)  # a library's buffered write does not say which file


def _probe(folder: Path, what: str) -> None:
    """Can something be made where the output goes? Tried (and undone) on the nearest existing
    ancestor, because permission bits do not stop root, while a read-only disk or /proc does."""
    while not folder.exists():
        folder = folder.parent
    if not folder.is_dir():
        raise InputError(f"{folder}: is a file, so no {what} can be made below it")
    probe = folder / f".versterking-probe-{os.getpid()}"
    try:
        probe.mkdir()
        probe.rmdir()
    except OSError as exc:
        raise InputError(f"{folder}: cannot write the {what} here: {exc.strerror}") from None


def _clear_leftovers(out: Path) -> None:
    """A run killed outright (SIGKILL, power cut) cannot remove its temporary sibling: remove those
    of processes that no longer exist. One killed between its two renames leaves the previous
    results as `.old-PID` and nothing in place: put them back."""
    for left in out.parent.glob(f".{out.name}.*-*"):
        kind, _, pid = left.name[len(out.name) + 2:].partition("-")
        if kind not in ("tmp", "old") or not pid.isdigit() or _alive(int(pid)):
            continue
        if kind == "old" and not out.exists():
            left.rename(out)
        elif left.is_dir():
            shutil.rmtree(left, ignore_errors=True)
        else:
            left.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether it exists
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, but is someone else's
        pass
    return True
