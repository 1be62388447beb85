"""The day a sourcing decision is made for, the decision, and the parts of its explanation
that the per-region and per-order choices share."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial

from dispatch.errors import FieldError, RequestError
from dispatch.intake.request import OWN, Order, Request
from dispatch.planning.assembly import objective
from dispatch.planning.grouping import Stop
from dispatch.planning.model import FleetUnit, fleet, money_slack, to_money
from dispatch.planning.own_fleet import OwnFleetResult, route_own_fleet
from dispatch.planning.plan import Outsourced, RouteOut, Unserved
from dispatch.planning.progress import BestCost, ProgressFn
from dispatch.sourcing.carriers import CarrierTable
from dispatch.sourcing.order_regions import UNASSIGNED, OrderRegions, assign_regions
from optimizer import Progress
from optimizer.executor import Executor, Handle, Inline
from optimizer.portfolio import PARALLEL_FROM_S

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

    def total(self, request: Request) -> float:
        """Own-fleet routes + carriers + unserved and lateness penalties, as the plan states it."""
        parts = (self.routes, self.outsourced, self.unserved, self.late_minutes)
        return objective(request, *parts).total

    def expected_carrier_on_time(self, request: Request) -> float | None:
        """Mean on-time rate of the carriers over the outsourced orders."""
        rate = {c.id: request.policy.on_time_rate(c) for c in request.carriers}
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
    best: BestCost = field(default_factory=BestCost)
    """The cheapest whole day plan found so far, reported as the day's progress."""
    iterations: int | None = None
    started: float = field(default_factory=time.perf_counter)
    solves: int = 0
    executor: Executor = field(default_factory=Inline)
    """Where independent re-solves run (:meth:`submit`)."""

    @classmethod
    def of(
        cls,
        request: Request,
        limit_s: float,
        on_progress: ProgressFn | None,
        iterations: int | None = None,
    ) -> Day:
        started = time.perf_counter()
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
            BestCost(on_progress),
            iterations,
            started,
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
        *,
        whole_day: bool = False,
    ) -> OwnFleetResult:
        """Own-fleet routes for ``orders`` within ``limit_s``, the search warm from the
        ``start`` routes.

        ``whole_day``: the search plans every order of the day and nothing else (no carrier
        takes any), so each plan it finds is a day plan and its cost the day's progress.
        """
        self.solves += 1
        slack = money_slack(self.request, len(orders), len(self.units))
        progress = None
        if whole_day and slack is not None and self.best.report is not None:
            progress = partial(self._offer, slack)
        return route_own_fleet(
            self.request,
            orders,
            time_limit_s=max(MIN_SOLVE_S, limit_s),
            iterations=self.iterations,
            on_progress=progress,
            penalty_for=penalty_for,
            start=start,
        )

    def submit(
        self, orders: Sequence[Order], limit_s: float, start: Sequence[RouteOut] = ()
    ) -> Handle[OwnFleetResult]:
        """Own-fleet routes for ``orders`` within ``limit_s``, warm from ``start``, as a task
        on the day's executor: tasks submitted together run side by side."""
        self.solves += 1
        limit_s = max(MIN_SOLVE_S, limit_s)
        engine = self.request.options.engine
        if self.executor.workers > 1 and engine == "portfolio" and limit_s >= PARALLEL_FROM_S:
            engine = "hybrid"
        return self.executor.submit(
            route_task, self.request, list(orders), limit_s, self.iterations, list(start), engine
        )

    def _offer(self, slack: float, progress: Progress) -> None:
        """A search's best plan of the whole day: its cost, in money, at most ``slack`` under
        the plan's, so the figure offered is the cost or a little above it."""
        self.best.offer(to_money(progress.best_cost) + slack, exact=False)

    def offer(self, sourcing: Sourcing) -> None:
        """A whole day plan found: its cost is the day's progress when it is the lowest yet."""
        self.best.offer(sourcing.total(self.request))

    def own_cost(self, result: OwnFleetResult) -> float:
        """Routes, unserved and lateness penalties of an own-fleet result."""
        policy = self.request.policy
        return (
            result.cost
            + len(result.unserved) * policy.unserved_penalty
            + result.late_minutes * policy.late_penalty_per_minute
        )


def route_task(
    request: Request,
    orders: Sequence[Order],
    limit_s: float,
    iterations: int | None,
    start: Sequence[RouteOut],
    engine: str,
) -> OwnFleetResult:
    """One own-fleet solve as a task for an executor, with ``engine`` in place of the
    request's (side by side, a portfolio's partner process would compete for the cores)."""
    if engine != request.options.engine:
        options = request.options.model_copy(update={"engine": engine})
        request = request.model_copy(update={"options": options})
    return route_own_fleet(
        request, orders, time_limit_s=limit_s, iterations=iterations, start=start
    )


def warm_up() -> None:
    """Nothing: a worker that runs it has imported the solvers before the first real task."""


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
