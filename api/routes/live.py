"""The live day of a plan: its events from the road, their photos, and where it stands."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from api.deps import ClockDep, PagingDep, PlanId, Reader, StoreDep
from api.problems import problem_responses
from api.schemas import Page, PlanStatus, TrackingEvent
from api.views.live import LiveViews, carrier_event_json, event_json
from dispatch.errors import NotFoundError
from dispatch.store import (
    Store,
    carrier_event,
    event_photo,
    photo_ids,
    plan_timeline,
    road_event,
)
from dispatch.store.models import CarrierEventRecord

router = APIRouter(tags=["live"], responses=problem_responses(400, 401, 403, 404, 422))


def live_views(request: Request) -> LiveViews:
    """The app's plan documents and status parts."""
    views: LiveViews = request.app.state.live_views
    return views


def _events(
    store: Store, views: LiveViews, plan_id: int, vehicle: str | None, limit: int, offset: int
) -> Page[TrackingEvent]:
    with store.read() as session:
        day = views.day(session, plan_id)
        page = plan_timeline(session, plan_id, vehicle=vehicle, limit=limit, offset=offset)
        drivers = [row.id for row in page.items if not isinstance(row, CarrierEventRecord)]
        with_photo = photo_ids(session, drivers)
        data = [
            TrackingEvent.model_validate(
                carrier_event_json(carrier_event(row), day.zone, row_id=row.id)
                if isinstance(row, CarrierEventRecord)
                else event_json(
                    road_event(row, photo=row.id in with_photo),
                    day.zone,
                    row_id=row.id,
                    plan_id=plan_id,
                )
            )
            for row in page.items
        ]
    return Page(data=data, count=page.count)


@router.get("/plans/{plan_id}/events")
async def read_events(
    plan_id: PlanId,
    request: Request,
    store: StoreDep,
    paging: PagingDep,
    _: Reader,
    vehicle: Annotated[
        str | None, Query(max_length=80, description="Only this vehicle's events")
    ] = None,
) -> Page[TrackingEvent]:
    """The plan's events, oldest `at` first, with their times in the plan's time zone: the
    drivers' (departed, arrived, delivered, failed, position; `source` "driver") and the
    carriers' about its outsourced orders (picked_up, delivered, failed; `source` "carrier",
    the order in `orders`). With `vehicle`, only that vehicle's.

    **Roles:** admin, dispatcher, planner.
    """
    return await run_in_threadpool(
        _events, store, live_views(request), plan_id, vehicle, paging.limit, paging.offset
    )


@router.get(
    "/plans/{plan_id}/events/{event}/photo",
    response_class=Response,
    responses={
        200: {
            "description": "The proof-of-delivery photo (JPEG or PNG)",
            "content": {"image/jpeg": {"example": ""}, "image/png": {}},
        }
    },
)
def read_event_photo(
    plan_id: PlanId,
    event: Annotated[int, Path(ge=1, le=2**31 - 1, description="The event's `id`")],
    store: StoreDep,
    _: Reader,
) -> Response:
    """The photo stored with a delivery event. **Roles:** admin, dispatcher, planner."""
    with store.read() as session:
        photo = event_photo(session, plan_id, event)
        if photo is None:
            raise NotFoundError("photo of event", event)
        return Response(
            photo.data,
            media_type=photo.media_type,
            headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=3600"},
        )


def _status(store: Store, views: LiveViews, plan_id: int, clock: ClockDep) -> bytes:
    with store.read() as session:
        return views.status(session, plan_id, clock.now()).body


@router.get(
    "/plans/{plan_id}/status",
    response_class=Response,
    responses={200: {"model": PlanStatus, "description": "Where the plan stands"}},
)
async def read_status(
    plan_id: PlanId, request: Request, store: StoreDep, clock: ClockDep, _: Reader
) -> Response:
    """Where the plan stands after the events so far: per route its last event and position,
    per stop its planned, actual and predicted arrival, predicted lateness past its window and
    predicted cold-chain age; per order its state. Times are in the plan's time zone.

    Predictions are recomputed from the last event of each route (see the README, "The live
    day"); without events they are the plan's times.

    **Roles:** admin, dispatcher, planner.
    """
    body = await run_in_threadpool(_status, store, live_views(request), plan_id, clock)
    return Response(body, media_type="application/json", headers={"Cache-Control": "no-store"})
