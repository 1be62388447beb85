"""The validator's own-fleet rules: coverage, fleet, times, windows, cold chain, loads, costs
and status of every route."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dispatch.clock import format_clock, format_windows, parse_clock
from dispatch.intake.request import Location, Order, Request, Temperature, Vehicle
from dispatch.planning.validator.rules import TOLERANCE_MIN, Rules, Violation, number
from dispatch.planning.validator.travel import km_minutes, road_legs


class RouteChecker(Rules):
    """Own-fleet routes: coverage, fleet, times, windows, cold chain, loads, costs, status."""

    def __init__(self, request: Request, plan: Mapping[str, Any]) -> None:
        super().__init__(request, plan)
        self.depots = {d.id: d for d in request.depots}
        self.units: dict[str, Vehicle] = {uid: v for v in request.vehicles for uid in v.unit_ids()}
        self.late_allowed = request.policy.late_penalty_per_minute > 0
        self.roads = road_legs(request) if request.travel.metric in ("road", "osrm") else None

    def destination(self, order: Order) -> tuple[str, Location, list[tuple[int, int]]]:
        """The place id (the matrix metric's name for it), location and windows of a delivery."""
        if order.pickup_point is not None:
            p = self.points[order.pickup_point]
            return p.id, p.location, [(w.start, w.end) for w in p.time_windows]
        assert order.location is not None
        return order.id, order.location, [(w.start, w.end) for w in order.time_windows]

    def place_key(self, order: Order) -> str:
        if order.pickup_point is not None:
            return order.pickup_point
        assert order.location is not None
        loc = order.location
        return f"{loc.lat},{loc.lon},{loc.x},{loc.y}"

    def clock(self, where: str, value: Any) -> float | None:
        try:
            return float(parse_clock(value))
        except ValueError as exc:
            self.fail(where, "format", str(exc))
            return None

    def run(self) -> list[Violation]:
        seen: dict[str, str] = {}
        routes = self.plan.get("routes") or []
        for r_i, route in enumerate(routes):
            self.route(f"routes[{r_i}]", route, seen)
        for k, entry in enumerate(self.plan.get("outsourced") or []):
            for oid in entry.get("orders", []):
                self.once(seen, oid, f"outsourced[{k}]")
        for k, entry in enumerate(self.plan.get("unserved") or []):
            self.once(seen, entry.get("order"), f"unserved[{k}]")
            if not entry.get("reason"):
                self.fail(f"unserved[{k}]", "reason", "an unserved order needs a reason")
        for oid in self.orders:
            if oid not in seen:
                self.fail("plan", "coverage", f"order {oid} appears nowhere in the plan")
        self.vehicles_once(routes)
        self.objective(routes)
        self.status(seen)
        return self.out

    def once(self, seen: dict[str, str], oid: Any, where: str) -> None:
        if oid not in self.orders:
            self.fail(where, "coverage", f"unknown order {oid!r}")
        elif oid in seen:
            self.fail(where, "coverage", f"order {oid} also appears in {seen[oid]}")
        else:
            seen[oid] = where

    def vehicles_once(self, routes: Sequence[Mapping[str, Any]]) -> None:
        used: set[str] = set()
        for r_i, route in enumerate(routes):
            vid = str(route.get("vehicle"))
            if vid in used:
                self.fail(f"routes[{r_i}]", "fleet", f"vehicle {vid} drives two routes")
            used.add(vid)

    def objective(self, routes: Sequence[Mapping[str, Any]]) -> None:
        """The objective's parts add up, and the own-fleet part is the routes' costs."""
        obj = self.plan.get("objective") or {}
        total, own, carriers, penalties = (
            number(obj.get(k)) for k in ("total", "own_fleet", "carriers", "penalties")
        )
        if total is None or own is None or carriers is None or penalties is None:
            self.fail("objective", "format", "total, own_fleet, carriers and penalties are needed")
            return
        if abs(total - (own + carriers + penalties)) > 0.05:
            self.fail("objective", "cost", f"total {total} is not own_fleet + carriers + penalties")
        costs = [number((r.get("cost") or {}).get("total")) for r in routes]
        routed = sum(c for c in costs if c is not None)
        if None not in costs and abs(own - routed) > 0.05:
            self.fail("objective", "cost", f"own_fleet {own}, routes cost {routed:.2f}")

    def status(self, seen: Mapping[str, str]) -> None:
        unserved = len(self.plan.get("unserved") or [])
        status = self.plan.get("status")
        if unserved == 0:
            expected = "complete"
        elif unserved < len(self.orders):
            expected = "partial"
        else:
            expected = "infeasible"
        if status != expected:
            self.fail("plan", "status", f"status {status!r}, expected {expected!r}")

    def route(self, where: str, route: Mapping[str, Any], seen: dict[str, str]) -> None:
        vid = route.get("vehicle")
        veh = self.units.get(vid) if isinstance(vid, str) else None
        if veh is None:
            self.fail(where, "fleet", f"unknown vehicle {vid!r}")
            return
        start_depot = self.depots[veh.depot]
        end_depot = self.depots[veh.end_depot or veh.depot]
        if route.get("depot") != veh.depot:
            self.fail(
                where, "fleet", f"vehicle {vid} starts at {veh.depot}, not {route.get('depot')}"
            )
        start = self.clock(f"{where}.start", route.get("start"))
        end = self.clock(f"{where}.end", route.get("end"))
        if start is None or end is None:
            return
        if start < max(veh.shift.start, start_depot.open):
            self.fail(
                where, "shift", f"starts {format_clock(start)} before its shift or the depot opens"
            )
        if end > min(veh.shift.end, end_depot.close):
            self.fail(
                where, "shift", f"ends {format_clock(end)} after its shift or the depot closes"
            )

        speed = veh.speed_factor
        clock = start + start_depot.loading_minutes
        leave = clock
        here_id, here = start_depot.id, start_depot.location
        km_total = 0.0
        load = {"weight_kg": 0.0, "volume_l": 0.0, "chilled_l": 0.0, "frozen_l": 0.0}
        stops = route.get("stops") or []
        for s_i, visit in enumerate(stops):
            sw = f"{where}.stops[{s_i}]"
            ids = visit.get("orders") or []
            if not ids:
                self.fail(sw, "coverage", "a stop without orders")
                continue
            for oid in ids:
                self.once(seen, oid, sw)
            orders = [self.orders[o] for o in ids if o in self.orders]
            if not orders:
                continue
            dests = {self.place_key(o) for o in orders}
            if len(dests) > 1:
                self.fail(
                    sw, "grouping", f"orders for different places in one stop: {sorted(dests)}"
                )
            dest_id, dest, windows = self.destination(orders[0])
            if not windows:
                windows = [(0, 24 * 60)]
            km, minutes = km_minutes(self.req, here, dest, here_id, dest_id, self.roads)
            km_total += km
            arrival = self.clock(f"{sw}.arrival", visit.get("arrival"))
            begin = self.clock(f"{sw}.start_service", visit.get("start_service"))
            departure = self.clock(f"{sw}.departure", visit.get("departure"))
            if arrival is None or begin is None or departure is None:
                return
            expected_arrival = clock + minutes / speed
            if abs(arrival - expected_arrival) > TOLERANCE_MIN:
                self.fail(
                    sw,
                    "travel",
                    f"arrival {format_clock(arrival)}, but the drive from "
                    f"{here_id} ends at {format_clock(expected_arrival)}",
                )
            if begin < arrival - TOLERANCE_MIN:
                self.fail(sw, "time", "service starts before arrival")
            self.window(sw, begin, windows, visit)
            service = sum(o.service_minutes for o in orders)
            if orders[0].pickup_point is not None:
                service += self.points[orders[0].pickup_point].service_minutes
            if abs(departure - (begin + service)) > TOLERANCE_MIN:
                self.fail(
                    sw,
                    "service",
                    f"departure {format_clock(departure)}, but service of "
                    f"{service:g} min from {format_clock(begin)} ends at "
                    f"{format_clock(begin + service)}",
                )
            temps = set().union(*(o.temperatures() for o in orders))
            for t in (Temperature.CHILLED, Temperature.FROZEN):
                limit = veh.max_cold_minutes.for_class(t)
                if t in temps and limit is not None and begin - leave > limit + TOLERANCE_MIN:
                    self.fail(
                        sw,
                        "cold_chain",
                        f"{t.value} goods {begin - leave:.0f} min on board, limit {limit:g}",
                    )
            for o in orders:
                for item in o.items:
                    load["weight_kg"] += item.qty * item.weight_kg
                    load["volume_l"] += item.qty * item.volume_l
                    if item.temperature == Temperature.CHILLED:
                        load["chilled_l"] += item.qty * item.volume_l
                    elif item.temperature == Temperature.FROZEN:
                        load["frozen_l"] += item.qty * item.volume_l
            clock, here_id, here = departure, dest_id, dest
        km, minutes = km_minutes(
            self.req, here, end_depot.location, here_id, end_depot.id, self.roads
        )
        km_total += km
        if stops and end < clock + minutes / speed - TOLERANCE_MIN:
            self.fail(
                where,
                "travel",
                f"back at {format_clock(end)}, but the drive ends at "
                f"{format_clock(clock + minutes / speed)}",
            )
        cap = veh.capacity.model_dump()
        for dim, value in load.items():
            if value > cap[dim] + 1e-6:
                self.fail(where, "capacity", f"{dim} {value:.1f} exceeds capacity {cap[dim]:g}")
        self.cost(where, route, veh, km_total, end - start)
        reported = route.get("distance_km")
        if isinstance(reported, int | float) and abs(reported - km_total) > 0.01 + 0.001 * km_total:
            self.fail(where, "distance", f"distance_km {reported}, recomputed {km_total:.3f}")

    def cost(
        self, where: str, route: Mapping[str, Any], veh: Vehicle, km: float, minutes: float
    ) -> None:
        total = (route.get("cost") or {}).get("total")
        if not isinstance(total, int | float):
            return
        c = veh.cost
        expected = c.fixed + c.per_km * km + c.per_hour * minutes / 60
        slack = 0.01 + 0.001 * expected + c.per_hour / 60
        if abs(total - expected) > slack:
            self.fail(where, "cost", f"cost {total:.2f}, recomputed {expected:.2f}")

    def window(
        self, where: str, begin: float, windows: Sequence[tuple[int, int]], visit: Mapping[str, Any]
    ) -> None:
        if any(a <= begin <= b for a, b in windows):
            return
        if begin < windows[0][0]:
            self.fail(where, "window", f"service at {format_clock(begin)} before the window opens")
            return
        last = max(b for _, b in windows)
        if self.late_allowed and begin > last:
            late = begin - last
            maximum = self.req.policy.max_late_minutes
            if late > maximum + TOLERANCE_MIN:
                self.fail(where, "window", f"{late:.0f} min late, more than {maximum:g} allowed")
            if abs(float(visit.get("late_minutes", 0)) - late) > TOLERANCE_MIN:
                self.fail(
                    where,
                    "window",
                    f"late_minutes {visit.get('late_minutes')}, recomputed {late:.0f}",
                )
            return
        spans = format_windows(windows)
        self.fail(where, "window", f"service at {format_clock(begin)} outside its windows {spans}")
