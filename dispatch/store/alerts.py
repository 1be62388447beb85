"""The live day's records: the stored alert rules, alerts, notices and customer tracking links.

A tracking link, like a driver link, is a random token stored only as its SHA-256 hash; it
points at one order, or at one stop of a route for a pickup point, and expires.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, bindparam, select, text, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from dispatch.errors import NotFoundError
from dispatch.live.policy import LiveRules
from dispatch.live.rules import ActiveAlert, AlertState, Severity
from dispatch.store.columns import Json, enum_column, utcnow
from dispatch.store.models import Base
from dispatch.store.paging import Page, paginate
from dispatch.store.tokens import new_token, token_hash

RULES_KEY = "live"


class AlertRuleSet(Base):
    """The stored rules (one row per key; ``live`` holds :class:`LiveRules`)."""

    __tablename__ = "alert_rules"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[Json]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(100), default="")


class Alert(Base):
    """An alert raised once per plan, rule and subject while it holds."""

    __tablename__ = "alerts"
    __table_args__ = (
        Index("ix_alerts_plan_id_state", "plan_id", "state"),
        Index(
            "uq_alerts_active",
            "plan_id",
            "rule",
            "subject",
            unique=True,
            sqlite_where=text("state != 'closed'"),
            postgresql_where=text("state != 'closed'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    rule: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(240))
    severity: Mapped[Severity] = mapped_column(enum_column(Severity, "alert_severity"))
    step: Mapped[int] = mapped_column(default=0)
    state: Mapped[AlertState] = mapped_column(enum_column(AlertState, "alert_state"))
    message: Mapped[str] = mapped_column(Text)
    raised_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[str | None] = mapped_column(String(100))
    closed_at: Mapped[datetime | None]

    def active(self) -> ActiveAlert:
        return ActiveAlert(self.id, self.rule, self.subject, self.severity, self.step, self.state)

    def document(self) -> Json:
        """The alert as the contract shows it (and as the webhook receives it)."""
        return {
            "id": self.id,
            "rule": self.rule,
            "subject": self.subject,
            "severity": self.severity.value,
            "state": self.state.value,
            "raised_at": self.raised_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "message": self.message,
            "plan_id": self.plan_id,
            "acknowledged_at": _iso(self.acknowledged_at),
            "closed_at": _iso(self.closed_at),
        }


class Notice(Base):
    """A notice to a customer or group leader, with what it promised."""

    __tablename__ = "notices"
    __table_args__ = (Index("ix_notices_plan_id_subject", "plan_id", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(240))
    kind: Mapped[str] = mapped_column(String(16))
    band: Mapped[int] = mapped_column(default=0)
    audience: Mapped[str] = mapped_column(String(16))
    order_id: Mapped[str | None] = mapped_column(String(128))
    stop: Mapped[str | None] = mapped_column(String(128))
    vehicle: Mapped[str | None] = mapped_column(String(80))
    orders: Mapped[list[Any]]
    channel: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    new_arrival: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(Text)
    compensation_kind: Mapped[str | None] = mapped_column(String(32))
    compensation_amount: Mapped[float | None]
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]

    def document(self) -> Json:
        """The notice as the contract shows it."""
        doc: Json = {"id": self.id, "plan_id": self.plan_id}
        if self.audience == "group_leader":
            doc["stop"] = self.stop
        else:
            doc["order"] = self.order_id
        compensation = None
        if self.compensation_kind is not None:
            compensation = {"kind": self.compensation_kind, "amount": self.compensation_amount}
        return {
            **doc,
            "to": self.audience,
            "kind": self.kind,
            "orders": list(self.orders),
            "vehicle": self.vehicle,
            "channel": self.channel,
            "language": self.language,
            "text": self.text,
            "new_arrival": _iso(self.new_arrival),
            "reason": self.reason,
            "compensation": compensation,
            "created_at": self.created_at.isoformat(),
            "sent_at": _iso(self.sent_at),
        }


class TrackingLink(Base):
    """A customer's tracking link: the hash of its token, never the token."""

    __tablename__ = "tracking_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    order_id: Mapped[str | None] = mapped_column(String(128))
    stop: Mapped[str | None] = mapped_column(String(128))
    vehicle: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


# Rules


def load_rules(session: Session) -> LiveRules:
    """The stored rules, or the defaults when none were stored."""
    row = session.get(AlertRuleSet, RULES_KEY)
    return LiveRules() if row is None else LiveRules.model_validate(row.value)


_STORED_RULES = select(AlertRuleSet.value).where(AlertRuleSet.key == RULES_KEY)


class KeptRules:
    """The stored rules, read on every call but parsed again only when their stored value
    changed (shared by request threads)."""

    def __init__(self) -> None:
        self._kept: tuple[Json, LiveRules] | None = None

    def load(self, session: Session) -> LiveRules:
        value = session.scalar(_STORED_RULES)
        if value is None:
            return LiveRules()
        kept = self._kept
        if kept is not None and kept[0] == value:
            return kept[1]
        rules = LiveRules.model_validate(value)
        self._kept = (value, rules)
        return rules


