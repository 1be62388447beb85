"""The demo day driven through the HTTP API and re-planned three times: a van breaks down at
11:00, twenty urgent orders arrive at 13:00, a carrier stops at 14:00, and the rest of the
day is driven on the newest version through the drivers' first links. Done stops never
move, the broken van does nothing more, every order ends exactly once, every version passes
the validator from its state, and ``GET /kpis`` equals the count made here from the events.
"""

from __future__ import annotations

import copy
import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from dispatch.clock import parse_clock
from dispatch.intake.loading import load_request
from dispatch.live.live_day import LiveDay, prepare_day
from dispatch.live.simulate import Delays, Incidents, SimEvent, simulate_day
from dispatch.live.wallclock import ManualClock
from dispatch.planning.plan import Plan
from dispatch.planning.validator import validate_plan, validate_replan
from dispatch.replan.job import job_state
from dispatch.store import Role, Store, create_key, get_plan, road_events
from scenarios.demo import demo_request
from tests.api.job_data import wait_job
from tests.api.test_live_day import CARRIER_SECRETS, every, post

pytestmark = pytest.mark.slow

ORDERS = 160
BREAKDOWN, URGENT, CARRIER_DOWN = "11:00", "13:00", "14:00"
COLD = ("chilled", "frozen")


@contextmanager
def service(database_url: str, clock: ManualClock) -> Iterator[TestClient]:
    settings = Settings(
        database_url=database_url, load_demo=True, demo_orders=ORDERS, workers=1, clock=clock,
        carrier_secrets=CARRIER_SECRETS, outbox_interval_s=0, tick_interval_s=0,
    )  # fmt: skip
    with TestClient(create_app(settings)) as client:
        yield client


@dataclass
class Road:
    """A driver's event as it was sent, with the orders of the stop it was sent for."""

    vehicle: str
    kind: str
    at: datetime
    stop: str | None
    orders: tuple[str, ...]
    reason: str | None


@dataclass
class Day:
    """The day as the test drives it: the service, the links, and every event sent."""

    client: TestClient
    clock: ManualClock
    headers: dict[str, str]
    day: str
    tokens: dict[str, str] = field(default_factory=dict)
    sent: set[tuple[str, str]] = field(default_factory=set)
    road: list[Road] = field(default_factory=list)
    carrier: list[tuple[str, str, str, datetime]] = field(default_factory=list)

    def time(self, hh_mm: str) -> datetime:
        return datetime.fromisoformat(f"{self.day}T{hh_mm}:00+08:00")

    def plan(self, plan_id: int) -> dict[str, Any]:
        doc: dict[str, Any] = self.client.get(f"/plans/{plan_id}", headers=self.headers).json()
        return doc

    def link(self, plan_id: int, plan: Mapping[str, Any]) -> None:
        """Links for the vehicles that have none yet; the others keep their first link."""
        new = [r["vehicle"] for r in plan["routes"] if r["vehicle"] not in self.tokens]
        if not new:
            return
        response = self.client.post(
            f"/plans/{plan_id}/driver-links", json={"vehicles": new}, headers=self.headers
        )
        assert response.status_code == 201, response.text
        for vehicle, link in response.json()["links"].items():
            self.tokens[vehicle] = link.rsplit("/", 1)[-1]

    def drive(self, live: LiveDay, events: Iterable[SimEvent], until: datetime | None) -> None:
        """Send the events up to ``until`` (all when None), each fact once, the clock set to
        when it arrives; a driver's event goes to the newest version through the link."""
        for event in events:
            if until is not None and event.sent_at > until:
                break
            who = event.vehicle or event.carrier
            assert who is not None
            key = (who, str(event.body["event_id"]))
            if key in self.sent:
                continue
            self.sent.add(key)
            self.clock.set(event.sent_at)
            post(self.client, self.tokens, event)
            body = event.body
            if event.vehicle is not None:
                stop = body.get("stop")
                orders: tuple[str, ...] = ()
                if stop is not None and event.kind != "arrived":
                    route = live.plan.route(event.vehicle)
                    assert route is not None
                    visit = next(s for s in route.stops if s.stop == stop and s.done is None)
                    orders = visit.orders
                self.road.append(
                    Road(event.vehicle, event.kind, event.at, stop, orders, body.get("reason"))
                )
            else:
                assert event.carrier is not None
                self.carrier.append((event.carrier, str(body["order"]), event.kind, event.at))

    def replan(self, plan_id: int, body: dict[str, Any]) -> int:
        response = self.client.post(f"/plans/{plan_id}/replan", json=body, headers=self.headers)
        assert response.status_code == 202, response.text
        job = wait_job(
            lambda j: self.client.get(f"/jobs/{j}", headers=self.headers).json(),
            response.json()["job_id"],
            timeout=120,
        )
        assert job["status"] == "succeeded", f"{body.get('at')}: {job}"
        return int(job["plan_id"])


