"""The driver's page at ``/d/{token}``: route map, stops in order, and arrival/delivery reports.

The token alone authorises its own route; every request checks it, so a wrong, expired or
revoked token gets the same bare 404 at once. Rendered pages are kept in an LRU on the app
state per (token hash, language) and re-rendered when the route's events change.
"""

from __future__ import annotations

import gzip
import json
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from threading import Lock
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api.deps import SettingsDep, StoreDep
from api.problems import PROBLEM_JSON, problem
from api.routes.maps import app_asset_url, html_response, tiles_url
from dispatch.errors import FieldError
from dispatch.store import (
    Store,
    get_plan,
    list_events,
    plan_document,
    record_event,
    resolve_driver_link,
)
from dispatch.tracking import EventIn, check_event, find_route, token_hash
from geo import assets

Lang = Literal["zh-TW", "en"]
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
PAGE_CACHE_SIZE = 512
MAX_EVENTS = 2000

router = APIRouter(tags=["driver"])

_NOT_FOUND_HTML = (
    '<!doctype html><html><head><meta charset="utf-8"><title>404</title>'
    '<meta name="viewport" content="width=device-width, initial-scale=1"></head>'
    "<body><p>找不到此頁面 · Not found</p></body></html>"
)


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


@cache
def _texts() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = json.loads(
        (TEMPLATES / "driver.i18n.json").read_text(encoding="utf-8")
    )
    return data


def choose_lang(lang: str | None, accept_language: str | None) -> Lang:
    """``?lang=`` when given, else the best of zh-TW/en in Accept-Language; zh-TW by default."""
    if lang:
        return "en" if lang.lower().startswith("en") else "zh-TW"
    best: tuple[float, Lang] = (0.0, "zh-TW")
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        tag = tag.strip().lower()
        code: Lang | None = (
            "en" if tag.startswith("en") else "zh-TW" if tag.startswith("zh") else None
        )
        score = quality - position * 1e-3
        if code is not None and score > best[0]:
            best = (score, code)
    return best[1]


@dataclass(slots=True)
class _CachedPage:
    html: bytes
    gzipped: bytes
    plan_id: int
    vehicle: str
    version: int


class PageCache:
    """A small thread-safe LRU of rendered driver pages keyed by (token hash, language)."""

    def __init__(self, size: int = PAGE_CACHE_SIZE) -> None:
        self.size = size
        self._pages: OrderedDict[tuple[str, str], _CachedPage] = OrderedDict()
        self._lock = Lock()

    def get(self, key: tuple[str, str], version: int) -> _CachedPage | None:
        """The page for ``key`` if it was rendered at this events ``version``."""
        with self._lock:
            page = self._pages.get(key)
            if page is None or page.version != version:
                return None
            self._pages.move_to_end(key)
            return page

    def put(self, key: tuple[str, str], page: _CachedPage) -> None:
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)

    def invalidate(self, plan_id: int, vehicle: str | None = None) -> int:
        """Drop the pages of a plan's route (every route when ``vehicle`` is None)."""
        with self._lock:
            stale = [
                k
                for k, p in self._pages.items()
                if p.plan_id == plan_id and (vehicle is None or p.vehicle == vehicle)
            ]
            for key in stale:
                del self._pages[key]
            return len(stale)

    def __len__(self) -> int:
        return len(self._pages)


def page_cache(request: Request) -> PageCache:
    """The app's driver-page cache, created on first use."""
    state = request.app.state
    cache_ = getattr(state, "driver_pages", None)
    if cache_ is None:
        cache_ = state.driver_pages = PageCache()
    return cache_


def _clock(value: Any) -> str:
    """ "HH:MM" as shown to drivers; times past midnight get a "+1"."""
    text = str(value or "")
    hours, _, minutes = text.partition(":")
    if hours.isdigit() and int(hours) >= 24:
        return f"{int(hours) - 24:02d}:{minutes} +1"
    return text


def _amount(value: float, unit: str) -> str:
    return f"{value:,.1f} {unit}".replace(".0 ", " ")


def _load(unload: Mapping[str, Any], t: Mapping[str, Any]) -> list[dict[str, str]]:
    """What to unload per temperature class (ambient = total volume less chilled and frozen)."""
    chilled = float(unload.get("chilled_l") or 0)
    frozen = float(unload.get("frozen_l") or 0)
    ambient = max(float(unload.get("volume_l") or 0) - chilled - frozen, 0.0)
    rows = (
        ("ambient", "", t["ambient"], ambient, "L"),
        ("chilled", "❄", f"{t['chilled']} 0–7°C", chilled, "L"),
        ("frozen", "❄", f"{t['frozen']} −18°C", frozen, "L"),
        ("weight", "", t["weight"], float(unload.get("weight_kg") or 0), "kg"),
    )
    return [
        {"kind": kind, "icon": icon, "label": label, "amount": _amount(value, unit)}
        for kind, icon, label, value, unit in rows
        if value > 0
    ]


