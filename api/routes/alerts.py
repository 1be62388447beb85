"""Alert rules, alerts and notices: read by every role; rules changed and alerts
acknowledged by dispatchers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from api.deps import MAX_ID, Dispatcher, PagingDep, Reader, ReadSession, RecordId, WriteSession
from api.problems import problem_responses
from api.schemas import Page
from dispatch.live.policy import LiveRules
from dispatch.live.rules import AlertState
from dispatch.live.wallclock import WallClock
from dispatch.store import (
    Alert,
    Notice,
    acknowledge_alert,
    audit,
    get_plan,
    list_alerts,
    list_notices,
    load_rules,
    save_rules,
)

router = APIRouter(tags=["alerts"], responses=problem_responses(400, 401, 403, 404, 422))


async def get_clock(request: Request) -> WallClock:
    clock: WallClock = request.app.state.clock
    return clock


ClockDep = Annotated[WallClock, Depends(get_clock)]
PlanFilter = Annotated[
    int | None, Query(ge=1, le=MAX_ID, description="Only this plan's", examples=[12])
]


class AlertOut(BaseModel):
    """An alert: raised once per rule and subject, updated when worse, closed when clear."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 3, "rule": "order_late", "subject": "order:LINE-88123",
                    "severity": "warning", "state": "open",
                    "raised_at": "2026-12-08T10:42:00+08:00",
                    "updated_at": "2026-12-08T10:42:00+08:00",
                    "message": "order LINE-88123 predicted 22 min late at PP-017 (VAN-NH#1)",
                    "plan_id": 12, "acknowledged_at": None, "closed_at": None,
                }
            ]
        }
    )  # fmt: skip

    id: int
    rule: str
    subject: str = Field(description="order:<id>, stop:<vehicle>/<stop>, route:<vehicle>, "
                         "region:<id> or carrier:<id>")  # fmt: skip
    severity: Literal["info", "warning", "critical"]
    state: Literal["open", "acknowledged", "closed"]
    raised_at: datetime
    updated_at: datetime
    message: str
    plan_id: int
    acknowledged_at: datetime | None = None
    closed_at: datetime | None = None


class CompensationOut(BaseModel):
    kind: str
    amount: float | None = None


class NoticeOut(BaseModel):
    """A notice to a customer (``order``) or a group leader (``stop``), with its promise."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 5, "plan_id": 12, "order": "LINE-88123", "to": "customer",
                    "kind": "delay", "orders": ["LINE-88123"], "vehicle": "VAN-NH#1",
                    "channel": "email", "language": "zh-TW",
                    "text": "王小姐 您好,很抱歉,您的訂單 LINE-88123 將延誤約 45 分鐘送達,...",
                    "new_arrival": "2026-12-08T11:27:00+08:00", "reason": "behind_schedule",
                    "compensation": {"kind": "coupon", "amount": 50},
                    "created_at": "2026-12-08T10:42:00+08:00",
                    "sent_at": "2026-12-08T10:42:03+08:00",
                }
            ]
        }
    )  # fmt: skip

    id: int
    plan_id: int
    order: str | None = None
    stop: str | None = None
    to: Literal["customer", "group_leader"]
    kind: Literal["delay", "failed", "arrived"]
    orders: list[str]
    vehicle: str | None = None
    channel: str
    language: str
    text: str = Field(description="As sent, with the tracking link's token shortened")
    new_arrival: datetime | None = None
    reason: str | None = None
    compensation: CompensationOut | None = None
    created_at: datetime
    sent_at: datetime | None = None


def _alert(alert: Alert) -> AlertOut:
    return AlertOut.model_validate(alert.document())


def _notice(notice: Notice) -> NoticeOut:
    doc: dict[str, Any] = notice.document()
    return NoticeOut.model_validate(doc)


_RULES_EXAMPLE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/json": {"example": LiveRules().model_dump(mode="json")}}}
}


@router.get("/alert-rules", responses=_RULES_EXAMPLE)
def read_rules(session: ReadSession, _: Reader) -> LiveRules:
    """The alert rules with their thresholds, and how customers are told (language,
    channel, compensation policy).

    **Roles:** admin, dispatcher, planner.
    """
    return load_rules(session)


@router.put("/alert-rules", responses=_RULES_EXAMPLE)
def replace_rules(
    rules: LiveRules, session: WriteSession, who: Dispatcher, clock: ClockDep
) -> LiveRules:
    """Replace the rules (fields left out take their defaults); they apply from the next
    event or tick.

    **Roles:** admin, dispatcher.
    """
    save_rules(session, rules, actor=who.actor, now=clock.now())
    audit(
        session,
        who.actor,
        "alert_rules.replace",
        "alert-rules",
        rules=rules.model_dump(mode="json"),
    )
    return rules


@router.get("/alerts")
def read_alerts(
    session: ReadSession,
    paging: PagingDep,
    _: Reader,
    plan_id: PlanFilter = None,
    state: Annotated[AlertState | None, Query(description="open, acknowledged, closed")] = None,
) -> Page[AlertOut]:
    """Alerts, newest first.

    **Roles:** admin, dispatcher, planner.
    """
    if plan_id is not None:
        get_plan(session, plan_id)
    page = list_alerts(
        session, plan_id=plan_id, state=state, limit=paging.limit, offset=paging.offset
    )
    return Page(data=[_alert(a) for a in page.items], count=page.count)


@router.post("/alerts/{alert_id}/ack")
def acknowledge(
    alert_id: RecordId, session: WriteSession, who: Dispatcher, clock: ClockDep
) -> AlertOut:
    """Acknowledge an open alert: it stays until it clears (and opens again if its severity
    rises). Acknowledging twice, or a closed alert, changes nothing.

    **Roles:** admin, dispatcher.
    """
    alert = acknowledge_alert(session, alert_id, actor=who.actor, now=clock.now())
    audit(session, who.actor, "alerts.ack", f"alert:{alert_id}")
    session.flush()
    return _alert(alert)


@router.get("/notices")
def read_notices(
    session: ReadSession, paging: PagingDep, _: Reader, plan_id: PlanFilter = None
) -> Page[NoticeOut]:
    """Notices sent to customers and group leaders, oldest first, each with what it
    promised (new arrival, compensation).

    **Roles:** admin, dispatcher, planner.
    """
    if plan_id is not None:
        get_plan(session, plan_id)
    page = list_notices(session, plan_id=plan_id, limit=paging.limit, offset=paging.offset)
    return Page(data=[_notice(n) for n in page.items], count=page.count)
