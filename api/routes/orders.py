"""Stored orders: added as JSON, listed by delivery date."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response

from api.deps import Dispatcher, PagingDep, Reader, ReadSession, SettingsDep, WriteSession
from api.problems import problem_responses
from api.routes.imports import DefaultDate, KeepValid, store_import
from api.schemas import ImportReport, Page, StoredOrder
from dispatch.intake.imports import read_json_orders
from dispatch.store import list_orders

router = APIRouter(
    prefix="/orders", tags=["orders"], responses=problem_responses(400, 401, 403, 422)
)

_ORDER = {
    "id": "LINE-88123", "platform": "line", "date": "2026-11-11", "pickup_point": "PP-017",
    "customer": "王小明", "time_windows": [{"start": "09:00", "end": "12:00"}],
    "service_minutes": 2,
    "items": [{"sku": "milk-1l", "qty": 6, "weight_kg": 1.05, "volume_l": 1.1,
               "temperature": "chilled"}],
}  # fmt: skip


@router.post(
    "",
    status_code=201,
    responses={
        **problem_responses(400, 409, 413),
        200: {"model": ImportReport, "description": "The same orders were imported before"},
    },
)
def add_orders(
    who: Dispatcher,
    session: WriteSession,
    settings: SettingsDep,
    response: Response,
    orders: Annotated[
        list[dict[str, Any]],
        Body(openapi_examples={"one order": {"value": [_ORDER]}}),
    ],
    default_date: DefaultDate = None,
    keep_valid: KeepValid = False,
) -> ImportReport:
    """Add contract orders (a JSON list), as one import batch: validated, de-duplicated,
    all or nothing unless `keep_valid=true`, and idempotent.

    **Roles:** admin, dispatcher.
    """
    read = read_json_orders(orders, default_date=default_date, limits=settings.import_limits)
    return store_import(session, who, read, keep_valid=keep_valid, filename=None, response=response)


@router.get("")
def read_orders(
    session: ReadSession,
    paging: PagingDep,
    _: Reader,
    day: Annotated[
        date | None, Query(alias="date", description="Only orders for this delivery date")
    ] = None,
) -> Page[StoredOrder]:
    """Stored orders in import order. **Roles:** admin, dispatcher, planner."""
    page = list_orders(session, day=day, limit=paging.limit, offset=paging.offset)
    return Page(data=[StoredOrder.model_validate(o) for o in page.items], count=page.count)
