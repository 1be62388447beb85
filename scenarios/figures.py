"""The figures a scenario is compared by, read from its request and plan."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from dispatch.intake.request import Request
from dispatch.planning.plan import Plan
from dispatch.sourcing.order_regions import assign_regions

Json = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Figures:
    """One solved day: cost and its parts (money), work done, service, and solve time.

    ``moved_cost`` prices orders delivered the day before at the baseline's cost per order;
    ``fees`` are contingency fees and rents paid whether used or not; ``total`` holds both.
    """

    total: float
    own_fleet: float
    carriers: float
    penalties: float
    moved_cost: float
    fees: float
    orders: int
    moved: int
    cost_per_order: float
    vehicles_used: int
    km: float
    served_own: int
    served_carrier: int
    unserved: int
    late: int
    on_time_rate: float
    cold_max_minutes: int
    solve_s: float
    violations: int
    own_share: dict[str, float] = field(default_factory=dict)

    @property
    def on_time(self) -> bool:
        """Every order served, none late on an own route, and the plan valid."""
        return self.unserved == 0 and self.late == 0 and self.violations == 0

    def as_json(self) -> Json:
        return {**asdict(self), "served_on_time": self.on_time}


def figures(
    request: Request,
    plan: Plan,
    *,
    seconds: float,
    violations: int,
    moved: int = 0,
    moved_price: float = 0.0,
    fees: float = 0.0,
) -> Figures:
    """The figures of ``plan`` for ``request``."""
    regions = assign_regions(request).region_of
    own = Counter(regions[o] for r in plan.routes for s in r.stops for o in s.orders)
    outsourced = Counter(regions[o] for x in plan.outsourced for o in x.orders)
    share = {
        region: round(own[region] / (own[region] + outsourced[region]), 4)
        for region in sorted(set(own) | set(outsourced))
    }
    late = sum(len(s.orders) for r in plan.routes for s in r.stops if s.late_minutes > 0)
    moved_cost = round(moved * moved_price, 2)
    total = round(plan.objective.total + moved_cost + fees, 2)
    served = plan.kpis.served_own + plan.kpis.served_carrier
    return Figures(
        total=total,
        own_fleet=plan.objective.own_fleet,
        carriers=plan.objective.carriers,
        penalties=plan.objective.penalties,
        moved_cost=moved_cost,
        fees=round(fees, 2),
        orders=plan.kpis.orders,
        moved=moved,
        cost_per_order=round((plan.objective.own_fleet + plan.objective.carriers) / served, 2)
        if served
        else 0.0,
        vehicles_used=plan.kpis.vehicles_used,
        km=round(plan.kpis.distance_km, 1),
        served_own=plan.kpis.served_own,
        served_carrier=plan.kpis.served_carrier,
        unserved=plan.kpis.unserved,
        late=late,
        on_time_rate=plan.kpis.on_time_rate,
        cold_max_minutes=max(plan.kpis.max_cold_minutes.values(), default=0),
        solve_s=round(seconds, 2),
        violations=violations,
        own_share=share,
    )
