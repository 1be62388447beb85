"""An independent plan checker: recomputes times, loads, cold-chain ages and costs from the request.

It shares no code with the planner beyond the request models and the clock
format of the contract; its travel times come from its own formulas, or, for the
``road`` and ``osrm`` metrics, from its own call of the geo provider (the road
network of the request's extract, or the OSRM server) for every place of the request.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from shapely import make_valid
from shapely.geometry import Point, Polygon, shape

from dispatch.clock import format_clock, format_windows, parse_clock
from dispatch.intake.request import Carrier, Location, Order, Request, Temperature, Vehicle
from geo.osrm import osrm_table
from geo.roads import load_network, road_matrix

TOLERANCE_MIN = 1.0 + 1.0 / 60
"""Plan times are rounded to the minute, so two times compared may be a minute apart, and
the model rounds travel, service and loading up to the second: one minute and one second."""


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule: where in the plan, and what."""

    where: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: [{self.rule}] {self.message}"


Leg = Callable[[Location, Location], tuple[float, float]]


def _road_legs(request: Request) -> Leg:
    """Kilometres and minutes along the roads between any two places of the request."""
    t = request.travel
    places = [d.location for d in request.depots] + [p.location for p in request.pickup_points]
    places += [o.location for o in request.orders if o.location and not o.pickup_point]
    coords = list(dict.fromkeys(loc.coords() for loc in places))
    lat = [c[0] for c in coords]
    lon = [c[1] for c in coords]
    if t.metric == "osrm":
        assert t.url is not None
        m = osrm_table(t.url, lat, lon, max_snap_m=t.max_snap_m)
    else:
        assert t.osm_file is not None
        network = load_network(t.osm_file, speeds=t.speeds)
        m = road_matrix(network, lat, lon, max_snap_m=t.max_snap_m)
    index = {c: k for k, c in enumerate(coords)}

    def leg(a: Location, b: Location) -> tuple[float, float]:
        i, j = index[a.coords()], index[b.coords()]
        return float(m.metres[i, j]) / 1000.0, float(m.seconds[i, j]) / 60.0

    return leg


def _km(
    request: Request, a: Location, b: Location, ida: str, idb: str, roads: Leg | None = None
) -> tuple[float, float]:
    """Distance (km) and base-speed minutes between two places, per the request's metric."""
    t = request.travel
    if roads is not None:
        return roads(a, b)
    if t.metric == "matrix":
        assert t.locations is not None
        assert t.distances is not None
        assert t.durations is not None
        i, j = t.locations.index(ida), t.locations.index(idb)
        return t.distances[i][j], t.durations[i][j]
    if t.metric == "euclidean":
        assert a.x is not None
        assert a.y is not None
        assert b.x is not None
        assert b.y is not None
        d = math.hypot(a.x - b.x, a.y - b.y)
        return d, d
    assert a.lat is not None
    assert a.lon is not None
    assert b.lat is not None
    assert b.lon is not None
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    km = 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h))) * t.circuity
    return km, km / t.speed_kmh * 60


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


class _Rules:
    """What every checker holds: the request, the plan, and the violations found so far."""

    def __init__(self, request: Request, plan: Mapping[str, Any]) -> None:
        self.req = request
        self.plan = plan
        self.out: list[Violation] = []
        self.orders = {o.id: o for o in request.orders}
        self.points = {p.id: p for p in request.pickup_points}

    def fail(self, where: str, rule: str, message: str) -> None:
        self.out.append(Violation(where, rule, message))


class _Checker(_Rules):
    """Own-fleet routes: coverage, fleet, times, windows, cold chain, loads, costs, status."""

    def __init__(self, request: Request, plan: Mapping[str, Any]) -> None:
        super().__init__(request, plan)
        self.depots = {d.id: d for d in request.depots}
        self.units: dict[str, Vehicle] = {uid: v for v in request.vehicles for uid in v.unit_ids()}
        self.late_allowed = request.policy.late_penalty_per_minute > 0
        self.roads = _road_legs(request) if request.travel.metric in ("road", "osrm") else None

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
            _number(obj.get(k)) for k in ("total", "own_fleet", "carriers", "penalties")
        )
        if total is None or own is None or carriers is None or penalties is None:
            self.fail("objective", "format", "total, own_fleet, carriers and penalties are needed")
            return
        if abs(total - (own + carriers + penalties)) > 0.05:
            self.fail("objective", "cost", f"total {total} is not own_fleet + carriers + penalties")
        costs = [_number((r.get("cost") or {}).get("total")) for r in routes]
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
            km, minutes = _km(self.req, here, dest, here_id, dest_id, self.roads)
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
        km, minutes = _km(self.req, here, end_depot.location, here_id, end_depot.id, self.roads)
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