def _plan_day(d: Day) -> int:
    """The stored demo day planned (Xinyi's orders given to CAT, so a carrier has work)."""
    body = {"date": d.day, "options": {"time_limit_s": 2}, "policy": {"pin": {"Xinyi": "CAT"}}}
    response = d.client.post("/plans", json=body, headers=d.headers)
    assert response.status_code == 202, response.text
    job = wait_job(
        lambda j: d.client.get(f"/jobs/{j}", headers=d.headers).json(),
        response.json()["job_id"],
        timeout=120,
    )
    assert job["status"] == "succeeded", job
    return int(job["plan_id"])


def _store(client: TestClient) -> Store:
    store: Store = client.app.state.store  # type: ignore[attr-defined]
    return store


def _state_check(client: TestClient, plan_id: int, plan: Mapping[str, Any]) -> None:
    """The version (as the API gives it) passes the validator from the state its re-plan
    started from, read again from the stored events."""
    with _store(client).read() as session:
        document = dict(get_plan(session, plan_id).job.request)
        request, _, state, _, _ = job_state(session, document)
    violations = validate_replan(request, state.document(), plan)
    assert violations == [], [str(v) for v in violations[:10]]


def _done(plan: Mapping[str, Any]) -> dict[tuple[str, str], tuple[Any, ...]]:
    return {
        (r["vehicle"], s["stop"]): (s["arrival"], s["departure"], s["done"])
        for r in plan["routes"] for s in r["stops"] if s.get("done")
    }  # fmt: skip


def _trouble(live: LiveDay) -> tuple[str, Incidents]:
    """The van that breaks down (out before 11:00, with the most stops planned after 11:00),
    and the two earliest stops of the other vans, both planned before 12:00: nobody
    at the first (re-delivered), the second closed (carried over to the next day)."""
    out = [lr for lr in live.routes if lr.stops and lr.departure < 11 * 60]
    assert out, "no van of the demo plan leaves before 11:00"
    broken = max(out, key=lambda lr: sum(1 for s in lr.stops if s.arrival > 11 * 60))
    assert any(s.arrival > 11 * 60 for s in broken.stops), "every van out is back by 11:00"
    first, second = sorted(
        (s.arrival, lr.route.vehicle, s.visit.stop) for lr in live.routes if lr is not broken
         for s in lr.stops
    )[:2]  # fmt: skip
    assert second[0] < 12 * 60, "the demo plan has fewer than two stops before 12:00"
    failed = {(first[1], first[2]): "nobody", (second[1], second[2]): "closed"}
    return broken.route.vehicle, Incidents(failed=failed)


def _urgent(request: Mapping[str, Any], count: int) -> list[dict[str, Any]]:
    """``count`` new orders at the day's pickup points still open after 15:00: copied goods,
    new ids."""
    late = {
        p["id"] for p in request["pickup_points"]
        if any(parse_clock(w["end"]) >= 15 * 60 for w in p["time_windows"])
    }  # fmt: skip
    points = [o for o in request["orders"] if o.get("pickup_point") in late][:count]
    assert len(points) == count
    return [{**copy.deepcopy(o), "id": f"URG-{k}"} for k, o in enumerate(points, start=1)]


