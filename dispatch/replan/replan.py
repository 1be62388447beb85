"""The re-plan: what is done stays, each running vehicle goes on from where it is free with
the goods on board, the vehicles still at a depot take the orders that need a home, carriers
(a down carrier's region's backup first) take what the fleet cannot, and the rest is
unserved with a reason (but for an order whose delivery failed and that no vehicle can bring
again today: it goes to the next day). Lateness is priced as the compensation it costs."""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Mapping, Sequence
from typing import Any

from dispatch.intake.request import Request
from dispatch.live.notices import CompensationPolicy
from dispatch.planning.assembly import assemble_plan
from dispatch.planning.grouping import Stop
from dispatch.planning.model import travel_matrix
from dispatch.planning.plan import (
    ArrivalMove,
    Cargo,
    CarriedOver,
    Changes,
    LateChoice,
    Objective,
    OrderMove,
    Outsourced,
    Plan,
    RouteCost,
    RouteOut,
    StopVisit,
    Unserved,
)
from dispatch.replan import fleet
from dispatch.replan.carriers import CarrierDesk, backup_carriers
from dispatch.replan.pricing import late_cost, per_minute
from dispatch.replan.spec import ReplanSpec
from dispatch.replan.state import DayState
from dispatch.sourcing.carriers import price
from dispatch.sourcing.order_regions import assign_regions

ARRIVAL_MOVED_MIN = 10
DEFAULT_LIMIT_S = 8.0
RUNNING_SHARE = 0.025
RUNNING_MAX_S = 0.25
"""Of the search time, what each running vehicle's own goods get (a small problem each,
started from its current order); the vehicles still at a depot share the rest."""
SEARCH_SHARE = 0.95
"""Of the time limit, what the searches get (the rest: state, stitching, checks)."""
NOT_REDELIVERED = "delivery failed; no vehicle can re-deliver it today, carried over"
"""Why an order whose delivery failed, and that no vehicle (at a depot or already on its way
with it on board) can bring again today, goes to the next day."""


def effective_request(document: Mapping[str, Any], spec: ReplanSpec) -> dict[str, Any]:
    """The request document of the re-plan: the day's request with the added orders."""
    known = {o.get("id") for o in document.get("orders") or []}
    added = [o for o in spec.add_orders if o.get("id") not in known]
    return {**document, "orders": [*(document.get("orders") or []), *added]}


