"""Tracking events reported on a plan's routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import PagingDep, PlanId, Reader, ReadSession
from api.problems import problem_responses
from api.schemas import Page, TrackingEvent
from dispatch.store import get_plan, list_events

router = APIRouter(tags=["tracking"], responses=problem_responses(400, 401, 403, 404, 422))


@router.get("/plans/{plan_id}/events")
def read_events(
    plan_id: PlanId,
    session: ReadSession,
    paging: PagingDep,
    _: Reader,
    vehicle: Annotated[str | None, Query(description="Only this vehicle's events")] = None,
) -> Page[TrackingEvent]:
    """Arrivals, deliveries and failures reported for the plan, oldest first.

    **Roles:** admin, dispatcher, planner.
    """
    get_plan(session, plan_id)
    page = list_events(session, plan_id, vehicle=vehicle, limit=paging.limit, offset=paging.offset)
    return Page(
        data=[TrackingEvent.model_validate(e, from_attributes=True) for e in page.items],
        count=page.count,
    )
