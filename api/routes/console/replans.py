"""The console's re-plan: the form of the plan page and of the live page starts the job
``POST /plans/{id}/replan`` starts, then shows its progress; a refused form shows its page
again with each bad field named, and nothing stored."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from api.deps import ClockDep, Dispatcher, PlanId, Principal, RunnerDep, SettingsDep, StoreDep
from api.routes.console.forms import fields, form_lang, refused
from api.routes.console.live import live_page_of
from api.routes.console.plans import plan_page_of
from api.routes.replans import store_replan
from api.settings import Settings
from api.views.console import see_other, with_lang
from api.views.console_replan import replan_body
from dispatch.errors import DispatchError, InputError
from dispatch.store import Store, load_plan

router = APIRouter()


def _start(
    store: Store, who: Principal, settings: Settings, plan_id: int, values: dict[str, str]
) -> str:
    with store.read() as session:
        zone = load_plan(session, plan_id).timezone
    body: dict[str, Any] = replan_body(values, zone)
    return store_replan(store, who, settings, plan_id, body)


@router.post("/console/plans/{plan_id}/replan", response_class=HTMLResponse)
async def replan(
    request: Request,
    plan_id: PlanId,
    who: Dispatcher,
    store: StoreDep,
    settings: SettingsDep,
    runner: RunnerDep,
    clock: ClockDep,
) -> Response:
    """Re-plan the day from the form (the same job as ``POST /plans/{id}/replan``); then the
    job's progress page, which links the new version."""
    values = await fields(request)
    lang = form_lang(request, values)
    try:
        job_id = await run_in_threadpool(_start, store, who, settings, plan_id, values)
    except InputError as exc:
        errors = exc.errors
        page_of = live_page_of if values.get("page") == "live" else plan_page_of
        return await run_in_threadpool(
            lambda: page_of(
                request, who, store, settings, plan_id, lang, now=clock.now(), replan=values,
                errors=errors, status=422,
            )
        )  # fmt: skip
    except DispatchError as exc:
        back = with_lang(f"/console/plans/{plan_id}", lang)
        return refused(request, who, settings, lang, exc, back)
    runner.submit(job_id)
    return see_other(with_lang(f"/console/jobs/{job_id}", lang))