def replan(
    request: Request,
    plan: Plan,
    state: DayState,
    spec: ReplanSpec,
    *,
    previous_plan_id: int | None = None,
    compensation: CompensationPolicy | None = None,
    time_limit_s: float | None = None,
    iterations: int | None = None,
) -> Plan:
    """The new version of ``plan`` from ``state`` (see the module)."""
    started = time.perf_counter()
    policy = compensation or CompensationPolicy()
    budget = time_limit_s or spec.time_limit_s or DEFAULT_LIMIT_S
    priced = fleet.priced(request, per_minute(policy))
    orders = {o.id: o for o in request.orders}
    regions = assign_regions(request).region_of
    carried: dict[str, str] = dict(state.carried_over)
    pool = list(state.pool)
    return_failed: set[str] = set()
    for oid, reason in state.failed.items():
        action = spec.failures.for_reason(reason)
        if action == "redeliver":
            pool.append(oid)
        elif action == "carry_over":
            carried[oid] = f"delivery failed ({reason}); carried over to the next day"
        else:
            return_failed.add(oid)
    moved_failed = set(state.failed) - return_failed
    failed_before = {o for v in state.vehicles for s in v.done for o in s.failed_orders or ()}
    routed_before = {o for v in state.vehicles for s in v.done for o in s.orders}
    taken: dict[str, int] = {}
    for carrier, _ in state.outsourced.values():
        taken[carrier] = taken.get(carrier, 0) + 1
    desk = CarrierDesk(request, regions, state.at, spec.carriers_down, taken)
    backups = backup_carriers(request)
    outsourced: dict[tuple[str, str], list[tuple[str, float, str]]] = {}
    for oid, (carrier, region) in state.outsourced.items():
        c = desk.by_id.get(carrier)
        cost = price(c, orders[oid], request.policy) if c else 0.0
        outsourced.setdefault((region, carrier), []).append((oid, cost, "kept with its carrier"))
    delivered = set(state.carrier_done)
    for w in plan.outsourced:
        for oid in w.orders:
            if oid in return_failed and oid not in routed_before:
                why = f"failed ({state.failed[oid]}), returned to the depot"
                outsourced.setdefault((w.region, w.carrier), []).append((oid, 0.0, why))
            elif oid in delivered:
                cost = round(w.cost / len(w.orders), 2)
                entry = (oid, cost, "delivered by its carrier")
                outsourced.setdefault((w.region, w.carrier), []).append(entry)

    # A down carrier's orders: the region's backup carrier when it can take them.
    down_orders = [o for o in pool if o in _outsourced_to(plan, spec.carriers_down)]
    for oid in down_orders:
        backup = backups.get(regions.get(oid, ""))
        if backup is None:
            continue
        c = desk.by_id.get(backup)
        if c is not None and desk.why_not(c, orders[oid]) is None:
            desk.take(backup)
            region = regions.get(oid, "")
            reason = f"backup carrier of {region} for a carrier that is down"
            cost = price(c, orders[oid], request.policy)
            outsourced.setdefault((region, backup), []).append((oid, cost, reason))
            pool.remove(oid)

    running = [v for v in state.vehicles if v.status == "running"]
    waiting = [v for v in state.vehicles if v.status == "waiting"]
    small = min(RUNNING_SHARE * budget, RUNNING_MAX_S)
    share = max(budget * SEARCH_SHARE - small * len(running), small)
    unserved: list[Unserved] = []
    new_routes: dict[str, RouteOut] = {}
    for v in running:
        on_board = [orders[o] for o in v.on_board if o in orders]
        if not on_board:
            continue
        solved = fleet.route_running(priced, v, on_board, small, iterations)
        for r in solved.routes:
            new_routes[r.vehicle] = r
        for u in solved.unserved:
            if u.order in moved_failed or u.order in failed_before:
                carried[u.order] = NOT_REDELIVERED
                continue
            unserved.append(Unserved(
                order=u.order, code="returned",
                reason=f"on board {v.vehicle}, which cannot deliver it today ({u.reason}); "
                       "it goes back to the depot",
            ))  # fmt: skip

    units = fleet.waiting_units(request, waiting, state.at)
    must_move: dict[str, str] = {}
    kept = {o: v.vehicle for v in waiting for o in v.orders}
    home = [orders[o] for o in pool if o in orders and o not in kept]

    def leave_out(stop: Stop) -> float:
        total = 0.0
        for o in stop.orders:
            offer, _ = desk.best(o, backups.get(regions.get(o.id, "")))
            total += request.policy.unserved_penalty if offer is None else offer.cost
        return total

    left: list[Unserved] = []
    if spec.keep_assignments:
        per_vehicle = {v.vehicle: [orders[o] for o in v.orders if o in orders] for v in waiting}
        spare = list(home)
        deadline = time.perf_counter() + share
        for k, unit in enumerate(units):
            mine = per_vehicle.get(unit.id, [])
            start = [v.route for v in waiting if v.vehicle == unit.id]
            each = (deadline - time.perf_counter()) / max(1, len(units) - k)
            solved, lost = fleet.route_keeping(
                priced, unit, mine, spare, start, each, iterations, leave_out
            )
            for r in solved.routes:
                new_routes[r.vehicle] = r
            served = {o for r in solved.routes for s in r.stops for o in s.orders}
            spare = [o for o in spare if o.id not in served]
            spare += [o for o in mine if o.id not in served]
            must_move.update(lost)
        left = [Unserved(order=o.id, reason="no vehicle at a depot had room or time for it",
                         code="dropped") for o in spare]  # fmt: skip
    else:
        start = [v.route for v in waiting]
        work = [*(orders[o] for o in kept if o in orders), *home]
        solved = fleet.route_waiting(priced, units, work, start, share, iterations, leave_out)
        for r in solved.routes:
            new_routes[r.vehicle] = r
        left = solved.unserved

    late_choices: list[LateChoice] = []
    for u in left:
        o = orders[u.order]
        offer, refusals = desk.best(o, backups.get(regions.get(o.id, "")))
        if offer is not None:
            desk.take(offer.carrier)
            region = regions.get(o.id, "")
            reason = f"no own vehicle can take it any more ({u.reason}); {offer.carrier} can"
            outsourced.setdefault((region, offer.carrier), []).append((o.id, offer.cost, reason))
            late_choices.append(LateChoice(order=o.id, choice="carrier", cost=offer.cost,
                                           reason=reason))  # fmt: skip
        elif o.id in moved_failed or o.id in failed_before:
            carried[o.id] = NOT_REDELIVERED
        else:
            text = u.reason + ("; " + "; ".join(sorted(set(refusals))) if refusals else "")
            unserved.append(Unserved(order=o.id, reason=text, code=u.code or "dropped"))
            late_choices.append(LateChoice(
                order=o.id, choice="unserved", cost=request.policy.unserved_penalty,
                reason="neither the fleet nor a carrier can deliver it today",
            ))  # fmt: skip

    routes = _stitch(request, state, new_routes, moved_failed)
    for r in routes:
        for s in r.stops:
            if s.done is None and s.late_minutes > 0:
                cost = late_cost(policy, s.late_minutes)
                for oid in s.orders:
                    offer, _ = desk.best(orders[oid])
                    alt = (
                        "no carrier can take it now"
                        if offer is None
                        else (f"{offer.carrier} would cost {offer.cost:.0f}")
                    )
                    late_choices.append(LateChoice(
                        order=oid, choice="late_with_compensation", late_minutes=s.late_minutes,
                        cost=cost,
                        reason=f"{s.late_minutes} min late on {r.vehicle}: compensation "
                               f"{cost:.0f}; {alt}; unserved would cost "
                               f"{request.policy.unserved_penalty:.0f}",
                    ))  # fmt: skip
    out_entries = tuple(
        Outsourced(region=region, carrier=carrier, orders=tuple(o for o, _, _ in work),
                   cost=round(sum(c for _, c, _ in work), 2),
                   reason="; ".join(dict.fromkeys(r for _, _, r in work)))
        for (region, carrier), work in sorted(outsourced.items())
    )  # fmt: skip
    unserved = [u for u in unserved if u.order not in carried]
    new = assemble_plan(
        request, routes, out_entries, unserved,
        regions=plan.regions, solver={"engine": "replan",
                                      "seconds": round(time.perf_counter() - started, 3)},
    )  # fmt: skip
    late_money = round(sum(c.cost for c in late_choices if c.choice == "late_with_compensation"), 2)
    objective = Objective(
        total=round(new.objective.total + late_money, 2),
        own_fleet=new.objective.own_fleet,
        carriers=new.objective.carriers,
        penalties=round(new.objective.penalties + late_money, 2),
    )
    cancelled = tuple(o for o in state.cancelled)
    changes = _changes(plan, new, objective.total, late_choices, must_move)
    return new.model_copy(
        update={
            "objective": objective,
            "previous_plan_id": previous_plan_id,
            "replanned_at": spec.at,
            "changes": changes,
            "carried_over": tuple(CarriedOver(order=o, reason=r) for o, r in carried.items()),
            "cancelled": cancelled,
        }
    )