def _latlon(location: Any) -> tuple[float, float] | None:
    if isinstance(location, Mapping) and location.get("lat") is not None:
        return round(float(location["lat"]), 6), round(float(location["lon"]), 6)
    return None


def _contacts(request_doc: Mapping[str, Any] | None) -> dict[str, dict[str, str]]:
    """Stop id → name, contact, phone and address, from the request's pickup points and orders."""
    out: dict[str, dict[str, str]] = {}
    for order in (request_doc or {}).get("orders") or []:
        out[str(order.get("id"))] = {
            "contact": str(order.get("customer") or ""),
            "phone": str(order.get("phone") or ""),
            "address": str(order.get("address") or ""),
        }
    for point in (request_doc or {}).get("pickup_points") or []:
        out[str(point.get("id"))] = {
            "name": str(point.get("name") or ""),
            "contact": str(point.get("contact") or ""),
            "phone": str(point.get("phone") or ""),
            "address": str(point.get("address") or ""),
        }
    return out


def _phone_uri(phone: str) -> str:
    return "".join(c for c in phone if c.isdigit() or c == "+")


def _depot_location(
    request_doc: Mapping[str, Any] | None, depot: str
) -> tuple[float, float] | None:
    for d in (request_doc or {}).get("depots") or []:
        if str(d.get("id")) == depot:
            return _latlon(d.get("location"))
    return None


def _tile_origin(tiles: str | None) -> str:
    if not tiles or tiles.startswith("/"):
        return ""
    parts = urlsplit(tiles)
    host = parts.netloc.replace("{s}.", "*.")
    return f"{parts.scheme}://{host}"


def build_page(
    plan: Mapping[str, Any],
    route: Mapping[str, Any],
    *,
    request_doc: Mapping[str, Any] | None,
    statuses: Mapping[str, str],
    lang: Lang,
    tiles_url: str | None,
    asset_base: str = "/static",
) -> dict[str, Any]:
    """The template's view of one route: stops in order with times, loads, contacts, status."""
    t = _texts()[lang]
    contacts = _contacts(request_doc)
    stops = []
    for seq, stop in enumerate(route.get("stops") or [], start=1):
        stop_id = str(stop.get("stop"))
        orders = [str(o) for o in stop.get("orders") or []]
        info = contacts.get(stop_id) or (contacts.get(orders[0], {}) if len(orders) == 1 else {})
        where = _latlon(stop.get("location"))
        status = statuses.get(stop_id, "")
        stops.append(
            {
                "seq": seq,
                "id": stop_id,
                "name": stop.get("name") or info.get("name") or stop_id,
                "address": info.get("address", ""),
                "arrival": _clock(stop.get("arrival")),
                "window": ", ".join(
                    f"{_clock(a)}–{_clock(b)}" for a, b in stop.get("windows") or []
                )
                or "–",
                "late_minutes": int(stop.get("late_minutes") or 0),
                "load": _load(stop.get("unload") or {}, t),
                "orders": orders,
                "contact": info.get("contact", ""),
                "phone": info.get("phone", ""),
                "phone_uri": _phone_uri(info.get("phone", "")),
                "lat": where[0] if where else None,
                "lon": where[1] if where else None,
                "status": status,
                "status_label": t.get(f"status_{status}", "") if status else "",
            }
        )
    depot = str(route.get("depot", ""))
    end_depot = str(route.get("end_depot") or depot)
    tiles = tiles_url or None
    return {
        "lang": lang,
        "vehicle": str(route.get("vehicle", "")),
        "date": str(plan.get("date") or ""),
        "depot": depot,
        "start": _clock(route.get("start")),
        "end": _clock(route.get("end")),
        "distance_km": route.get("distance_km", ""),
        "stops": stops,
        "done": sum(1 for s in stops if s["status"] in ("delivered", "failed")),
        "leaflet_js": assets.asset_url(asset_base, assets.LEAFLET_JS),
        "leaflet_css": assets.asset_url(asset_base, assets.LEAFLET_CSS),
        "page_js": app_asset_url(asset_base, "driver/driver.js"),
        "page_css": app_asset_url(asset_base, "driver/driver.css"),
        "data": {
            "depot": _depot_location(request_doc, depot),
            "end": _depot_location(request_doc, end_depot),
            "stops": [
                {k: s[k] for k in ("seq", "id", "name", "lat", "lon", "status")}
                for s in stops
                if s["lat"] is not None
            ],
            "tiles": tiles,
            "attribution": assets.OSM_ATTRIBUTION if tiles and "openstreetmap" in tiles else "",
        },
    }


def render_page(page: Mapping[str, Any]) -> str:
    """The driver page's HTML."""
    t = _texts()[page["lang"]]
    return _environment().get_template("driver.html").render(page=page, t=t)


def _headers(tiles_url: str | None) -> dict[str, str]:
    origin = _tile_origin(tiles_url)
    return {
        "Cache-Control": "private, no-cache",
        "Referrer-Policy": "no-referrer",
        "X-Robots-Tag": "noindex, nofollow",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": (
            "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
            f"img-src 'self' data: {origin}".rstrip()
            + "; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        ),
    }


