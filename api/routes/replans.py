"""Re-plans: a new version of a day's plan from where the day stands, and the versions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Body, Response

from api.deps import (
    Dispatcher,
    PlanId,
    Principal,
    Reader,
    ReadSession,
    RunnerDep,
    SettingsDep,
    StoreDep,
    finite_body,
)
from api.problems import problem_responses
from api.quotas import store_job
from api.schemas import Page, PlanAccepted, PlanSummary
from api.settings import Settings
from dispatch.replan.job import replan_document
from dispatch.store import JobSource, Store, get_plan, plan_versions

router = APIRouter(prefix="/plans", tags=["plans"], responses=problem_responses(400, 401, 403, 422))

_EXAMPLE = {
    "at": "2026-12-08T11:00:00+08:00",
    "vehicles_down": [{"vehicle": "N-REEFER#1", "at": "2026-12-08T11:00:00+08:00"}],
    "add_orders": [], "cancel_orders": [], "carriers_down": ["CAT"],
    "keep_assignments": False,
}  # fmt: skip


def store_replan(
    store: Store, who: Principal, settings: Settings, plan_id: int, body: Mapping[str, Any]
) -> str:
    """The queued re-plan job of ``plan_id`` for ``body`` (checked, within the role's limits,
    audited); RequestError naming each bad field, and nothing stored, when it is refused."""
    with store.read() as session:
        document, request = replan_document(session, plan_id, body, max_orders=settings.max_orders)
    return store_job(
        store, who, settings, document, request, source=JobSource.REQUEST,
        action="plan.replan", plan_id=plan_id, at=str(body.get("at")),
    )  # fmt: skip


@router.post(
    "/{plan_id}/replan",
    status_code=202,
    responses={**problem_responses(404, 429), 202: {"headers": {"Location": {
        "description": "The job's status URL", "schema": {"type": "string"}}}}},
)  # fmt: skip
def request_replan(
    plan_id: PlanId,
    who: Dispatcher,
    store: StoreDep,
    runner: RunnerDep,
    settings: SettingsDep,
    response: Response,
    body: Annotated[dict[str, Any], Body(openapi_examples={"breakdown": {"value": _EXAMPLE}})],
) -> PlanAccepted:
    """Re-plan the day from where it stands at `at`, as a job; its plan is the next version
    (`previous_plan_id`). Unknown vehicles, orders or carriers, or a time before the plan's
    day, are answered 422 naming the field, and nothing is stored.

    **Roles:** admin, dispatcher.
    """
    finite_body(body)
    job_id = store_replan(store, who, settings, plan_id, body)
    runner.submit(job_id)
    response.headers["Location"] = f"/jobs/{job_id}"
    return PlanAccepted(job_id=job_id, status_url=f"/jobs/{job_id}")


@router.get("/{plan_id}/versions", responses=problem_responses(404))
def read_versions(plan_id: PlanId, session: ReadSession, _: Reader) -> Page[PlanSummary]:
    """Every version of this plan's day, oldest first (each re-plan follows the one before).

    **Roles:** admin, dispatcher, planner.
    """
    get_plan(session, plan_id)
    versions = plan_versions(session, plan_id)
    return Page(data=[PlanSummary.of(p) for p in versions], count=len(versions))