def test_the_demo_day_replanned_three_times_through_the_api(tmp_path: Path) -> None:
    day_text = demo_request(orders=0)["date"]
    clock = ManualClock(datetime.fromisoformat(f"{day_text}T06:00:00+08:00"))
    with service(f"sqlite:///{tmp_path}/replan-day.sqlite", clock) as client:
        with _store(client).write() as session:
            headers = {"Authorization": f"Bearer {create_key(session, Role.DISPATCHER)[1]}"}
        d = Day(client, clock, headers, day_text)
        v1 = _plan_day(d)
        with _store(client).read() as session:
            request = dict(get_plan(session, v1).job.request)
        plan1 = d.plan(v1)
        assert validate_plan(load_request(request), plan1) == []
        d.link(v1, plan1)
        first_links = dict(d.tokens)
        live = prepare_day(Plan.model_validate(plan1), request, plan_id=v1)
        broken, trouble = _trouble(live)
        delays = Delays(seed=11)

        d.drive(live, simulate_day(live, delays, trouble), d.time(BREAKDOWN))
        down = [{"vehicle": broken, "at": d.time(BREAKDOWN).isoformat()}]
        v2 = d.replan(v1, {"at": d.time(BREAKDOWN).isoformat(), "vehicles_down": down,
                           "time_limit_s": 2})  # fmt: skip
        versions = [v1, v2]

        def go_on(plan_id: int, since: str, until: str | None) -> dict[str, Any]:
            plan = d.plan(plan_id)
            d.link(plan_id, plan)
            day = prepare_day(Plan.model_validate(plan), request, plan_id=plan_id)
            events = simulate_day(day, delays, trouble, since=d.time(since))
            assert not [e for e in events if e.vehicle == broken]
            d.drive(day, events, None if until is None else d.time(until))
            return plan

        go_on(v2, BREAKDOWN, URGENT)
        urgent = _urgent(request, 20)
        v3 = d.replan(v2, {"at": d.time(URGENT).isoformat(), "vehicles_down": down,
                           "add_orders": urgent, "time_limit_s": 2})  # fmt: skip
        versions.append(v3)
        plan3 = go_on(v3, URGENT, CARRIER_DOWN)
        delivered_by_carrier = {o for _, o, kind, _ in d.carrier if kind == "delivered"}
        open_work = Counter(
            w["carrier"] for w in plan3["outsourced"] for o in w["orders"]
            if o not in delivered_by_carrier
        )  # fmt: skip
        assert open_work, "no carrier has orders left at 14:00"
        stopped = open_work.most_common(1)[0][0]
        v4 = d.replan(v3, {"at": d.time(CARRIER_DOWN).isoformat(), "vehicles_down": down,
                           "carriers_down": [stopped], "time_limit_s": 2})  # fmt: skip
        versions.append(v4)
        final = go_on(v4, CARRIER_DOWN, None)

        follow = client.get(f"/d/{first_links[broken]}", headers={"Accept-Language": "en"})
        assert follow.status_code == 200
        with _store(client).read() as session:
            followed = [len(road_events(session, v)) for v in versions]  # with earlier ones
        plans = [d.plan(v) for v in versions]
        client.app.state.live.relay.drain()  # type: ignore[attr-defined]
        notices = [n for v in versions for n in every(client, "/notices", v, headers)]
        for v, plan in zip(versions[1:], plans[1:], strict=True):
            _state_check(client, v, plan)
        kpis = client.get("/kpis", params={"from": day_text, "to": day_text}, headers=headers)
        by_vehicle = client.get(
            "/kpis", params={"from": day_text, "to": day_text, "group_by": "vehicle"},
            headers=headers,
        )  # fmt: skip
        assert kpis.status_code == by_vehicle.status_code == 200

    assert [p.get("previous_plan_id") for p in plans] == [None, *versions[:-1]]
    cuts = [d.time(t) for t in (BREAKDOWN, URGENT, CARRIER_DOWN)]
    assert [b - a for a, b in zip([0, *followed], followed, strict=False)] == [
        sum(1 for e in d.road if (a is None or e.at > a) and (b is None or e.at <= b))
        for a, b in zip([None, *cuts], [*cuts, None], strict=True)
    ], "each event goes to the version in force through the driver's first link"
    for before, after in itertools.pairwise(plans):
        kept = _done(before)
        assert kept.items() <= _done(after).items()
    assert len(_done(final)) > len(_done(plans[1]))
    cut = d.time(BREAKDOWN)
    assert not [e for e in d.road if e.vehicle == broken and e.at > cut]
    for plan in plans[1:]:
        route: Mapping[str, Any] = next(
            (r for r in plan["routes"] if r["vehicle"] == broken), {"stops": []}
        )
        assert all(s.get("done") and parse_clock(s["departure"]) <= 11 * 60 for s in route["stops"])

    typed = load_request({**request, "orders": [*request["orders"], *urgent]})
    ends = _ends(final, d)
    assert sorted(ends) == sorted(o.id for o in typed.orders)
    kinds = Counter(kind for kind, _ in ends.values())
    assert set(kinds) <= {"delivered", "failed", "carried_over", "carrier", "unserved"}, kinds
    assert all(
        reason for kind, reason in ends.values() if kind != "delivered" and kind != "carrier"
    )
    assert kinds["carried_over"] >= 1
    assert kinds["delivered"] > ORDERS // 2
    failed_first = {
        o for e in d.road if e.kind == "failed" and e.reason == "nobody" for o in e.orders
    }
    assert failed_first
    assert all(ends[o][0] != "unserved" for o in failed_first), {o: ends[o] for o in failed_first}
    assert any(ends[o["id"]][0] == "delivered" for o in urgent), {
        o["id"]: ends[o["id"]] for o in urgent
    }

    expected = _kpis(request, urgent, final, d, notices)
    want = expected["total"]
    assert want["open"] == 0
    assert want["routes"] >= 2
    assert want["carrier_share"] > 0
    assert want["cold_orders"] > 0
    assert want["notices"] > 0
    total = kpis.json()["total"]
    assert {k: total[k] for k in expected["total"]} == expected["total"]
    rows = {r["group"]: r for r in by_vehicle.json()["data"]}
    assert set(rows) == set(expected["vehicle"])
    for group, want in expected["vehicle"].items():
        assert {k: rows[group][k] for k in want} == want, group


