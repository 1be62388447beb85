"""Group orders into stops: one per pickup point, merged home deliveries, oversize splits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dispatch.intake.request import Capacity, Location, Order, Request, Temperature, TimeWindow
from dispatch.planning.compartments import Load, capacity_values, order_load, total_load

WHOLE_DAY = ((0, 24 * 60),)


@dataclass(frozen=True, slots=True)
class Stop:
    """One place a vehicle visits, with the orders it delivers there."""

    id: str
    location: Location
    windows: tuple[tuple[int, int], ...]
    service_minutes: float
    orders: tuple[Order, ...]
    pickup_point: str | None = None
    name: str = ""

    @property
    def load(self) -> Load:
        return total_load(self.orders)

    @property
    def temperatures(self) -> set[Temperature]:
        return set().union(*(o.temperatures() for o in self.orders))

    @property
    def order_ids(self) -> tuple[str, ...]:
        return tuple(o.id for o in self.orders)


def _windows(windows: Sequence[TimeWindow]) -> tuple[tuple[int, int], ...]:
    return tuple(sorted((w.start, w.end) for w in windows)) or WHOLE_DAY


def group_orders(
    request: Request, orders: Sequence[Order], capacities: Sequence[Capacity]
) -> list[Stop]:
    """Stops for ``orders``: pickup-point orders together, home orders merged by place and window.

    A stop whose load no vehicle can carry is split into parts that each fit the
    largest suitable vehicle (``capacities`` are the fleet's usable capacities).
    """
    points = {p.id: p for p in request.pickup_points}
    by_point: dict[str, list[Order]] = {}
    by_home: dict[tuple[object, ...], list[Order]] = {}
    for o in orders:
        if o.pickup_point is not None:
            by_point.setdefault(o.pickup_point, []).append(o)
        else:
            assert o.location is not None
            key = (
                o.location.lat,
                o.location.lon,
                o.location.x,
                o.location.y,
                _windows(o.time_windows),
            )
            by_home.setdefault(key, []).append(o)

    stops: list[Stop] = []
    for pid, group in by_point.items():
        p = points[pid]
        stops += _split(
            Stop(
                id=pid,
                location=p.location,
                windows=_windows(p.time_windows),
                service_minutes=p.service_minutes + sum(o.service_minutes for o in group),
                orders=tuple(group),
                pickup_point=pid,
                name=p.name or pid,
            ),
            base_service=p.service_minutes,
            capacities=capacities,
        )
    for group in by_home.values():
        first = group[0]
        assert first.location is not None
        stops += _split(
            Stop(
                id=f"HOME-{first.id}",
                location=first.location,
                windows=_windows(first.time_windows),
                service_minutes=sum(o.service_minutes for o in group),
                orders=tuple(group),
                name=first.address or first.id,
            ),
            base_service=0.0,
            capacities=capacities,
        )
    return stops


def _split(stop: Stop, *, base_service: float, capacities: Sequence[Capacity]) -> list[Stop]:
    if not capacities or any(stop.load.fits(c) for c in capacities):
        return [stop]
    temps = stop.temperatures
    suitable = [
        c
        for c in capacities
        if (Temperature.CHILLED not in temps or c.chilled_l > 0)
        and (Temperature.FROZEN not in temps or c.frozen_l > 0)
    ]
    bin_cap = max(suitable or capacities, key=capacity_values)
    parts: list[list[Order]] = []
    loads: list[Load] = []
    for order in sorted(stop.orders, key=lambda o: order_load(o).values(), reverse=True):
        ol = order_load(order)
        for k, load in enumerate(loads):
            if (load + ol).fits(bin_cap):
                parts[k].append(order)
                loads[k] = load + ol
                break
        else:
            parts.append([order])
            loads.append(ol)
    return [
        Stop(
            id=f"{stop.id}/{k}",
            location=stop.location,
            windows=stop.windows,
            service_minutes=base_service + sum(o.service_minutes for o in part),
            orders=tuple(part),
            pickup_point=stop.pickup_point,
            name=f"{stop.name} ({k}/{len(parts)})",
        )
        for k, part in enumerate(parts, start=1)
    ]
