"""The demo day replayed on the live-day simulator, each version driven in turn, with a
breakdown at 11:00, twenty urgent orders at 13:00 and a carrier down at 14:00: done stops never
move, the broken van does nothing after 11:00, every order ends exactly once, and every
version passes the validator from its state (the same day through the API, with its KPIs, is
``tests/api/test_replan_day.py``)."""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest

from dispatch.intake.loading import load_request
from dispatch.intake.request import Request
from dispatch.live.live_day import prepare_day
from dispatch.live.simulate import Delays, Incidents, as_received, simulate_day
from dispatch.live.status import CarrierEvent, CarrierKind, RoadEvent
from dispatch.planning.day import plan_day
from dispatch.planning.plan import Plan
from dispatch.planning.validator import validate_plan, validate_replan
from dispatch.replan import ReplanSpec, day_state, effective_request, replan
from scenarios.demo import demo_request

pytestmark = pytest.mark.slow

DAY = "2026-12-08"


def _urgent(doc: dict[str, Any], count: int) -> list[dict[str, Any]]:
    """``count`` new orders at the day's pickup points, copied goods, new ids."""
    points = [o for o in doc["orders"] if o.get("pickup_point")][:count]
    return [{**copy.deepcopy(o), "id": f"URG-{k}"} for k, o in enumerate(points, start=1)]


@dataclass
class Replay:
    """The day so far: each version is driven from the re-plan's time, each fact sent once."""

    request: Request
    delays: Delays
    incidents: Incidents
    sent: set[tuple[str | None, str]] = field(default_factory=set)
    road: list[RoadEvent] = field(default_factory=list)
    carrier: list[CarrierEvent] = field(default_factory=list)

    def drive(self, plan: Plan, since: datetime | None, until: datetime) -> None:
        day = prepare_day(plan, self.request)
        for e in simulate_day(day, self.delays, self.incidents, since=since):
            key = (e.vehicle or e.carrier, str(e.body["event_id"]))
            if e.sent_at <= until and key not in self.sent:
                self.sent.add(key)
                road, carrier = as_received([e])
                self.road += road
                self.carrier += carrier


def _step(replay: Replay, plan: Plan, spec: ReplanSpec, version: int) -> Plan:
    state = day_state(plan, replay.request, replay.road, replay.carrier, spec)
    new = replan(replay.request, plan, state, spec, previous_plan_id=version, time_limit_s=2,
                 iterations=200)  # fmt: skip
    violations = validate_replan(replay.request, state.document(), new.document())
    assert violations == [], [str(v) for v in violations[:10]]
    return new


def _done(plan: Plan) -> dict[tuple[str, str], tuple[int, int]]:
    return {
        (r.vehicle, s.stop): (s.arrival, s.departure)
        for r in plan.routes for s in r.stops if s.done is not None
    }  # fmt: skip


def _final_places(plan: Plan) -> list[str]:
    places = [o for r in plan.routes for s in r.stops for o in s.orders]
    places += [o for w in plan.outsourced for o in w.orders]
    places += [u.order for u in plan.unserved]
    places += [c.order for c in plan.carried_over or ()]
    places += list(plan.cancelled or ())
    return places


