"""The console's live view of a plan: route progress, open alerts to acknowledge, the re-plan
form, notices sent and the latest events."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from api.deps import (
    ClockDep,
    Dispatcher,
    PlanId,
    Principal,
    Reader,
    RecordId,
    SettingsDep,
    StoreDep,
)
from api.routes.console.forms import fields, form_lang, refused
from api.routes.live import live_views
from api.settings import Settings
from api.views.console import page_lang, render, see_other, texts, with_lang
from api.views.console_replan import form_view
from dispatch.errors import DispatchError, FieldError
from dispatch.live.rules import AlertState
from dispatch.live.status import StopState
from dispatch.live.wallclock import WallClock
from dispatch.store import (
    Store,
    acknowledge_alert,
    audit,
    get_plan,
    list_alerts,
    list_events,
    list_notices,
)

router = APIRouter()
LATEST = 50
DONE = (StopState.DELIVERED, StopState.PARTLY_DELIVERED, StopState.FAILED)


def live_page_of(
    request: Request, who: Principal, store: Store, settings: Settings, plan_id: int,
    lang: str | None, *, now: datetime, replan: Mapping[str, str] | None = None,
    errors: Sequence[FieldError] = (), status: int = 200,
) -> HTMLResponse:  # fmt: skip
    """The live page; ``replan`` and ``errors`` are a refused re-plan form's values and why."""
    chosen = page_lang(request, lang)
    views = live_views(request)
    with store.read() as session:
        record = get_plan(session, plan_id)
        day = views.day(session, plan_id)
        live = views.status(session, plan_id, now).status
        zone = day.zone
        routes = [
            {
                "vehicle": r.vehicle,
                "departed": r.departed_at.astimezone(zone).strftime("%H:%M")
                if r.departed_at else None,
                "done": sum(1 for s in r.stops if s.state in DONE),
                "total": len(r.stops),
                "predicted_end": r.predicted_end.astimezone(zone).strftime("%H:%M")
                if r.predicted_end else None,
                "last_event": None if r.last_event is None
                else f"{r.last_event.kind.value} {r.last_event.at.astimezone(zone):%H:%M}",
            }
            for r in live.routes
        ]  # fmt: skip
        alerts = [
            *list_alerts(session, plan_id=plan_id, state=AlertState.OPEN, limit=200, offset=0).items
        ]
        notices = list_notices(session, plan_id=plan_id, limit=200, offset=0).items
        total = list_events(session, plan_id, limit=1, offset=0).count
        rows = list_events(session, plan_id, limit=LATEST, offset=max(0, total - LATEST)).items
        events = [
            {"at": e.at.astimezone(zone).strftime("%H:%M"), "vehicle": e.vehicle,
             "kind": e.kind.value, "stop": e.stop, "reason": e.reason}
            for e in reversed(rows)
        ]  # fmt: skip
        form = form_view(day.plan, record.job.request, record.plan_date, now, replan)
        return render(
            request, who, settings, "live.html", lang=chosen,
            title=f"{texts(chosen)['live']} · {texts(chosen)['plan_no']} {plan_id} · "
                  f"{record.plan_date}",
            plan_id=plan_id, routes=routes, alerts=alerts, notices=notices, events=events,
            record=record, replan=form, replan_errors=errors, replan_page="live", status=status,
        )  # fmt: skip


@router.get("/console/plans/{plan_id}/live", response_class=HTMLResponse)
def live_page(
    request: Request,
    plan_id: PlanId,
    who: Reader,
    store: StoreDep,
    settings: SettingsDep,
    clock: ClockDep,
    lang: Annotated[str | None, Query(max_length=16)] = None,
) -> HTMLResponse:
    """Where the plan's routes stand, its open alerts, the form that re-plans the day from
    now, notices sent and latest events."""
    return live_page_of(request, who, store, settings, plan_id, lang, now=clock.now())


def _acknowledge(store: Store, alert_id: int, who: Principal, clock: WallClock) -> int:
    with store.write() as session:
        alert = acknowledge_alert(session, alert_id, actor=who.actor, now=clock.now())
        audit(session, who.actor, "alerts.ack", f"alert:{alert_id}")
        return alert.plan_id


@router.post("/console/alerts/{alert_id}/ack", response_class=HTMLResponse)
async def acknowledge(
    request: Request,
    alert_id: RecordId,
    who: Dispatcher,
    store: StoreDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> Response:
    """Acknowledge the alert, then show its plan's live page."""
    lang = form_lang(request, await fields(request))
    try:
        plan_id = await run_in_threadpool(_acknowledge, store, alert_id, who, clock)
    except DispatchError as exc:
        return refused(request, who, settings, lang, exc, with_lang("/console/today", lang))
    return see_other(with_lang(f"/console/plans/{plan_id}/live", lang))
