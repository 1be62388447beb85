"""Plan a day: own fleet, carriers per the sourcing policy, and the plan that results.

:func:`plan_request` is the planning use case without storage (the command line and the
benchmarks run it; :mod:`dispatch.planning.stored_job` runs it for a stored job). This module stays
light to import: the searches' helper processes import the main module again.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dispatch.intake.loading import load_request
from dispatch.intake.request import Request
from dispatch.planning.assembly import assemble_plan
from dispatch.planning.plan import Plan
from dispatch.planning.progress import ProgressFn
from dispatch.sourcing.decide import decide
from optimizer.executor import Executor


def plan_day(
    request: Request,
    *,
    time_limit_s: float | None = None,
    iterations: int | None = None,
    on_progress: ProgressFn | None = None,
    executor: Executor | None = None,
) -> Plan:
    """The day's plan for ``request``; every order is routed, outsourced or explained.

    ``iterations`` bounds each routing search besides the time: with the OR-Tools
    engine and a search that ends by it, the plan is the same on any machine.
    ``executor`` runs the sourcing search's re-solves (default: chosen by the search).
    """
    limit = request.options.limit(time_limit_s)
    decision = decide(
        request,
        time_limit_s=limit,
        iterations=iterations,
        on_progress=on_progress,
        executor=executor,
    )
    bound = {} if iterations is None else {"iterations": iterations}
    return assemble_plan(
        request,
        decision.routes,
        decision.outsourced,
        decision.unserved,
        late_minutes=decision.late_minutes,
        expected_carrier_on_time=decision.expected_carrier_on_time(request),
        regions=decision.regions,
        solver={"engine": decision.engine, "time_limit_s": limit, **bound, **decision.stats},
    )


@dataclass(frozen=True, slots=True)
class Planned:
    """A day planned: its request, its plan and how long planning took."""

    request: Request
    plan: Plan
    seconds: float


def plan_request(
    source: Request | Mapping[str, Any],
    *,
    time_limit_s: float | None = None,
    iterations: int | None = None,
    on_progress: ProgressFn | None = None,
    max_orders: int | None = None,
) -> Planned:
    """Load ``source`` (a request, or its JSON data) and plan its day."""
    request = source if isinstance(source, Request) else load_request(source, max_orders=max_orders)
    started = time.perf_counter()
    plan = plan_day(
        request, time_limit_s=time_limit_s, iterations=iterations, on_progress=on_progress
    )
    return Planned(request, plan, time.perf_counter() - started)
