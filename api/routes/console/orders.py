"""The console's orders: search, one order with its history, and its correction or
cancellation (checked like an import, audited)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from api.deps import Dispatcher, Principal, Reader, SettingsDep, StoreDep
from api.routes.console.forms import fields, form_lang, refused
from api.views.console import page_lang, render, see_other, texts, with_lang
from dispatch.errors import DispatchError, FieldError, NotFoundError, RequestError
from dispatch.intake.corrections import cancel_order, correct_order, order_history
from dispatch.store import Store, list_plans, load_network, orders_by_id
from dispatch.store.models import Json, utcnow
from dispatch.store.order_search import search_orders

router = APIRouter()


@router.get("/console/orders", response_class=HTMLResponse)
def orders_page(
    request: Request,
    who: Reader,
    store: StoreDep,
    settings: SettingsDep,
    q: Annotated[str, Query(max_length=128)] = "",
    day: Annotated[date | None, Query(alias="date")] = None,
    lang: Annotated[str | None, Query(max_length=16)] = None,
) -> HTMLResponse:
    """Orders whose id, customer or pickup point contains ``q`` (of ``date`` when given)."""
    chosen = page_lang(request, lang)
    with store.read() as session:
        found = search_orders(session, q, day=day)
    return render(
        request, who, settings, "orders.html", lang=chosen, title=texts(chosen)["orders"],
        orders=found, q=q, day=day.isoformat() if day else "",
    )  # fmt: skip


def _window(data: Json) -> tuple[str, str]:
    windows = data.get("time_windows") or []
    if windows and isinstance(windows[0], dict):
        return str(windows[0].get("start", "")), str(windows[0].get("end", ""))
    return "", ""


@router.get("/console/order", response_class=HTMLResponse)
def order_page(
    request: Request,
    who: Reader,
    store: StoreDep,
    settings: SettingsDep,
    order_id: Annotated[str, Query(alias="id", min_length=1, max_length=128)],
    lang: Annotated[str | None, Query(max_length=16)] = None,
    saved: bool = False,
) -> HTMLResponse:
    """One order: its record, its history, and the forms to correct or cancel it."""
    chosen = page_lang(request, lang)
    t = texts(chosen)
    with store.read() as session:
        order = orders_by_id(session, [order_id]).get(order_id)
        if order is None:
            raise NotFoundError("order", order_id)
        history = list(order_history(session, order_id).entries)
        planned = list_plans(session, day=order.delivery_date, limit=1, offset=0).count > 0
        points = load_network(session)["pickup_points"]
    return render(
        request, who, settings, "order.html", lang=chosen, title=f"{t['order']} {order_id}",
        order=order, data=order.data, window=_window(order.data), history=history,
        planned=planned, points=points, notice=t["saved"] if saved else "",
    )  # fmt: skip


def _changes(values: dict[str, str], data: Json) -> dict[str, Any]:
    """The correction the form asks for, as fields of the order's record."""
    changes: dict[str, Any] = {}
    customer = values.get("customer", "").strip()
    if customer != (data.get("customer") or ""):
        changes["customer"] = customer or None
    if values.get("pickup_point") and values["pickup_point"] != data.get("pickup_point"):
        changes["pickup_point"] = values["pickup_point"]
    start, end = values.get("window_start", ""), values.get("window_end", "")
    if (start, end) != _window(data) and (start or end):
        changes["time_windows"] = [{"start": start, "end": end}]
    items = [dict(item) for item in data.get("items") or []]
    errors = []
    for k, item in enumerate(items):
        raw = values.get(f"qty_{k}")
        if raw is None:
            continue
        try:
            qty = int(raw)
        except ValueError:
            errors.append(FieldError("form", f"items[{k}].qty", "is not a whole number"))
            continue
        if qty != item.get("qty", 1):
            item["qty"] = qty
            changes["items"] = items
    if errors:
        raise RequestError(errors)
    return changes


def _correct(store: Store, who: Principal, order_id: str, values: dict[str, str]) -> None:
    with store.write() as session:
        order = orders_by_id(session, [order_id]).get(order_id)
        if order is None:
            raise NotFoundError("order", order_id)
        changes = _changes(values, order.data)
        if not changes:
            return
        network = load_network(session)
        correct_order(
            session, order_id, {**order.data, **changes}, points=network["pickup_points"],
            travel=network.get("travel"), actor=who.actor, now=utcnow(),
        )  # fmt: skip


@router.post("/console/order/correct", response_class=HTMLResponse)
async def correct(
    request: Request, who: Dispatcher, store: StoreDep, settings: SettingsDep
) -> Response:
    """Correct the order from the form; refused whole, naming each bad field."""
    values = await fields(request)
    lang, order_id = form_lang(request, values), values.get("id", "")[:128]
    page = with_lang("/console/order", lang, id=order_id)
    try:
        await run_in_threadpool(_correct, store, who, order_id, values)
    except DispatchError as exc:
        return refused(request, who, settings, lang, exc, page)
    return see_other(with_lang("/console/order", lang, id=order_id, saved="true"))


def _cancel(store: Store, who: Principal, order_id: str) -> None:
    with store.write() as session:
        cancel_order(session, order_id, actor=who.actor, now=utcnow())


@router.post("/console/order/cancel", response_class=HTMLResponse)
async def cancel(
    request: Request, who: Dispatcher, store: StoreDep, settings: SettingsDep
) -> Response:
    """Cancel the order: it keeps its record and is no longer planned."""
    values = await fields(request)
    lang, order_id = form_lang(request, values), values.get("id", "")[:128]
    page = with_lang("/console/order", lang, id=order_id)
    try:
        await run_in_threadpool(_cancel, store, who, order_id)
    except DispatchError as exc:
        return refused(request, who, settings, lang, exc, page)
    return see_other(with_lang("/console/order", lang, id=order_id, saved="true"))
