"""KPIs measured from the events (JSON or CSV), their page with charts, and the carriers'
scorecard."""

from __future__ import annotations

import json
from collections.abc import Hashable
from datetime import date, datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from api.deps import ClockDep, Reader, StoreDep
from api.headers import page_csp
from api.problems import problem_responses
from api.views.cache import Kept
from api.views.pages import app_asset_url, choose_lang, page_texts, templates
from dispatch.kpis import Grouping
from dispatch.kpis.reading import Made, keep_made, prepare
from dispatch.kpis.report import (
    MAX_DAYS,
    carrier_scorecard,
    check_span,
    kpi_report,
    local_day,
    to_csv,
)
from dispatch.store import Store

router = APIRouter(tags=["kpis"], responses=problem_responses(401, 403, 422))

KEPT = 128
"""Prepared plans and days' facts kept between reports: a 30-day report keeps 60, and a
day whose events change leaves its older facts to age out."""
DEFAULT_DAYS = 30
CHART_JS = "/static/vendor/chartjs-4.5.1/chart.umd.min.js"


def frames(request: Request) -> Kept[Hashable, object]:
    """The app's prepared plans and days' facts, created on first use."""
    state = request.app.state
    kept: Kept[Hashable, object] | None = getattr(state, "kpi_frames", None)
    if kept is None:
        kept = state.kpi_frames = Kept[Hashable, object](KEPT)
    return kept


def _span(first: date | None, last: date | None, now: datetime) -> tuple[date, date]:
    last = last or local_day(now)
    return first or last - timedelta(days=DEFAULT_DAYS - 1), last


def _report(
    store: Store, cache: Kept[Hashable, object], first: date, last: date, by: Grouping | None
) -> tuple[dict[str, object], Made]:
    made = prepare(store, first, last, cache=cache)
    with store.read() as session:
        return kpi_report(session, first, last, by, cache=cache).document(), made


def _csv(
    store: Store, cache: Kept[Hashable, object], first: date, last: date, by: Grouping | None
) -> tuple[str, Made]:
    made = prepare(store, first, last, cache=cache)
    with store.read() as session:
        return to_csv(kpi_report(session, first, last, by, cache=cache)), made


def _keep(store: Store, made: Made) -> BackgroundTask | None:
    """What the report made, stored once the answer is sent (it is already in memory)."""
    return BackgroundTask(keep_made, store, made) if made else None


_EXAMPLE = {
    "from": "2026-12-01", "to": "2026-12-07", "group_by": "day",
    "total": {"group": "total", "orders": 4200, "delivered": 4105, "failed": 41,
              "failed_by_reason": {"nobody": 30, "refused": 11}, "success_rate": 0.9774,
              "on_time_rate": 0.962, "avg_delay_minutes": 1.8, "p95_delay_minutes": 12.0},
    "data": [], "count": 7,
}  # fmt: skip


@router.get(
    "/kpis",
    responses={
        200: {
            "description": "The KPIs: `total` and a row per group in `data`",
            "content": {
                "application/json": {"example": _EXAMPLE},
                "text/csv": {"example": "group,orders,delivered,...\r\n"},
            },
        }
    },
)
async def read_kpis(
    request: Request,
    store: StoreDep,
    clock: ClockDep,
    _: Reader,
    first: Annotated[
        date | None, Query(alias="from", description="First day (default: 29 days before `to`)")
    ] = None,
    last: Annotated[date | None, Query(alias="to", description="Last day (default: today)")] = None,
    group_by: Annotated[
        Grouping | None, Query(description="One row per day, region, carrier, vehicle or platform")
    ] = None,
    format: Annotated[
        Literal["json", "csv"] | None, Query(description="`csv`, or send `Accept: text/csv`")
    ] = None,
) -> Response:
    """How the days went, counted from the drivers' and carriers' events and the notices sent,
    not from the plan: orders, delivered, failed by reason, success and on-time rates, delays,
    delivery time from departure, cost per delivered order, own and carrier shares, vehicle
    use, cold-chain compliance, notices and compensation (each defined in the README, "KPIs").
    Each day counts its published plan, else its newest version. At most 366 days.

    **Roles:** admin, dispatcher, planner.
    """
    first, last = _span(first, last, clock.now())
    check_span(first, last)
    cache = frames(request)
    wants_csv = format == "csv" or (
        format is None and "text/csv" in request.headers.get("accept", "")
    )
    headers = {"Cache-Control": "private, no-store", "Vary": "Accept"}
    if wants_csv:
        text, made = await run_in_threadpool(_csv, store, cache, first, last, group_by)
        name = f"kpis-{first}-{last}{'-' + group_by if group_by else ''}.csv"
        headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return Response(text, media_type="text/csv; charset=utf-8", headers=headers,
                        background=_keep(store, made))  # fmt: skip
    body, made = await run_in_threadpool(_report, store, cache, first, last, group_by)
    return Response(_json(body), media_type="application/json", headers=headers,
                    background=_keep(store, made))  # fmt: skip


