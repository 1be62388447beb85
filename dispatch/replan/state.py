"""The state of a day at a re-plan's time, from its plan, its request and the stored events.

Per vehicle: the stops done (with their actual times, from the events), the stop it is at or
driving to (fixed: the re-plan keeps it), where and when it is free, the goods still on board
and its real departure (the cold-chain age of those goods keeps counting from it); vehicles
that have not left; and the orders that need a new home (a broken van's, added ones, those
of a carrier that is down, failed ones to try again, the previous plan's unserved). The
events are read with the live day's own walk (:func:`dispatch.live.predict.route_status`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from dispatch.intake.request import Request
from dispatch.live.live_day import LiveDay, prepare_day
from dispatch.live.predict import carrier_order, road_order, route_status
from dispatch.live.status import CarrierEvent, CarrierKind, LiveKind, RoadEvent, StopState
from dispatch.planning.plan import Cargo, Plan, RouteOut, StopVisit
from dispatch.replan.spec import ReplanSpec

VehicleStatus = Literal["waiting", "running", "down", "finished"]
_DONE = {
    StopState.DELIVERED: "delivered",
    StopState.PARTLY_DELIVERED: "partly_delivered",
    StopState.FAILED: "failed",
}


@dataclass(frozen=True, slots=True)
class VehicleState:
    """One vehicle at the re-plan's time. Minutes are after midnight of the plan day.

    ``departed`` is when it left the depot (the ``departed`` event, else the planned
    departure once it has passed); ``free_at``/``free_stop`` where it goes on from (the
    fixed stop, else the last done stop, else the depot); ``on_board`` the orders loaded and
    not yet served beyond the fixed stop; ``orders`` the orders of a vehicle that has not left.
    """

    vehicle: str
    status: VehicleStatus
    route: RouteOut
    done: tuple[StopVisit, ...] = ()
    fixed: StopVisit | None = None
    departed: float | None = None
    free_at: float = 0.0
    free_stop: StopVisit | None = None
    on_board: tuple[str, ...] = ()
    orders: tuple[str, ...] = ()
    down_at: float | None = None

    def document(self) -> dict[str, Any]:
        return {
            "vehicle": self.vehicle,
            "status": self.status,
            "depot": self.route.depot,
            "start": self.route.start,
            "done": [s.model_dump(mode="json", exclude_none=True) for s in self.done],
            "fixed": None
            if self.fixed is None
            else self.fixed.model_dump(mode="json", exclude_none=True),
            "departed": self.departed,
            "free_at": self.free_at,
            "on_board": list(self.on_board),
            "orders": list(self.orders),
            "down_at": self.down_at,
        }


@dataclass(frozen=True, slots=True)
class DayState:
    """The whole day at ``at`` (minutes after midnight of the plan day)."""

    at: float
    vehicles: tuple[VehicleState, ...]
    pool: tuple[str, ...]
    """Orders that need a new home, in a stable order."""
    outsourced: Mapping[str, tuple[str, str]]
    """Orders still with a carrier that can deliver them: order → (carrier, region)."""
    carrier_done: tuple[str, ...]
    failed: Mapping[str, str]
    """Orders whose delivery failed and still need a follow-up: order → reason."""
    cancelled: tuple[str, ...]
    carried_over: Mapping[str, str]
    all_orders: tuple[str, ...]
    previous_unserved: Mapping[str, str] = field(default_factory=dict)

    def vehicle(self, vid: str) -> VehicleState | None:
        return next((v for v in self.vehicles if v.vehicle == vid), None)

    def document(self) -> dict[str, Any]:
        """The state as JSON data: what the validator checks a re-plan against."""
        return {
            "at": self.at,
            "vehicles": [v.document() for v in self.vehicles],
            "pool": list(self.pool),
            "outsourced": {o: list(cr) for o, cr in self.outsourced.items()},
            "carrier_done": list(self.carrier_done),
            "failed": dict(self.failed),
            "cancelled": list(self.cancelled),
            "carried_over": dict(self.carried_over),
            "orders": list(self.all_orders),
        }


def _minutes(day: LiveDay, at: datetime) -> float:
    return day.minutes(at)


def _served_times(events: Sequence[RoadEvent]) -> dict[str, datetime]:
    out: dict[str, datetime] = {}
    for e in events:
        if e.stop is not None and e.kind in (LiveKind.DELIVERED, LiveKind.FAILED):
            out[e.stop] = max(e.at, out.get(e.stop, e.at))
    return out


def _failure_reasons(events: Sequence[RoadEvent], visit: StopVisit) -> dict[str, str]:
    last: dict[str, tuple[LiveKind, str | None]] = {}
    for e in events:
        if e.stop == visit.stop and e.kind in (LiveKind.DELIVERED, LiveKind.FAILED):
            for o in e.orders or visit.orders:
                last[o] = (e.kind, e.reason)
    return {o: r or "failed" for o, (k, r) in last.items() if k is LiveKind.FAILED}


def _vehicle_state(
    day: LiveDay,
    route: RouteOut,
    loading: float,
    events: Sequence[RoadEvent],
    at: float,
    down_at: float | None,
    failed: dict[str, str],
) -> VehicleState:
    vid = route.vehicle
    status, _ = route_status(day, vid, events)
    served = _served_times(events)
    done: list[StopVisit] = []
    rest: list[tuple[StopVisit, Any]] = []
    for visit, st in zip(route.stops, status.stops, strict=True):
        if visit.done is not None:
            done.append(visit)
        elif st.state in _DONE and visit.stop in served:
            arrival = _minutes(day, st.actual_arrival or served[visit.stop])
            departure = _minutes(day, served[visit.stop])
            reasons = _failure_reasons(events, visit)
            failed.update(reasons)
            done.append(
                visit.model_copy(
                    update={
                        "arrival": round(arrival),
                        "start_service": round(min(arrival, departure)),
                        "departure": round(departure),
                        "done": _DONE[st.state],
                        "late_minutes": st.predicted_late_minutes,
                    }
                )
            )
        else:
            rest.append((visit, st))
    planned_leave = route.start + loading
    if status.departed_at is not None:
        departed: float | None = _minutes(day, status.departed_at)
    elif events or planned_leave <= at:
        departed = planned_leave
    else:
        departed = None
    if down_at is not None:
        return VehicleState(
            vid, "down", route, tuple(done), None, departed, down_at,
            done[-1] if done else None, (), tuple(o for v, _ in rest for o in v.orders), down_at,
        )  # fmt: skip
    if departed is None:
        orders = tuple(o for v in route.stops for o in v.orders)
        return VehicleState(vid, "waiting", route, (), None, None, at, None, (), orders)
    if not rest:
        return VehicleState(vid, "finished", route, tuple(done), None, departed, at, None)
    visit, st = rest[0]
    arrival = _minutes(day, st.actual_arrival or st.predicted_arrival or day.time(visit.arrival))
    service = visit.departure - visit.start_service
    begin = max(arrival, float(min((a for a, b in visit.windows if arrival <= b), default=arrival)))
    fixed = visit.model_copy(
        update={
            "arrival": round(arrival),
            "start_service": round(begin),
            "departure": round(begin + service),
            "late_minutes": st.predicted_late_minutes,
        }
    )
    on_board = tuple(o for v, _ in rest[1:] for o in v.orders)
    free_at = max(float(fixed.departure), at)
    return VehicleState(
        vid, "running", route, tuple(done), fixed, departed, free_at, fixed, on_board
    )


def day_state(
    plan: Plan,
    request: Request,
    road_events: Iterable[RoadEvent],
    carrier_events: Iterable[CarrierEvent],
    spec: ReplanSpec,
) -> DayState:
    """The day at ``spec.at``: only events up to then count (a vehicle that is down: up to
    its own time), in ``at`` order whatever order they arrived in."""
    day = prepare_day(plan, request)
    at = day.minutes(spec.at)
    downs = {v: day.minutes(t) for v, t in spec.down_at().items()}
    depots = {d.id: d for d in request.depots}
    events = sorted(road_events, key=road_order)
    failed: dict[str, str] = {}
    vehicles = []
    for route in plan.routes:
        vid = route.vehicle
        cutoff = min(at, downs.get(vid, at))
        mine = [e for e in events if e.vehicle == vid and day.minutes(e.at) <= cutoff]
        loading = depots[route.depot].loading_minutes if route.depot in depots else 0.0
        vehicles.append(_vehicle_state(day, route, loading, mine, at, downs.get(vid), failed))
    routed = {r.vehicle for r in plan.routes}
    for vehicle in request.vehicles:
        for uid in vehicle.unit_ids():
            if uid not in routed:
                idle = RouteOut(
                    vehicle=uid, depot=vehicle.depot, end_depot=vehicle.end_depot,
                    start=vehicle.shift.start, end=vehicle.shift.start, distance_km=0.0,
                    load=Cargo(), stops=(),
                )  # fmt: skip
                status: VehicleStatus = "down" if uid in downs else "waiting"
                vehicles.append(VehicleState(uid, status, idle, down_at=downs.get(uid)))
    cancelled = set(plan.cancelled or ()) | set(spec.cancel_orders)
    carried = {c.order: c.reason for c in plan.carried_over or ()}
    latest = {
        c.order: c for c in sorted(carrier_events, key=carrier_order) if day.minutes(c.at) <= at
    }
    outsourced: dict[str, tuple[str, str]] = {}
    carrier_done: list[str] = []
    pool: list[str] = []
    down_carriers = set(spec.carriers_down)
    for work in plan.outsourced:
        for o in work.orders:
            c = latest.get(o)
            if c is not None and c.carrier == work.carrier and c.kind is CarrierKind.DELIVERED:
                carrier_done.append(o)
            elif c is not None and c.carrier == work.carrier and c.kind is CarrierKind.FAILED:
                failed[o] = c.reason or "failed"
            elif work.carrier in down_carriers:
                pool.append(o)
            else:
                outsourced[o] = (work.carrier, work.region)
    done_ids = {o for v in vehicles for s in v.done for o in s.orders} | set(carrier_done)
    for v in vehicles:
        if v.status == "down":
            pool += v.orders
    previous_unserved = {u.order: u.reason for u in plan.unserved}
    pool += list(previous_unserved)
    known = {o.id for o in request.orders}
    placed = {
        o for r in plan.routes for st in r.stops for o in (*st.orders, *(st.failed_orders or ()))
    }
    placed |= {o for w in plan.outsourced for o in w.orders} | set(carried) | cancelled
    pool += [o.id for o in request.orders if o.id not in placed]
    pool += [str(o["id"]) for o in spec.add_orders if o.get("id") not in known]
    all_orders = tuple(
        dict.fromkeys([o.id for o in request.orders] + [str(o["id"]) for o in spec.add_orders])
    )
    live_cancel = cancelled - done_ids
    pool = [o for o in dict.fromkeys(pool) if o not in live_cancel and o not in carried]
    vehicles = [
        v if not (set(v.on_board) | set(v.orders)) & live_cancel else _without(v, live_cancel)
        for v in vehicles
    ]
    for o in live_cancel:
        outsourced.pop(o, None)
        failed.pop(o, None)
    return DayState(
        at=at,
        vehicles=tuple(vehicles),
        pool=tuple(pool),
        outsourced=outsourced,
        carrier_done=tuple(carrier_done),
        failed=failed,
        cancelled=tuple(sorted(live_cancel | (set(plan.cancelled or ()) & known))),
        carried_over=carried,
        all_orders=all_orders,
        previous_unserved=previous_unserved,
    )


def _without(v: VehicleState, cancelled: set[str]) -> VehicleState:
    from dataclasses import replace

    return replace(
        v,
        on_board=tuple(o for o in v.on_board if o not in cancelled),
        orders=tuple(o for o in v.orders if o not in cancelled),
    )