def test_the_demo_day_replanned_three_times_keeps_what_happened() -> None:
    doc = demo_request(orders=150, date=DAY)
    doc["options"] = {"time_limit_s": 3, "seed": 0, "engine": "ortools"}
    doc["policy"]["pin"] = {"Xinyi": "CAT"}
    request = load_request(doc)
    v1 = plan_day(request, time_limit_s=3, iterations=300)
    assert validate_plan(request, v1.document()) == []
    live = prepare_day(v1, request)
    loading = request.depots[0].loading_minutes
    started = [r for r in v1.routes if r.start + loading < 10 * 60 + 30 and len(r.stops) > 2]
    broken = started[0].vehicle
    fail = {}
    if len(started) > 1:
        fail = {(started[1].vehicle, started[1].stops[0].stop): "nobody"}
    replay = Replay(request, Delays(seed=3), Incidents(failed=fail))

    at = breakdown = live.time(11 * 60)
    replay.drive(v1, None, at)
    down = [{"vehicle": broken, "at": at}]
    v2 = _step(replay, v1, ReplanSpec(at=at, vehicles_down=down), 1)

    replay.drive(v2, at, live.time(13 * 60))
    at = live.time(13 * 60)
    urgent = _urgent(doc, 20)
    spec = ReplanSpec(at=at, vehicles_down=down, add_orders=urgent, cancel_orders=[_undone(v2)])
    replay.request = request = load_request(effective_request(doc, spec))
    v3 = _step(replay, v2, spec, 2)
    delivered = {e.order for e in replay.carrier if e.kind is CarrierKind.DELIVERED}
    assert delivered, "no carrier delivered anything by 13:00"
    assert delivered <= {o for w in v3.outsourced for o in w.orders}

    replay.drive(v3, at, live.time(14 * 60))
    at = live.time(14 * 60)
    carriers = sorted({w.carrier for w in v3.outsourced}) or ["CAT"]
    spec = ReplanSpec(at=at, vehicles_down=down, carriers_down=carriers[:1])
    v4 = _step(replay, v3, spec, 3)

    assert not [e for e in replay.road if e.vehicle == broken and e.at > live.time(11 * 60)]
    versions = [v1, v2, v3, v4]
    assert _done(v2), "the day has done stops by 11:00"
    assert len(_done(v4)) > len(_done(v2))
    for before, after in itertools.pairwise(versions[1:]):
        kept = _done(before)
        assert {k: _done(after)[k] for k in kept} == kept
    for v in versions[1:]:
        route = v.route(broken)
        assert route is not None
        assert all(s.done is not None and s.departure <= 11 * 60 for s in route.stops)
    all_orders = [o.id for o in request.orders]
    final = _final_places(v4)
    assert sorted(final) == sorted(all_orders)
    failed = {o for e in replay.road if e.kind.value == "failed" and e.at <= breakdown
              for r in v1.routes if r.vehicle == e.vehicle for s in r.stops if s.stop == e.stop
              for o in s.orders}  # fmt: skip
    followed = {c.order for c in v2.carried_over or ()}
    followed |= {o for r in v2.routes for s in r.stops if s.done is None for o in s.orders}
    followed |= {o for w in v2.outsourced for o in w.orders}
    assert failed <= followed
    assert failed <= {o for r in v2.routes for s in r.stops for o in s.failed_orders or ()}
    assert {o["id"] for o in urgent} <= set(final)
    assert v4.changes is not None
    assert v4.changes.cost_after == v4.objective.total


def _undone(plan: Plan) -> str:
    return next(o for r in plan.routes for s in r.stops if s.done is None for o in s.orders)


def test_with_keep_assignments_the_vehicles_at_their_depots_keep_their_orders() -> None:
    doc = demo_request(orders=150, date=DAY)
    doc["options"] = {"time_limit_s": 3, "seed": 0, "engine": "ortools"}
    request = load_request(doc)
    v1 = plan_day(request, time_limit_s=3, iterations=300)
    live = prepare_day(v1, request)
    at = live.time(11 * 60)
    replay = Replay(request, Delays(departure_max=0, leg_max=0), Incidents())
    replay.drive(v1, None, at)
    probe = day_state(v1, request, replay.road, replay.carrier, ReplanSpec(at=at))
    running = [v for v in probe.vehicles if v.status == "running"]
    waiting = {o: v.vehicle for v in probe.vehicles if v.status == "waiting" for o in v.orders}
    assert running, "the day has vans on the road at 11:00"
    assert waiting, "the day has vans still at a depot at 11:00"
    broken = max(running, key=lambda v: len(v.on_board)).vehicle
    spec = ReplanSpec(at=at, vehicles_down=[{"vehicle": broken, "at": at}], keep_assignments=True)
    v2 = _step(replay, v1, spec, 1)
    after = {o: r.vehicle for r in v2.routes for s in r.stops for o in s.orders}
    assert v2.changes is not None
    explained = {m.order for m in v2.changes.orders_moved if m.reason}
    assert {o for o, v in waiting.items() if after.get(o) != v} <= explained
    before = v1.route(broken)
    assert before is not None
    done_by_then = {o for s in before.stops if s.departure <= 11 * 60 for o in s.orders}
    assert {o for o, v in after.items() if v == broken} <= done_by_then
