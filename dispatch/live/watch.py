"""What follows a change in the day: alerts raised, worsened or closed, and notices sent.

:func:`react` is the one entry point. Call it after every change to a plan's day (a
driver's or a carrier's event, and the service's tick for the rules that depend on time
alone), with the day's status as of that moment::

    with store.write() as session:
        ...record the event...
        status = day_status(plan, request_doc, road_events, carrier_events, now)
        react(session, plan_id, status, now, public_url=settings.public_url)

It writes the alert and notice rows and their outbox messages in the caller's transaction,
so they are committed, or rolled back, with the event; the outbox relay sends them after
the commit. Calling it twice with the same status changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.live.notices import (
    Directory,
    Ledger,
    NoticeDraft,
    NoticePolicy,
    language_for,
    plan_notices,
    render,
)
from dispatch.live.policy import LiveRules
from dispatch.live.rules import AlertState, evaluate, reconcile
from dispatch.live.status import DayStatus
from dispatch.live.tracking import link_expiry
from dispatch.store import (
    Alert,
    Notice,
    active_alerts,
    create_tracking_link,
    enqueue,
    get_plan,
    load_rules,
    notices_sent,
)
from dispatch.store.models import PlanRecord

TRACKING_PREFIX = "/t/"
TRACKING_GRACE = timedelta(days=2)
"""How long after the end of the plan day a customer's tracking link still works."""
ALERT_CHANNEL = "webhook"


@dataclass(frozen=True, slots=True)
class Reaction:
    """What :func:`react` changed: alert ids raised, updated and closed, notice ids written."""

    raised: tuple[int, ...] = ()
    updated: tuple[int, ...] = ()
    closed: tuple[int, ...] = ()
    notices: tuple[int, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.raised or self.updated or self.closed or self.notices)


@dataclass(frozen=True, slots=True)
class PlanFacts:
    """What :func:`react` needs of a stored plan, which never changes: who to tell, the
    carriers' contracted on-time rates, and the plan's day. Read once per plan."""

    directory: Directory
    contracts: Mapping[str, float]
    plan_date: date


def plan_facts(session: Session, plan_id: int) -> PlanFacts:
    """The :class:`PlanFacts` of stored plan ``plan_id`` (NotFoundError when there is none)."""
    record = get_plan(session, plan_id)
    request: Mapping[str, Any] = record.job.request
    contracts = {
        str(c["id"]): float(c.get("on_time_rate", 1.0))
        for c in request.get("carriers") or ()
        if isinstance(c, Mapping) and "id" in c
    }
    return PlanFacts(Directory.of_request(request), contracts, record.plan_date)


def tracking_link(public_url: str, token: str) -> str:
    """The customer's tracking page for ``token`` (relative when no public URL is set)."""
    return f"{public_url.rstrip('/')}{TRACKING_PREFIX}{token}"


def shortened(link: str, token: str) -> str:
    """The link as it is recorded: the token cut to its first characters."""
    return link.replace(token, token[:6] + "…")


def react(
    session: Session,
    plan_id: int,
    status: DayStatus,
    now: datetime,
    *,
    public_url: str = "",
    rules: LiveRules | None = None,
    facts: PlanFacts | None = None,
) -> Reaction:
    """Evaluate the rules and notices on ``status`` at ``now`` and record what changed.

    Raises an alert once per rule and subject, updates it when it gets worse (a higher
    severity, or a further step of its measure), closes it when it clears; composes the
    notices that are due (see :func:`dispatch.live.notices.plan_notices`), each with a new
    tracking link under ``public_url``. Every new or changed alert and every notice gets an
    outbox message in the same transaction. Concurrent calls on one plan are serialised by a
    row lock on the plan (PostgreSQL) or by the single writer (SQLite). ``facts`` are the
    plan's (read from the store when not given; a caller may keep them per plan).
    """
    if session.get_bind().dialect.name != "sqlite":
        session.execute(select(PlanRecord.id).where(PlanRecord.id == plan_id).with_for_update())
    rules = rules or load_rules(session)
    facts = facts or plan_facts(session, plan_id)
    raised, updated, closed = _alerts(session, plan_id, status, rules, now, facts.contracts)
    directory = facts.directory
    ledger = Ledger.of(notices_sent(session, plan_id))
    drafts = plan_notices(
        status, directory, rules.notices, ledger, notify_after=rules.order_late.minutes
    )
    expires_at = link_expiry(facts.plan_date, directory.timezone, grace=TRACKING_GRACE)
    notices = tuple(
        _notice(session, plan_id, draft, directory, rules.notices, now, public_url, expires_at)
        for draft in drafts
    )
    return Reaction(raised, updated, closed, notices)


