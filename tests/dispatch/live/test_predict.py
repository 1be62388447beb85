"""Predicted arrivals, lateness, cold-chain ages and order states after the events so far."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from dispatch.live.live_day import prepare_day
from dispatch.live.predict import day_status, status_of
from dispatch.live.rules import AlertRules, Rule, Severity, evaluate
from dispatch.live.status import (
    CarrierEvent,
    CarrierKind,
    LiveKind,
    OrderState,
    RoadEvent,
    StopState,
)
from dispatch.planning.plan import Plan
from tests.api.driver_data import make_plan, make_request

TZ = ZoneInfo("Asia/Taipei")
DAY = date(2026, 12, 8)
SMALL = Path(__file__).resolve().parents[3] / "scenarios" / "examples" / "small.json"


def _plan(stops: tuple[int, ...] = (3,), **changes: Any) -> tuple[Plan, dict[str, Any]]:
    """V01 leaves DC-N at 08:00 (no loading); stops at 09:30, 09:55, 10:20 serve 8 minutes,
    drive 17 minutes between them and 47 back; windows 09:00–18:00; stop 2 chilled, 3 frozen."""
    doc = make_plan(stops)
    doc["date"] = DAY.isoformat()
    doc.update(changes)
    request = make_request(doc)
    request["vehicles"] = [
        {"id": "V01", "depot": "DC-N", "max_cold_minutes": {"chilled": 120, "frozen": 150}}
    ]
    return Plan.model_validate(doc), request


def at(hh_mm: str) -> datetime:
    h, m = map(int, hh_mm.split(":"))
    return datetime(DAY.year, DAY.month, DAY.day, h, m, tzinfo=TZ)


def ev(n: str, kind: LiveKind, when: str, stop: str | None = None, **kw: Any) -> RoadEvent:
    return RoadEvent(n, kw.pop("vehicle", "V01"), kind, at(when), at(when), stop=stop, **kw)


NOW = at("12:00")


def _times(status: Any, field: str) -> list[str | None]:
    (route, *_) = status.routes
    return [
        None if getattr(s, field) is None else getattr(s, field).strftime("%H:%M")
        for s in route.stops
    ]


def test_without_events_predictions_are_the_plans_times() -> None:
    """No event: every stop predicted at its planned arrival, every order planned."""
    plan, request = _plan()
    status = day_status(plan, request, [], [], NOW, plan_id=4)
    assert status.plan_id == 4
    assert _times(status, "predicted_arrival") == ["09:30", "09:55", "10:20"]
    assert _times(status, "planned_arrival") == ["09:30", "09:55", "10:20"]
    assert status.routes[0].predicted_end == at("11:15")
    assert {o.state for o in status.orders} == {OrderState.PLANNED}
    cold = [s.predicted_cold_minutes for s in status.routes[0].stops]
    assert cold == [None, 115, 140]
    assert [s.cold_limit_minutes for s in status.routes[0].stops] == [None, 120, 150]


def test_departure_shifts_the_route_and_the_cold_clock() -> None:
    """Leaving at 08:10 instead of 08:00 puts every stop ten minutes later; cold age counts
    from the real departure."""
    plan, request = _plan()
    status = day_status(plan, request, [ev("e1", LiveKind.DEPARTED, "08:10")], [], NOW)
    assert _times(status, "predicted_arrival") == ["09:40", "10:05", "10:30"]
    route = status.routes[0]
    assert route.departed_at == at("08:10")
    assert [s.predicted_cold_minutes for s in route.stops] == [None, 115, 140]
    assert {o.state for o in status.orders} == {OrderState.OUT_FOR_DELIVERY}
    assert route.position is not None
    assert (route.position.lat, route.position.lon) == (25.06, 121.52)


def test_arrival_delivery_and_failure_hand_checked() -> None:
    """Arrived 09:45 at stop 1, delivered 09:50: stop 2 at 10:07 (17 min drive), stop 3 at
    10:32; stop 2 fails at 10:20 (nobody home): stop 3 at 10:37, 7 minutes past a 10:30 end."""
    plan, request = _plan()
    doc = plan.document()
    doc["routes"][0]["stops"][2]["windows"] = [["09:00", "10:30"]]  # type: ignore[index]
    plan = Plan.model_validate(doc)
    events = [
        ev("e1", LiveKind.DEPARTED, "08:10"),
        ev("e2", LiveKind.ARRIVED, "09:45", "PP-101"),
    ]
    status = day_status(plan, request, events, [], NOW)
    assert _times(status, "actual_arrival") == ["09:45", None, None]
    assert _times(status, "predicted_arrival") == [None, "10:10", "10:35"]
    assert status.routes[0].stops[0].state is StopState.ARRIVED
    assert status.routes[0].stops[2].predicted_late_minutes == 5

    events.append(ev("e3", LiveKind.DELIVERED, "09:50", "PP-101", orders=("O-101-1", "O-101-2")))
    status = day_status(plan, request, events, [], NOW)
    assert _times(status, "predicted_arrival") == [None, "10:07", "10:32"]
    first = status.routes[0].stops[0]
    assert first.state is StopState.PARTLY_DELIVERED
    assert first.delivered_orders == ("O-101-1", "O-101-2")
    assert status.order("O-101-3").state is OrderState.OUT_FOR_DELIVERY  # type: ignore[union-attr]

    events.append(ev("e4", LiveKind.FAILED, "10:20", "PP-102", reason="nobody"))
    status = day_status(plan, request, events, [], NOW)
    stops = status.routes[0].stops
    assert [s.state for s in stops] == [
        StopState.PARTLY_DELIVERED, StopState.FAILED, StopState.PLANNED,
    ]  # fmt: skip
    assert _times(status, "predicted_arrival") == [None, None, "10:37"]
    assert stops[2].predicted_late_minutes == 7
    assert stops[2].predicted_cold_minutes == 147
    assert stops[1].predicted_cold_minutes == 130  # served at 10:20, 130 min after 08:10
    failed = status.order("O-102-1")
    assert failed is not None
    assert (failed.state, failed.reason) == (OrderState.FAILED, "nobody")
    assert status.routes[0].last_event is not None
    assert status.routes[0].last_event.event_id == "e4"


def test_events_of_one_minute_follow_the_route() -> None:
    """Stop 1 delivered and stop 2 reached in the same minute, 09:50: the van is at stop 2,
    serves it until 09:58 and reaches stop 3 at 10:15, whichever event came first."""
    plan, request = _plan()
    events = [
        ev("e1", LiveKind.DEPARTED, "08:10"),
        ev("e2", LiveKind.ARRIVED, "09:45", "PP-101"),
        ev("z3", LiveKind.DELIVERED, "09:50", "PP-101"),
        ev("a4", LiveKind.ARRIVED, "09:50", "PP-102"),
    ]
    for received in (events, events[::-1]):
        status = day_status(plan, request, received, [], NOW)
        stops = status.routes[0].stops
        assert [s.state for s in stops] == [
            StopState.DELIVERED, StopState.ARRIVED, StopState.PLANNED,
        ]  # fmt: skip
        assert _times(status, "actual_arrival") == ["09:45", "09:50", None]
        assert _times(status, "predicted_arrival") == [None, None, "10:15"]
        assert status.routes[0].last_event is not None
        assert status.routes[0].last_event.event_id == "a4"


def _box(region: str, south: float, north: float) -> dict[str, Any]:
    ring = [[121.5, south], [121.52, south], [121.52, north], [121.5, north], [121.5, south]]
    return {"type": "Feature", "properties": {"id": region},
            "geometry": {"type": "Polygon", "coordinates": [ring]}}  # fmt: skip


def test_own_fleet_orders_carry_their_region_and_count_in_its_late_share() -> None:
    """Stops 1 and 2 lie in South, stop 3 in North. Stop 2's window ends at 09:40 and the van
    leaves 10 minutes late, so its 3 orders are 25 minutes late: 3 of South's 6 (50%, above
    twice the 20% threshold: critical); North's 3 orders are too few to judge."""
    plan, request = _plan()
    doc = plan.document()
    doc["routes"][0]["stops"][1]["windows"] = [["09:00", "09:40"]]  # type: ignore[index]
    plan = Plan.model_validate(doc)
    request["pickup_points"].append({"id": "PP-103", "location": {"lat": 25.012, "lon": 121.51}})
    item = {"sku": "rice", "qty": 1, "weight_kg": 1, "volume_l": 1}
    request["orders"] = [
        {"id": f"O-{p}-{k}", "pickup_point": f"PP-{p}", "items": [item]}
        for p in (101, 102, 103)
        for k in (1, 2, 3)
    ]
    boxes = [_box("South", 25.0, 25.01), _box("North", 25.01, 25.02)]
    request["regions"] = {"type": "FeatureCollection", "features": boxes}
    status = day_status(plan, request, [ev("e1", LiveKind.DEPARTED, "08:10")], [], NOW)
    assert [(o.order, o.region, o.predicted_late_minutes) for o in status.orders] == [
        *((f"O-101-{k}", "South", 0) for k in (1, 2, 3)),
        *((f"O-102-{k}", "South", 25) for k in (1, 2, 3)),
        *((f"O-103-{k}", "North", 0) for k in (1, 2, 3)),
    ]
    shares = [f for f in evaluate(status, AlertRules(), NOW) if f.rule is Rule.REGION_LATE_SHARE]
    assert [(f.subject, f.severity, f.step) for f in shares] == [
        ("region:South", Severity.CRITICAL, 10)
    ]
    assert "3 of 6 orders" in shares[0].message

    del request["regions"]
    status = day_status(plan, request, [ev("e1", LiveKind.DEPARTED, "08:10")], [], NOW)
    assert {o.region for o in status.orders} == {None}


