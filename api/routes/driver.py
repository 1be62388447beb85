"""The driver's page at ``/d/{token}`` and its events (departed, arrived, delivered,
failed, position).

The token alone authorises its own route; every request checks it, so a wrong, expired or
revoked token gets the same bare 404 at once. A link of a superseded plan leads to the newest
published plan's route of its vehicle (with a "route changed" banner), or says the route was
replaced when that plan has none; its events go to the plan it shows. Rendered pages are kept
per (plan, vehicle, token hash, language, events seen) and dropped when the route's events
change. An event is stored once by its ``event_id`` and its route's predictions are recomputed
before the answer.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api.deps import ClockDep, SettingsDep, StoreDep
from api.headers import driver_page_headers, html_response
from api.problems import PROBLEM_JSON, problem
from api.routes.live import live_views
from api.routes.maps import tiles_url
from api.views.cache import Rendered, RenderedPages
from api.views.driver_page import build_page, render_page, texts
from api.views.live import LiveViews, event_json
from api.views.pages import Lang, choose_lang, templates
from api.views.places import RequestPlaces
from dispatch.live.events import (
    RoadEventIn,
    add_road_event,
    check_road_event,
    stored_road_event,
)
from dispatch.live.live_day import LiveDay
from dispatch.live.status import StopState
from dispatch.live.tracking import token_hash
from dispatch.live.wallclock import WallClock
from dispatch.live.watch import react
from dispatch.store import (
    Store,
    get_plan,
    photo_ids,
    road_event,
    route_versions,
)
from dispatch.store.models import TrackingEvent
from dispatch.store.publishing import LinkTarget

PAGE_CACHE_SIZE = 512

PageKey = tuple[int, str, str, str, tuple[int, int]]
"""Plan id, vehicle, token hash, language, and the route's events version."""

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


def _replaced_page(lang: Lang) -> HTMLResponse:
    """The page of a link whose route is no longer in the day's current plan."""
    t = texts()[lang]
    html = templates().get_template("driver_replaced.html").render(t=t, lang=lang)
    return HTMLResponse(
        html, headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    )


def _link_target(session: Session, views: LiveViews, token: str) -> LinkTarget | None:
    """Where a live token leads now; None when it is unknown, expired or revoked."""
    return views.links.target(session, token)


def _replaced_problem() -> JSONResponse:
    body = problem(
        409, title="The route was replaced",
        detail="the day's current plan has no route for this link's vehicle",
    )  # fmt: skip
    return JSONResponse(
        body, status_code=409, media_type=PROBLEM_JSON, headers={"Cache-Control": "no-store"}
    )


def _render_route(
    session: Session, views: LiveViews, plan_id: int, vehicle: str, lang: Lang, tiles: str | None,
    *, changed: bool = False,
) -> Rendered | None:  # fmt: skip
    day = views.day(session, plan_id)
    route = day.plan.route(vehicle)
    if route is None:
        return None
    part = views.route(session, day, vehicle)
    statuses = {s.stop: s.state.value for s in part.route.stops if s.state is not StopState.PLANNED}
    page = build_page(
        day.plan,
        route,
        places=RequestPlaces.of(get_plan(session, plan_id).job.request),
        statuses=statuses,
        lang=lang,
        tiles_url=tiles,
        departed=None
        if part.route.departed_at is None
        else part.route.departed_at.astimezone(day.zone).strftime("%H:%M"),
        changed=changed,
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
    views = live_views(request)
    with store.read() as session:
        target = _link_target(session, views, token)
        if target is None:
            return _not_found_page()
        if not target.has_route:
            return _replaced_page(chosen)
        plan_id, vehicle = target.plan_id, target.vehicle
        version = route_versions(session, plan_id).get(vehicle, (0, 0))
        key = (plan_id, vehicle, token_hash(token), chosen, version)
        page = pages.get(key)
        if page is None:
            page = _render_route(
                session, views, plan_id, vehicle, chosen, tiles,
                changed=target.changed,
            )  # fmt: skip
            if page is None:
                return _not_found_page()
            pages.put(key, page)
    headers = {**driver_page_headers(tiles), "Content-Language": chosen, "Vary": "Accept-Language"}
    return html_response(request, page, headers)


def _event_response(
    session: Session, row: TrackingEvent, day: LiveDay, plan_id: int, *, photo: bool | None
) -> dict[str, object]:
    """The stored event as the answer shows it (``photo`` None: look it up)."""
    if photo is None:
        photo = row.id in photo_ids(session, [row.id])
    return event_json(road_event(row, photo=photo), day.zone, row_id=row.id, plan_id=plan_id)


def _store_event(
    store: Store, views: LiveViews, token: str, raw: bytes, clock: WallClock, public_url: str
) -> tuple[int, str, Response]:
    """Check the token, then the event, then store it once, with the alerts and notices it
    causes in the same transaction; (plan id, vehicle, response).

    The token, the event and an already stored copy are read before the write turn, so the
    writers' queue holds only the insert, the route's re-prediction and the rules.
    """
    now = clock.now()
    with store.read() as session:
        target = _link_target(session, views, token)
        if target is None:
            return 0, "", _not_found_problem()
        if not target.has_route:
            return 0, "", _replaced_problem()
        plan_id, vehicle = target.plan_id, target.vehicle
        event = RoadEventIn.parse(raw)
        day = views.day(session, plan_id)
        facts = views.facts(session, plan_id)
        stored = stored_road_event(session, plan_id, vehicle, event)
        if stored is None:
            check_road_event(day.plan, vehicle, event, now)
        else:
            body = _event_response(session, stored, day, plan_id, photo=None)
    if stored is None:
        with store.write() as session:
            row = add_road_event(session, day.plan, plan_id, vehicle, event, now)
            photo = event.photo_file is not None
            added = (vehicle, row.id, road_event(row, photo=photo))
            react(session, plan_id, views.status(session, plan_id, now, added=added).status, now,
                  public_url=public_url, rules=views.rules.load(session), facts=facts)  # fmt: skip
            body = _event_response(session, row, day, plan_id, photo=photo)
    response = JSONResponse(
        body, status_code=200 if stored else 201, headers={"Cache-Control": "no-store"}
    )
    return plan_id, vehicle, response


def _record(
    store: Store, views: LiveViews, token: str, raw: bytes, clock: WallClock, public_url: str
) -> tuple[int, str, Response]:
    """:func:`_store_event`, once more when a concurrent copy of the same event won the race
    (the second time it finds that copy and answers with it)."""
    try:
        return _store_event(store, views, token, raw, clock, public_url)
    except IntegrityError:
        return _store_event(store, views, token, raw, clock, public_url)


@router.post("/d/{token}/events", status_code=201, include_in_schema=False)
async def driver_event(
    token: str, request: Request, store: StoreDep, clock: ClockDep, settings: SettingsDep
) -> Response:
    """Record an event of the token's own route (see :class:`RoadEventIn`): 201 when new, 200
    with the stored event when its ``event_id`` was already stored with the same body.

    The body is read only once the token is known to be live, so a wrong token gets the bare
    404 whatever it sends.
    """
    raw = await request.body()
    views = live_views(request)
    plan_id, vehicle, response = await run_in_threadpool(
        _record, store, views, token, raw, clock, settings.public_url
    )
    if response.status_code == 201:
        page_cache(request).discard(lambda key: key[:2] == (plan_id, vehicle))
    return response
