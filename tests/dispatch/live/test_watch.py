"""``react``: alerts, notices, tracking links and outbox messages written in one transaction."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from dispatch.live.rules import AlertState
from dispatch.live.status import DayStatus, StopState
from dispatch.live.tick import live_plans, tick
from dispatch.live.wallclock import ManualClock
from dispatch.live.watch import react
from dispatch.store import (
    Alert,
    Notice,
    OutboxMessage,
    Store,
    create_driver_link,
    list_alerts,
    resolve_tracking_link,
)
from tests.dispatch.live.days import at, day, route, stop

VAN = "VAN#1"


def late_day(pp_late: int = 40, home_late: int = 20) -> DayStatus:
    return day(
        route(
            VAN,
            stop("PP-1", ("A-1", "A-2"), late=pp_late, planned="09:00"),
            stop("H-1", ("H-1",), late=home_late, planned="09:30"),
            heard="09:00",
        )
    )


def count(store: Store, table: type) -> int:
    with store.read() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def test_react_raises_alerts_and_notices_with_their_outbox_messages(
    store: Store, plan_id: int
) -> None:
    """Three late orders are three alerts; the pickup point's group leader and the home
    customer get one notice each; every one has an outbox message."""
    now = at("09:05")
    with store.write() as session:
        reaction = react(session, plan_id, late_day(), now, public_url="https://d.example")
    assert len(reaction.raised) == 3
    assert len(reaction.notices) == 2
    assert count(store, OutboxMessage) == 5
    with store.read() as session:
        notices = {n.subject: n for n in session.scalars(select(Notice))}
        leader, home = notices["stop:VAN#1/PP-1"], notices["order:H-1"]
        assert (leader.audience, leader.orders, leader.channel) == (
            "group_leader", ["A-1", "A-2"], "log",
        )  # fmt: skip
        assert (leader.compensation_kind, leader.compensation_amount) == ("coupon", 50)
        assert home.compensation_kind is None
        assert "https://d.example/t/" in home.text
        assert home.text.count("…") == 1, "the stored link's token is shortened"
        outbox = session.scalars(select(OutboxMessage).where(OutboxMessage.notice_id == home.id))
        (message,) = list(outbox)
        body = message.payload["body"]
        token = body.split("https://d.example/t/")[1].split()[0]
        found = resolve_tracking_link(session, token, now=now)
        assert found is not None
        assert (found.plan_id, found.order) == (plan_id, "H-1")


def test_react_twice_on_the_same_status_changes_nothing(store: Store, plan_id: int) -> None:
    """No duplicate alerts, notices or messages."""
    with store.write() as session:
        react(session, plan_id, late_day(), at("09:05"))
    before = count(store, OutboxMessage)
    with store.write() as session:
        assert not react(session, plan_id, late_day(), at("09:06"))
    assert count(store, OutboxMessage) == before
    assert count(store, Alert) == 3


def test_alerts_update_when_worse_and_close_when_clear(store: Store, plan_id: int) -> None:
    """The home order 20 → 80 min late updates its alert to critical; delivered, it closes."""
    with store.write() as session:
        react(session, plan_id, late_day(), at("09:05"))
    with store.write() as session:
        worse = react(session, plan_id, late_day(home_late=80), at("09:10"))
    assert len(worse.updated) == 1
    with store.read() as session:
        alert = session.get(Alert, worse.updated[0])
        assert alert is not None
        assert (alert.subject, alert.severity.value, alert.state) == (
            "order:H-1", "critical", AlertState.OPEN,
        )  # fmt: skip
    delivered = day(
        route(
            VAN,
            stop("PP-1", ("A-1", "A-2"), late=40, planned="09:00"),
            stop("H-1", ("H-1",), state=StopState.DELIVERED, late=80, planned="09:30"),
            heard="10:50",
        )
    )
    with store.write() as session:
        cleared = react(session, plan_id, delivered, at("10:50"))
    assert cleared.closed == worse.updated
    with store.read() as session:
        page = list_alerts(session, plan_id=plan_id, state=AlertState.CLOSED, limit=10, offset=0)
        assert [a.subject for a in page.items] == ["order:H-1"]


def test_a_rolled_back_event_leaves_no_alert_or_message(store: Store, plan_id: int) -> None:
    """Alerts, notices and outbox messages share the caller's transaction."""

    def failing_event() -> None:
        with store.write() as session:
            react(session, plan_id, late_day(), at("09:05"))
            raise RuntimeError("the event failed after react")

    with pytest.raises(RuntimeError):
        failing_event()
    assert count(store, Alert) == count(store, Notice) == count(store, OutboxMessage) == 0


def test_the_tick_raises_a_silence_alert_on_a_live_plan(store: Store, plan_id: int) -> None:
    """With a live driver link the plan is watched: 25 silent minutes raise route_silent."""
    clock = ManualClock(at("09:10"))
    with store.write() as session:
        create_driver_link(session, plan_id, VAN, at("23:59"))
        assert live_plans(session, clock.now()) == [plan_id]
    quiet = day(route(VAN, stop("PP-1", ("A-1", "A-2")), stop("H-1", ("H-1",)), heard="09:00"))
    assert tick(store, clock, lambda session, pid, now: quiet) == {}
    clock.advance(timedelta(minutes=15))
    (reaction,) = tick(store, clock, lambda session, pid, now: quiet).values()
    with store.read() as session:
        (alert,) = [session.get(Alert, i) for i in reaction.raised]
        assert alert is not None
        assert (alert.rule, alert.subject) == ("route_silent", "route:VAN#1")
