"""Plans: request one (a job), list them, read one as the contract's JSON or as GeoJSON."""

from __future__ import annotations

import json
from collections.abc import Hashable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from api.deps import (
    ClockDep,
    PagingDep,
    PlanId,
    Reader,
    ReadSession,
    RunnerDep,
    SettingsDep,
    StoreDep,
    finite_body,
)
from api.problems import problem_responses
from api.quotas import store_job
from api.routes.kpis import frames
from api.routes.live import live_views
from api.schemas import Page, PlanAccepted, PlanForDate, PlanSummary
from api.views.cache import Kept
from api.views.geojson import plan_geojson
from api.views.live import LiveViews
from api.views.places import RequestPlaces
from dispatch.intake.loading import load_request
from dispatch.intake.travel_sources import check_travel_sources
from dispatch.kpis.rates import with_measured_rates
from dispatch.kpis.report import local_day
from dispatch.live.wallclock import WallClock
from dispatch.planning.plan import Plan
from dispatch.planning.stored_job import stored_request
from dispatch.store import (
    JobSource,
    Role,
    Store,
    get_plan,
    list_plans,
    load_plan,
    open_alert_counts,
)
from dispatch.store.models import Json

router = APIRouter(prefix="/plans", tags=["plans"], responses=problem_responses(400, 401, 403, 422))

_SCENARIO = {
    "date": "2026-11-11",
    "depots": [{"id": "DC-N", "location": {"lat": 25.06, "lon": 121.52},
                "open": "06:00", "close": "22:00", "loading_minutes": 20}],
    "vehicles": [{"id": "V01", "depot": "DC-N", "count": 2,
                  "capacity": {"weight_kg": 1500, "volume_l": 9000, "chilled_l": 3000},
                  "shift": {"start": "07:00", "end": "19:00"},
                  "cost": {"fixed": 1500, "per_km": 9, "per_hour": 320}}],
    "orders": [{"id": "LINE-88123", "platform": "line", "pickup_point": "PP-017",
                "items": [{"sku": "milk-1l", "qty": 6, "weight_kg": 1.05, "volume_l": 1.1,
                           "temperature": "chilled"}]}],
    "pickup_points": [{"id": "PP-017", "location": {"lat": 25.041, "lon": 121.565},
                       "time_windows": [{"start": "09:00", "end": "12:00"}],
                       "service_minutes": 8}],
    "options": {"time_limit_s": 10},
}  # fmt: skip
_PLAN_EXAMPLE = {
    "status": "complete",
    "objective": {"total": 2153.4, "own_fleet": 2153.4, "carriers": 0.0, "penalties": 0.0},
    "routes": [{"vehicle": "V01#1", "depot": "DC-N", "start": "08:26", "end": "09:43",
                "distance_km": 9.3, "load": {"weight_kg": 6.3, "volume_l": 6.6,
                                             "chilled_l": 6.6, "frozen_l": 0},
                "stops": [{"stop": "PP-017", "orders": ["LINE-88123"],
                           "location": {"lat": 25.041, "lon": 121.565}, "arrival": "09:00",
                           "start_service": "09:00", "departure": "09:08",
                           "late_minutes": 0}]}],
    "outsourced": [], "unserved": [],
    "kpis": {"orders": 1, "served_own": 1, "served_carrier": 0, "unserved": 0,
             "vehicles_used": 1, "distance_km": 9.3, "on_time_rate": 1.0,
             "cost_per_order": 2153.4, "max_cold_minutes": {"chilled": 14}},
}  # fmt: skip


def _for_date(store: StoreDep, body: Json) -> Json:
    """The contract request for a date's stored orders on the stored network."""
    try:
        spec = PlanForDate.model_validate(body)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        ) from None
    with store.read() as session:
        return stored_request(session, spec.date, options=spec.options, policy=spec.policy)


def _measured_rates(
    store: Store, cache: Kept[Hashable, object], document: Json, clock: WallClock
) -> Json:
    """The request with the carriers' measured rates when its policy asks for them."""
    with store.read() as session:
        return dict(with_measured_rates(session, document, local_day(clock.now()), cache=cache))


