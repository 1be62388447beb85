"""Plan a day: own fleet, carriers per the sourcing policy, and the plan that results."""

from __future__ import annotations

from dispatch.assemble import assemble_plan
from dispatch.loading import FieldError, RequestError
from dispatch.plan import Plan
from dispatch.planning import ProgressFn, route_own_fleet
from dispatch.request import Request


def plan_day(
    request: Request,
    *,
    time_limit_s: float | None = None,
    on_progress: ProgressFn | None = None,
) -> Plan:
    """The day's plan for ``request``; every order is routed, outsourced or explained."""
    if request.policy.outsourcing != "none" and request.carriers:
        raise RequestError(
            [
                FieldError(
                    "",
                    "policy.outsourcing",
                    f"{request.policy.outsourcing!r} is not available yet; use \"none\"",
                )
            ]
        )
    own = route_own_fleet(request, time_limit_s=time_limit_s, on_progress=on_progress)
    return assemble_plan(
        request,
        own.routes,
        [],
        own.unserved,
        late_minutes=own.late_minutes,
        solver={
            "engine": own.engine,
            "seconds": round(own.elapsed_s, 2),
            "time_limit_s": time_limit_s or request.options.time_limit_s,
            **own.stats,
        },
    )
