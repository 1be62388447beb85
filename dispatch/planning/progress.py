"""What a planning job reports while it runs: the money cost of the best day plan so far.

A day is planned by several routing searches (an estimate, then re-solves of different
sets of regions); each search's own cost counts only its orders, in the optimizer's units,
with its own penalties. Those are not the day's cost and go up and down from one search to
the next. :class:`BestCost` reports a figure only for a whole day's plan (every order routed,
outsourced or unserved), in money, and only when it is lower than the one before; the plan
the day ends with is the last such plan, so no figure shown is below its cost.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PlanProgress:
    """A snapshot while a day is planned: the best whole plan's cost so far, in money."""

    elapsed_s: float
    best_cost: float
    plans: int
    """How many whole day plans were costed so far."""


ProgressFn = Callable[[PlanProgress], None]


class BestCost:
    """Passes on each whole day plan's cost that is lower than every one before it."""

    def __init__(self, report: ProgressFn | None = None) -> None:
        self.report = report
        self.best = math.inf
        self.plans = 0
        self.started = time.perf_counter()

    def offer(self, cost: float, *, exact: bool = True) -> bool:
        """A whole day plan costing ``cost``, or at most ``cost`` when not ``exact`` (then
        rounded up to the cent); whether it is the best so far (and reported)."""
        self.plans += 1
        cost = round(cost, 2) if exact else math.ceil(round(cost * 100, 6)) / 100
        if not cost < self.best:
            return False
        self.best = cost
        if self.report is not None:
            elapsed = time.perf_counter() - self.started
            self.report(PlanProgress(elapsed, cost, self.plans))
        return True
