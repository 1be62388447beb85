"""Static assets under ``/static`` (long-cached) and the plan map at ``/plans/{id}/map``."""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from api.deps import ClockDep, PlanId, Reader, ReadSession, SettingsDep, StoreDep
from api.headers import html_response
from api.problems import problem_responses
from api.routes.live import live_views
from api.settings import Settings
from api.views.cache import Rendered, RenderedPages
from api.views.live import LiveViews
from api.views.live_map import REFRESH_S, live_feed
from api.views.plan_map import render_plan_map, route_colours
from dispatch.live.wallclock import WallClock
from dispatch.store import Store, get_plan, load_plan
from geo import assets
from geo.maps import LiveFeed, content_security_policy

APP_STATIC = Path(__file__).resolve().parent.parent / "static"
IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=300"
MAP_CACHE_SIZE = 32

router = APIRouter(tags=["maps"])


class CachedStaticFiles(StaticFiles):
    """Static files sent with ``Cache-Control``: immutable when the URL is versioned.

    Vendored files live in versioned folders; the service's own files are versioned by
    a ``?v=`` content hash in the pages that use them.
    """

    def __init__(self, *, directory: Path, versioned_folders: bool) -> None:
        super().__init__(directory=directory)
        self.versioned_folders = versioned_folders

    def file_response(
        self, full_path: Any, stat_result: os.stat_result, scope: Scope, status_code: int = 200
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        versioned = self.versioned_folders or b"v=" in scope.get("query_string", b"")
        response.headers["Cache-Control"] = IMMUTABLE if versioned else SHORT
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


@cache
def _vendor_files() -> CachedStaticFiles:
    return CachedStaticFiles(directory=assets.VENDOR_DIR, versioned_folders=True)


@cache
def _app_files() -> CachedStaticFiles:
    return CachedStaticFiles(directory=APP_STATIC, versioned_folders=False)


def _clean(path: str) -> str:
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if not parts or ".." in parts:
        raise HTTPException(status_code=404)
    return os.path.normpath(os.path.join(*parts))


@router.api_route("/static/vendor/{path:path}", methods=["GET", "HEAD"], include_in_schema=False)
async def vendor_file(path: str, request: Request) -> Response:
    """A vendored library file (Leaflet)."""
    return await _vendor_files().get_response(_clean(path), request.scope)


@cache
def _map_files() -> CachedStaticFiles:
    return CachedStaticFiles(directory=assets.MAP_DIR, versioned_folders=False)


@router.api_route("/static/map/{path:path}", methods=["GET", "HEAD"], include_in_schema=False)
async def map_file(path: str, request: Request) -> Response:
    """The map page's own script or stylesheet (versioned by ``?v=`` in the page)."""
    return await _map_files().get_response(_clean(path), request.scope)


@router.api_route("/static/app/{path:path}", methods=["GET", "HEAD"], include_in_schema=False)
async def app_file(path: str, request: Request) -> Response:
    """One of the service's own page scripts or stylesheets."""
    return await _app_files().get_response(_clean(path), request.scope)


def map_headers(tiles: str | None) -> dict[str, str]:
    """The plan map's headers: a strict policy (images also from the tiles), never framed."""
    return {
        "Cache-Control": "private, no-cache",
        "Content-Security-Policy": content_security_policy(tiles),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Robots-Tag": "noindex, nofollow",
    }


_MAP_EXAMPLE = '<!doctype html>\n<html lang="zh-Hant">\n<head>\n<meta charset="utf-8">'


@router.get(
    "/plans/{plan_id}/map",
    response_class=HTMLResponse,
    responses={
        200: {
            "description": "A Leaflet page: the plan as JSON in #map-data, assets from /static",
            "content": {"text/html": {"example": _MAP_EXAMPLE}},
        },
        **problem_responses(401, 403, 404, 422),
    },
)
def plan_map_page(
    plan_id: PlanId, request: Request, session: ReadSession, settings: SettingsDep, _: Reader
) -> Response:
    """The plan on a map: a coloured line per route with numbered stops, depots, outsourced
    regions by carrier, unserved orders, and a layer switch. The page follows the day from
    `/plans/{id}/map/live`: delivered, late and failed stops in their own colours, and the
    vans' last positions. **Roles:** admin, dispatcher, planner.
    """
    tiles = tiles_url(settings)
    maps = map_cache(request)
    page = maps.get(plan_id)
    if page is None:
        plan = load_plan(session, plan_id)
        request_doc = get_plan(session, plan_id).job.request
        live = LiveFeed(f"/plans/{plan_id}/map/live", REFRESH_S)
        page = maps.put(
            plan_id, Rendered.of(render_plan_map(plan, request_doc, tiles_url=tiles, live=live))
        )
    else:
        get_plan(session, plan_id)
    return html_response(request, page, map_headers(tiles))


_LIVE_EXAMPLE = {
    "as_of": "2026-12-08T10:45:00+08:00",
    "summary": "10:45 · 12 delivered 已送達 · 2 late 延誤 · 1 failed 未送達",
    "markers": [{"key": "VAN-NH#1/PP-017", "state": "delivered", "colour": "#15803d",
                 "tooltip": "PP-017 · delivered 已送達 10:42"}],
    "vehicles": [{"key": "VAN-NH#1", "at": [25.041, 121.565], "label": "車",
                  "colour": "#e6194b", "tooltip": "VAN-NH#1 · 10:42"}],
}  # fmt: skip


def _live(store: Store, views: LiveViews, plan_id: int, clock: WallClock) -> bytes:
    with store.read() as session:
        day = views.day(session, plan_id)
        status = views.status(session, plan_id, clock.now()).status
    feed = live_feed(status, day.zone, route_colours(day.plan))
    return json.dumps(feed, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@router.get(
    "/plans/{plan_id}/map/live",
    response_class=Response,
    responses={
        200: {
            "description": "The plan map's live feed: stop states and colours, van positions",
            "content": {"application/json": {"example": _LIVE_EXAMPLE}},
        },
        **problem_responses(401, 403, 404, 422),
    },
)
async def plan_map_live(
    plan_id: PlanId, request: Request, store: StoreDep, clock: ClockDep, _: Reader
) -> Response:
    """What the plan map shows of the day so far: per stop (by `key`, vehicle/stop) its
    `state` (planned, arrived, late, delivered, partly_delivered, failed) and colour, and
    per van its last known position. **Roles:** admin, dispatcher, planner."""
    body = await run_in_threadpool(_live, store, live_views(request), plan_id, clock)
    return Response(body, media_type="application/json", headers={"Cache-Control": "no-store"})


def map_cache(request: Request) -> RenderedPages[int]:
    """The app's rendered plan maps by plan id (stored plans do not change)."""
    state = request.app.state
    maps: RenderedPages[int] | None = getattr(state, "plan_maps", None)
    if maps is None:
        maps = state.plan_maps = RenderedPages[int](MAP_CACHE_SIZE)
    return maps


def tiles_url(settings: Settings) -> str | None:
    """The background tile URL template (``DISPATCH_TILES_URL``); None or "" for no tiles."""
    return settings.tiles_url or None
