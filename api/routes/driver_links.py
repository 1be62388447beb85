"""Driver links of a plan's routes: issued, listed and revoked by dispatchers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, HTTPException, Query

from api.deps import Dispatcher, PlanId, ReadSession, SettingsDep, WriteSession
from api.problems import problem_responses
from api.schemas import DriverLinkRequest, DriverLinks, LiveDriverLink, Page, Revoked
from dispatch.errors import NotFoundError
from dispatch.live.tracking import driver_link, link_expiry
from dispatch.store import (
    LiveLink,
    audit,
    get_plan,
    live_driver_links,
    load_plan,
    replace_driver_links,
    revoke_driver_links,
)
from dispatch.store.models import utcnow

router = APIRouter(
    prefix="/plans/{plan_id}/driver-links",
    tags=["driver links"],
    responses=problem_responses(400, 401, 403, 404, 422),
)


@router.get("")
def read_links(
    plan_id: PlanId, _: Dispatcher, session: ReadSession, settings: SettingsDep
) -> Page[LiveDriverLink]:
    """The plan's live driver links (not revoked, not expired), in route order. A link is
    shown when the service's link key (`DISPATCH_LINK_KEY`) derives its token again;
    otherwise `link` is null and a new link (POST) replaces it.

    **Roles:** admin, dispatcher.
    """
    get_plan(session, plan_id)
    links = [_view(link) for link in live_driver_links(session, plan_id, key=settings.link_secret)]
    return Page(data=links, count=len(links))


def _view(link: LiveLink) -> LiveDriverLink:
    return LiveDriverLink(
        id=link.id,
        vehicle=link.vehicle,
        link=None if link.token is None else driver_link(link.token),
        created_at=link.created_at,
        expires_at=link.expires_at,
    )


@router.post("", status_code=201)
def create_links(
    plan_id: PlanId,
    who: Dispatcher,
    session: WriteSession,
    settings: SettingsDep,
    body: Annotated[DriverLinkRequest | None, Body()] = None,
) -> DriverLinks:
    """New driver links for the plan's routes (all, or the vehicles named), replacing their
    live links, which are revoked. Only the tokens' hashes are stored.

    **Roles:** admin, dispatcher.
    """
    plan = get_plan(session, plan_id)
    spec = body or DriverLinkRequest()
    vehicles = spec.vehicles if spec.vehicles is not None else [r.vehicle for r in plan.routes]
    known = {r.vehicle for r in plan.routes}
    unknown = [v for v in vehicles if v not in known]
    if unknown:
        raise NotFoundError("route", f"{', '.join(unknown)} of plan {plan_id}")
    timezone = load_plan(session, plan_id).timezone
    expires_at = spec.expires_at or link_expiry(plan.plan_date, timezone)
    if expires_at <= utcnow():
        raise HTTPException(422, "the links would have expired already: give a later expires_at")
    tokens = replace_driver_links(session, plan_id, vehicles, expires_at, key=settings.link_secret)
    audit(session, who.actor, "driver_links.create", f"plan:{plan_id}", vehicles=vehicles)
    return DriverLinks(links={v: driver_link(t) for v, t in tokens.items()}, expires_at=expires_at)


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
