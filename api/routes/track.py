"""The customer's tracking page at ``/t/{token}``: one order, or one pickup point's stop.

The token is the credential, like a driver's: a wrong, expired or revoked one gets the same
bare 404. The page is never cached, indexed, framed or sent as a referrer.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse

from api.deps import SettingsDep, StoreDep
from api.headers import page_csp, tile_origin
from api.routes.alerts import ClockDep
from api.routes.maps import tiles_url
from api.views.pages import choose_lang
from api.views.tracking_page import build_page, render_page
from dispatch.live.notices import Directory
from dispatch.store import get_plan, load_plan, resolve_tracking_link

router = APIRouter(tags=["tracking page"])

_NOT_FOUND = (
    '<!doctype html><html><head><meta charset="utf-8"><title>404</title>'
    '<meta name="viewport" content="width=device-width, initial-scale=1"></head>'
    "<body><p>找不到此頁面 · Not found</p></body></html>"
)


def _not_found_page() -> HTMLResponse:
    return HTMLResponse(
        _NOT_FOUND, status_code=404,
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )  # fmt: skip


def tracking_headers(tiles: str | None) -> dict[str, str]:
    """Scripts and styles only from this service, images also from the tiles, no fetches."""
    return {
        "Cache-Control": "private, no-store",
        "Referrer-Policy": "no-referrer",
        "X-Robots-Tag": "noindex, nofollow",
        "Content-Security-Policy": page_csp(img=tile_origin(tiles), connect="'none'"),
    }


@router.get("/t/{token}", response_class=HTMLResponse, include_in_schema=False)
def tracking_page(
    token: str,
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    clock: ClockDep,
    lang: Annotated[str | None, Query(max_length=16)] = None,
) -> Response:
    """The phone page of one order or pickup point: state, arrival window, the van."""
    chosen = choose_lang(lang, request.headers.get("accept-language"))
    now = clock.now()
    with store.read() as session:
        subject = resolve_tracking_link(session, token, now=now)
        if subject is None:
            return _not_found_page()
        plan = load_plan(session, subject.plan_id)
        status = request.app.state.live.status_of(session, subject.plan_id, now)
        point = None
        if subject.stop is not None:
            directory = Directory.of_request(get_plan(session, subject.plan_id).job.request)
            point = directory.point_names.get(subject.stop)
    tiles = tiles_url(settings)
    page = build_page(plan, subject, status, lang=chosen, tiles_url=tiles, point_name=point)
    headers = {**tracking_headers(tiles), "Content-Language": chosen, "Vary": "Accept-Language"}
    return HTMLResponse(render_page(page), headers=headers)
