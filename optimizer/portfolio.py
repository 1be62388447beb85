"""Both engines at once on two cores: OR-Tools alone in a child process, the hybrid here.

The better plan wins (fewest dropped mandatory stops, then cost). OR-Tools' search
and the hybrid's find their best plans on different days, and a second core is
otherwise idle during a solve. A budget too short to pay for starting a process
goes to OR-Tools alone (PyVRP's search barely starts in it, and the hybrid would halve
it); with one core it is the hybrid alone.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from time import monotonic

from optimizer import hybrid, ortools_engine, plan
from optimizer.params import SolveParams
from optimizer.problem import Problem
from optimizer.solution import Solution

ENGINE = "portfolio"
PARALLEL_FROM_S = 5.0
"""Shortest budget worth a child process (starting one takes about 0.4 s here)."""


def solve(problem: Problem, params: SolveParams) -> Solution:
    """The better of the hybrid here and OR-Tools in a child process, in the same time."""
    clock = monotonic()
    if params.time_limit_s < PARALLEL_FROM_S:
        return replace(ortools_engine.solve(problem, params), engine=ENGINE)
    if _cores() < 2:
        return replace(hybrid.solve(problem, params), engine=ENGINE)
    deadline = clock + params.time_limit_s
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context) as pool:
        child = pool.submit(_ortools_until, problem, replace(params, on_progress=None), deadline)
        ours = hybrid.solve(problem, params)
        theirs = child.result()
    best = min((ours, theirs), key=plan.ranking(problem))
    stats = {
        **best.stats,
        "hybrid_cost": float(ours.cost),
        "ortools_cost": float(theirs.cost),
        "ortools_won": float(best is theirs),
    }
    return replace(best, engine=ENGINE, elapsed_s=monotonic() - clock, stats=stats)


def _ortools_until(problem: Problem, params: SolveParams, deadline: float) -> Solution:
    """OR-Tools until ``deadline`` (a system-wide monotonic time), net of the start-up."""
    remaining = max(0.1, deadline - monotonic())
    return ortools_engine.solve(problem, replace(params, time_limit_s=remaining))


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
