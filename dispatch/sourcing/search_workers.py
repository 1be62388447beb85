"""Where the region search's re-solves run: side by side on an executor once its workers
have started, here until then."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from dispatch.sourcing.decision import warm_up
from optimizer.executor import (
    Executor,
    Handle,
    Inline,
    Pool,
    cores,
    open_executor,
    scheduler_address,
)

R = TypeVar("R")

SIDE_BY_SIDE_FROM_S = 4.0
"""Shortest time limit at which the re-solves run side by side: a worker takes a second or
more to start, time a shorter search cannot spare."""
SEARCH_WORKERS = 2
"""Processes of a local pool: the search's waves of candidates and finalists are about this
wide."""


@contextmanager
def search_executor(limit_s: float, given: Executor | None = None) -> Iterator[Executor]:
    """``given``, else this process for a short limit or without an idle core, else
    Dask when a scheduler is named, else a pool of ``SEARCH_WORKERS`` processes; either
    used once its workers have started (each imports the solvers while the search's first
    solves run here). A pool still starting when the search ends is not waited for."""
    if given is not None:
        yield given
        return
    if limit_s < SIDE_BY_SIDE_FROM_S or idle_cores() < 1:
        yield Inline()
        return
    if scheduler_address() is not None:
        with open_executor() as executor:
            yield Warming(executor)
        return
    pool = Pool(SEARCH_WORKERS)
    try:
        yield Warming(pool)
    finally:
        pool.close(wait=False)


def idle_cores() -> float:
    """Cores this process may run on less the last minute's load: a worker started on a
    busy machine takes its time from the search here."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    return cores() - load


class Warming:
    """An executor used once each of its workers has run a first task; until then, tasks
    run here, one after the other."""

    def __init__(self, executor: Executor) -> None:
        self.executor = executor
        self.started = [executor.submit(warm_up) for _ in range(executor.workers)]
        self.here = Inline()

    def ready(self) -> bool:
        if self.started and all(h.done() for h in self.started):
            self.started = []
        return not self.started

    @property
    def workers(self) -> int:
        return self.executor.workers if self.ready() else 1

    @property
    def kind(self) -> str:
        return self.executor.kind if self.ready() else self.here.kind

    def submit(self, fn: Callable[..., R], /, *args: Any) -> Handle[R]:
        return (self.executor if self.ready() else self.here).submit(fn, *args)
