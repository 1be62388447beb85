"""The KPIs of a set of days' facts, in total or per group (day, region, carrier, vehicle,
platform). Definitions are the README's table ("KPIs")."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Literal

from dispatch.kpis.facts import OWN, UNASSIGNED, DayFacts, NoticeFact, OrderFact, Outcome, RouteFact

Grouping = Literal["day", "region", "carrier", "vehicle", "platform"]
GROUPINGS: tuple[Grouping, ...] = ("day", "region", "carrier", "vehicle", "platform")
TOTAL = "total"


@dataclass(frozen=True, slots=True)
class KpiRow:
    """The KPIs of one group (or of all, ``group == "total"``); a rate or average over nothing
    is None."""

    group: str
    orders: int
    delivered: int
    failed: int
    failed_by_reason: dict[str, int] = field(default_factory=dict)
    unserved: int = 0
    open: int = 0
    success_rate: float | None = None
    on_time_rate: float | None = None
    avg_delay_minutes: float | None = None
    p95_delay_minutes: float | None = None
    avg_minutes_from_departure: float | None = None
    cost: float = 0.0
    cost_per_delivered_order: float | None = None
    own_share: float | None = None
    carrier_share: float | None = None
    routes: int = 0
    load_utilisation: float | None = None
    time_utilisation: float | None = None
    cold_orders: int = 0
    cold_chain_compliance: float | None = None
    notices: int = 0
    compensation_total: float = 0.0

    def document(self) -> dict[str, object]:
        return asdict(self)


def _ratio(part: float, whole: float, digits: int = 4) -> float | None:
    return None if whole == 0 else round(part / whole, digits)


def _mean(values: Sequence[float], digits: int = 1) -> float | None:
    return None if not values else round(sum(values) / len(values), digits)


def p95(values: Sequence[float]) -> float | None:
    """The nearest-rank 95th percentile: the smallest value with 95% of values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return float(ordered[math.ceil(0.95 * len(ordered)) - 1])


def row(
    group: str,
    orders: Sequence[OrderFact],
    routes: Sequence[RouteFact] = (),
    notices: Sequence[NoticeFact] = (),
) -> KpiRow:
    """The KPIs of these facts."""
    n = len(orders)
    delivered = [o for o in orders if o.outcome is Outcome.DELIVERED]
    failed = [o for o in orders if o.outcome is Outcome.FAILED]
    delays = [float(o.late_minutes) for o in delivered if o.late_minutes is not None]
    timed = [o.minutes_from_departure for o in delivered if o.minutes_from_departure is not None]
    cold = [o for o in orders if o.cold_ok is not None]
    cost = sum(o.cost for o in orders)
    loads = [r.load_share for r in routes if r.load_share is not None]
    times = [r.time_share for r in routes if r.time_share is not None]
    carried = sum(1 for o in orders if o.outcome is not Outcome.UNSERVED and o.carrier != OWN)
    return KpiRow(
        group=group,
        orders=n,
        delivered=len(delivered),
        failed=len(failed),
        failed_by_reason=dict(sorted(Counter(o.reason or "" for o in failed).items())),
        unserved=sum(1 for o in orders if o.outcome is Outcome.UNSERVED),
        open=sum(1 for o in orders if o.outcome is Outcome.OPEN),
        success_rate=_ratio(len(delivered), n),
        on_time_rate=_ratio(sum(1 for d in delays if d == 0), len(delays)),
        avg_delay_minutes=_mean(delays),
        p95_delay_minutes=p95(delays),
        avg_minutes_from_departure=_mean(timed),
        cost=round(cost, 2),
        cost_per_delivered_order=_ratio(cost, len(delivered), 2),
        own_share=_ratio(sum(1 for o in orders if o.carrier == OWN), n),
        carrier_share=_ratio(carried, n),
        routes=len(routes),
        load_utilisation=_mean(loads, 4),
        time_utilisation=_mean(times, 4),
        cold_orders=len(cold),
        cold_chain_compliance=_ratio(sum(1 for o in cold if o.cold_ok), len(cold)),
        notices=len(notices),
        compensation_total=round(sum(x.compensation for x in notices), 2),
    )


def _order_key(by: Grouping) -> Callable[[OrderFact], str]:
    if by == "day":
        return lambda o: o.day.isoformat()
    return lambda o: str(getattr(o, by))


def _route_key(by: Grouping) -> Callable[[RouteFact], str | None]:
    """A route's group: its day, its vehicle, the own fleet; none by region or platform (a
    route crosses them)."""
    if by == "day":
        return lambda r: r.day.isoformat()
    if by == "vehicle":
        return lambda r: r.vehicle
    if by == "carrier":
        return lambda r: OWN
    return lambda r: None


def measure(days: Iterable[DayFacts], by: Grouping | None = None) -> tuple[KpiRow, ...]:
    """One row per group of ``by`` (sorted by group), or one ``total`` row when ``by`` is None.

    A notice counts in its order's group (``unassigned`` when its order is not counted)."""
    facts = list(days)
    orders = [o for d in facts for o in d.orders]
    routes = [r for d in facts for r in d.routes]
    notices = [x for d in facts for x in d.notices]
    if by is None:
        return (row(TOTAL, orders, routes, notices),)
    key = _order_key(by)
    route_key = _route_key(by)
    of_order = {(o.day, o.order): key(o) for o in orders}
    groups: dict[str, tuple[list[OrderFact], list[RouteFact], list[NoticeFact]]] = {}

    def group(name: str) -> tuple[list[OrderFact], list[RouteFact], list[NoticeFact]]:
        return groups.setdefault(name, ([], [], []))

    for o in orders:
        group(of_order[(o.day, o.order)])[0].append(o)
    for r in routes:
        name = route_key(r)
        if name is not None:
            group(name)[1].append(r)
    for x in notices:
        name = x.day.isoformat() if by == "day" else of_order.get((x.day, x.order or ""))
        group(name or UNASSIGNED)[2].append(x)
    return tuple(row(name, *groups[name]) for name in sorted(groups))
