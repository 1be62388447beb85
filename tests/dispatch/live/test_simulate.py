"""A day on the road made up from a plan: hand-checked times, incidents, seeds."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from dispatch.live.live_day import prepare_day
from dispatch.live.predict import day_status
from dispatch.live.simulate import Delays, Incidents, SimEvent, as_received, simulate_day
from dispatch.live.status import CarrierKind, LiveKind, OrderState, RoadEvent
from dispatch.planning.plan import Plan
from tests.dispatch.live.test_predict import _plan, at

STILL = Delays(departure_max=0, leg_max=0)


def _road(events: list[SimEvent]) -> list[RoadEvent]:
    return [
        RoadEvent(
            str(e.body["event_id"]), str(e.vehicle), LiveKind(e.kind), e.at, e.sent_at,
            stop=e.body.get("stop"), reason=e.body.get("reason"),
        )
        for e in events
        if e.vehicle is not None
    ]  # fmt: skip


def _times(events: list[SimEvent]) -> list[tuple[str, str | None, str]]:
    return [(e.kind, e.body.get("stop"), e.at.strftime("%H:%M")) for e in events]


def test_without_delays_the_day_is_the_plan() -> None:
    """V01 leaves at 08:00, reaches PP-101 at 09:30 and leaves it at 09:38 (8 min service),
    then 09:55/10:03 and 10:20/10:28: the plan's own times, each stop arrived then delivered."""
    plan, request = _plan()
    events = simulate_day(prepare_day(plan, request), STILL)
    assert _times(events) == [
        ("departed", None, "08:00"),
        ("arrived", "PP-101", "09:30"), ("delivered", "PP-101", "09:38"),
        ("arrived", "PP-102", "09:55"), ("delivered", "PP-102", "10:03"),
        ("arrived", "PP-103", "10:20"), ("delivered", "PP-103", "10:28"),
    ]  # fmt: skip
    assert all(e.sent_at == e.at for e in events)
    assert len({e.body["event_id"] for e in events}) == len(events)
    status = day_status(plan, request, _road(events), (), at("12:00"))
    assert {o.state for o in status.orders} == {OrderState.DELIVERED}
    assert [s.predicted_late_minutes for s in status.routes[0].stops] == [0, 0, 0]


def test_incidents_fail_hold_and_silence() -> None:
    """PP-102 fails; 30 more minutes before PP-103; the phone is off for 40 minutes after
    PP-101, so the events of 09:38–10:18 reach the service at 10:18."""
    plan, request = _plan()
    trouble = Incidents(
        silent={"V01": ("PP-101", 40)},
        failed={("V01", "PP-102"): "closed"},
        held={("V01", "PP-103"): 30},
    )
    events = simulate_day(prepare_day(plan, request), STILL, trouble)
    assert _times(events) == [
        ("departed", None, "08:00"),
        ("arrived", "PP-101", "09:30"), ("delivered", "PP-101", "09:38"),
        ("arrived", "PP-102", "09:55"), ("failed", "PP-102", "10:03"),
        ("arrived", "PP-103", "10:50"), ("delivered", "PP-103", "10:58"),
    ]  # fmt: skip
    assert [e.sent_at.strftime("%H:%M") for e in events[3:5]] == ["10:18", "10:18"]
    assert events[4].body["reason"] == "closed"
    assert [e.sent_at for e in events[5:]] == [e.at for e in events[5:]]


def test_carriers_pick_up_then_deliver_within_their_hours() -> None:
    plan, request = _plan(
        outsourced=[{"region": "Xinyi", "carrier": "CAT", "orders": ["W-1", "W-2"], "cost": 80.0}]
    )
    events = [e for e in simulate_day(prepare_day(plan, request)) if e.carrier == "CAT"]
    assert sorted((e.body["order"], e.kind) for e in events) == [
        ("W-1", "delivered"), ("W-1", "picked_up"), ("W-2", "delivered"), ("W-2", "picked_up"),
    ]  # fmt: skip
    for e in events:
        hours = (at("10:00"), at("10:00")) if e.kind == "picked_up" else (at("12:00"), at("18:00"))
        assert hours[0] <= e.at <= hours[1]


def _first_done(plan: Plan) -> Plan:
    """The plan as a re-plan gives it once PP-101 was delivered at 09:30–09:38."""
    route = plan.routes[0]
    stops = (route.stops[0].model_copy(update={"done": "delivered"}), *route.stops[1:])
    return plan.model_copy(update={"routes": (route.model_copy(update={"stops": stops}),)})


def test_a_replanned_version_goes_on_from_its_last_done_stop() -> None:
    """Taken up at 09:38 the van goes on from PP-101 (left 09:38): the plan's own times, no
    departure and nothing of the done stop. Taken up at 10:00, it leaves PP-101 no earlier:
    17 min to PP-102 (10:17, 8 min service, 10:25), 17 more to PP-103 (10:42, 10:50)."""
    plan, request = _plan()
    day = prepare_day(_first_done(plan), request)
    assert _times(simulate_day(day, STILL, since=at("09:38"))) == [
        ("arrived", "PP-102", "09:55"), ("delivered", "PP-102", "10:03"),
        ("arrived", "PP-103", "10:20"), ("delivered", "PP-103", "10:28"),
    ]  # fmt: skip
    assert _times(simulate_day(day, STILL, since=at("10:00"))) == [
        ("arrived", "PP-102", "10:17"), ("delivered", "PP-102", "10:25"),
        ("arrived", "PP-103", "10:42"), ("delivered", "PP-103", "10:50"),
    ]  # fmt: skip


def test_taken_up_later_only_later_events_come_and_carriers_pick_up_after() -> None:
    plan, request = _plan(
        outsourced=[{"region": "Xinyi", "carrier": "CAT", "orders": ["W-1"], "cost": 80.0}]
    )
    day = prepare_day(plan, request)
    events = simulate_day(day, STILL, since=at("12:30"))
    assert "departed" not in [e.kind for e in events if e.vehicle]
    assert min(e.at for e in events) > at("12:30")
    (picked, delivered) = [e for e in events if e.carrier == "CAT"]
    assert picked.at == at("12:31")
    assert at("12:31") <= delivered.at <= at("18:00")
    road, carrier = as_received(simulate_day(day, STILL))
    assert [e.kind for e in road][:2] == [LiveKind.DEPARTED, LiveKind.ARRIVED]
    assert [(e.order, e.kind) for e in carrier] == [
        ("W-1", CarrierKind.PICKED_UP), ("W-1", CarrierKind.DELIVERED),
    ]  # fmt: skip


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.integers(0, 30), st.integers(0, 30))
def test_property_same_seed_same_day_and_never_ahead_of_the_plan(
    seed: int, departure_max: int, leg_max: int
) -> None:
    plan, request = _plan((4, 3))
    day = prepare_day(plan, request)
    delays = Delays(seed, departure_max, leg_max)
    events = simulate_day(day, delays)
    assert events == simulate_day(day, delays)
    planned = {
        (r.route.vehicle, s.visit.stop): at("00:00") + timedelta(minutes=s.arrival)
        for r in day.routes
        for s in r.stops
    }
    last: dict[str, datetime] = {}
    for e in events:
        assert e.vehicle is not None
        assert e.at >= last.get(e.vehicle, e.at)
        last[e.vehicle] = e.at
        if e.kind == "arrived":
            assert e.at >= planned[(e.vehicle, e.body["stop"])]
    status = day_status(plan, request, _road(events), (), at("23:00"))
    assert {o.state for o in status.orders} == {OrderState.DELIVERED}