def test_position_recomputes_from_that_point() -> None:
    """From a position the drive to the next stop is great-circle × circuity at the request's
    speed (30 km/h, 1.3): 1 km north of stop 1 → 2.6 minutes."""
    plan, request = _plan()
    stop = plan.routes[0].stops[0].location
    assert stop.lat is not None
    north = stop.lat + 1 / 111.195
    events = [ev("p", LiveKind.POSITION, "09:00", lat=north, lon=stop.lon)]
    status = day_status(plan, request, events, [], NOW)
    first = status.routes[0].stops[0].predicted_arrival
    assert first is not None
    assert abs((first - at("09:00")).total_seconds() / 60 - 2.6) < 0.02
    assert status.routes[0].position is not None
    assert status.routes[0].position.lat == north


def test_a_stop_out_of_order_uses_the_travel_model() -> None:
    """Serving stop 2 first, the drive back to stop 1 is measured, not taken from the plan."""
    plan, request = _plan()
    events = [ev("x", LiveKind.DELIVERED, "09:40", "PP-102")]
    status = day_status(plan, request, events, [], NOW)
    s1, s2, s3 = status.routes[0].stops
    assert s2.state is StopState.DELIVERED
    assert s1.predicted_arrival is not None
    assert s3.predicted_arrival is not None
    # 0.004° of latitude apart: 0.445 km × 1.3 at 30 km/h ≈ 1.16 minutes
    assert abs((s1.predicted_arrival - at("09:40")).total_seconds() / 60 - 1.16) < 0.02
    assert s3.predicted_arrival > s1.predicted_arrival


