"""Where replications run: in this process, in a pool of local processes, or on a Dask cluster.

Every task is a pure function of its own arguments and of one `shared` object (the populations),
so a result does not depend on where, when or next to what it ran. Results come back with their
task index; callers place them by index, which keeps every total the same for any number of workers
or any backend.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from multiprocessing import get_context
from typing import Any

from ..errors import InputError

Task = Callable[[Any, Any], Any]  # (task, shared) -> result
Progress = bool | Callable[[int], Any]  # a bar on the terminal, or a function told of each task done

PR_SET_PDEATHSIG = 1  # prctl option (Linux): a signal for this process when its parent dies
CONNECT_SECONDS = 20  # how long to keep trying to reach a Dask scheduler

_FN: Task | None = None
_TASKS: Sequence = ()
_SHARED: Any = None


def cores() -> int:
    """The cores this process may use (a container's CPU set, not the host's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def run_tasks(fn: Task, tasks: Sequence, shared: Any = None, workers: int | None = None,
              scheduler: str | None = None, progress: Callable[[int], Any] | None = None
              ) -> Iterator[tuple[int, Any]]:
    """Yield (index, fn(task, shared)) for every task. `scheduler` is a Dask scheduler address
    (tcp://host:port); without it, `workers` local processes (default: all cores; 1 runs here).
    Results are yielded as they come and not kept, so memory does not grow with the tasks."""
    if not tasks:
        return
    if scheduler is not None:
        yield from _on_dask(fn, tasks, shared, scheduler, progress)
        return
    workers = min(workers or cores(), len(tasks))
    if workers <= 1:
        for i, task in enumerate(tasks):
            yield i, _counted(fn(task, shared), progress)
        return
    global _FN, _TASKS, _SHARED
    _FN, _TASKS, _SHARED = fn, tasks, shared
    try:
        # forked workers inherit the tasks and the shared data: only indices and results travel;
        # leaving the block (done, Ctrl-C, an error) terminates them at once
        with get_context("fork").Pool(workers, initializer=_worker, initargs=(os.getpid(),)) as pool:
            for i, result in enumerate(pool.imap(_run_index, range(len(tasks)))):
                yield i, _counted(result, progress)
    finally:
        _FN, _TASKS, _SHARED = None, (), None


def ticker(bar, progress: Progress) -> Callable[[int], Any]:
    """What to call as tasks finish: the terminal's bar, and the caller's function if it gave one."""
    if not callable(progress):
        return bar.update
    return lambda n: (bar.update(n), progress(n))


def _worker(parent: int) -> None:
    """Ctrl-C is the parent's to handle (it stops the workers); and a worker must not outlive a
    parent killed outright (SIGKILL gives it no chance to stop them): Linux ends it with the parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before that took effect
        os._exit(1)


def _run_index(i: int) -> Any:
    assert _FN is not None
    return _FN(_TASKS[i], _SHARED)


def _counted(result: Any, progress: Callable[[int], Any] | None) -> Any:
    if progress:
        progress(1)
    return result


def _on_dask(fn: Task, tasks: Sequence, shared: Any, scheduler: str,
             progress: Callable[[int], Any] | None) -> Iterator[tuple[int, Any]]:
    """Send the shared data to every worker once, then one Dask task per task. The workers need
    this package installed, at the same version (checked)."""
    from distributed import Client, as_completed

    from ..version import __version__

    try:
        client = Client(scheduler, timeout=CONNECT_SECONDS)
    except (OSError, TimeoutError, ValueError) as exc:
        raise InputError(f"--scheduler: cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    with client:
        try:
            versions = client.run(_package_version)
        except Exception as exc:  # raised on the worker, e.g. the package is not installed there
            raise InputError(f"--scheduler: a Dask worker cannot run versterking: {exc}") from None
        wrong = {w: v for w, v in versions.items() if v != __version__}
        if wrong:
            worker, version = next(iter(wrong.items()))
            raise InputError(f"--scheduler: worker {worker} runs versterking {version}, this is "
                             f"{__version__}; install the same version on every worker")
        [shared_future] = client.scatter([shared], broadcast=True)
        futures = client.map(fn, tasks, [shared_future] * len(tasks), pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        done = as_completed(futures, with_results=True)
        del futures  # each result is released once yielded
        for future, result in done:
            yield index[future.key], _counted(result, progress)


def _package_version() -> str:
    from importlib import metadata

    return metadata.version("versterking")