def _ends(final: Mapping[str, Any], d: Day) -> dict[str, tuple[str, str | None]]:
    """How each order of the day ended: its last delivered or failed event on the route that
    holds it in the newest version, or its carrier's, or where the plan put it."""
    ends: dict[str, tuple[str, str | None]] = {}
    last: dict[tuple[str, str], Road] = {}
    for e in sorted(d.road, key=lambda e: e.at):
        if e.kind in ("delivered", "failed"):
            for o in e.orders:
                last[(e.vehicle, o)] = e
    for r in final["routes"]:
        for s in r["stops"]:
            for o in s["orders"]:
                end = last.get((r["vehicle"], o))
                assert end is not None, f"{o} on {r['vehicle']} never ended"
                assert o not in ends
                ends[o] = (end.kind, end.reason)
    carrier_last: dict[tuple[str, str], str] = {}
    for carrier, o, kind, _ in sorted(d.carrier, key=lambda c: c[3]):
        if kind != "picked_up":
            carrier_last[(carrier, o)] = kind
    for w in final["outsourced"]:
        for o in w["orders"]:
            assert carrier_last.get((w["carrier"], o)) == "delivered", o
            assert o not in ends
            ends[o] = ("carrier", None)
    for key in ("unserved", "carried_over"):
        for u in final.get(key) or ():
            assert u["order"] not in ends
            ends[u["order"]] = (key, u["reason"])
    return ends


def _window_end(request: Mapping[str, Any], order: Mapping[str, Any]) -> int | None:
    points = {p["id"]: p for p in request["pickup_points"]}
    windows = (
        points[order["pickup_point"]]["time_windows"]
        if order.get("pickup_point")
        else order.get("time_windows") or []
    )
    return max((parse_clock(w["end"]) for w in windows), default=None)


def _windows(request: Mapping[str, Any], order: Mapping[str, Any]) -> list[tuple[int, int]]:
    points = {p["id"]: p for p in request["pickup_points"]}
    windows = (
        points[order["pickup_point"]]["time_windows"]
        if order.get("pickup_point")
        else order.get("time_windows") or []
    )
    return sorted((parse_clock(w["start"]), parse_clock(w["end"])) for w in windows)


def _temps(order: Mapping[str, Any]) -> set[str]:
    return {i.get("temperature", "ambient") for i in order.get("items") or () if i.get("qty", 1)}


@dataclass
class _Fact:
    order: str
    vehicle: str
    outcome: str
    reason: str | None = None
    late: int | None = None
    from_departure: float | None = None
    cold_ok: bool | None = None
    cost: float = 0.0
    own: bool = True


