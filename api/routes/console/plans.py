"""The console's plan page: routes, stops, loads and costs, driver links with QR codes and
route sheets, outsourced regions and unserved orders with their reasons; publishing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from api.deps import ClockDep, Dispatcher, PlanId, Principal, Reader, SettingsDep, StoreDep
from api.routes.console.forms import fields, form_lang, refused
from api.settings import Settings
from api.views.console import page_lang, render, see_other, texts, with_lang
from api.views.console_plan import plan_view
from api.views.console_replan import changes_view, form_view, versions_view
from dispatch.errors import DispatchError, FieldError, RequestError
from dispatch.live.tracking import driver_link, link_expiry
from dispatch.store import (
    Role,
    Store,
    audit,
    get_plan,
    live_driver_links,
    load_network,
    load_plan,
    plan_versions,
    replace_driver_links,
)
from dispatch.store.models import utcnow
from dispatch.store.publishing import publish_plan

router = APIRouter()


def _region_names(store: Store) -> dict[str, str]:
    with store.read() as session:
        regions = load_network(session).get("regions") or {}
    names = {}
    for feature in regions.get("features", []):
        props = feature.get("properties") or {}
        rid = props.get("id") or feature.get("id")
        if rid:
            names[str(rid)] = str(props.get("name") or rid)
    return names


def plan_page_of(
    request: Request, who: Principal, store: Store, settings: Settings, plan_id: int,
    lang: str | None, fresh: dict[str, str] | None = None, *, now: datetime,
    replan: Mapping[str, str] | None = None, errors: Sequence[FieldError] = (), status: int = 200,
) -> HTMLResponse:  # fmt: skip
    """The plan page; ``replan`` and ``errors`` are a refused re-plan form's values and why."""
    chosen = page_lang(request, lang)
    links: dict[str, str] = {}
    with store.read() as session:
        record = get_plan(session, plan_id)
        plan = load_plan(session, plan_id)
        versions = versions_view(plan_versions(session, plan_id), plan_id)
        form = form_view(plan, record.job.request, record.plan_date, now, replan)
        if who.role in (Role.ADMIN, Role.DISPATCHER):
            for link in live_driver_links(session, plan_id, key=settings.link_secret):
                if link.token is not None:
                    links[link.vehicle] = driver_link(link.token)
        links.update(fresh or {})
        view = plan_view(plan_id, plan, links, public_url=settings.public_url)
        return render(
            request, who, settings, "plan.html", lang=chosen,
            title=f"{texts(chosen)['plan_no']} {plan_id} · {record.plan_date}", record=record,
            view=view, fresh_links=bool(fresh), region_names=_region_names(store),
            versions=versions, changes=changes_view(plan), replan=form, replan_errors=errors,
            status=status,
        )  # fmt: skip


@router.get("/console/plans/{plan_id}", response_class=HTMLResponse)
def plan_page(
    request: Request,
    plan_id: PlanId,
    who: Reader,
    store: StoreDep,
    settings: SettingsDep,
    clock: ClockDep,
    lang: Annotated[str | None, Query(max_length=16)] = None,
) -> HTMLResponse:
    """One plan for the dispatcher: routes, links, sheets, reasons, the Publish button, the
    re-plan form, the day's versions and what a re-plan changed."""
    return plan_page_of(request, who, store, settings, plan_id, lang, now=clock.now())


def _publish(store: Store, plan_id: int, who: Principal) -> None:
    with store.write() as session:
        publish_plan(session, plan_id, actor=who.actor, now=utcnow())


@router.post("/console/plans/{plan_id}/publish", response_class=HTMLResponse)
async def publish(
    request: Request, plan_id: PlanId, who: Dispatcher, store: StoreDep, settings: SettingsDep
) -> Response:
    """Publish the plan (see ``POST /plans/{id}/publish``), then show it."""
    lang = form_lang(request, await fields(request))
    page = with_lang(f"/console/plans/{plan_id}", lang)
    try:
        await run_in_threadpool(_publish, store, plan_id, who)
    except DispatchError as exc:
        return refused(request, who, settings, lang, exc, page)
    return see_other(page)


def _new_links(store: Store, settings: Settings, plan_id: int, who: Principal) -> dict[str, str]:
    with store.write() as session:
        record = get_plan(session, plan_id)
        vehicles = [r.vehicle for r in record.routes]
        expires_at = link_expiry(record.plan_date, load_plan(session, plan_id).timezone)
        if expires_at <= utcnow():
            raise RequestError(
                [FieldError(f"plan {plan_id}", "date", "the day is over: links would have expired")]
            )
        tokens = replace_driver_links(
            session, plan_id, vehicles, expires_at, key=settings.link_secret
        )
        audit(session, who.actor, "driver_links.create", f"plan:{plan_id}", vehicles=vehicles)
    return {v: driver_link(t) for v, t in tokens.items()}


@router.post("/console/plans/{plan_id}/driver-links", response_class=HTMLResponse)
async def new_links(
    request: Request, plan_id: PlanId, who: Dispatcher, store: StoreDep, settings: SettingsDep,
    clock: ClockDep,
) -> Response:  # fmt: skip
    """New driver links for every route (the live ones are revoked), shown on the plan page."""
    lang = form_lang(request, await fields(request))
    try:
        fresh = await run_in_threadpool(_new_links, store, settings, plan_id, who)
    except DispatchError as exc:
        return refused(
            request, who, settings, lang, exc, with_lang(f"/console/plans/{plan_id}", lang)
        )
    return plan_page_of(request, who, store, settings, plan_id, lang, fresh, now=clock.now())
