"""What a simulated live day must raise, computed apart from ``dispatch.live``: from the plan
document, its request, the events as received, and the contract's rules and default policy.

Predictions follow the contract in their plainest form: after a route's last event, each stop
still to come is reached after the plan's own drive from the previous one, waits for its next
window, and takes the plan's service time. Events of one minute are taken in route order (a
stop delivered before the next one reached), each stop's by kind. From those, at every moment
the service judges the day (after each event, and at each tick), this computes the findings of
every rule, plays the "raise once, update when worse, close when clear" ledger, and the notices
due per band.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from dispatch.intake.loading import load_request
from dispatch.sourcing.order_regions import ALL, assign_regions

LATE_AFTER = 15
LATE_CRITICAL = 60
SILENT_AFTER = 20
SHARE_PERCENT = 20
SHARE_MIN_ORDERS = 5
"""A region with at least 5 orders raises when more than 20% of them are late by more than
15 minutes (delivered, failed or still to come; a carrier's count as on time)."""
BANDS = (15, 30, 120)
"""The alert threshold, then the compensation tiers (coupon 50 over 30 min, fee over 2 h)."""
KIND_RANK = {"departed": 0, "position": 1, "arrived": 2, "delivered": 3, "failed": 4}
SEVERITY_RANK = {"warning": 1, "critical": 2}


def clock_minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def late_compensation(late: int) -> tuple[str, float | None] | None:
    if late > 120:
        return ("delivery_fee_refund", None)
    if late > 30:
        return ("coupon", 50.0)
    return None


@dataclass(frozen=True)
class Stop:
    name: str
    orders: tuple[str, ...]
    arrival: int
    departure: int
    service: int
    windows: tuple[tuple[int, int], ...]
    cold_limit: int | None
    pickup_point: bool

    def service_start(self, arrival: float) -> float:
        for a, b in sorted(self.windows):
            if arrival <= b:
                return max(arrival, a)
        return arrival

    def late(self, arrival: float) -> int:
        end = max(b for _, b in self.windows) if self.windows else None
        return 0 if end is None else max(0, math.ceil(arrival - end))


@dataclass(frozen=True)
class Route:
    vehicle: str
    departure: int
    stops: tuple[Stop, ...]


def routes_of(plan: Mapping[str, Any], request: Mapping[str, Any]) -> list[Route]:
    loading = {d["id"]: int(d.get("loading_minutes", 0)) for d in request["depots"]}
    limits: dict[str, dict[str, int]] = {}
    for v in request["vehicles"]:
        units = (
            [v["id"]]
            if v.get("count", 1) == 1
            else [f"{v['id']}#{k}" for k in range(1, v["count"] + 1)]
        )
        for unit in units:
            limits[unit] = v.get("max_cold_minutes") or {}
    temps = {o["id"]: {i["temperature"] for i in o.get("items", ()) if i.get("qty", 1) > 0}
             for o in request["orders"]}  # fmt: skip
    points = {p["id"] for p in request.get("pickup_points", ())}
    routes = []
    for r in plan["routes"]:
        stops = []
        for s in r["stops"]:
            classes = set().union(*(temps.get(o, set()) for o in s["orders"]))
            if s["unload"].get("chilled_l", 0) > 0:
                classes.add("chilled")
            if s["unload"].get("frozen_l", 0) > 0:
                classes.add("frozen")
            known = [limits[r["vehicle"]].get(c) for c in ("chilled", "frozen") if c in classes]
            cold = [int(x) for x in known if x is not None]
            stops.append(Stop(
                s["stop"], tuple(s["orders"]), clock_minutes(s["arrival"]),
                clock_minutes(s["departure"]),
                clock_minutes(s["departure"]) - clock_minutes(s["start_service"]),
                tuple((clock_minutes(a), clock_minutes(b)) for a, b in s.get("windows") or ()),
                min(cold) if cold else None, s["stop"] in points,
            ))  # fmt: skip
        start = clock_minutes(r["start"]) + loading.get(r["depot"], 0)
        routes.append(Route(r["vehicle"], start, tuple(stops)))
    return routes


@dataclass(frozen=True)
class StopNow:
    """Where a stop stands at one moment."""

    stop: Stop
    reached: bool
    served: str | None
    """``delivered``, ``failed`` or None."""
    arrival: float
    cold_age: float


class Expected:
    """The alerts and notices a day must give, fed the events as the service receives them."""

    def __init__(self, plan: Mapping[str, Any], request: Mapping[str, Any]) -> None:
        zone = ZoneInfo(plan["timezone"])
        self.origin = datetime.combine(
            datetime.fromisoformat(plan["date"]).date(), time(0), tzinfo=zone
        )
        self.routes = routes_of(plan, request)
        self.region_of = {
            order: region
            for order, region in assign_regions(load_request(request)).region_of.items()
            if region != ALL
        }
        self.outsourced = [(w["region"], len(w["orders"])) for w in plan["outsourced"]]
        self.heard: dict[str, list[dict[str, Any]]] = {r.vehicle: [] for r in self.routes}
        self.open: dict[tuple[str, str], tuple[str, int]] = {}
        self.transitions: list[tuple[str, str, str]] = []
        self.alerts: list[tuple[str, str, str, str]] = []
        """(rule, subject, severity, state) of every alert, once the day is over."""
        self._rows: dict[tuple[str, str], int] = {}
        self.bands: dict[str, int] = {}
        self.told: set[tuple[str, str]] = set()
        self.notices: list[tuple[str, str, str, tuple[str, float | None] | None]] = []
        """(to, subject, kind, compensation) of every notice."""

    def minutes(self, at: datetime) -> float:
        return (at - self.origin).total_seconds() / 60

    def receive(self, vehicle: str, body: Mapping[str, Any]) -> None:
        heard = self.heard[vehicle]
        heard.append(dict(body))
        place = {s.name: k for k, s in enumerate(self._route(vehicle).stops)}
        heard.sort(key=lambda e: (datetime.fromisoformat(e["at"]), place.get(e.get("stop"), -1),
                                  KIND_RANK[e["kind"]], e["event_id"]))  # fmt: skip

    def _route(self, vehicle: str) -> Route:
        return next(r for r in self.routes if r.vehicle == vehicle)

    def _route_now(self, route: Route) -> tuple[list[StopNow], datetime | None]:
        events = self.heard[route.vehicle]
        departed = next((e for e in events if e["kind"] == "departed"), None)
        arrived: dict[str, float] = {}
        served: dict[str, tuple[str, float]] = {}
        anchor: tuple[float, int] | None = None
        in_service = False
        index = {s.name: k for k, s in enumerate(route.stops)}
        for e in events:
            t = self.minutes(datetime.fromisoformat(e["at"]))
            if e["kind"] == "departed":
                anchor, in_service = (t, -1), False
            elif e["kind"] == "arrived":
                arrived.setdefault(e["stop"], t)
                anchor, in_service = (t, index[e["stop"]]), True
            else:
                served.setdefault(e["stop"], (e["kind"], t))
                anchor, in_service = (t, index[e["stop"]]), False
        cold_start = (
            self.minutes(datetime.fromisoformat(departed["at"])) if departed else route.departure
        )
        t, at = (route.departure, -1) if anchor is None else anchor
        out = []
        for k, stop in enumerate(route.stops):
            if stop.name in served:
                kind, when = served[stop.name]
                arrival = arrived.get(stop.name, when)
                out.append(StopNow(stop, True, kind, arrival,
                                   stop.service_start(arrival) - cold_start))  # fmt: skip
                continue
            if stop.name in arrived:
                arrival = arrived[stop.name]
                if in_service and at == k:
                    t = stop.service_start(arrival) + stop.service
            else:
                leave = route.departure if k == 0 else route.stops[k - 1].departure
                arrival = t + max(0, stop.arrival - leave)
                t = stop.service_start(arrival) + stop.service
            at = k
            out.append(StopNow(stop, stop.name in arrived, None, arrival,
                               stop.service_start(arrival) - cold_start))  # fmt: skip
        last = max((datetime.fromisoformat(e["at"]) for e in events), default=None)
        return out, last if departed else None

    def judge(self, now: datetime) -> None:
        """The rules and notices at ``now``, after the events received so far."""
        findings: dict[tuple[str, str], tuple[str, int]] = {}
        regions: dict[str, list[int]] = {}
        for region, count in self.outsourced:
            regions.setdefault(region, [0, 0])[0] += count
        for route in self.routes:
            stops, last = self._route_now(route)
            for s in stops:
                late = s.stop.late(s.arrival)
                for order in s.stop.orders:
                    if order in self.region_of:
                        members = regions.setdefault(self.region_of[order], [0, 0])
                        members[0] += 1
                        members[1] += late > LATE_AFTER
                if s.served is None and late > LATE_AFTER:
                    severity = "critical" if late > LATE_CRITICAL else "warning"
                    for order in s.stop.orders:
                        findings[("order_late", f"order:{order}")] = (severity, late // 15)
                subject = f"stop:{route.vehicle}/{s.stop.name}"
                if s.served == "failed":
                    findings[("stop_failed", subject)] = ("warning", len(s.stop.orders))
                limit = s.stop.cold_limit
                if s.served is None and limit is not None and round(s.cold_age) > limit:
                    findings[("cold_chain", subject)] = (
                        "critical",
                        (round(s.cold_age) - limit) // 15,
                    )
                self._notices(route, s, late)
            if last is not None and any(s.served is None for s in stops):
                silent = int((now - last).total_seconds() // 60)
                if silent >= SILENT_AFTER:
                    severity = "critical" if silent >= 2 * SILENT_AFTER else "warning"
                    findings[("route_silent", f"route:{route.vehicle}")] = (
                        severity, silent // SILENT_AFTER)  # fmt: skip
        for region, (members, late) in regions.items():
            share = 100 * late / members
            if members >= SHARE_MIN_ORDERS and share > SHARE_PERCENT:
                critical = share > 2 * SHARE_PERCENT
                findings[("region_late_share", f"region:{region}")] = (
                    "critical" if critical else "warning", int(share // 5))  # fmt: skip
        self._reconcile(findings)

    def _reconcile(self, findings: Mapping[tuple[str, str], tuple[str, int]]) -> None:
        for key, (severity, step) in findings.items():
            was = self.open.get(key)
            if was is None:
                self.open[key] = (severity, step)
                self._rows[key] = len(self.alerts)
                self.alerts.append((*key, severity, "open"))
                self.transitions.append((*key, "raised"))
            elif (SEVERITY_RANK[severity], step) > (SEVERITY_RANK[was[0]], was[1]):
                self.open[key] = (severity, step)
                self.alerts[self._rows[key]] = (*key, severity, "open")
                self.transitions.append((*key, "updated"))
        for key in [k for k in self.open if k not in findings]:
            severity, _ = self.open.pop(key)
            self.alerts[self._rows.pop(key)] = (*key, severity, "closed")
            self.transitions.append((*key, "closed"))

    def _notices(self, route: Route, s: StopNow, late: int) -> None:
        band = sum(1 for b in BANDS if late > b)
        if s.stop.pickup_point:
            subjects = [(f"stop:{route.vehicle}/{s.stop.name}", "group_leader")]
            pending = not s.reached and s.served is None
        else:
            subjects = [(f"order:{o}", "customer") for o in s.stop.orders]
            pending = s.served is None
        for subject, to in subjects:
            if s.served is not None and (subject, s.served) not in self.told:
                self.told.add((subject, s.served))
                kind = "arrived" if s.served == "delivered" else "failed"
                if kind == "arrived" and to == "customer":
                    continue
                compensation = ("free_redelivery", None) if kind == "failed" else None
                self.notices.append((to, subject, kind, compensation))
            if pending and band > self.bands.get(subject, 0):
                self.bands[subject] = band
                self.notices.append((to, subject, "delay", late_compensation(late)))
