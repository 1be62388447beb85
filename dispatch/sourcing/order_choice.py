"""Per order (``policy.outsourcing = "order"``): a routing solve with every stop droppable at
its cheapest carrier price decides, dropped orders go to carriers with room, and groups under a
carrier's minimum charge move where they cost less."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from dispatch.intake.request import OWN, Carrier, Order
from dispatch.planning.own_fleet import OwnFleetResult
from dispatch.planning.plan import Outsourced, Unserved
from dispatch.sourcing.carriers import NOBODY, charge, handover_note
from dispatch.sourcing.decision import (
    MIN_SOLVE_S,
    SPARE_SHARE,
    Day,
    Sourcing,
    money,
    own_unserved,
    region_base,
    solver_stats,
)


def by_order(day: Day) -> Sourcing:
    """Per order: route with every stop droppable at its cheapest carrier, outsource the dropped."""
    table = day.table
    capacity = {c: table.capacity(c) for c in table.ids}
    assigned: dict[str, str] = {}
    unserved: list[Unserved] = []
    must_own: set[str] = set()
    pool: list[Order] = []
    for region, orders in day.groups.items():
        pin = day.pins.get(region)
        if pin is None or pin == OWN:
            pool += orders
            if pin == OWN:
                must_own |= {o.id for o in orders}
            continue
        for o in orders:
            refused = table.refusal(pin, o)
            if refused is None and capacity[pin] > 0:
                assigned[o.id] = pin
                capacity[pin] -= 1
            else:
                text = refused.text if refused else f"max_orders {table.capacity(pin)} reached"
                unserved.append(
                    Unserved(
                        order=o.id,
                        code="carrier_refused",
                        reason=f"{region} is pinned to {pin}, but {pin} {text}",
                    )
                )

    def open_carriers() -> list[str]:
        return [c for c in table.ids if capacity[c] > 0]

    def drop_price(order: Order) -> float:
        best = None if order.id in must_own else table.cheapest(order, open_carriers())
        return day.penalty if best is None else best[1]

    result: OwnFleetResult | None = None
    share = route_share(list(table.by_id.values()), len(pool))
    for _ in range(len(table.ids) + 1):
        routed = [o for o in pool if o.id not in assigned]
        result = day.route(
            routed, share * day.left(), lambda s: sum(drop_price(o) for o in s.orders)
        )
        left_over = _give_to_carriers(day, result, must_own, capacity, assigned)
        if not left_over:
            break
    assert result is not None
    result = _min_charges(day, result, pool, capacity, assigned)
    spare = day.left() - SPARE_SHARE * day.limit_s
    if spare > MIN_SOLVE_S:
        polished = day.route([o for o in pool if o.id not in assigned], spare)
        if keeps_served(result, polished) and day.own_cost(polished) < _own_cost_without(
            day, result, assigned
        ):
            result = polished
    outsourced = _order_entries(day, assigned)
    full = [c for c in table.ids if capacity[c] == 0 and table.capacity(c) > 0]
    for u in result.unserved:
        if u.order in assigned:
            continue
        region = day.zones.region_of[u.order]
        note = (
            f"{region} is pinned to the own fleet"
            if u.order in must_own
            else f"{', '.join(full)} max_orders reached"
            if full
            else ""
        )
        unserved.append(own_unserved(day, u, note))
    regions = [_order_region(day, r, result, assigned) for r in day.groups]
    return Sourcing(
        result.routes,
        outsourced,
        unserved,
        result.late_minutes,
        regions,
        result.engine,
        solver_stats(day, "order"),
    )


def route_share(carriers: Sequence[Carrier], orders: int) -> float:
    """Of the time left, the first routing solve's share: less when later solves may be needed,
    because minimum charges move groups or the carriers together have no room for every order."""
    minimums = any(c.price.min_charge_per_region > 0 for c in carriers)
    limits = [c.max_orders for c in carriers if c.max_orders is not None]
    short = bool(carriers) and len(limits) == len(carriers) and sum(limits) < orders
    return 0.6 if minimums or short else 0.95


def keeps_served(result: OwnFleetResult, polished: OwnFleetResult) -> bool:
    """Whether ``polished`` routes every order ``result`` routed: one it drops would be
    unserved, as carriers were chosen before it."""
    return {u.order for u in polished.unserved} <= {u.order for u in result.unserved}


def _give_to_carriers(
    day: Day,
    result: OwnFleetResult,
    must_own: set[str],
    capacity: dict[str, int],
    assigned: dict[str, str],
) -> list[Order]:
    """Hand dropped orders to carriers with room, greatest regret first; those left without room."""
    table = day.table
    orders = {o.id: o for orders in day.groups.values() for o in orders}
    dropped = [orders[u.order] for u in result.unserved if u.order not in must_own]
    candidates: list[tuple[float, Order, list[tuple[float, str]]]] = []
    for o in dropped:
        prices = sorted(
            (table.price(c, o), c) for c in table.ids if capacity[c] > 0 and table.takes(c, o)
        )
        if prices:
            runner_up = prices[1][0] if len(prices) > 1 else day.penalty
            candidates.append((runner_up - prices[0][0], o, prices))
    left_over: list[Order] = []
    for _, o, prices in sorted(candidates, key=lambda t: -t[0]):
        carrier = next((c for _, c in prices if capacity[c] > 0), None)
        if carrier is None:
            left_over.append(o)
        else:
            assigned[o.id] = carrier
            capacity[carrier] -= 1
    return left_over


def _min_charges(
    day: Day,
    result: OwnFleetResult,
    pool: Sequence[Order],
    capacity: dict[str, int],
    assigned: dict[str, str],
) -> OwnFleetResult:
    """Move region groups below a carrier's minimum charge to a cheaper carrier or the own fleet.

    Each group is read when its turn comes, so a group that grew by a move is judged whole.
    """
    table = day.table
    groups = _groups(day, assigned)
    pinned = {r for r, p in day.pins.items() if p != OWN}
    for region, carrier in sorted(groups):
        orders = groups[region, carrier]
        c = table.by_id[carrier]
        if region in pinned or sum(charge(c, o) for o in orders) >= c.price.min_charge_per_region:
            continue
        current = table.cost(carrier, orders)
        best: tuple[float, str] = (current, carrier)
        for other in table.ids:
            if (
                other == carrier
                or capacity[other] < len(orders)
                or not all(table.takes(other, o) for o in orders)
            ):
                continue
            there = groups.get((region, other), [])
            extra = table.cost(other, [*there, *orders]) - table.cost(other, there)
            best = min(best, (extra, other))
        if best[1] != carrier:
            _move(orders, carrier, best[1], capacity, assigned, groups, region)
            continue
        if day.left() < 2 * MIN_SOLVE_S:
            continue
        ids = {o.id for o in orders}
        trial = day.route(
            [o for o in pool if o.id not in assigned or o.id in ids], 0.5 * day.left()
        )
        if day.own_cost(trial) < _own_cost_without(day, result, assigned) + current:
            for o in orders:
                del assigned[o.id]
            capacity[carrier] += len(orders)
            groups.pop((region, carrier))
            result = trial
    return result


def _own_cost_without(day: Day, result: OwnFleetResult, assigned: Mapping[str, str]) -> float:
    """Own-fleet cost of a result whose dropped orders in ``assigned`` went to carriers."""
    outsourced = sum(1 for u in result.unserved if u.order in assigned)
    return day.own_cost(result) - outsourced * day.penalty


def _move(
    orders: Sequence[Order],
    source: str,
    target: str,
    capacity: dict[str, int],
    assigned: dict[str, str],
    groups: dict[tuple[str, str], list[Order]],
    region: str,
) -> None:
    for o in orders:
        assigned[o.id] = target
    capacity[source] += len(orders)
    capacity[target] -= len(orders)
    groups.setdefault((region, target), []).extend(groups.pop((region, source)))


def _groups(day: Day, assigned: Mapping[str, str]) -> dict[tuple[str, str], list[Order]]:
    groups: dict[tuple[str, str], list[Order]] = {}
    for region, orders in day.groups.items():
        for o in orders:
            if o.id in assigned:
                groups.setdefault((region, assigned[o.id]), []).append(o)
    return groups


def _order_entries(day: Day, assigned: Mapping[str, str]) -> list[Outsourced]:
    entries = []
    for (region, carrier), orders in _groups(day, assigned).items():
        cost = day.table.cost(carrier, orders)
        pinned = day.pins.get(region) == carrier
        reason = (
            f"pinned to {carrier}"
            if pinned
            else f"own-fleet routing left these orders out at {carrier}'s price "
            f"({money(cost)} for {len(orders)})"
        )
        note = handover_note(day.table.by_id[carrier])
        entries.append(
            Outsourced(
                region=region,
                carrier=carrier,
                orders=[o.id for o in orders],
                cost=round(cost, 2),
                reason="; ".join(p for p in (reason, note) if p),
            )
        )
    return entries


def _order_region(
    day: Day, region: str, result: OwnFleetResult, assigned: Mapping[str, str]
) -> dict[str, object]:
    orders = day.groups[region]
    info = region_base(day, region)
    routed = set(result.served_orders)
    by = Counter(assigned[o.id] for o in orders if o.id in assigned)
    own = sum(1 for o in orders if o.id in routed)
    served = {**by, OWN: own} if own else dict(by)
    decision = (
        None
        if not orders
        else NOBODY
        if not served
        else next(iter(served))
        if len(served) == 1
        else "mixed"
    )
    cost = sum(day.table.cost(c, [o for o in orders if assigned.get(o.id) == c]) for c in by)
    return info | {
        "decision": decision,
        "served_own": own,
        "carriers": dict(by),
        "carrier_cost": round(cost, 2),
    }
