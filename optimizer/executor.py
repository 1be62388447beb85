"""One way to run independent solves side by side: here, in a process pool, or on Dask.

A task is a module-level function and its arguments (plain problem data, parameters), so
that it can run in another process or on another machine; its result comes back as it
would from a call here. ``open_executor`` picks where:

- ``workers=1``: in this process, one task after the other (no start-up cost);
- otherwise a pool of spawned processes on this machine (one per core by default), ended
  with the process that opened it;
- Dask distributed when ``scheduler`` (or the ``DISPATCH_DASK_SCHEDULER`` environment
  variable) names a scheduler, ``tcp://host:8786``: its workers need only the project
  installed.

The same tasks with the same seeds and iteration limits give the same results on any of
them.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, Protocol, TypeVar

SCHEDULER_ENV = "DISPATCH_DASK_SCHEDULER"
"""Environment variable naming a Dask scheduler to run independent solves on."""

R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)


class Handle(Protocol[R_co]):
    """A submitted task: ``result()`` waits for its value (or raises its error)."""

    def result(self, timeout: float | None = None) -> R_co: ...

    def done(self) -> bool: ...


class Executor(Protocol):
    """Runs tasks, perhaps in other processes or machines; ``workers`` run at once."""

    @property
    def workers(self) -> int: ...

    @property
    def kind(self) -> str: ...

    def submit(self, fn: Callable[..., R], /, *args: Any) -> Handle[R]: ...


def run_all(executor: Executor, fn: Callable[..., R], tasks: Sequence[tuple[Any, ...]]) -> list[R]:
    """``fn(*task)`` for every task, side by side on ``executor``, results in task order."""
    handles = [executor.submit(fn, *task) for task in tasks]
    return [handle.result() for handle in handles]


class Inline:
    """Runs each task at once in this process when it is submitted."""

    workers = 1
    kind = "inline"

    def submit(self, fn: Callable[..., R], /, *args: Any) -> Handle[R]:
        done: Future[R] = Future()
        try:
            done.set_result(fn(*args))
        except Exception as error:
            done.set_exception(error)
        return done


class Pool:
    """A pool of spawned processes on this machine, each ended with the process that opened it."""

    kind = "pool"

    def __init__(self, workers: int) -> None:
        from optimizer.portfolio import _end_with_parent

        self.workers = workers
        self._pool = ProcessPoolExecutor(
            workers, mp_context=multiprocessing.get_context("spawn"), initializer=_end_with_parent
        )

    def submit(self, fn: Callable[..., R], /, *args: Any) -> Handle[R]:
        return self._pool.submit(fn, *args)

    def close(self, *, wait: bool = True) -> None:
        """Ends the pool; tasks not started are cancelled, running ones waited for if ``wait``."""
        self._pool.shutdown(wait=wait, cancel_futures=True)


class Dask:
    """A Dask distributed client: tasks run on the scheduler's workers, one per thread."""

    kind = "dask"

    def __init__(self, address: str) -> None:
        from distributed import Client

        self.client = Client(address, set_as_default=False)
        threads = self.client.nthreads()
        self.workers = max(1, sum(threads.values()))

    def submit(self, fn: Callable[..., R], /, *args: Any) -> Handle[R]:
        future: Handle[R] = self.client.submit(fn, *args, pure=False)
        return future

    def close(self) -> None:
        self.client.close()


def scheduler_address(scheduler: str | None = None) -> str | None:
    """The Dask scheduler to use: ``scheduler``, else ``DISPATCH_DASK_SCHEDULER``, else none."""
    return scheduler or os.environ.get(SCHEDULER_ENV) or None


def cores() -> int:
    """Cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


@contextmanager
def open_executor(
    *, workers: int | None = None, scheduler: str | None = None
) -> Iterator[Executor]:
    """An executor for the duration of a ``with`` block (see the module's docstring).

    ``workers`` bounds the processes of a local pool (default: the cores); it does not
    apply to Dask, whose workers are the scheduler's.
    """
    address = scheduler_address(scheduler)
    if address is not None:
        dask = Dask(address)
        try:
            yield dask
        finally:
            dask.close()
        return
    count = cores() if workers is None else workers
    if count <= 1:
        yield Inline()
        return
    pool = Pool(count)
    try:
        yield pool
    finally:
        pool.close()
