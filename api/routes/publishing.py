"""Publishing a plan: it becomes its day's current plan and supersedes the previous one."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from api.deps import Dispatcher, PlanId, WriteSession
from api.problems import problem_responses
from dispatch.store.models import utcnow
from dispatch.store.publishing import publish_plan

router = APIRouter(prefix="/plans", tags=["plans"], responses=problem_responses(400, 401, 403, 422))


class PublishedOut(BaseModel):
    """The plan now current for its day, and the plan it superseded (null when none)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"plan_id": 14, "published_at": "2026-11-10T20:00:00Z", "superseded": 12}]
        }
    )

    plan_id: int
    published_at: datetime
    superseded: int | None


@router.post("/{plan_id}/publish", responses=problem_responses(404, 409))
def publish(plan_id: PlanId, session: WriteSession, who: Dispatcher) -> PublishedOut:
    """Make the plan its day's current plan. The day's previously published plan is
    superseded: its driver links then show this plan's route for the same vehicle, or say
    the route was replaced. Publishing the current plan again changes nothing; a superseded
    plan cannot be published again (409). **Roles:** admin, dispatcher."""
    done = publish_plan(session, plan_id, actor=who.actor, now=utcnow())
    return PublishedOut(
        plan_id=done.plan_id, published_at=done.published_at, superseded=done.superseded
    )