def test_outsourced_unserved_and_carrier_events() -> None:
    """Outsourced orders follow their carrier's last event (another carrier's is ignored);
    unserved orders keep their reason."""
    plan, request = _plan(
        outsourced=[{"region": "Xinyi", "carrier": "CAT", "orders": ["W-1", "W-2", "W-3"],
                     "cost": 90.0}],
        unserved=[{"order": "U-1", "reason": "no vehicle can carry it", "code": "oversize"}],
    )  # fmt: skip
    carrier = [
        CarrierEvent("c1", "CAT", "W-1", CarrierKind.PICKED_UP, at("09:00"), at("09:00")),
        CarrierEvent("c2", "CAT", "W-1", CarrierKind.DELIVERED, at("11:00"), at("11:00")),
        CarrierEvent("c3", "CAT", "W-2", CarrierKind.FAILED, at("10:00"), at("10:00"), "closed"),
        CarrierEvent("c4", "HCT", "W-3", CarrierKind.DELIVERED, at("10:00"), at("10:00")),
    ]
    status = day_status(plan, request, [], reversed(carrier), NOW)
    states = {o.order: (o.state, o.reason) for o in status.orders if o.vehicle is None}
    assert states == {
        "W-1": (OrderState.CARRIER_DELIVERED, None),
        "W-2": (OrderState.FAILED, "closed"),
        "W-3": (OrderState.OUTSOURCED, None),
        "U-1": (OrderState.UNSERVED, "oversize"),
    }


