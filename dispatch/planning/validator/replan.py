"""The validator's re-plan rules: a new version checked against the state it started from.

The done part is unchanged, each running vehicle goes on from its fixed stop at the time it
is free, goods on board stay on their own vehicle, cold-chain age counts from the real
departure, a vehicle that is down does nothing more, a vehicle that had not left starts no
earlier than the re-plan, and every order of the day is in exactly one place: a route stop
(done or planned), ``outsourced``, ``unserved``, ``carried_over`` or ``cancelled``. Times and
travel are recomputed here with the validator's own measures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dispatch.clock import format_clock, parse_clock
from dispatch.intake.request import Location, Order, Request, Temperature, Vehicle
from dispatch.planning.validator.rules import TOLERANCE_MIN, Rules, Violation
from dispatch.planning.validator.travel import km_minutes

_TIMES = ("stop", "arrival", "departure")


def _clock(value: Any) -> float:
    return float(parse_clock(value)) if isinstance(value, str) else float(value)


class ReplanChecker(Rules):
    def __init__(
        self, request: Request, state: Mapping[str, Any], plan: Mapping[str, Any],
        max_late: float,
    ) -> None:  # fmt: skip
        super().__init__(request, plan)
        self.state = state
        self.units: dict[str, Vehicle] = {uid: v for v in request.vehicles for uid in v.unit_ids()}
        self.depots = {d.id: d for d in request.depots}
        self.max_late = max_late
        self.at = float(state["at"])

    def run(self) -> list[Violation]:
        vehicles = {v["vehicle"]: v for v in self.state.get("vehicles", [])}
        seen: dict[str, str] = {}
        on_route: dict[str, str] = {}
        routes = self.plan.get("routes") or []
        names = [r.get("vehicle") for r in routes]
        for vid, v in vehicles.items():
            if v["done"] and vid not in names:
                self.fail("plan", "done", f"{vid}'s done stops are gone")
        for r_i, route in enumerate(routes):
            where = f"routes[{r_i}]"
            vid = route.get("vehicle")
            v = vehicles.get(vid) if isinstance(vid, str) else None
            veh = self.units.get(vid) if isinstance(vid, str) else None
            if v is None or veh is None:
                self.fail(where, "fleet", f"unknown vehicle {vid!r}")
                continue
            stops = route.get("stops") or []
            for s_i, s in enumerate(stops):
                for o in s.get("orders") or []:
                    self.once(seen, o, f"{where}.stops[{s_i}]")
                    on_route[o] = vid
            self.route(where, route, v, veh)
        for k, w in enumerate(self.plan.get("outsourced") or []):
            for o in w.get("orders") or []:
                self.once(seen, o, f"outsourced[{k}]")
        for key in ("unserved", "carried_over"):
            for k, u in enumerate(self.plan.get(key) or []):
                self.once(seen, u.get("order"), f"{key}[{k}]")
                if not u.get("reason"):
                    self.fail(f"{key}[{k}]", "reason", f"{key} needs a reason")
        for k, o in enumerate(self.plan.get("cancelled") or []):
            self.once(seen, o, f"cancelled[{k}]")
        for o in self.state.get("orders", []):
            if o not in seen:
                self.fail("plan", "coverage", f"order {o} appears nowhere in the re-plan")
        for vid, v in vehicles.items():
            for o in v.get("on_board") or []:
                if o in on_route and on_route[o] != vid:
                    self.fail("plan", "on_board", f"{o} is on board {vid}, not {on_route[o]}")
                elif o not in on_route and not str(seen.get(o, "")).startswith(
                    ("unserved", "carried_over", "cancelled")
                ):
                    self.fail("plan", "on_board", f"{o} on board {vid} went to {seen.get(o)}")
        return self.out

    def once(self, seen: dict[str, str], oid: Any, where: str) -> None:
        if not isinstance(oid, str) or oid not in set(self.state.get("orders", [])):
            self.fail(where, "coverage", f"unknown order {oid!r}")
        elif oid in seen:
            self.fail(where, "coverage", f"order {oid} also appears in {seen[oid]}")
        else:
            seen[oid] = where

    def route(
        self, where: str, route: Mapping[str, Any], v: Mapping[str, Any], veh: Vehicle
    ) -> None:
        stops = route.get("stops") or []
        done = v.get("done") or []
        for k, d in enumerate(done):
            if k >= len(stops):
                self.fail(where, "done", f"done stop {d['stop']} is missing")
                return
            s = stops[k]
            for field in _TIMES:
                if s.get(field) != d.get(field):
                    message = f"{field} {s.get(field)!r}, happened as {d.get(field)!r}"
                    self.fail(f"{where}.stops[{k}]", "done", message)
            if set(s.get("orders") or []) - set(d.get("orders") or []):
                self.fail(f"{where}.stops[{k}]", "done", "orders were added to a done stop")
            if not s.get("done"):
                self.fail(f"{where}.stops[{k}]", "done", "a done stop is no longer marked done")
        rest = stops[len(done) :]
        if v["status"] == "down":
            if rest:
                self.fail(
                    where, "down", f"{route.get('vehicle')} is down but has {len(rest)} stops to do"
                )
            return
        if v["status"] == "finished":
            if rest:
                self.fail(where, "finished", "a vehicle back at its depot was given stops")
            return
        depot = self.depots[veh.depot]
        end_depot = self.depots[veh.end_depot or veh.depot]
        if v["status"] == "waiting":
            start = _clock(route.get("start"))
            if start < max(self.at, veh.shift.start) - TOLERANCE_MIN:
                self.fail(
                    where, "start", f"starts {format_clock(start)}, before the re-plan or its shift"
                )
            leave = start + depot.loading_minutes
            here_id, here, clock = depot.id, depot.location, leave
        else:
            fixed = v.get("fixed")
            if fixed is not None:
                if not rest or rest[0].get("stop") != fixed["stop"]:
                    self.fail(
                        where, "fixed", f"the stop it is at or driving to ({fixed['stop']}) moved"
                    )
                    return
                rest = rest[1:]
            leave = float(v["departed"])
            here_id, here, clock = self.last_place(stops[: len(stops) - len(rest)], depot)
            clock = max(clock, float(v["free_at"]) - TOLERANCE_MIN)
            for o in (s for st in rest for s in st.get("orders") or []):
                if o not in set(v.get("on_board") or []):
                    self.fail(where, "on_board", f"{o} was never loaded on {route.get('vehicle')}")
        self.walk(where, veh, rest, here_id, here, clock, leave, end_depot, route)

    def last_place(
        self, stops: Sequence[Mapping[str, Any]], depot: Any
    ) -> tuple[str, Location, float]:
        if not stops:
            return depot.id, depot.location, float(self.state["at"])
        last = stops[-1]
        first = next(iter(last.get("orders") or []), None)
        order = self.orders.get(first) if first else None
        pid = (order.pickup_point or order.id) if order else last["stop"]
        return pid, Location.model_validate(last["location"]), _clock(last["departure"])

    def walk(
        self, where: str, veh: Vehicle, stops: Sequence[Mapping[str, Any]], here_id: str,
        here: Location, clock: float, leave: float, end_depot: Any, route: Mapping[str, Any],
    ) -> None:  # fmt: skip
        for s_i, s in enumerate(stops):
            sw = f"{where}.stops[{s_i}]"
            orders = [self.orders[o] for o in s.get("orders") or [] if o in self.orders]
            if not orders:
                self.fail(sw, "coverage", "a planned stop without orders")
                continue
            dest_id, dest, windows = self.destination(orders[0])
            _, minutes = km_minutes(self.req, here, dest, here_id, dest_id)
            arrival, begin, departure = (
                _clock(s.get(k)) for k in ("arrival", "start_service", "departure")
            )
            expected = clock + minutes / veh.speed_factor
            if arrival < expected - TOLERANCE_MIN:
                self.fail(
                    sw,
                    "travel",
                    f"arrival {format_clock(arrival)}, before the drive ends "
                    f"at {format_clock(expected)}",
                )
            if begin < arrival - TOLERANCE_MIN or (
                windows and begin < windows[0][0] - TOLERANCE_MIN
            ):
                self.fail(sw, "time", "service starts before arrival or before the window opens")
            last = max((b for _, b in windows), default=24 * 60)
            if begin > last + self.max_late + TOLERANCE_MIN:
                self.fail(sw, "window", f"{begin - last:.0f} min late, more than {self.max_late:g}")
            service = sum(o.service_minutes for o in orders)
            if orders[0].pickup_point is not None:
                service += self.points[orders[0].pickup_point].service_minutes
            if departure < begin + service - TOLERANCE_MIN:
                self.fail(sw, "service", f"leaves before {service:g} min of service end")
            temps = set().union(*(o.temperatures() for o in orders))
            for t in (Temperature.CHILLED, Temperature.FROZEN):
                limit = veh.max_cold_minutes.for_class(t)
                if t in temps and limit is not None and begin - leave > limit + TOLERANCE_MIN:
                    self.fail(
                        sw,
                        "cold_chain",
                        f"{t.value} goods {begin - leave:.0f} min since the real departure, "
                        f"limit {limit:g}",
                    )
            here_id, here, clock = dest_id, dest, departure
        _, minutes = km_minutes(self.req, here, end_depot.location, here_id, end_depot.id)
        end = _clock(route.get("end"))
        if end < clock + minutes / veh.speed_factor - TOLERANCE_MIN:
            self.fail(where, "travel", f"back at {format_clock(end)} before the drive ends")
        if end > min(veh.shift.end, end_depot.close) + TOLERANCE_MIN:
            self.fail(
                where, "shift", f"ends {format_clock(end)} after its shift or the depot closes"
            )

    def destination(self, order: Order) -> tuple[str, Location, list[tuple[int, int]]]:
        if order.pickup_point is not None:
            p = self.points[order.pickup_point]
            return p.id, p.location, sorted((w.start, w.end) for w in p.time_windows)
        assert order.location is not None
        return order.id, order.location, sorted((w.start, w.end) for w in order.time_windows)


def validate_replan(
    request: Request,
    state: Mapping[str, Any],
    plan: Mapping[str, Any],
    *,
    max_late: float | None = None,
) -> list[Violation]:
    """Every re-plan rule ``plan`` breaks against ``state`` (the state's JSON document);
    lateness up to ``max_late`` minutes (default: the request's ``max_late_minutes``)."""
    late = request.policy.max_late_minutes if max_late is None else max_late
    return ReplanChecker(request, state, plan, late).run()