def _outsourced_to(plan: Plan, carriers: Sequence[str]) -> set[str]:
    down = set(carriers)
    return {o for w in plan.outsourced if w.carrier in down for o in w.orders}


def _without_moved(stops: Sequence[StopVisit], moved: set[str]) -> tuple[StopVisit, ...]:
    out = []
    for s in stops:
        gone = tuple(o for o in s.orders if o in moved)
        if gone:
            s = s.model_copy(update={
                "orders": tuple(o for o in s.orders if o not in moved),
                "failed_orders": tuple(dict.fromkeys((*(s.failed_orders or ()), *gone))),
            })  # fmt: skip
        out.append(s)
    return tuple(out)


def _stitch(
    request: Request, state: DayState, new_routes: Mapping[str, RouteOut], moved: set[str]
) -> list[RouteOut]:
    routes: list[RouteOut] = []
    depots = {d.id: d for d in request.depots}
    for v in state.vehicles:
        if v.status == "waiting":
            r = new_routes.get(v.vehicle)
            if r is not None:
                routes.append(r)
            continue
        head = list(_without_moved(v.done, moved))
        if v.fixed is not None:
            head.append(v.fixed)
        tail = new_routes.get(v.vehicle)
        tail_stops = list(tail.stops) if tail is not None else []
        if v.status == "running" and v.departed is not None:
            tail_stops = [
                s.model_copy(update={"cold_minutes": round(s.start_service - v.departed)})
                if s.cold_minutes is not None else s
                for s in tail_stops
            ]  # fmt: skip
        stops = [*head, *tail_stops]
        if not stops:
            continue
        loading = depots[v.route.depot].loading_minutes if v.route.depot in depots else 0.0
        start = v.route.start if v.departed is None else round(v.departed - loading)
        end_depot = v.route.end_depot or v.route.depot
        path = [(v.route.depot, depots[v.route.depot].location)]
        path += [(s.orders[0] if s.orders else s.stop, s.location) for s in stops]
        if v.status == "down":
            assert v.down_at is not None
            end = max(math.ceil(v.down_at), stops[-1].departure)
        elif tail is not None:
            end = tail.end
            path.append((end_depot, depots[end_depot].location))
        else:
            back = _drive(request, [path[-1], (end_depot, depots[end_depot].location)])[1]
            free = float(stops[-1].departure)
            if v.status == "running":
                free = max(free, v.free_at)  # at its fixed stop still at `at`
            end = math.ceil(free + back / _speed(request, v.vehicle))
            path.append((end_depot, depots[end_depot].location))
        km = _drive(request, path)[0]
        unit = next(x for x in request.vehicles if v.vehicle in x.unit_ids())
        c = unit.cost
        hours = (end - start) / 60
        load = Cargo(**{k: round(sum(getattr(s.unload, k) for s in stops), 3)
                        for k in ("weight_kg", "volume_l", "chilled_l", "frozen_l")})  # fmt: skip
        routes.append(
            v.route.model_copy(
                update={
                    "start": start,
                    "end": end,
                    "stops": tuple(stops),
                    "distance_km": round(km, 3),
                    "duration_minutes": end - start,
                    "load": load,
                    "cost": RouteCost(
                        fixed=c.fixed, distance=round(c.per_km * km, 2),
                        time=round(c.per_hour * hours, 2),
                        total=round(c.fixed + c.per_km * km + c.per_hour * hours, 2),
                    ),
                }
            )
        )  # fmt: skip
    return routes


