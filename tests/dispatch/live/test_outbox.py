"""The outbox relay: sent once, retried with back-off, and nothing lost or doubled across a
restart, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from dispatch.live.notices import NoticePolicy
from dispatch.live.outbox import Relay, RelayPolicy, Round
from dispatch.live.policy import LiveRules
from dispatch.live.senders import Outgoing, SendError, Senders
from dispatch.live.wallclock import ManualClock
from dispatch.live.watch import react
from dispatch.store import (
    Notice,
    OutboxMessage,
    Store,
    claim,
    enqueue,
    mark_sent,
    outbox_counts,
    save_rules,
)
from tests.dispatch.live.days import at, day, route, stop


class Recorder:
    """A sender that keeps what it was given, failing the first ``fail`` attempts."""

    def __init__(self, name: str = "log", *, fail: int = 0) -> None:
        self.name, self.fail = name, fail
        self.sent: list[Outgoing] = []
        self._lock = threading.Lock()

    def send(self, message: Outgoing) -> None:
        with self._lock:
            if self.fail > 0:
                self.fail -= 1
                raise SendError("receiver down")
            self.sent.append(message)


def fill(store: Store, n: int, now: object) -> None:
    with store.write() as session:
        for i in range(n):
            enqueue(
                session, topic="alert", channel="log", now=now,  # type: ignore[arg-type]
                payload={"subject": f"m{i}", "body": "", "document": {"n": i}},
            )  # fmt: skip


def test_messages_are_sent_once_and_marked_sent(store: Store) -> None:
    """A drained outbox has every message sent exactly once; a second drain sends nothing."""
    clock = ManualClock(at("09:00"))
    fill(store, 7, clock.now())
    sender = Recorder()
    relay = Relay(store, Senders({"log": sender}), clock, policy=RelayPolicy(batch=3))
    assert relay.drain().sent == 7
    assert relay.drain().sent == 0
    assert sorted(m.document["n"] for m in sender.sent) == list(range(7))
    with store.read() as session:
        assert outbox_counts(session) == {"waiting": 0, "sent": 7, "failed": 0}


def test_failures_are_retried_with_exponential_back_off(store: Store) -> None:
    """5 s, then 10 s, then 20 s between attempts; given up after the last attempt."""
    clock = ManualClock(at("09:00"))
    fill(store, 1, clock.now())
    sender = Recorder(fail=2)
    policy = RelayPolicy(first_delay=timedelta(seconds=5), max_attempts=3)
    relay = Relay(store, Senders({"log": sender}), clock, policy=policy)
    assert relay.run_once().failed == 1
    clock.advance(timedelta(seconds=4))
    assert relay.run_once() == Round()
    clock.advance(timedelta(seconds=1))
    assert relay.run_once().failed == 1
    clock.advance(timedelta(seconds=9))
    assert relay.run_once().sent == 0
    clock.advance(timedelta(seconds=1))
    assert relay.run_once().sent == 1
    assert len(sender.sent) == 1

    fill(store, 1, clock.now())
    never = Recorder(fail=99)
    relay = Relay(store, Senders({"log": never}), clock, policy=policy)
    for _ in range(3):
        relay.run_once()
        clock.advance(timedelta(minutes=5))
    assert relay.run_once().failed == 0
    with store.read() as session:
        assert outbox_counts(session) == {"waiting": 0, "sent": 1, "failed": 1}
        last = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
        assert last is not None
        assert (last.attempts, last.last_error) == (3, "receiver down")


def test_a_restart_mid_send_loses_nothing_and_sends_nothing_twice(store: Store) -> None:
    """A process claims a batch and stops before sending: after the lease a new relay sends
    each message once; the stopped process's late record of a send is refused."""
    clock = ManualClock(at("09:00"))
    fill(store, 4, clock.now())
    with store.write() as session:
        stalled = claim(
            session, worker="stopped", now=clock.now(), lease=timedelta(seconds=60), limit=2
        )
    assert len(stalled) == 2
    sender = Recorder()
    relay = Relay(store, Senders({"log": sender}), clock, worker="restarted")
    assert relay.drain().sent == 2, "the leased messages wait for their lease to end"
    clock.advance(timedelta(seconds=61))
    assert relay.drain().sent == 2
    assert sorted(m.document["n"] for m in sender.sent) == [0, 1, 2, 3]
    with store.write() as session:
        assert not mark_sent(session, stalled[0].id, worker="stopped", now=clock.now())
    with store.read() as session:
        assert outbox_counts(session) == {"waiting": 0, "sent": 4, "failed": 0}


def test_concurrent_relays_send_each_message_once(store: Store) -> None:
    """Four relays draining together (SKIP LOCKED on PostgreSQL, one writer on SQLite)."""
    clock = ManualClock(at("09:00"))
    fill(store, 60, clock.now())
    sender = Recorder()
    relays = [
        Relay(store, Senders({"log": sender}), clock, policy=RelayPolicy(batch=5)) for _ in range(4)
    ]
    threads = [threading.Thread(target=r.drain) for r in relays]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    counts = Counter(m.id for m in sender.sent)
    assert len(counts) == 60
    assert set(counts.values()) == {1}


def test_a_sent_notice_records_its_time_and_forgets_its_token(store: Store, plan_id: int) -> None:
    """The notice's ``sent_at`` is set with the message; the message keeps no tracking token."""
    clock = ManualClock(at("09:05"))
    status = day(route("VAN#1", stop("H-1", ("H-1",), late=50, planned="09:30")))
    with store.write() as session:
        save_rules(
            session, LiveRules(notices=NoticePolicy(channel="email")), actor="t", now=clock.now()
        )
        (notice_id,) = react(session, plan_id, status, clock.now()).notices
    sender = Recorder("email")
    Relay(store, Senders({"email": sender}), clock).drain()
    assert [m.to_email for m in sender.sent if m.topic == "notice"] == ["wang@example.com"]
    assert "/t/" in next(m.body for m in sender.sent if m.topic == "notice")
    with store.read() as session:
        notice = session.get(Notice, notice_id)
        assert notice is not None
        assert notice.sent_at == clock.now()
        message = session.scalars(
            select(OutboxMessage).where(OutboxMessage.notice_id == notice_id)
        ).one()
        assert "body" not in message.payload


def test_a_drain_beside_the_loop_waits_for_its_batch(store: Store) -> None:
    """While the relay's batch is being sent the clock jumps past the lease and a second
    drain of the same relay starts: it waits, and every message is sent once."""
    clock = ManualClock(at("09:00"))
    fill(store, 4, clock.now())
    sending, go_on = threading.Event(), threading.Event()

    class Slow(Recorder):
        def send(self, message: Outgoing) -> None:
            sending.set()
            go_on.wait(5)
            super().send(message)

    sender = Slow()
    relay = Relay(store, Senders({"log": sender}), clock)
    loop = threading.Thread(target=relay.drain)
    loop.start()
    assert sending.wait(5)
    clock.advance(timedelta(minutes=5))
    second = threading.Thread(target=relay.drain)
    second.start()
    go_on.set()
    loop.join(10)
    second.join(10)
    assert Counter(m.id for m in sender.sent) == Counter({m.id: 1 for m in sender.sent})
    assert len(sender.sent) == 4
