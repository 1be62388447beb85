"""Driver links of a plan's routes: created and revoked by dispatchers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, HTTPException, Query

from api.deps import Dispatcher, PlanId, WriteSession
from api.problems import problem_responses
from api.schemas import DriverLinkRequest, DriverLinks, Revoked
from dispatch.store import audit, create_driver_link, get_plan, revoke_driver_links
from dispatch.store.errors import NotFoundError
from dispatch.store.models import utcnow
from dispatch.tracking import driver_link, link_expiry

router = APIRouter(
    prefix="/plans/{plan_id}/driver-links",
    tags=["driver links"],
    responses=problem_responses(400, 401, 403, 404, 422),
)


@router.post("", status_code=201)
def create_links(
    plan_id: PlanId,
    who: Dispatcher,
    session: WriteSession,
    body: Annotated[DriverLinkRequest | None, Body()] = None,
) -> DriverLinks:
    """New driver links for the plan's routes (all, or the vehicles named). The tokens are
    shown once: only their hashes are stored.

    **Roles:** admin, dispatcher.
    """
    plan = get_plan(session, plan_id)
    spec = body or DriverLinkRequest()
    vehicles = spec.vehicles if spec.vehicles is not None else [r.vehicle for r in plan.routes]
    known = {r.vehicle for r in plan.routes}
    unknown = [v for v in vehicles if v not in known]
    if unknown:
        raise NotFoundError("route", f"{', '.join(unknown)} of plan {plan_id}")
    timezone = str(plan.job.request.get("timezone") or "Asia/Taipei")
    expires_at = spec.expires_at or link_expiry(plan.plan_date, timezone)
    if expires_at <= utcnow():
        raise HTTPException(422, "the links would have expired already: give a later expires_at")
    links = {v: driver_link(create_driver_link(session, plan_id, v, expires_at)) for v in vehicles}
    audit(session, who.actor, "driver_links.create", f"plan:{plan_id}", vehicles=vehicles)
    return DriverLinks(links=links, expires_at=expires_at)


@router.delete("")
def revoke_links(
    plan_id: PlanId,
    who: Dispatcher,
    session: WriteSession,
    vehicle: Annotated[str | None, Query(description="Only this vehicle's links")] = None,
) -> Revoked:
    """Revoke the plan's live driver links (one vehicle's, or all). **Roles:** admin, dispatcher."""
    get_plan(session, plan_id)
    revoked = revoke_driver_links(session, plan_id, vehicle)
    audit(session, who.actor, "driver_links.revoke", f"plan:{plan_id}", vehicle=vehicle,
          revoked=revoked)  # fmt: skip
    return Revoked(revoked=revoked)