def _alerts(
    session: Session,
    plan_id: int,
    status: DayStatus,
    rules: LiveRules,
    now: datetime,
    contracts: Mapping[str, float],
) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    findings = evaluate(status, rules, now, carrier_contracts=contracts)
    changes = reconcile(active_alerts(session, plan_id), findings)
    changed = [w.alert.id for w in changes.worsened] + [a.id for a in changes.closed]
    rows = {row.id: row for row in _alert_rows(session, changed)}
    raised: list[Alert] = []
    for finding in changes.raised:
        alert = Alert(
            plan_id=plan_id,
            rule=finding.rule.value,
            subject=finding.subject,
            severity=finding.severity,
            step=finding.step,
            state=AlertState.OPEN,
            message=finding.message,
            raised_at=now,
            updated_at=now,
        )
        session.add(alert)
        raised.append(alert)
    updated = []
    for worse in changes.worsened:
        row = rows[worse.alert.id]
        row.severity, row.step = worse.finding.severity, worse.finding.step
        row.message, row.updated_at = worse.finding.message, now
        if worse.reopens:
            row.state = AlertState.OPEN
        updated.append(row)
    closed = []
    for gone in changes.closed:
        row = rows[gone.id]
        row.state, row.closed_at, row.updated_at = AlertState.CLOSED, now, now
        closed.append(row)
    session.flush()
    for event, alerts in (("raised", raised), ("updated", updated), ("closed", closed)):
        for alert in alerts:
            doc = alert.document()
            enqueue(
                session,
                topic="alert",
                channel=ALERT_CHANNEL,
                plan_id=plan_id,
                now=now,
                payload={
                    "subject": f"[{alert.severity.value}] {event}: {alert.message}",
                    "body": alert.message,
                    "document": {**doc, "event": event},
                },
            )
    return tuple(a.id for a in raised), tuple(a.id for a in updated), tuple(a.id for a in closed)


def _alert_rows(session: Session, ids: list[int]) -> list[Alert]:
    if not ids:
        return []
    return list(session.scalars(select(Alert).where(Alert.id.in_(ids))))


def _notice(
    session: Session,
    plan_id: int,
    draft: NoticeDraft,
    directory: Directory,
    policy: NoticePolicy,
    now: datetime,
    public_url: str,
    expires_at: datetime,
) -> int:
    language = language_for(draft.recipient, policy.language)
    if draft.order is not None and draft.to.value == "customer":
        token = create_tracking_link(
            session, plan_id, order=draft.order, vehicle=draft.vehicle, expires_at=expires_at
        )
    else:
        token = create_tracking_link(
            session, plan_id, stop=draft.stop, vehicle=draft.vehicle, expires_at=expires_at
        )
    link = tracking_link(public_url, token)
    point = directory.point_names.get(draft.stop or "") if draft.stop else None

    def words(tracking: str) -> str:
        return render(
            draft,
            language=language,
            timezone=directory.timezone,
            tracking_link=tracking,
            point_name=point,
            currency=policy.compensation.currency,
        )

    channel = policy.channel
    if channel == "email" and not draft.recipient.email:
        channel = "log"
    compensation = draft.compensation
    notice = Notice(
        plan_id=plan_id,
        subject=draft.subject,
        kind=draft.kind.value,
        band=draft.band,
        audience=draft.to.value,
        order_id=draft.order,
        stop=draft.stop,
        vehicle=draft.vehicle,
        orders=list(draft.orders),
        channel=channel,
        language=language,
        text=words(shortened(link, token)),
        new_arrival=draft.new_arrival,
        reason=draft.reason,
        compensation_kind=compensation.kind.value if compensation else None,
        compensation_amount=compensation.amount if compensation else None,
        created_at=now,
    )
    session.add(notice)
    session.flush()
    text = words(link)
    enqueue(
        session,
        topic="notice",
        channel=channel,
        plan_id=plan_id,
        notice_id=notice.id,
        now=now,
        payload={
            "subject": _subject(draft, language),
            "body": text,
            "to_name": draft.recipient.name,
            "to_email": draft.recipient.email,
            "document": {**notice.document(), "text": text},
        },
    )
    return notice.id


_SUBJECTS = {
    "zh-TW": {"delay": "配送延誤通知", "failed": "配送未完成通知", "arrived": "商品已送達取貨點"},
    "en": {
        "delay": "Your delivery is delayed",
        "failed": "We could not deliver your order",
        "arrived": "Your group's goods have arrived",
    },
}


def _subject(draft: NoticeDraft, language: str) -> str:
    return _SUBJECTS[language][draft.kind.value]
