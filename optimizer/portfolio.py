"""Two searches at once on two cores: the hybrid here and a partner hybrid in a child process.

The two run with seeds of their own: user seed ``s`` gives each search a block of
``SEEDS_PER_SEARCH`` seeds for itself and its restarts, so runs with different user
seeds, and the two searches of one run, never share a search. Before each of their route
eliminations the two trade plans and both carry on from the better one, each trying to
remove a different route; after a route is gone, and in the last share, the partner
re-optimises the best plan instead (a plan that just lost a route is seldom finished).
The better final plan wins (fewest dropped mandatory stops, then cost). On the generated
days this beat the hybrid next to plain OR-Tools, which seldom won. A budget too short to
pay for starting processes goes to OR-Tools alone (PyVRP's search barely starts in it);
with one core it is the hybrid alone.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import queue
import signal
import sys
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from multiprocessing.managers import SyncManager
from time import monotonic

from optimizer import hybrid, ortools_engine, plan, pyvrp_engine
from optimizer.params import SolveParams
from optimizer.problem import Problem
from optimizer.solution import Route, Solution

ENGINE = "portfolio"
PARALLEL_FROM_S = 5.0
"""Shortest budget worth a child process (starting one takes about 0.5 s here)."""
END_S = 0.5
"""Of the budget, kept for ending the partner process and the manager (about 0.4 s here);
the searches share the rest, from the moment the budget starts (starting the manager and
the partner takes about 1.5 s here)."""
TRADE_WAIT_S = 2.0
"""How long a search waits for its partner's plan before it carries on alone."""
PR_SET_PDEATHSIG = 1


def solve(
    problem: Problem, params: SolveParams, *, initial: Sequence[Route] | None = None
) -> Solution:
    """The better of the hybrid here and its partner in a child process, in the same time;
    both start from the ``initial`` routes when given."""
    clock = monotonic()
    if params.time_limit_s < PARALLEL_FROM_S:
        start = None if not initial else {r.vehicle: r.visits for r in initial}
        return replace(ortools_engine.solve(problem, params, initial=start), engine=ENGINE)
    if _cores() < 2:
        return replace(hybrid.solve(problem, params, initial=initial), engine=ENGINE)
    deadline = clock + params.time_limit_s - min(END_S, 0.1 * params.time_limit_s)
    context = multiprocessing.get_context("spawn")
    manager = SyncManager(ctx=context)
    manager.start(_end_with_parent)
    with manager, ProcessPoolExecutor(1, mp_context=context, initializer=_end_with_parent) as pool:
        ours_box: queue.Queue[Solution] = manager.Queue()
        theirs_box: queue.Queue[Solution] = manager.Queue()
        seed, partner_seed = search_seeds(params.seed)
        partner = replace(params, on_progress=None, seed=partner_seed)
        child = pool.submit(
            _partner, problem, partner, deadline, Trade(theirs_box, ours_box), initial
        )
        trade = Trade(ours_box, theirs_box).bind(problem)
        ours = hybrid.solve(
            problem,
            replace(params, seed=seed, time_limit_s=max(0.1, deadline - monotonic())),
            exchange=trade,
            variants=2,
            initial=initial,
        )
        theirs = child.result()
    best = min((ours, theirs), key=plan.ranking(problem))
    stats = {
        **best.stats,
        "hybrid_cost": float(ours.cost),
        "partner_cost": float(theirs.cost),
        "partner_won": float(best is theirs),
    }
    return replace(best, engine=ENGINE, elapsed_s=monotonic() - clock, stats=stats)


def search_seeds(seed: int) -> tuple[int, int]:
    """The first seeds of this search's block and of its partner's for a user's ``seed``.

    Seed 0 keeps seed 0 for this search, as the hybrid alone uses it.
    """
    block = pyvrp_engine.SEEDS_PER_SEARCH
    return 2 * seed * block, (2 * seed + 1) * block


@dataclass(frozen=True, slots=True)
class Trade:
    """Posts a search's best plan to its partner and takes the better of it and the partner's."""

    outbox: queue.Queue[Solution]
    inbox: queue.Queue[Solution]
    wait_s: float = TRADE_WAIT_S

    def bind(self, problem: Problem) -> hybrid.Exchange:
        """The exchange for ``problem``: a partner's plan wins only if it ranks better."""
        rank = plan.ranking(problem)

        def exchange(best: Solution) -> Solution:
            self.outbox.put(best)
            try:
                theirs = self.inbox.get(timeout=self.wait_s)
            except queue.Empty:
                return best
            return min((best, theirs), key=rank)

        return exchange


def _partner(
    problem: Problem,
    params: SolveParams,
    deadline: float,
    trade: Trade,
    initial: Sequence[Route] | None = None,
) -> Solution:
    """The hybrid until ``deadline`` (a system-wide monotonic time), net of the start-up."""
    remaining = replace(params, time_limit_s=max(0.1, deadline - monotonic()))
    return hybrid.solve(
        problem,
        remaining,
        exchange=trade.bind(problem),
        variant=1,
        variants=2,
        initial=initial,
    )


def _end_with_parent() -> None:
    """In a helper process, on Linux: the kernel kills it when the search that started it
    ends, however that ends (a killed solve leaves no search running)."""
    if sys.platform != "linux":
        return
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    parent = multiprocessing.parent_process()
    if parent is not None and os.getppid() != parent.pid:
        os._exit(1)


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