@router.post(
    "",
    status_code=202,
    responses={**problem_responses(400, 413, 429), 202: {"headers": {"Location": {
        "description": "The job's status URL", "schema": {"type": "string"}}}}},
)  # fmt: skip
def request_plan(
    who: Reader,
    store: StoreDep,
    runner: RunnerDep,
    settings: SettingsDep,
    clock: ClockDep,
    http: Request,
    response: Response,
    body: Annotated[
        dict[str, Any],
        Body(
            openapi_examples={
                "stored": {
                    "summary": "The stored orders of a date",
                    "value": {"date": "2026-11-11", "options": {"time_limit_s": 30}},
                },
                "scenario": {"summary": "A full plan request (scenario)", "value": _SCENARIO},
            }
        ),
    ],
) -> PlanAccepted:
    """Plan a day, as a job; answers at once with the job's status URL.

    The body is either `{"date": ..., "options"?: ..., "policy"?: ...}`, planning the stored
    orders of that date with the stored network, or a full plan request of the contract
    (`depots`, `vehicles`, `orders`, ...), planned as given (a scenario). An invalid request
    is answered 422 with every problem, each with its record and field, and one with more
    orders than the service plans at once 413.

    Each role has a longest search (`options.time_limit_s`; 422 beyond it) and each key a
    number of unfinished jobs (429 with `Retry-After` beyond it).

    **Roles:** admin, dispatcher (both forms); planner (full requests only).
    """
    finite_body(body)
    if "depots" in body:
        source, document = JobSource.REQUEST, body
    else:
        who.require(Role.ADMIN, Role.DISPATCHER)
        source, document = JobSource.STORED, _for_date(store, body)
    check_travel_sources(document, settings.travel_sources)
    document = _measured_rates(store, frames(http), document, clock)
    request = load_request(document, max_orders=settings.max_orders)
    job_id = store_job(
        store, who, settings, document, request, source=source, action="plan.request",
        date=request.date.isoformat(), orders=len(request.orders),
    )  # fmt: skip
    runner.submit(job_id)
    response.headers["Location"] = f"/jobs/{job_id}"
    return PlanAccepted(job_id=job_id, status_url=f"/jobs/{job_id}")


@router.get("")
def read_plans(
    session: ReadSession,
    paging: PagingDep,
    _: Reader,
    day: Annotated[date | None, Query(alias="date", description="Only plans for this day")] = None,
) -> Page[PlanSummary]:
    """Stored plans, newest first, each with its count of open alerts (`open_alerts`).
    **Roles:** admin, dispatcher, planner."""
    page = list_plans(session, day=day, limit=paging.limit, offset=paging.offset)
    alerts = open_alert_counts(session, [p.id for p in page.items])
    return Page(data=[PlanSummary.of(p, alerts.get(p.id, 0)) for p in page.items], count=page.count)


@router.get(
    "/{plan_id}",
    response_class=Response,
    responses={
        **problem_responses(404),
        200: {"model": Plan, "description": "The contract's plan JSON",
              "content": {"application/json": {"example": _PLAN_EXAMPLE}}},
    },
)  # fmt: skip
async def read_plan(plan_id: PlanId, request: Request, store: StoreDep, _: Reader) -> Response:
    """The plan, exactly in the contract's JSON (without driver links: dispatchers get them
    from `/plans/{id}/driver-links`). **Roles:** admin, dispatcher, planner."""
    views = live_views(request)
    document = views.documents.get(plan_id)
    if document is None:
        document = await run_in_threadpool(_document, store, views, plan_id)
    return Response(document, media_type="application/json")


def _document(store: Store, views: LiveViews, plan_id: int) -> bytes:
    with store.read() as session:
        return views.document(session, plan_id)


@router.get("/{plan_id}/summary", responses=problem_responses(404))
def read_plan_summary(plan_id: PlanId, session: ReadSession, _: Reader) -> PlanSummary:
    """The plan's key figures. **Roles:** admin, dispatcher, planner."""
    record = get_plan(session, plan_id)
    return PlanSummary.of(record, open_alert_counts(session, [plan_id]).get(plan_id, 0))


@router.get(
    "/{plan_id}/geojson",
    response_class=Response,
    responses={
        **problem_responses(404),
        200: {
            "description": "Route LineStrings; stop, outsourced and unserved order Points",
            "content": {"application/geo+json": {
                "schema": {"type": "object", "required": ["type", "features"],
                           "properties": {"type": {"const": "FeatureCollection"},
                                          "features": {"type": "array"}}},
                "example": {"type": "FeatureCollection", "features": [
                    {"type": "Feature", "geometry": {"type": "Point",
                                                     "coordinates": [121.565, 25.041]},
                     "properties": {"kind": "stop", "vehicle": "V01#1", "sequence": 1,
                                    "stop": "PP-017", "arrival": "09:00"}}]},
            }},
        },
    },
)  # fmt: skip
def read_plan_geojson(plan_id: PlanId, session: ReadSession, _: Reader) -> Response:
    """The plan on a map: routes, their stops, and unserved orders.

    **Roles:** admin, dispatcher, planner.
    """
    places = RequestPlaces.of(get_plan(session, plan_id).job.request)
    collection = plan_geojson(load_plan(session, plan_id), places)
    return Response(json.dumps(collection, ensure_ascii=False), media_type="application/geo+json")
