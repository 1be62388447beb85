"""Driver links: a secret token per route, stored only as its SHA-256 hash."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dispatch.store.errors import NotFoundError
from dispatch.store.models import DriverLink, PlanRoute, utcnow
from dispatch.store.tokens import new_token, token_hash


def create_driver_link(session: Session, plan_id: int, vehicle: str, expires_at: datetime) -> str:
    """A new token for the route of ``vehicle`` in the plan (NotFoundError if it has none)."""
    route_id = session.scalar(
        select(PlanRoute.id).where(PlanRoute.plan_id == plan_id, PlanRoute.vehicle == vehicle)
    )
    if route_id is None:
        raise NotFoundError("route", f"{vehicle} of plan {plan_id}")
    token = new_token()
    session.add(
        DriverLink(
            token_hash=token_hash(token),
            plan_id=plan_id,
            route_id=route_id,
            vehicle=vehicle,
            expires_at=expires_at,
        )
    )
    session.flush()
    return token


def resolve_driver_link(
    session: Session, token: str, *, now: datetime | None = None
) -> tuple[int, str] | None:
    """``(plan_id, vehicle)`` for a live token; None when it is unknown, expired or revoked."""
    link = session.scalar(select(DriverLink).where(DriverLink.token_hash == token_hash(token)))
    if link is None or link.revoked_at is not None or link.expires_at <= (now or utcnow()):
        return None
    return link.plan_id, link.vehicle


def revoke_driver_links(session: Session, plan_id: int, vehicle: str | None = None) -> int:
    """Revoke the plan's live links (only ``vehicle``'s when given); returns how many."""
    query = update(DriverLink).where(DriverLink.plan_id == plan_id, DriverLink.revoked_at.is_(None))
    if vehicle is not None:
        query = query.where(DriverLink.vehicle == vehicle)
    result = session.execute(query.values(revoked_at=utcnow()))
    return int(result.rowcount)  # type: ignore[attr-defined]
