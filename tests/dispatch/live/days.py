"""Hand-made day statuses: a few builders with the plainest defaults."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from dispatch.live.status import (
    DayStatus,
    LiveKind,
    OrderState,
    OrderStatus,
    Position,
    RoadEvent,
    RouteStatus,
    StopState,
    StopStatus,
)

TZ = ZoneInfo("Asia/Taipei")
MORNING = datetime(2026, 12, 8, 9, 0, tzinfo=TZ)


def at(hh_mm: str) -> datetime:
    """A time of the plan day (2026-12-08, Taipei)."""
    hour, minute = hh_mm.split(":")
    return MORNING.replace(hour=int(hour), minute=int(minute))


def stop(
    stop_id: str,
    orders: tuple[str, ...],
    *,
    state: StopState = StopState.PLANNED,
    late: int = 0,
    planned: str = "10:00",
    cold: int | None = None,
    cold_limit: int | None = None,
    reason: str | None = None,
    delivered: tuple[str, ...] = (),
    failed: tuple[str, ...] = (),
    actual: str | None = None,
) -> StopStatus:
    planned_at = at(planned)
    done = state not in (StopState.PLANNED, StopState.ARRIVED)
    return StopStatus(
        stop=stop_id,
        orders=orders,
        state=state,
        planned_arrival=planned_at,
        actual_arrival=at(actual) if actual else None,
        predicted_arrival=None if done else planned_at + timedelta(minutes=late),
        predicted_late_minutes=late,
        predicted_cold_minutes=cold,
        cold_limit_minutes=cold_limit,
        window_end=planned_at,
        delivered_orders=delivered,
        failed_orders=failed,
        reason=reason,
    )


def route(
    vehicle: str,
    *stops: StopStatus,
    departed: str | None = "08:30",
    heard: str | None = None,
) -> RouteStatus:
    last = None
    if heard is not None:
        last = RoadEvent(
            event_id=f"{vehicle}-{heard}",
            vehicle=vehicle,
            kind=LiveKind.POSITION,
            at=at(heard),
            received_at=at(heard),
            lat=25.04,
            lon=121.55,
        )
    return RouteStatus(
        vehicle=vehicle,
        departed_at=at(departed) if departed else None,
        last_event=last,
        position=Position(25.04, 121.55, at(heard)) if heard else None,
        stops=stops,
    )


def orders_of(*routes: RouteStatus, region: str | None = "R1") -> tuple[OrderStatus, ...]:
    """One status per order on the routes, following its stop's state and lateness."""
    states = {
        StopState.PLANNED: OrderState.OUT_FOR_DELIVERY,
        StopState.ARRIVED: OrderState.OUT_FOR_DELIVERY,
        StopState.DELIVERED: OrderState.DELIVERED,
        StopState.FAILED: OrderState.FAILED,
    }
    found = []
    for r in routes:
        for s in r.stops:
            for order in s.orders:
                state = states.get(s.state, OrderState.OUT_FOR_DELIVERY)
                if order in s.delivered_orders:
                    state = OrderState.DELIVERED
                if order in s.failed_orders:
                    state = OrderState.FAILED
                found.append(
                    OrderStatus(
                        order=order,
                        state=state,
                        stop=s.stop,
                        vehicle=r.vehicle,
                        region=region,
                        reason=s.reason if state is OrderState.FAILED else None,
                        predicted_arrival=s.predicted_arrival,
                        predicted_late_minutes=s.predicted_late_minutes,
                    )
                )
    return tuple(found)


def day(
    *routes: RouteStatus, extra: tuple[OrderStatus, ...] = (), as_of: str = "10:00"
) -> DayStatus:
    return DayStatus(plan_id=1, as_of=at(as_of), routes=routes, orders=orders_of(*routes) + extra)


def carrier_order(
    order: str, carrier: str, state: OrderState, *, late: int = 0, region: str = "R9"
) -> OrderStatus:
    return OrderStatus(
        order=order,
        state=state,
        carrier=carrier,
        region=region,
        predicted_arrival=at("15:00") + timedelta(minutes=late),
        predicted_late_minutes=late,
    )


def with_lateness(status: DayStatus, late: dict[str, int]) -> DayStatus:
    """``status`` with each named stop's predicted lateness set (its orders' too)."""
    routes = tuple(
        replace(
            r,
            stops=tuple(
                replace(
                    s,
                    predicted_late_minutes=late[s.stop],
                    predicted_arrival=s.planned_arrival + timedelta(minutes=late[s.stop]),
                )
                if s.stop in late
                else s
                for s in r.stops
            ),
        )
        for r in status.routes
    )
    others = tuple(o for o in status.orders if o.stop is None)
    return replace(status, routes=routes, orders=orders_of(*routes) + others)