def _speed(request: Request, vehicle: str) -> float:
    return next(x.speed_factor for x in request.vehicles if vehicle in x.unit_ids())


def _drive(request: Request, path: Sequence[tuple[str, Any]]) -> tuple[float, float]:
    """Kilometres and base-speed minutes along ``path`` (place id, location) pairs."""
    if len(path) < 2:
        return 0.0, 0.0
    places = list(dict.fromkeys(path, None))
    index = {p: k for k, p in enumerate(places)}
    m = travel_matrix(request, [(pid, loc) for pid, loc in places])
    km = sum(float(m.distance_km[index[a], index[b]]) for a, b in itertools.pairwise(path))
    minutes = sum(float(m.minutes[index[a], index[b]]) for a, b in itertools.pairwise(path))
    return km, minutes


def _assignment(plan: Plan) -> dict[str, str]:
    where: dict[str, str] = {}
    for r in plan.routes:
        for s in r.stops:
            for o in s.orders:
                where[o] = r.vehicle
    for w in plan.outsourced:
        for o in w.orders:
            where[o] = f"carrier:{w.carrier}"
    for u in plan.unserved:
        where[u.order] = "unserved"
    return where


def _changes(
    old: Plan,
    new: Plan,
    total: float,
    late: Sequence[LateChoice],
    must_move: Mapping[str, str],
) -> Changes:
    before, after = _assignment(old), _assignment(new)
    moved = tuple(
        OrderMove(
            order=o,
            before=before[o],
            after=after.get(o, "carried_over"),
            reason=(
                f"its own vehicle cannot serve it any more ({must_move[o]})"
                if o in must_move
                else None
            ),
        )
        for o in before
        if before[o] != after.get(o, before[o]) or (o not in after)
    )
    old_arrival = {(r.vehicle, s.stop): s.arrival for r in old.routes for s in r.stops}
    arrivals = []
    for r in new.routes:
        for s in r.stops:
            was = old_arrival.get((r.vehicle, s.stop))
            if was is not None and abs(s.arrival - was) > ARRIVAL_MOVED_MIN:
                arrivals.append(ArrivalMove(stop=s.stop, vehicle=r.vehicle, before=was,
                                            after=s.arrival, minutes=s.arrival - was))  # fmt: skip
    return Changes(
        orders_moved=moved,
        arrivals_moved=tuple(arrivals),
        cost_before=old.objective.total,
        cost_after=total,
        cost_difference=round(total - old.objective.total, 2),
        late=tuple(late),
    )
