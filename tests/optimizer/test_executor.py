"""Independent solves give the same plans wherever they run: here, in a pool, or on Dask."""

from __future__ import annotations

import pytest

from optimizer import Problem, Solution, SolveParams, decompose
from optimizer.executor import (
    SCHEDULER_ENV,
    Inline,
    open_executor,
    run_all,
    scheduler_address,
)
from tests.optimizer.build import clusters

SEEDS = (0, 1, 2)


def _tasks() -> list[tuple[Problem, SolveParams, None]]:
    """Small problems solved with an iteration limit, so each plan is the same on any machine."""
    return [
        (
            clusters([(0, 0), (400, 0)], 12, seed=seed),
            SolveParams(time_limit_s=60, iterations=40, engine=engine, seed=seed),
            None,
        )
        for seed in SEEDS
        for engine in ("ortools", "pyvrp")
    ]


def _plans(solutions: list[Solution]) -> list[tuple[object, ...]]:
    return [
        (s.cost, s.dropped, tuple((r.vehicle, r.visits, r.start) for r in s.routes))
        for s in solutions
    ]


def _double(x: int) -> int:
    return 2 * x


def test_inline_runs_each_task_in_order() -> None:
    """The in-process executor returns every result in the order of its task."""
    assert run_all(Inline(), _double, [(1,), (2,), (3,)]) == [2, 4, 6]


def test_inline_keeps_a_task_error_for_its_result() -> None:
    """A failing task raises when its result is asked for, not when it is submitted."""
    handle = Inline().submit(int, "not a number")
    with pytest.raises(ValueError, match="invalid literal"):
        handle.result()


def test_one_worker_is_this_process() -> None:
    """``workers=1`` needs no other process."""
    with open_executor(workers=1, scheduler="") as executor:
        assert executor.kind == "inline"


def test_the_scheduler_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """``DISPATCH_DASK_SCHEDULER`` names the scheduler unless one is given."""
    monkeypatch.setenv(SCHEDULER_ENV, "tcp://10.0.0.5:8786")
    assert scheduler_address() == "tcp://10.0.0.5:8786"
    assert scheduler_address("tcp://other:8786") == "tcp://other:8786"
    monkeypatch.delenv(SCHEDULER_ENV)
    assert scheduler_address() is None


@pytest.mark.slow
def test_a_process_pool_gives_the_plans_of_this_process() -> None:
    """Two spawned workers return the same plans as solving here, task by task."""
    here = run_all(Inline(), decompose.solve_part, _tasks())
    with open_executor(workers=2, scheduler="") as pool:
        assert pool.kind == "pool"
        there = run_all(pool, decompose.solve_part, _tasks())
    assert _plans(there) == _plans(here)


@pytest.mark.slow
def test_a_dask_cluster_gives_the_plans_of_this_process() -> None:
    """A Dask LocalCluster of two worker processes returns the same plans as solving here,
    for plain solves and for a problem solved in parts."""
    distributed = pytest.importorskip("distributed")
    problem = clusters([(0, 0), (1000, 0)], 24, seed=3)
    params = SolveParams(time_limit_s=120, iterations=30, engine="ortools")
    here = run_all(Inline(), decompose.solve_part, _tasks())
    whole_here = decompose.solve(problem, params, cluster_stops=12, executor=Inline())
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        open_executor(scheduler=cluster.scheduler_address) as dask,
    ):
        assert (dask.kind, dask.workers) == ("dask", 2)
        there = run_all(dask, decompose.solve_part, _tasks())
        whole_there = decompose.solve(problem, params, cluster_stops=12, executor=dask)
    assert _plans(there) == _plans(here)
    assert _plans([whole_there]) == _plans([whole_here])