def save_rules(session: Session, rules: LiveRules, *, actor: str, now: datetime) -> LiveRules:
    value = rules.model_dump(mode="json")
    row = session.get(AlertRuleSet, RULES_KEY)
    if row is None:
        session.add(AlertRuleSet(key=RULES_KEY, value=value, updated_at=now, updated_by=actor))
    else:
        row.value, row.updated_at, row.updated_by = value, now, actor
    session.flush()
    return rules


# Alerts


_ACTIVE = (
    select(Alert.id, Alert.rule, Alert.subject, Alert.severity, Alert.step, Alert.state)
    .where(Alert.plan_id == bindparam("plan_id"), Alert.state != AlertState.CLOSED)
    .order_by(Alert.id)
)


def active_alerts(session: Session, plan_id: int) -> list[ActiveAlert]:
    """The plan's open and acknowledged alerts, oldest first."""
    return [ActiveAlert(*row) for row in session.execute(_ACTIVE, {"plan_id": plan_id})]


def list_alerts(
    session: Session,
    *,
    plan_id: int | None,
    state: AlertState | None,
    limit: int,
    offset: int,
) -> Page[Alert]:
    """Alerts, newest first."""
    query = select(Alert).order_by(Alert.id.desc())
    if plan_id is not None:
        query = query.where(Alert.plan_id == plan_id)
    if state is not None:
        query = query.where(Alert.state == state)
    return paginate(session, query, limit=limit, offset=offset)


def acknowledge_alert(session: Session, alert_id: int, *, actor: str, now: datetime) -> Alert:
    """Mark an open alert acknowledged (an acknowledged or closed one stays as it is)."""
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise NotFoundError("alert", alert_id)
    if alert.state is AlertState.OPEN:
        alert.state = AlertState.ACKNOWLEDGED
        alert.acknowledged_at, alert.acknowledged_by = now, actor
    return alert


def open_alert_counts(session: Session, plan_ids: Sequence[int]) -> dict[int, int]:
    """Open (not acknowledged, not closed) alerts per plan."""
    from sqlalchemy import func

    rows = session.execute(
        select(Alert.plan_id, func.count())
        .where(Alert.plan_id.in_(plan_ids), Alert.state == AlertState.OPEN)
        .group_by(Alert.plan_id)
    )
    return {int(plan_id): int(n) for plan_id, n in rows}


# Notices


_SENT = select(Notice.subject, Notice.kind, Notice.band).where(
    Notice.plan_id == bindparam("plan_id")
)


def notices_sent(session: Session, plan_id: int) -> list[tuple[str, str, int]]:
    """``(subject, kind, band)`` of every notice of the plan."""
    return [(s, k, b) for s, k, b in session.execute(_SENT, {"plan_id": plan_id})]


def list_notices(session: Session, *, plan_id: int | None, limit: int, offset: int) -> Page[Notice]:
    """Notices, oldest first."""
    query = select(Notice).order_by(Notice.id)
    if plan_id is not None:
        query = query.where(Notice.plan_id == plan_id)
    return paginate(session, query, limit=limit, offset=offset)


def mark_notice_sent(session: Session, notice_id: int, now: datetime) -> None:
    session.execute(
        update(Notice).where(Notice.id == notice_id, Notice.sent_at.is_(None)).values(sent_at=now)
    )


# Tracking links


@dataclass(frozen=True, slots=True)
class TrackedSubject:
    """What a live tracking token points at."""

    plan_id: int
    order: str | None
    stop: str | None
    vehicle: str | None
    expires_at: datetime


def create_tracking_link(
    session: Session,
    plan_id: int,
    *,
    order: str | None = None,
    stop: str | None = None,
    vehicle: str | None = None,
    expires_at: datetime,
) -> str:
    """A new token for an order (or a route's stop); only its hash is stored."""
    if (order is None) == (stop is None):
        raise ValueError("a tracking link is for one order or one stop")
    token = new_token()
    session.add(
        TrackingLink(
            token_hash=token_hash(token),
            plan_id=plan_id,
            order_id=order,
            stop=stop,
            vehicle=vehicle,
            expires_at=expires_at,
        )
    )
    session.flush()
    return token


def resolve_tracking_link(session: Session, token: str, *, now: datetime) -> TrackedSubject | None:
    """What a live token points at; None when it is unknown, expired or revoked."""
    link = session.scalar(select(TrackingLink).where(TrackingLink.token_hash == token_hash(token)))
    if link is None or link.revoked_at is not None or link.expires_at <= now:
        return None
    return TrackedSubject(link.plan_id, link.order_id, link.stop, link.vehicle, link.expires_at)
