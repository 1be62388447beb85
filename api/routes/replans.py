"""Re-plans: a new version of a day's plan from where the day stands, and the versions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Response

from api.deps import (
    Dispatcher,
    PlanId,
    Reader,
    ReadSession,
    RunnerDep,
    SettingsDep,
    StoreDep,
    finite_body,
)
from api.problems import problem_responses
from api.quotas import check_open_jobs, check_time_limit
from api.schemas import Page, PlanAccepted, PlanSummary
from dispatch.replan.job import replan_document
from dispatch.store import JobSource, audit, create_job, get_plan, plan_versions

router = APIRouter(prefix="/plans", tags=["plans"], responses=problem_responses(400, 401, 403, 422))

_EXAMPLE = {
    "at": "2026-12-08T11:00:00+08:00",
    "vehicles_down": [{"vehicle": "N-REEFER#1", "at": "2026-12-08T11:00:00+08:00"}],
    "add_orders": [], "cancel_orders": [], "carriers_down": ["CAT"],
    "keep_assignments": False,
}  # fmt: skip


def _summary(plan: Any) -> PlanSummary:
    return PlanSummary.model_validate(
        {**{k: getattr(plan, k) for k in ("id", "job_id", "plan_date", "status", "total_cost",
                                          "orders", "unserved", "vehicles_used", "created_at")},
         "url": f"/plans/{plan.id}"}
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
    with store.read() as session:
        document, request = replan_document(session, plan_id, body, max_orders=settings.max_orders)
    check_time_limit(who, settings, request.options.time_limit_s)
    with store.write() as session:
        check_open_jobs(who, settings, session)
        job = create_job(
            session, request=document, plan_date=request.date, source=JobSource.REQUEST,
            time_limit_s=request.options.time_limit_s, actor=who.actor, key_id=who.key_id,
            user_id=who.user_id,
        )  # fmt: skip
        audit(session, who.actor, "plan.replan", f"job:{job.id}", plan_id=plan_id,
              at=str(body.get("at")))  # fmt: skip
    runner.submit(job.id)
    response.headers["Location"] = f"/jobs/{job.id}"
    return PlanAccepted(job_id=job.id, status_url=f"/jobs/{job.id}")


@router.get("/{plan_id}/versions", responses=problem_responses(404))
def read_versions(plan_id: PlanId, session: ReadSession, _: Reader) -> Page[PlanSummary]:
    """Every version of this plan's day, oldest first (each re-plan follows the one before).

    **Roles:** admin, dispatcher, planner.
    """
    get_plan(session, plan_id)
    versions = plan_versions(session, plan_id)
    return Page(data=[_summary(p) for p in versions], count=len(versions))