def test_the_small_example_request_is_predicted_from_its_own_travel() -> None:
    """A plan of scenarios/examples/small.json: without events its predictions are its times."""
    request = json.loads(SMALL.read_text(encoding="utf-8"))
    from dispatch.planning.day import plan_request

    plan = plan_request(request, time_limit_s=1.0).plan
    status = day_status(plan, request, [], [], NOW)
    for route, planned in zip(status.routes, plan.routes, strict=True):
        zone = ZoneInfo(plan.timezone)
        got = [s.predicted_arrival.astimezone(zone).strftime("%H:%M") for s in route.stops]  # type: ignore[union-attr]
        assert got == [format(s.arrival // 60, "02d") + ":" + format(s.arrival % 60, "02d")
                       for s in planned.stops]  # fmt: skip


# Properties


def _events_strategy() -> st.SearchStrategy[list[RoadEvent]]:
    kinds = st.sampled_from(list(LiveKind))
    stops = st.sampled_from(["PP-101", "PP-102", "PP-103"])
    minute = st.integers(8 * 60, 13 * 60)

    @st.composite
    def events(draw: st.DrawFn) -> list[RoadEvent]:
        out = []
        for n in range(draw(st.integers(0, 8))):
            kind = draw(kinds)
            m = draw(minute)
            when = f"{m // 60:02d}:{m % 60:02d}"
            if kind is LiveKind.POSITION:
                out.append(ev(f"e{n}", kind, when, lat=25.0 + draw(st.floats(0, 0.02)), lon=121.51))
            elif kind is LiveKind.DEPARTED:
                out.append(ev(f"e{n}", kind, when))
            else:
                reason = "nobody" if kind is LiveKind.FAILED else None
                out.append(ev(f"e{n}", kind, when, draw(stops), reason=reason))
        return out

    return events()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 6), min_size=1, max_size=3))
def test_property_no_events_means_the_plan(stops: list[int]) -> None:
    """With no event, every predicted arrival is the planned one, on any plan."""
    plan, request = _plan(tuple(stops))
    status = day_status(plan, request, [], [], NOW)
    for route in status.routes:
        assert [s.predicted_arrival for s in route.stops] == [
            s.planned_arrival for s in route.stops
        ]


@st.composite
def _route_so_far(draw: st.DrawFn) -> tuple[int, list[tuple[str, LiveKind, str | None, int]]]:
    """A consistent route so far: departed, then 0–2 stops arrived at and delivered, in time
    order; (visited stops, [(id, kind, stop, minute)])."""
    minute = draw(st.integers(7 * 60, 9 * 60))
    events: list[tuple[str, LiveKind, str | None, int]] = [("dep", LiveKind.DEPARTED, None, minute)]
    visited = draw(st.integers(0, 2))
    for k in range(1, visited + 1):
        minute += draw(st.integers(0, 90))
        events.append((f"a{k}", LiveKind.ARRIVED, f"PP-10{k}", minute))
        minute += draw(st.integers(0, 30))
        events.append((f"d{k}", LiveKind.DELIVERED, f"PP-10{k}", minute))
    return visited, events


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@settings(max_examples=150, deadline=None)
@given(_route_so_far(), st.data(), st.integers(1, 180))
def test_property_a_delay_never_brings_later_stops_forward(
    so_far: tuple[int, list[tuple[str, LiveKind, str | None, int]]], data: st.DataObject, d: int
) -> None:
    """A delay of d minutes at one point of the route (that event and all after it happen d
    minutes later) never makes a later stop's predicted arrival earlier."""
    plan, request = _plan()
    visited, events = so_far
    cut = data.draw(st.integers(0, len(events) - 1))

    def predicted(delay: int) -> list[datetime | None]:
        shifted = [
            ev(n, kind, _clock(m + (delay if i >= cut else 0)), stop)
            for i, (n, kind, stop, m) in enumerate(events)
        ]
        status = day_status(plan, request, shifted, [], NOW)
        return [s.predicted_arrival for s in status.routes[0].stops[visited:]]

    for on_time, late in zip(predicted(0), predicted(d), strict=True):
        assert on_time is not None
        assert late is not None
        assert late >= on_time


@settings(max_examples=100, deadline=None)
@given(_events_strategy(), st.randoms(use_true_random=False))
def test_property_arrival_order_does_not_matter(events: list[RoadEvent], rnd: Any) -> None:
    """The same events, received in any order, give the same status."""
    plan, request = _plan()
    day = prepare_day(plan, request)
    shuffled = list(events)
    rnd.shuffle(shuffled)
    assert status_of(day, events, [], NOW) == status_of(day, shuffled, [], NOW)


def test_status_is_utc_safe() -> None:
    """Events given in UTC or in the plan's zone are the same instants."""
    plan, request = _plan()
    local = [ev("e1", LiveKind.DEPARTED, "08:10")]
    utc = [RoadEvent("e1", "V01", LiveKind.DEPARTED, at("08:10").astimezone(UTC), at("08:10"))]
    a = day_status(plan, request, local, [], NOW)
    b = day_status(plan, request, utc, [], NOW)
    assert _times(a, "predicted_arrival") == _times(b, "predicted_arrival")