def _kpis(
    request: Mapping[str, Any], urgent: list[dict[str, Any]], final: Mapping[str, Any], d: Day,
    notices: list[dict[str, Any]],
) -> dict[str, Any]:  # fmt: skip
    """The KPIs of the day counted here from the events sent (README, "KPIs")."""
    orders = {o["id"]: o for o in [*request["orders"], *urgent]}
    origin = d.time("00:00")
    units: dict[str, Mapping[str, Any]] = {}
    for v in request["vehicles"]:
        count = v.get("count", 1)
        for k in range(1, count + 1):
            units[v["id"] if count == 1 else f"{v['id']}#{k}"] = v
    loading = {p["id"]: p.get("loading_minutes", 0) for p in request["depots"]}
    carried = {c["order"] for c in final.get("carried_over") or ()}

    def minutes(at: datetime) -> float:
        return (at - origin).total_seconds() / 60

    by_vehicle: dict[str, list[Road]] = defaultdict(list)
    for e in d.road:
        by_vehicle[e.vehicle].append(e)
    facts: list[_Fact] = []
    used: dict[str, tuple[float | None, float | None]] = {}
    for r in final["routes"]:
        v = r["vehicle"]
        events = sorted(by_vehicle.get(v, []), key=lambda e: e.at)
        departed = next((e.at for e in events if e.kind == "departed"), None)
        arrived: dict[str, datetime] = {}
        served: dict[str, datetime] = {}
        ended: dict[str, Road] = {}
        names = {s["stop"] for s in r["stops"]}
        for e in events:
            if e.stop is None or e.stop not in names:
                continue
            if e.kind == "arrived":
                arrived.setdefault(e.stop, e.at)
            elif e.kind in ("delivered", "failed"):
                served.setdefault(e.stop, e.at)
                for o in e.orders:
                    ended[o] = e
        n = sum(len(s["orders"]) for s in r["stops"])
        share = r["cost"]["total"] / n if events and n else 0.0
        unit = units[v]
        limits = unit.get("max_cold_minutes") or {}
        left = (
            minutes(departed)
            if departed is not None
            else parse_clock(r["start"]) + loading.get(r["depot"], 0)
        )
        for s in r["stops"]:
            actual = arrived.get(s["stop"]) or served.get(s["stop"])
            stop_temps = set().union(*(_temps(orders[o]) for o in s["orders"]))
            if s["unload"].get("chilled_l", 0) > 0:
                stop_temps.add("chilled")
            if s["unload"].get("frozen_l", 0) > 0:
                stop_temps.add("frozen")
            for o in s["orders"]:
                if o in carried:
                    continue
                last = ended.get(o)
                if last is None:
                    facts.append(_Fact(o, v, "open", cost=share))
                    continue
                if last.kind == "failed":
                    facts.append(_Fact(o, v, "failed", last.reason, cost=share))
                    continue
                assert actual is not None
                arrival = minutes(actual)
                end = _window_end(request, orders[o])
                late = 0 if end is None else max(0, math.ceil(arrival - end - 1e-9))
                ok = None
                if _temps(orders[o]) & set(COLD):
                    begin = next(
                        (max(arrival, a) for a, b in _windows(request, orders[o]) if arrival <= b),
                        arrival,
                    )
                    known = [limits[t] for t in COLD if t in stop_temps and t in limits]
                    ok = not known or round(begin - left) <= min(known)
                since = None if departed is None else (last.at - departed).total_seconds() / 60
                facts.append(_Fact(o, v, "delivered", None, late, since, ok, share))
        if departed is not None:
            cap, load = unit["capacity"], r["load"]
            shares = [load[k] / cap[k] for k in ("weight_kg", "volume_l") if cap.get(k, 0) > 0]
            shift = parse_clock(unit["shift"]["end"]) - parse_clock(unit["shift"]["start"])
            worked = max(0.0, (events[-1].at - departed).total_seconds() / 60)
            used[v] = (max(shares) if shares else None, worked / shift if shift > 0 else None)
    for w in final["outsourced"]:
        mine = sorted((c for c in d.carrier if c[0] == w["carrier"]), key=lambda c: c[3])
        cost = w["cost"] / len(w["orders"])
        for o in w["orders"]:
            picked = next((at for _, x, kind, at in mine if x == o and kind == "picked_up"), None)
            done = [(kind, at) for _, x, kind, at in mine if x == o and kind != "picked_up"]
            if not done:
                facts.append(_Fact(o, w["carrier"], "open", cost=cost, own=False))
                continue
            kind, at = done[-1]
            end = _window_end(request, orders[o])
            late = 0 if end is None else max(0, math.ceil(minutes(at) - end - 1e-9))
            since = None if picked is None else (at - picked).total_seconds() / 60
            facts.append(_Fact(o, w["carrier"], kind, None, late, since, None, cost, own=False))
    for u in final["unserved"]:
        facts.append(_Fact(u["order"], "unserved", "unserved", own=False))

    subject_vehicle = {f.order: f.vehicle for f in facts}
    sent = sorted(
        (n for n in notices if n["sent_at"] is not None), key=lambda n: (n["sent_at"], n["id"])
    )

    def subject(n: Mapping[str, Any]) -> str:
        return (
            f"order:{n['order']}" if n["to"] == "customer" else f"stop:{n['vehicle']}/{n['stop']}"
        )

    paying = {subject(n): n["id"] for n in sent if n["compensation"] is not None}
    paid = [
        (n, (n["compensation"]["amount"] or 0.0) if paying.get(subject(n)) == n["id"] else 0.0)
        for n in sent
    ]

    def row(fs: list[_Fact], routes: list[tuple[float | None, float | None]],
            told: Sequence[tuple[Mapping[str, Any], float]]) -> dict[str, Any]:  # fmt: skip
        n = len(fs)
        delivered = [f for f in fs if f.outcome == "delivered"]
        failed = [f for f in fs if f.outcome == "failed"]
        delays = [f.late for f in delivered if f.late is not None]
        timed = [f.from_departure for f in delivered if f.from_departure is not None]
        cold = [f.cold_ok for f in fs if f.cold_ok is not None]
        cost = sum(f.cost for f in fs)
        loads = [a for a, _ in routes if a is not None]
        times = [b for _, b in routes if b is not None]

        def ratio(a: float, b: float, digits: int = 4) -> float | None:
            return None if b == 0 else round(a / b, digits)

        def mean(xs: list[float], digits: int = 1) -> float | None:
            return None if not xs else round(sum(xs) / len(xs), digits)

        ordered = sorted(delays)
        return {
            "orders": n,
            "delivered": len(delivered),
            "failed": len(failed),
            "failed_by_reason": dict(sorted(Counter(f.reason or "" for f in failed).items())),
            "unserved": sum(1 for f in fs if f.outcome == "unserved"),
            "open": sum(1 for f in fs if f.outcome == "open"),
            "success_rate": ratio(len(delivered), n),
            "on_time_rate": ratio(sum(1 for x in delays if x == 0), len(delays)),
            "avg_delay_minutes": mean([float(x) for x in delays]),
            "p95_delay_minutes": float(ordered[math.ceil(0.95 * len(ordered)) - 1])
            if ordered else None,
            "avg_minutes_from_departure": mean(timed),
            "cost": round(cost, 2),
            "cost_per_delivered_order": ratio(cost, len(delivered), 2),
            "own_share": ratio(sum(1 for f in fs if f.own), n),
            "carrier_share": ratio(sum(1 for f in fs if not f.own and f.outcome != "unserved"), n),
            "routes": len(routes),
            "load_utilisation": mean(loads, 4),
            "time_utilisation": mean(times, 4),
            "cold_orders": len(cold),
            "cold_chain_compliance": ratio(sum(1 for ok in cold if ok), len(cold)),
            "notices": len(told),
            "compensation_total": round(sum(x for _, x in told), 2),
        }  # fmt: skip

    def group_of(n: Mapping[str, Any]) -> str:
        order = n.get("order") or next(iter(n["orders"]), "")
        return subject_vehicle.get(order, "unassigned")

    groups = sorted({f.vehicle for f in facts} | set(used) | {group_of(n) for n, _ in paid})

    def told_by(vehicle: str) -> list[tuple[Mapping[str, Any], float]]:
        return [(n, x) for n, x in paid if group_of(n) == vehicle]

    return {
        "total": row(facts, list(used.values()), paid),
        "vehicle": {
            g: row([f for f in facts if f.vehicle == g], [used[g]] if g in used else [], told_by(g))
            for g in groups
        },
    }