class _CarrierChecker(_Rules):
    """Outsourced work: carrier, region (own point-in-polygon), goods, cap, cost, pins, splits."""

    def __init__(self, request: Request, plan: Mapping[str, Any]) -> None:
        super().__init__(request, plan)
        self.carriers = {c.id: c for c in request.carriers}
        self.polygons = [
            (str((f.get("properties") or {}).get("id", f.get("id"))), _polygon(f.get("geometry")))
            for f in (request.regions or {}).get("features", [])
        ]

    def region(self, order: Order) -> str:
        if order.region:
            return order.region
        if self.req.regions is None:
            return "all"
        loc = self.points[order.pickup_point].location if order.pickup_point else order.location
        assert loc is not None
        x = loc.lon if loc.lon is not None else loc.x
        y = loc.lat if loc.lat is not None else loc.y
        point = Point(x, y)
        return next((rid for rid, poly in self.polygons if poly.covers(point)), "unassigned")

    def last_end(self, order: Order) -> int | None:
        windows = order.time_windows
        if order.pickup_point is not None:
            windows = self.points[order.pickup_point].time_windows
        return max((w.end for w in windows), default=None)

    def run(self) -> list[Violation]:
        entries = self.plan.get("outsourced") or []
        policy = self.req.policy
        if entries and policy.outsourcing == "none":
            self.fail("outsourced", "policy", "outsourcing is off (policy none)")
        servers: dict[str, set[str]] = {}
        for route in self.plan.get("routes") or []:
            for stop in route.get("stops") or []:
                for oid in stop.get("orders") or []:
                    if oid in self.orders:
                        servers.setdefault(self.region(self.orders[oid]), set()).add("own fleet")
        taken: dict[str, int] = {}
        pairs: set[tuple[str, str]] = set()
        for k, entry in enumerate(entries):
            where = f"outsourced[{k}]"
            cid, region = entry.get("carrier"), entry.get("region")
            carrier = self.carriers.get(cid) if isinstance(cid, str) else None
            if carrier is None:
                self.fail(where, "carrier", f"unknown carrier {cid!r}")
                continue
            if (region, cid) in pairs:
                self.fail(where, "carrier", f"a second entry for {cid} in region {region}")
            pairs.add((region, cid))
            orders = [self.orders[o] for o in entry.get("orders") or [] if o in self.orders]
            taken[cid] = taken.get(cid, 0) + len(orders)
            for o in orders:
                actual = self.order(f"{where} order {o.id}", o, carrier, region)
                servers.setdefault(actual, set()).add(cid)
            self.cost(where, entry, carrier, orders)
        for cid, n in taken.items():
            limit = self.carriers[cid].max_orders
            if limit is not None and n > limit:
                self.fail("outsourced", "capacity", f"{cid} takes {n} orders, max_orders {limit}")
        if policy.outsourcing != "none":
            self.pins(servers)
        if policy.outsourcing == "region":
            for region, who in servers.items():
                if len(who) > 1:
                    self.fail(
                        "outsourced",
                        "region_split",
                        f"region {region} is split between {', '.join(sorted(who))}",
                    )
        total = sum(e.get("cost", 0) for e in entries if isinstance(e.get("cost"), int | float))
        reported = (self.plan.get("objective") or {}).get("carriers")
        if isinstance(reported, int | float) and abs(reported - total) > 0.01 * (len(entries) + 1):
            self.fail("objective", "cost", f"carriers {reported}, entries sum to {total:.2f}")
        return self.out

    def order(self, where: str, order: Order, carrier: Carrier, region: Any) -> str:
        """Check one outsourced order; its region as recomputed here."""
        actual = self.region(order)
        if actual != region:
            self.fail(where, "region", f"lies in region {actual}, not {region}")
        if "*" not in carrier.regions and actual not in carrier.regions:
            self.fail(where, "carrier", f"{carrier.id} does not serve region {actual}")
        items = [i for i in order.items if i.qty > 0]
        for temperature in sorted(
            {i.temperature for i in items} - set(carrier.handles.temperatures)
        ):
            self.fail(where, "carrier", f"{carrier.id} does not carry {temperature.value} goods")
        if any(i.fragile for i in items) and not carrier.handles.fragile:
            self.fail(where, "carrier", f"{carrier.id} does not carry fragile goods")
        if any(i.bulky for i in items) and not carrier.handles.bulky:
            self.fail(where, "carrier", f"{carrier.id} does not carry bulky goods")
        end = self.last_end(order)
        if carrier.delivers_by is not None and end is not None and carrier.delivers_by > end:
            self.fail(
                where,
                "carrier",
                f"{carrier.id} delivers by "
                f"{format_clock(carrier.delivers_by)}, after the window ends "
                f"{format_clock(end)}",
            )
        return actual

    def cost(
        self, where: str, entry: Mapping[str, Any], carrier: Carrier, orders: Sequence[Order]
    ) -> None:
        p = carrier.price
        charges = 0.0
        for o in orders:
            items = [i for i in o.items if i.qty > 0]
            cold = any(i.temperature != Temperature.AMBIENT for i in items)
            weight = sum(i.qty * i.weight_kg for i in items)
            charges += p.per_order + p.per_kg * weight + (p.cold_surcharge_per_order if cold else 0)
        late = (1 - carrier.on_time_rate) * self.req.policy.carrier_late_penalty_per_order
        expected = max(charges, p.min_charge_per_region if orders else 0) + late * len(orders)
        cost = entry.get("cost")
        if not isinstance(cost, int | float) or abs(cost - expected) > 0.01 + 0.005:
            self.fail(where, "cost", f"cost {cost}, recomputed {expected:.2f}")

    def pins(self, servers: Mapping[str, set[str]]) -> None:
        for region, pin in self.req.policy.pin.items():
            wrong = servers.get(region, set()) - {"own fleet" if pin == "own" else pin}
            if wrong:
                self.fail(
                    "outsourced",
                    "pin",
                    f"region {region} is pinned to {pin} but served by {', '.join(sorted(wrong))}",
                )


def _polygon(geometry: Any) -> Any:
    """The geometry as a valid shapely shape (an empty one when missing)."""
    if not geometry:
        return Polygon()
    shp = shape(geometry)
    return shp if shp.is_valid else make_valid(shp)


def validate_plan(request: Request, plan: Mapping[str, Any]) -> list[Violation]:
    """Every rule of the contract the plan breaks; empty when it is valid."""
    return _Checker(request, plan).run() + _CarrierChecker(request, plan).run()
