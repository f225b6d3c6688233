"""One way to write anything the tool leaves behind (a results folder, a sweep's cached point, a
workbook, an answer scenario, the calibration's scenario and report): into a hidden sibling first,
moved into place with one rename at the end, so that what is there is always whole or absent, and
never replaced unless asked (`force`)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import InputError


def check_writable(out: Path, force: bool, what: str = "results folder") -> None:
    """Fail before running, not after: an existing target is never replaced without --force. First
    clear what a killed run left next to it."""
    _clear_leftovers(out.resolve())
    if out.exists() and not force:
        raise InputError(f"{out}: {what} exists; choose another name or pass --force to replace it")
    _probe(out.resolve().parent, what)


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
