"""Put own-fleet routes, outsourced work and unserved orders together into the contract's plan."""

from __future__ import annotations

from collections.abc import Sequence

from dispatch.intake.request import Request, Temperature
from dispatch.planning.plan import (
    CarrierRates,
    Kpis,
    Objective,
    Outsourced,
    Plan,
    RouteOut,
    Unserved,
)


def objective(
    request: Request,
    routes: Sequence[RouteOut],
    outsourced: Sequence[Outsourced],
    unserved: Sequence[Unserved],
    late_minutes: int = 0,
) -> Objective:
    """Own-fleet routes, carriers, and unserved and lateness penalties, in money, as the plan
    states them."""
    own = round(sum(r.cost.total for r in routes if r.cost is not None), 2)
    carriers = round(sum(o.cost for o in outsourced), 2)
    penalties = round(
        len(unserved) * request.policy.unserved_penalty
        + late_minutes * request.policy.late_penalty_per_minute,
        2,
    )
    return Objective(
        total=round(own + carriers + penalties, 2),
        own_fleet=own,
        carriers=carriers,
        penalties=penalties,
    )


def assemble_plan(
    request: Request,
    routes: Sequence[RouteOut],
    outsourced: Sequence[Outsourced],
    unserved: Sequence[Unserved],
    *,
    late_minutes: int = 0,
    expected_carrier_on_time: float | None = None,
    regions: Sequence[dict[str, object]] = (),
    solver: dict[str, object] | None = None,
) -> Plan:
    """The plan with its objective and KPIs computed from its parts."""
    costs = objective(request, routes, outsourced, unserved, late_minutes)
    own, carriers = costs.own_fleet, costs.carriers
    served_own = sum(len(s.orders) for r in routes for s in r.stops)
    served_carrier = sum(len(o.orders) for o in outsourced)
    on_time_own = sum(len(s.orders) for r in routes for s in r.stops if s.late_minutes == 0)
    carrier_rate = 1.0 if expected_carrier_on_time is None else expected_carrier_on_time
    served = served_own + served_carrier
    on_time = (on_time_own + carrier_rate * served_carrier) / served if served else 1.0
    cold: dict[str, int] = {}
    temps_of = {o.id: o.temperatures() for o in request.orders}
    for r in routes:
        for s in r.stops:
            if s.cold_minutes is None:
                continue
            temps = set().union(*(temps_of[o] for o in s.orders))
            for t in (Temperature.CHILLED, Temperature.FROZEN):
                if t in temps:
                    cold[t.value] = max(cold.get(t.value, 0), s.cold_minutes)
    if not unserved:
        status = "complete"
    elif served:
        status = "partial"
    else:
        status = "infeasible"
    return Plan(
        status=status,
        date=request.date,
        timezone=request.timezone,
        objective=costs,
        routes=tuple(routes),
        outsourced=tuple(outsourced),
        unserved=tuple(unserved),
        regions=tuple(regions),
        kpis=Kpis(
            orders=len(request.orders),
            served_own=served_own,
            served_carrier=served_carrier,
            unserved=len(unserved),
            vehicles_used=len(routes),
            distance_km=round(sum(r.distance_km for r in routes), 3),
            on_time_rate=round(on_time, 4),
            cost_per_order=round((own + carriers) / served, 2) if served else 0.0,
            max_cold_minutes=cold,
        ),
        solver=solver or {},
        carrier_rates=carrier_rates(request),
    )


def carrier_rates(request: Request) -> CarrierRates | None:
    """Which on-time rate each carrier of the request was priced with (None without carriers)."""
    if not request.carriers:
        return None
    policy = request.policy
    measured = tuple(
        c.id for c in request.carriers
        if policy.carrier_rates == "measured" and c.id in policy.measured_rates
    )  # fmt: skip
    return CarrierRates(
        source=policy.carrier_rates,
        on_time={c.id: policy.on_time_rate(c) for c in request.carriers},
        measured=measured,
    )
