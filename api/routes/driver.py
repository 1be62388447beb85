"""The driver's page at ``/d/{token}`` and its arrival/delivery reports.

The token alone authorises its own route; every request checks it, so a wrong, expired or
revoked token gets the same bare 404 at once. Rendered pages are kept per (plan, vehicle,
token hash, language, events seen) and dropped when the route's events change.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api.deps import SettingsDep, StoreDep
from api.headers import driver_page_headers, html_response
from api.problems import PROBLEM_JSON, field_errors, problem
from api.routes.maps import tiles_url
from api.views.cache import Rendered, RenderedPages
from api.views.driver_page import build_page, render_page
from api.views.pages import Lang, choose_lang
from api.views.places import RequestPlaces
from dispatch.live.driver_events import EventError, record_driver_event
from dispatch.live.tracking import EventIn, token_hash
from dispatch.store import Store, get_plan, list_events, load_plan, resolve_driver_link

PAGE_CACHE_SIZE = 512
MAX_EVENTS = 2000

PageKey = tuple[int, str, str, str, int]
"""Plan id, vehicle, token hash, language, and the number of the route's events."""

router = APIRouter(tags=["driver"])

_NOT_FOUND_HTML = (
    '<!doctype html><html><head><meta charset="utf-8"><title>404</title>'
    '<meta name="viewport" content="width=device-width, initial-scale=1"></head>'
    "<body><p>找不到此頁面 · Not found</p></body></html>"
)


def page_cache(request: Request) -> RenderedPages[PageKey]:
    """The app's rendered driver pages, created on first use."""
    state = request.app.state
    pages: RenderedPages[PageKey] | None = getattr(state, "driver_pages", None)
    if pages is None:
        pages = state.driver_pages = RenderedPages[PageKey](PAGE_CACHE_SIZE)
    return pages


def _not_found_page() -> HTMLResponse:
    return HTMLResponse(
        _NOT_FOUND_HTML,
        status_code=404,
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )


def _not_found_problem() -> JSONResponse:
    return JSONResponse(
        problem(404), status_code=404, media_type=PROBLEM_JSON,
        headers={"Cache-Control": "no-store"},
    )  # fmt: skip


def _render_route(
    session: Session, plan_id: int, vehicle: str, lang: Lang, tiles: str | None
) -> Rendered | None:
    plan = load_plan(session, plan_id)
    route = plan.route(vehicle)
    if route is None:
        return None
    events = list_events(session, plan_id, vehicle=vehicle, limit=MAX_EVENTS, offset=0)
    page = build_page(
        plan,
        route,
        places=RequestPlaces.of(get_plan(session, plan_id).job.request),
        statuses={event.stop: event.kind.value for event in events.items},
        lang=lang,
        tiles_url=tiles,
    )
    return Rendered.of(render_page(page))


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
    pages = page_cache(request)
    with store.read() as session:
        link = resolve_driver_link(session, token)
        if link is None:
            return _not_found_page()
        plan_id, vehicle = link
        version = list_events(session, plan_id, vehicle=vehicle, limit=0, offset=0).count
        key = (plan_id, vehicle, token_hash(token), chosen, version)
        page = pages.get(key)
        if page is None:
            page = _render_route(session, plan_id, vehicle, chosen, tiles)
            if page is None:
                return _not_found_page()
            pages.put(key, page)
    headers = {**driver_page_headers(tiles), "Content-Language": chosen, "Vary": "Accept-Language"}
    return html_response(request, page, headers)


def _record(store: Store, token: str, raw: bytes) -> tuple[int, str, Response]:
    """Check the token, then the event, then store it; (plan id, vehicle, response)."""
    with store.write() as session:
        link = resolve_driver_link(session, token)
        if link is None:
            return 0, "", _not_found_problem()
        plan_id, vehicle = link
        try:
            event = EventIn.model_validate_json(raw or b"{}")
        except ValidationError as exc:
            raise EventError(field_errors(exc, "body")) from None
        recorded = record_driver_event(session, plan_id, vehicle, event)
    response = JSONResponse(
        recorded.as_dict(), status_code=201, headers={"Cache-Control": "no-store"}
    )
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
        page_cache(request).discard(lambda key: key[:2] == (plan_id, vehicle))
    return response
