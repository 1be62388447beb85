"""The day a sourcing decision is made for, the decision, and the parts of its explanation
that the per-region and per-order choices share."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from dispatch.carriers import OWN, CarrierTable
from dispatch.grouping import Stop
from dispatch.loading import FieldError, RequestError
from dispatch.model import FleetUnit, fleet
from dispatch.plan import Outsourced, RouteOut, Unserved
from dispatch.planning import OwnFleetResult, ProgressFn, route_own_fleet
from dispatch.regions import UNASSIGNED, OrderRegions, assign_regions
from dispatch.request import Order, Policy, Request
from optimizer import Progress

MIN_SOLVE_S = 0.1
"""The shortest routing solve worth running."""

SPARE_SHARE = 0.03
"""Share of the time limit kept for assembling the plan."""


@dataclass(frozen=True, slots=True)
class Sourcing:
    """A day's decision: own-fleet routes, outsourced work, unserved orders, per-region reasons."""

    routes: list[RouteOut]
    outsourced: list[Outsourced]
    unserved: list[Unserved]
    late_minutes: int
    regions: list[dict[str, object]]
    engine: str = "none"
    stats: dict[str, object] = field(default_factory=dict)

    def total(self, policy: Policy) -> float:
        """Own-fleet routes + carriers + unserved and lateness penalties, as in the plan."""
        own = sum(r.cost.total for r in self.routes if r.cost is not None)
        carriers = sum(o.cost for o in self.outsourced)
        penalties = (
            len(self.unserved) * policy.unserved_penalty
            + self.late_minutes * policy.late_penalty_per_minute
        )
        return own + carriers + penalties

    def expected_carrier_on_time(self, request: Request) -> float | None:
        """Mean on-time rate of the carriers over the outsourced orders."""
        rate = {c.id: c.on_time_rate for c in request.carriers}
        rates = [rate[o.carrier] for o in self.outsourced for _ in o.orders]
        return sum(rates) / len(rates) if rates else None


@dataclass(slots=True)
class Day:
    """One request with its regions, carriers, pins and the clock of its time limit."""

    request: Request
    zones: OrderRegions
    table: CarrierTable
    groups: dict[str, tuple[Order, ...]]
    pins: dict[str, str]
    units: tuple[FleetUnit, ...]
    limit_s: float
    on_progress: ProgressFn | None = None
    iterations: int | None = None
    started: float = field(default_factory=time.perf_counter)
    solves: int = 0

    @classmethod
    def of(
        cls,
        request: Request,
        limit_s: float,
        on_progress: ProgressFn | None,
        iterations: int | None = None,
    ) -> Day:
        zones = assign_regions(request)
        carriers = {c.id for c in request.carriers}
        errors = [
            FieldError("", f"policy.pin.{region}", f"unknown carrier {pin!r}")
            for region, pin in request.policy.pin.items()
            if pin != OWN and pin not in carriers
        ]
        if errors:
            raise RequestError(errors)
        return cls(
            request,
            zones,
            CarrierTable(request, zones.region_of),
            zones.orders_in(request.orders),
            dict(request.policy.pin),
            tuple(fleet(request)),
            limit_s,
            on_progress,
            iterations,
        )

    @property
    def penalty(self) -> float:
        return self.request.policy.unserved_penalty

    def left(self) -> float:
        return self.limit_s - (time.perf_counter() - self.started)

    def region(self, order: Order) -> str:
        return self.zones.region_of[order.id]

    def route(
        self,
        orders: Sequence[Order],
        limit_s: float,
        penalty_for: Callable[[Stop], float] | None = None,
        start: Sequence[RouteOut] = (),
    ) -> OwnFleetResult:
        """Own-fleet routes for ``orders`` within ``limit_s``, progress on the day's clock,
        the search warm from the ``start`` routes."""
        self.solves += 1
        offset = time.perf_counter() - self.started
        report = self.on_progress
        progress = None if report is None else _shifted(report, offset)
        return route_own_fleet(
            self.request,
            orders,
            time_limit_s=max(MIN_SOLVE_S, limit_s),
            iterations=self.iterations,
            on_progress=progress,
            penalty_for=penalty_for,
            start=start,
        )

    def own_cost(self, result: OwnFleetResult) -> float:
        """Routes, unserved and lateness penalties of an own-fleet result."""
        policy = self.request.policy
        return (
            result.cost
            + len(result.unserved) * policy.unserved_penalty
            + result.late_minutes * policy.late_penalty_per_minute
        )


def _shifted(report: ProgressFn, offset: float) -> ProgressFn:
    def shifted(p: Progress) -> None:
        report(Progress(offset + p.elapsed_s, p.best_cost, p.solutions))

    return shifted


def solver_stats(day: Day, policy: str, **more: object) -> dict[str, object]:
    return {
        "policy": policy,
        "routing_solves": day.solves,
        "seconds": round(time.perf_counter() - day.started, 2),
        **more,
    }


def region_base(day: Day, region: str) -> dict[str, object]:
    base: dict[str, object] = {
        "id": region,
        "name": day.zones.names[region],
        "orders": len(day.groups[region]),
        "pinned": region in day.pins,
    }
    if region == UNASSIGNED:
        base["note"] = (
            f"{len(day.zones.outside)} orders lie outside every region polygon: "
            + ", ".join(day.zones.outside[:20])
        )
    ineligible = {c: s for c in day.table.ids if (s := day.table.summary(c, day.groups[region]))}
    if ineligible:
        base["ineligible"] = ineligible
    return base


def own_unserved(day: Day, u: Unserved, note: str = "") -> Unserved:
    """An own-fleet unserved order, with every carrier's refusal and ``note`` added."""
    order = next(o for o in day.groups[day.zones.region_of[u.order]] if o.id == u.order)
    parts = [f"own fleet: {u.reason}" if day.table.ids else u.reason]
    parts += [p for p in (day.table.why_not(order), note) if p]
    return Unserved(order=u.order, reason="; ".join(parts), code=u.code)


def money(value: float) -> str:
    return f"{value:,.0f}"