def _not_found_page() -> HTMLResponse:
    return HTMLResponse(
        _NOT_FOUND_HTML,
        status_code=404,
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )


def _not_found_problem() -> JSONResponse:
    return JSONResponse(
        problem(404),
        status_code=404,
        media_type=PROBLEM_JSON,
        headers={"Cache-Control": "no-store"},
    )


def _statuses(events: Sequence[Any]) -> dict[str, str]:
    status: dict[str, str] = {}
    for event in events:
        status[str(event.stop)] = str(getattr(event.kind, "value", event.kind))
    return status


def _render_route(
    session: Session, plan_id: int, vehicle: str, lang: Lang, tiles: str | None
) -> bytes | None:
    plan = json.loads(plan_document(session, plan_id))
    route = find_route(plan, vehicle)
    if route is None:
        return None
    events = list_events(session, plan_id, vehicle=vehicle, limit=MAX_EVENTS, offset=0)
    page = build_page(
        plan,
        route,
        request_doc=get_plan(session, plan_id).job.request,
        statuses=_statuses(events.items),
        lang=lang,
        tiles_url=tiles,
    )
    return render_page(page).encode("utf-8")


@router.get("/d/{token}", response_class=HTMLResponse, include_in_schema=False)
def driver_page(
    token: str,
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    lang: Annotated[str | None, Query(max_length=16)] = None,
) -> Response:
    """The phone page of one route (gzip-encoded when the browser accepts it)."""
    chosen = choose_lang(lang, request.headers.get("accept-language"))
    tiles = tiles_url(settings)
    key = (token_hash(token), chosen)
    pages = page_cache(request)
    with store.read() as session:
        link = resolve_driver_link(session, token)
        if link is None:
            return _not_found_page()
        plan_id, vehicle = link
        version = list_events(session, plan_id, vehicle=vehicle, limit=0, offset=0).count
        page = pages.get(key, version)
        if page is None:
            html = _render_route(session, plan_id, vehicle, chosen, tiles)
            if html is None:
                return _not_found_page()
            page = _CachedPage(html, gzip.compress(html, 6), plan_id, vehicle, version)
            pages.put(key, page)
    headers = {**_headers(tiles), "Content-Language": chosen, "Vary": "Accept-Language"}
    return html_response(request, page.html, page.gzipped, headers)


def _invalid(detail: str, errors: Sequence[FieldError] = ()) -> JSONResponse:
    body = problem(
        422,
        type_="/problems/invalid-input",
        title="The input is not valid",
        detail=detail,
        errors=errors,
    )
    return JSONResponse(body, status_code=422, media_type=PROBLEM_JSON)


def _parse_event(raw: bytes) -> EventIn | JSONResponse:
    try:
        return EventIn.model_validate_json(raw or b"{}")
    except ValidationError as exc:
        errors = [
            FieldError(
                "body",
                ".".join(str(p) for p in e["loc"]),
                str(e["msg"]).removeprefix("Value error, "),
            )
            for e in exc.errors()
        ]
        return _invalid(f"{len(errors)} error(s) in the event", errors)


def _record(store: Store, token: str, raw: bytes) -> tuple[int, str, JSONResponse]:
    """Check the token, then the event, then store it; (plan id, vehicle, response)."""
    with store.write() as session:
        link = resolve_driver_link(session, token)
        if link is None:
            return 0, "", _not_found_problem()
        plan_id, vehicle = link
        event = _parse_event(raw)
        if isinstance(event, JSONResponse):
            return plan_id, vehicle, event
        plan = json.loads(plan_document(session, plan_id))
        route = find_route(plan, vehicle)
        refused = "route not found" if route is None else check_event(route, event)
        if refused is not None:
            return plan_id, vehicle, _invalid(refused)
        row = record_event(
            session,
            plan_id,
            vehicle,
            event.stop,
            event.kind,
            reason=event.reason.value if event.reason else None,
            note=event.note,
        )
        body = {
            "id": row.id,
            "stop": row.stop,
            "kind": event.kind.value,
            "reason": row.reason,
            "note": row.note,
            "at": row.at.isoformat(),
            "time": _local_time(row.at, str(plan.get("timezone") or "Asia/Taipei")),
        }
    response = JSONResponse(body, status_code=201, headers={"Cache-Control": "no-store"})
    return plan_id, vehicle, response


@router.post("/d/{token}/events", status_code=201, include_in_schema=False)
async def driver_event(token: str, request: Request, store: StoreDep) -> Response:
    """Record an arrival, delivery or failure at a stop of the token's own route.

    The body (``{"stop", "kind", "reason"?, "note"?}``) is read only once the token is
    known to be live, so a wrong token gets the bare 404 whatever it sends.
    """
    raw = await request.body()
    plan_id, vehicle, response = await run_in_threadpool(_record, store, token, raw)
    if response.status_code == 201:
        page_cache(request).invalidate(plan_id, vehicle)
    return response


def _local_time(at: datetime, timezone: str) -> str:
    return at.astimezone(ZoneInfo(timezone)).strftime("%H:%M")
