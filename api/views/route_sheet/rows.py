"""What a route sheet says, in the driver's words: one :class:`Sheet` per route, read from a
typed plan and the request it was made for (names, addresses, contacts, items)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from api.views.pages import Lang
from api.views.places import RequestPlaces
from dispatch.clock import format_clock
from dispatch.errors import NotFoundError
from dispatch.planning.plan import Plan

TEMPERATURES: Mapping[Lang, Mapping[str, str]] = {
    "zh-TW": {"ambient": "常溫", "chilled": "冷藏", "frozen": "冷凍"},
    "en": {"ambient": "ambient", "chilled": "chilled", "frozen": "frozen"},
}

HEADINGS: Mapping[Lang, Mapping[str, str]] = {
    "zh-TW": {
        "title": "路線單", "vehicle": "車輛", "date": "日期", "depot": "出發站",
        "hours": "時間", "distance": "里程", "stops": "站數", "seq": "順序",
        "arrival": "預計到達", "window": "時段", "stop": "站點", "name": "名稱",
        "address": "地址", "contact": "聯絡人", "phone": "電話", "order": "訂單",
        "customer": "訂購人", "item": "商品", "qty": "數量", "temperature": "溫層",
        "scan": "掃描開啟司機頁面",
    },
    "en": {
        "title": "Route sheet", "vehicle": "Vehicle", "date": "Date", "depot": "Depot",
        "hours": "Hours", "distance": "Distance", "stops": "Stops", "seq": "#",
        "arrival": "Arrival", "window": "Window", "stop": "Stop", "name": "Name",
        "address": "Address", "contact": "Contact", "phone": "Phone", "order": "Order",
        "customer": "Customer", "item": "Item", "qty": "Qty", "temperature": "Temperature",
        "scan": "Scan to open the driver page",
    },
}  # fmt: skip

COLUMNS = (
    "seq", "arrival", "window", "stop", "name", "address", "contact", "phone", "order",
    "customer", "item", "qty", "temperature",
)  # fmt: skip
"""The columns of the CSV and XLSX sheets: one row per item to unload."""


@dataclass(frozen=True, slots=True)
class SheetItem:
    label: str
    qty: int
    temperature: str


@dataclass(frozen=True, slots=True)
class SheetOrder:
    order_id: str
    customer: str
    items: tuple[SheetItem, ...]


@dataclass(frozen=True, slots=True)
class SheetStop:
    seq: int
    stop: str
    name: str
    address: str
    arrival: str
    window: str
    contact: str
    phone: str
    orders: tuple[SheetOrder, ...]


@dataclass(frozen=True, slots=True)
class Sheet:
    """One route in the driver's words; ``link`` is the driver page's address (for the QR
    code), when the caller may see it."""

    lang: Lang
    plan_id: int
    date: str
    vehicle: str
    depot: str
    start: str
    end: str
    distance_km: float
    stops: tuple[SheetStop, ...]
    link: str | None = None

    def rows(self) -> list[list[str | int]]:
        """The sheet as a table (:data:`COLUMNS`): a row per item, a stop without items once."""
        out: list[list[str | int]] = []
        for s in self.stops:
            lines: list[tuple[SheetOrder | None, SheetItem | None]] = [
                (o, i) for o in s.orders for i in o.items
            ]
            lines = lines or [(o, None) for o in s.orders] or [(None, None)]
            for order, item in lines:
                out.append(
                    [s.seq, s.arrival, s.window, s.stop, s.name, s.address, s.contact, s.phone,
                     order.order_id if order else "", order.customer if order else "",
                     item.label if item else "", item.qty if item else "",
                     item.temperature if item else ""]
                )  # fmt: skip
        return out


def _clock(minutes: int) -> str:
    return f"{format_clock(minutes - 24 * 60)} +1" if minutes >= 24 * 60 else format_clock(minutes)


def _items(order: Mapping[str, Any], lang: Lang) -> tuple[SheetItem, ...]:
    words = TEMPERATURES[lang]
    out = []
    for item in order.get("items") or ():
        if not isinstance(item, Mapping):
            continue
        label = str(item.get("name") or item.get("sku") or "")
        temperature = str(item.get("temperature") or "ambient")
        out.append(
            SheetItem(label, int(item.get("qty", 1) or 0), words.get(temperature, temperature))
        )
    return tuple(out)


def build_sheet(
    plan: Plan,
    plan_id: int,
    vehicle: str,
    request_doc: Mapping[str, Any] | None,
    *,
    lang: Lang = "zh-TW",
    link: str | None = None,
) -> Sheet:
    """The sheet of ``vehicle``'s route; NotFoundError when the plan has no such route."""
    route = next((r for r in plan.routes if r.vehicle == vehicle), None)
    if route is None:
        raise NotFoundError("route", f"{vehicle} of plan {plan_id}")
    places = RequestPlaces.of(request_doc)
    orders = {
        str(o.get("id")): o
        for o in (request_doc or {}).get("orders") or ()
        if isinstance(o, Mapping)
    }
    stops = []
    for seq, stop in enumerate(route.stops, start=1):
        info = places.stop(stop.stop, stop.orders)
        stops.append(
            SheetStop(
                seq=seq,
                stop=stop.stop,
                name=stop.name or info.name or stop.stop,
                address=info.address,
                arrival=_clock(stop.arrival),
                window=", ".join(f"{_clock(a)}-{_clock(b)}" for a, b in stop.windows),
                contact=info.contact,
                phone=info.phone,
                orders=tuple(
                    SheetOrder(
                        oid,
                        str(orders.get(oid, {}).get("customer") or ""),
                        _items(orders.get(oid, {}), lang),
                    )
                    for oid in stop.orders
                ),
            )
        )
    return Sheet(
        lang=lang,
        plan_id=plan_id,
        date=plan.date.isoformat() if plan.date else "",
        vehicle=route.vehicle,
        depot=route.depot,
        start=_clock(route.start),
        end=_clock(route.end),
        distance_km=round(route.distance_km, 1),
        stops=tuple(stops),
        link=link,
    )
