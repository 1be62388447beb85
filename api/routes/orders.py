"""Stored orders: added as JSON, listed by delivery date."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, Response

from api.deps import (
    ClockDep,
    Dispatcher,
    PagingDep,
    Reader,
    ReadSession,
    SettingsDep,
    WriteSession,
)
from api.problems import problem_responses
from api.routes.imports import DefaultDate, KeepValid, store_import
from api.schemas import AuditEntry, ImportReport, OrderChange, OrderDetail, Page, StoredOrder
from dispatch.intake import corrections
from dispatch.intake.imports import read_json_orders
from dispatch.store import list_orders, load_network
from dispatch.text import MAX_ORDER_ID

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


class OrderStatus(StrEnum):
    active = "active"
    cancelled = "cancelled"


PRINTABLE = r"^[^\x00-\x1f\x7f]*$"
"""Query text without control characters (no database stores NUL)."""


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
    q: Annotated[
        str | None,
        Query(
            max_length=100,
            pattern=PRINTABLE,
            description="Text in the order id or the customer (case ignored)",
        ),
    ] = None,
    status: Annotated[OrderStatus | None, Query(description="Only active or cancelled")] = None,
    platform: Annotated[
        str | None, Query(max_length=32, pattern=PRINTABLE, description="Only this platform")
    ] = None,
) -> Page[StoredOrder]:
    """Stored orders in import order, found by date, text, status and platform.
    **Roles:** admin, dispatcher, planner."""
    page = list_orders(
        session, day=day, limit=paging.limit, offset=paging.offset, text=q,
        status=status.value if status else None, platform=platform,
    )  # fmt: skip
    return Page(data=[StoredOrder.model_validate(o) for o in page.items], count=page.count)


OrderId = Annotated[
    str,
    Path(
        min_length=1, max_length=MAX_ORDER_ID, description="An order's id", examples=["LINE-88123"]
    ),
]


@router.get("/{order_id}", responses=problem_responses(404))
def read_order(order_id: OrderId, session: ReadSession, _: Reader) -> OrderDetail:
    """One stored order with its history (corrections, cancellation), oldest first.
    **Roles:** admin, dispatcher, planner."""
    found = corrections.order_history(session, order_id)
    order = StoredOrder.model_validate(found.order)
    return OrderDetail.model_validate(
        {**order.model_dump(), "delivery_date": order.date, "data": order.order,
         "history": [AuditEntry.model_validate(e) for e in found.entries]}
    )  # fmt: skip


@router.put("/{order_id}", responses=problem_responses(404, 409))
def correct_order(
    order_id: OrderId,
    who: Dispatcher,
    session: WriteSession,
    clock: ClockDep,
    order: Annotated[dict[str, Any], Body(openapi_examples={"corrected": {"value": _ORDER}})],
) -> OrderChange:
    """Correct an order: the whole contract record, checked as an import checks it (422
    naming the field); its id and platform stay, its date too unless given. An order already
    in a current plan of its day may be corrected: `replan_needed` names those plans
    (`plan_ids`). A cancelled order cannot be corrected (409). **Roles:** admin, dispatcher.
    """
    network = load_network(session)
    change = corrections.correct_order(
        session, order_id, order, points=network["pickup_points"], travel=network.get("travel"),
        actor=who.actor, now=clock.now(),
    )  # fmt: skip
    return _answer(change)


@router.delete("/{order_id}", responses=problem_responses(404))
def cancel_order(
    order_id: OrderId, who: Dispatcher, session: WriteSession, clock: ClockDep
) -> OrderChange:
    """Cancel an order: it is kept (status `cancelled`) and never planned again. An order
    already in a current plan of its day may be cancelled: `replan_needed` names those plans
    (`plan_ids`). Cancelling twice changes nothing. **Roles:** admin, dispatcher."""
    return _answer(corrections.cancel_order(session, order_id, actor=who.actor, now=clock.now()))


def _answer(change: corrections.OrderChange) -> OrderChange:
    return OrderChange(
        order=StoredOrder.model_validate(change.order),
        replan_needed=change.replan_needed,
        plan_ids=list(change.plan_ids),
    )
