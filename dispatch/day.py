"""Plan a day: own fleet, carriers per the sourcing policy, and the plan that results."""

from __future__ import annotations

from dispatch.assemble import assemble_plan
from dispatch.plan import Plan
from dispatch.progress import ProgressFn
from dispatch.request import Request
from dispatch.sourcing import decide


def plan_day(
    request: Request,
    *,
    time_limit_s: float | None = None,
    iterations: int | None = None,
    on_progress: ProgressFn | None = None,
) -> Plan:
    """The day's plan for ``request``; every order is routed, outsourced or explained.

    ``iterations`` bounds each routing search besides the time: with the OR-Tools
    engine and a search that ends by it, the plan is the same on any machine.
    """
    limit = request.options.limit(time_limit_s)
    decision = decide(request, time_limit_s=limit, iterations=iterations, on_progress=on_progress)
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
