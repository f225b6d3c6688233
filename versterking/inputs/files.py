"""Opening a user's file defensively: only a regular file, and its size checked before it is read,
so that a device, a pipe or a 100 MB mistake gives one line instead of a hang or a memory spike."""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..errors import InputError


def check_file(path: Path, limit: int, where: str, what: str) -> None:
    """Raise InputError unless `path` is a readable regular file of at most `limit` bytes.
    `where` says who named the file (e.g. "base.toml: extends"); `what` what the file should be."""
    try:
        if not path.exists():
            raise InputError(f"{where}: file not found: {path}")
        if not path.is_file():
            raise InputError(f"{path}: not a regular file; {what}")
        size = path.stat().st_size
    except (OSError, ValueError) as exc:  # name too long, a NUL in the name, no permission
        raise InputError(f"{where}: cannot open {_short(str(path))}: "
                         f"{getattr(exc, 'strerror', None) or exc}") from None
    if size > limit:
        raise InputError(f"{path}: {size / 1e6:.1f} MB, more than the {limit / 1e6:g} MB allowed ({what})")


def read_text(path: Path, limit: int, where: str, what: str) -> str:
    """The UTF-8 text of a file `check_file` accepts."""
    check_file(path, limit, where, what)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text; {what}") from None


def _short(text: str) -> str:
    return text if len(text) <= 120 else text[:117] + "..."


def file_sha256(path: Path | None) -> str | None:
    """The checksum a manifest or a cache key records for a file the run read (None: no file)."""
    return hashlib.sha256(path.read_bytes()).hexdigest() if path is not None else None
