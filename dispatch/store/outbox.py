"""The outbox: messages written in the same transaction as the change that caused them, then
claimed, sent and marked sent once by :class:`dispatch.live.outbox.Relay`.

A claim is a lease: the claiming worker's id and a time until which no other worker takes
the row. On PostgreSQL the claim selects ``FOR UPDATE SKIP LOCKED``, so workers never wait
on each other; on SQLite a write transaction (``BEGIN IMMEDIATE``) is the single writer.
Marking sent, or failed, checks the lease is still the worker's, so a worker whose lease
ran out (it stalled, or its process stopped) cannot mark a row another worker took.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from dispatch.store.alerts import mark_notice_sent
from dispatch.store.models import Base, Json


class OutboxMessage(Base):
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_sent_at_next_attempt_at", "sent_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(String(16))
    """``alert`` or ``notice``."""
    channel: Mapped[str] = mapped_column(String(16))
    """``log``, ``webhook`` or ``email``: which sender the relay hands it to."""
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id", ondelete="SET NULL"))
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id", ondelete="SET NULL"))
    payload: Mapped[Json]
    created_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    """Set when the relay gave up after its last attempt."""
    last_error: Mapped[str | None] = mapped_column(Text)


@dataclass(frozen=True, slots=True)
class Claimed:
    """A message leased to one worker."""

    id: int
    topic: str
    channel: str
    payload: Json
    attempts: int


def enqueue(
    session: Session,
    *,
    topic: str,
    channel: str,
    payload: Json,
    now: datetime,
    plan_id: int | None = None,
    notice_id: int | None = None,
) -> OutboxMessage:
    """Add a message to the outbox, in the caller's transaction."""
    message = OutboxMessage(
        topic=topic,
        channel=channel,
        payload=payload,
        created_at=now,
        next_attempt_at=now,
        plan_id=plan_id,
        notice_id=notice_id,
    )
    session.add(message)
    session.flush()
    return message


def claim(
    session: Session, *, worker: str, now: datetime, lease: timedelta, limit: int
) -> list[Claimed]:
    """Lease up to ``limit`` due messages (unsent, not given up, not leased) to ``worker``."""
    due = (
        select(OutboxMessage)
        .where(
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.failed_at.is_(None),
            OutboxMessage.next_attempt_at <= now,
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until <= now),
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claimed = []
    for message in session.scalars(due):
        message.claimed_by, message.claimed_until = worker, now + lease
        message.attempts += 1
        claimed.append(
            Claimed(message.id, message.topic, message.channel, message.payload, message.attempts)
        )
    session.flush()
    return claimed


def _held(message_id: int, worker: str) -> Any:
    return (
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.claimed_by == worker,
            OutboxMessage.sent_at.is_(None),
        )
        .execution_options(synchronize_session=False)
    )


def mark_sent(
    session: Session, message_id: int, *, worker: str, now: datetime, payload: Json | None = None
) -> bool:
    """Record the message sent (``payload`` replaces the stored one, e.g. without secrets);
    False when the lease is no longer ``worker``'s or it was sent already."""
    values: dict[str, Any] = {"sent_at": now, "claimed_until": None, "last_error": None}
    if payload is not None:
        values["payload"] = payload
    done = session.execute(_held(message_id, worker).values(**values)).rowcount  # type: ignore[attr-defined]
    if done:
        notice_id = session.scalar(
            select(OutboxMessage.notice_id).where(OutboxMessage.id == message_id)
        )
        if notice_id is not None:
            mark_notice_sent(session, notice_id, now)
    return bool(done)


def mark_failed(
    session: Session,
    message_id: int,
    *,
    worker: str,
    now: datetime,
    error: str,
    retry_at: datetime | None,
) -> bool:
    """Record a failed attempt: due again at ``retry_at``, or given up when it is None."""
    values: dict[str, Any] = {"claimed_until": None, "last_error": error[:2000]}
    if retry_at is None:
        values["failed_at"] = now
    else:
        values["next_attempt_at"] = retry_at
    return bool(session.execute(_held(message_id, worker).values(**values)).rowcount)  # type: ignore[attr-defined]


def outbox_counts(session: Session) -> dict[str, int]:
    """Messages waiting, sent and given up."""
    from sqlalchemy import func

    waiting = session.scalar(
        select(func.count()).where(
            OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None)
        )
    )
    sent = session.scalar(select(func.count()).where(OutboxMessage.sent_at.is_not(None)))
    failed = session.scalar(select(func.count()).where(OutboxMessage.failed_at.is_not(None)))
    return {"waiting": int(waiting or 0), "sent": int(sent or 0), "failed": int(failed or 0)}
