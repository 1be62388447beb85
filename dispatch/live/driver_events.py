"""A driver's report on a stop of their route: checked against the stored plan, then recorded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from dispatch.errors import FieldError, InputError
from dispatch.live.tracking import EventIn, check_event
from dispatch.store import load_plan, record_event


class EventError(InputError):
    """A driver's event that cannot be recorded; ``errors`` names each field."""

    subject = "the event"


@dataclass(frozen=True, slots=True)
class RecordedEvent:
    """An event as stored, with its time on the plan day's clock."""

    id: int
    stop: str
    kind: str
    reason: str | None
    note: str | None
    at: datetime
    local_time: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "stop": self.stop,
            "kind": self.kind,
            "reason": self.reason,
            "note": self.note,
            "at": self.at.isoformat(),
            "time": self.local_time,
        }


def record_driver_event(
    session: Session, plan_id: int, vehicle: str, event: EventIn
) -> RecordedEvent:
    """Record ``event`` on the route of ``vehicle`` in plan ``plan_id`` (in the caller's
    transaction); :class:`EventError` when the stop is not on that route."""
    plan = load_plan(session, plan_id)
    route = plan.route(vehicle)
    refused = "route not found" if route is None else check_event(route, event)
    if refused is not None:
        raise EventError([FieldError("event", "stop", refused)])
    row = record_event(
        session,
        plan_id,
        vehicle,
        event.stop,
        event.kind,
        reason=event.reason.value if event.reason else None,
        note=event.note,
    )
    local = row.at.astimezone(ZoneInfo(plan.timezone)).strftime("%H:%M")
    return RecordedEvent(row.id, row.stop, event.kind.value, row.reason, row.note, row.at, local)