def _json(body: object) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _scores(
    store: Store, cache: Kept[Hashable, object], day: date, days: int
) -> tuple[dict[str, object], Made]:
    made = prepare(store, day - timedelta(days=days - 1), day, cache=cache)
    with store.read() as session:
        first, last, scores = carrier_scorecard(session, day, days, cache=cache)
    return {
        "from": first.isoformat(),
        "to": last.isoformat(),
        "days": days,
        "data": [s.document() for s in scores],
        "count": len(scores),
    }, made


_SCORECARD_EXAMPLE = {
    "from": "2026-11-09", "to": "2026-12-08", "days": 30,
    "data": [{"carrier": "CAT", "orders": 1620, "delivered": 1571, "failed": 31, "open": 18,
              "on_time": 1502, "success_rate": 0.9807, "on_time_rate": 0.9561}],
    "count": 1,
}  # fmt: skip


@router.get(
    "/carriers/scorecard",
    responses={
        200: {
            "description": "Each carrier's measured rates",
            "content": {"application/json": {"example": _SCORECARD_EXAMPLE}},
        }
    },
)
async def read_scorecard(
    request: Request,
    store: StoreDep,
    clock: ClockDep,
    _: Reader,
    days: Annotated[
        int, Query(ge=1, le=MAX_DAYS, description="The last N days, today included")
    ] = DEFAULT_DAYS,
) -> Response:
    """Each carrier's measured rates over the last `days` days, from its own events:
    `success_rate` = delivered / (delivered + failed), `on_time_rate` = delivered by the end
    of the order's last window / delivered. A plan request with
    `"policy": {"carrier_rates": "measured"}` plans with these on-time rates.

    **Roles:** admin, dispatcher, planner.
    """
    body, made = await run_in_threadpool(
        _scores, store, frames(request), local_day(clock.now()), days
    )
    return Response(_json(body), media_type="application/json",
                    headers={"Cache-Control": "private, no-store"},
                    background=_keep(store, made))  # fmt: skip


def page_headers(lang: str) -> dict[str, str]:
    """Scripts only from this service (Chart.js and the page's own), data from /kpis."""
    return {
        "Content-Security-Policy": page_csp(),
        "Cache-Control": "private, no-store",
        "Referrer-Policy": "same-origin",
        "X-Robots-Tag": "noindex, nofollow",
        "Content-Language": lang,
        "Vary": "Accept-Language",
    }


@router.get("/kpis/view", response_class=HTMLResponse, include_in_schema=False)
def kpi_page(
    request: Request,
    clock: ClockDep,
    _: Reader,
    first: Annotated[date | None, Query(alias="from")] = None,
    last: Annotated[date | None, Query(alias="to")] = None,
    lang: Annotated[str | None, Query(max_length=16)] = None,
) -> HTMLResponse:
    """The KPIs over days as charts, and a table per region and per carrier."""
    chosen = choose_lang(lang, request.headers.get("accept-language"))
    first, last = _span(first, last, clock.now())
    check_span(first, last)
    texts = page_texts("kpis")[chosen]
    html = (
        templates()
        .get_template("kpis.html")
        .render(
            t=texts, lang=chosen, first=first.isoformat(), last=last.isoformat(),
            chart_js=CHART_JS, script=app_asset_url("/static", "kpis/kpis.js"),
            base_css=app_asset_url("/static", "base.css"),
            css=app_asset_url("/static", "kpis/kpis.css"),
        )
    )  # fmt: skip
    return HTMLResponse(html, headers=page_headers(chosen))
