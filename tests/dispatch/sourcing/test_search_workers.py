"""Where the region search's re-solves run: the executor it is given, side by side once a
pool's workers have started, here before that and for short limits."""

from __future__ import annotations

import copy
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import pytest

from dispatch.intake.loading import load_request
from dispatch.planning.day import plan_day
from dispatch.planning.validator import validate_plan
from dispatch.sourcing import decide as deciding
from dispatch.sourcing import search_workers
from dispatch.sourcing.decision import route_task
from dispatch.sourcing.search_workers import SIDE_BY_SIDE_FROM_S, search_executor
from optimizer.executor import Executor, Handle, Inline
from tests.dispatch.sourcing.test_sourcing import DAY, FAR, ITERATIONS, routed, taken

R = TypeVar("R")


class Counting:
    """Two workers as far as the search knows; each task runs here and is counted."""

    workers = 2
    kind = "counting"

    def __init__(self) -> None:
        self.tasks: list[str] = []

    def submit(self, fn: Callable[..., R], /, *args: Any) -> Handle[R]:
        self.tasks.append(fn.__name__)
        return Inline().submit(fn, *args)


def test_the_re_solves_run_on_the_search_executor(monkeypatch: pytest.MonkeyPatch) -> None:
    """On the two-region day every re-solve but the first estimate goes to the executor, as
    an own-fleet routing task; the decision is the one solved one after the other (FAR to
    CHEAP for 330, NEAR routed) and the plan is valid."""
    counting = Counting()

    @contextmanager
    def given(limit_s: float, executor: Executor | None = None) -> Iterator[Executor]:
        yield counting

    monkeypatch.setattr(deciding, "search_executor", given)
    request = load_request(copy.deepcopy(DAY))
    plan = plan_day(request, iterations=ITERATIONS)
    assert validate_plan(request, plan.model_dump(mode="json")) == []
    assert taken(plan) == {"FAR": ("CHEAP", FAR, 330.0)}
    assert routed(plan) == {"N1", "N2", "N3"}
    assert plan.solver["workers"] == 2
    solves = plan.solver["routing_solves"]
    assert isinstance(solves, int)
    assert counting.tasks == [route_task.__name__] * (solves - 1)
    assert len(counting.tasks) >= 2


def test_a_short_limit_keeps_the_search_in_this_process() -> None:
    """Below ``SIDE_BY_SIDE_FROM_S`` no worker is started."""
    with search_executor(SIDE_BY_SIDE_FROM_S / 2) as executor:
        assert executor.kind == "inline"
        assert executor.workers == 1


def _pid() -> int:
    return os.getpid()


def test_a_busy_machine_keeps_the_search_in_this_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two cores and a load of 1.5: less than one idle core, no worker is started."""
    monkeypatch.setattr(search_workers, "cores", lambda: 2)
    monkeypatch.setattr(search_workers.os, "getloadavg", lambda: (1.5, 1.0, 1.0))
    assert search_workers.idle_cores() == 0.5
    with search_executor(60.0) as executor:
        assert executor.kind == "inline"


@pytest.mark.slow
def test_a_pool_is_used_once_its_workers_have_started(monkeypatch: pytest.MonkeyPatch) -> None:
    """With a long limit and an idle core a pool of two starts: tasks run here until both
    workers have run their first task, in the pool after."""
    monkeypatch.setattr(search_workers, "idle_cores", lambda: 2.0)
    with search_executor(60.0) as executor:
        if executor.workers == 1:
            assert executor.submit(_pid).result() == os.getpid()
        waited = time.monotonic()
        while executor.workers == 1 and time.monotonic() - waited < 120:
            time.sleep(0.1)
        assert executor.kind == "pool"
        assert executor.workers == 2
        assert executor.submit(_pid).result() != os.getpid()
