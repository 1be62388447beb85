"""Driver links: a secret token per route, stored only as its SHA-256 hash.

With the service's link key a token is derived from a random seed kept beside the hash,
so the live links of a plan can be listed again (:func:`live_driver_links`); without the
key a token exists only in the answer that created it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dispatch.errors import NotFoundError
from dispatch.store.models import DriverLink, PlanRoute, utcnow
from dispatch.store.tokens import keyed_token, new_token, token_hash


@dataclass(frozen=True, slots=True)
class LiveLink:
    """A link that works now; ``token`` is None when the key to show it again is missing."""

    id: int
    vehicle: str
    created_at: datetime
    expires_at: datetime
    token: str | None


def create_driver_link(
    session: Session, plan_id: int, vehicle: str, expires_at: datetime, *, key: bytes | None = None
) -> str:
    """A new token for the route of ``vehicle`` in the plan (NotFoundError if it has none).

    With ``key`` the token is derived from a stored random seed and can be listed again.
    """
    route_id = session.scalar(
        select(PlanRoute.id).where(PlanRoute.plan_id == plan_id, PlanRoute.vehicle == vehicle)
    )
    if route_id is None:
        raise NotFoundError("route", f"{vehicle} of plan {plan_id}")
    seed = None
    if key is None:
        token = new_token()
    else:
        seed = new_token()
        token = keyed_token(key, seed)
    session.add(
        DriverLink(
            token_hash=token_hash(token),
            token_seed=seed,
            plan_id=plan_id,
            route_id=route_id,
            vehicle=vehicle,
            expires_at=expires_at,
        )
    )
    session.flush()
    return token


def replace_driver_links(
    session: Session,
    plan_id: int,
    vehicles: Iterable[str],
    expires_at: datetime,
    *,
    key: bytes | None = None,
) -> dict[str, str]:
    """Revoke the live links of ``vehicles`` and give each a new one; vehicle → token."""
    tokens = {}
    for vehicle in vehicles:
        revoke_driver_links(session, plan_id, vehicle)
        tokens[vehicle] = create_driver_link(session, plan_id, vehicle, expires_at, key=key)
    return tokens


def live_driver_links(
    session: Session, plan_id: int, *, key: bytes | None = None, now: datetime | None = None
) -> list[LiveLink]:
    """The plan's links that are neither revoked nor expired, in route order.

    A token is given only when ``key`` derives it again (a link made without the key, or
    under another key, has none).
    """
    rows = session.scalars(
        select(DriverLink)
        .join(PlanRoute, PlanRoute.id == DriverLink.route_id)
        .where(
            DriverLink.plan_id == plan_id,
            DriverLink.revoked_at.is_(None),
            DriverLink.expires_at > (now or utcnow()),
        )
        .order_by(PlanRoute.position, DriverLink.id)
    )
    return [
        LiveLink(link.id, link.vehicle, link.created_at, link.expires_at, _token(link, key))
        for link in rows
    ]


def _token(link: DriverLink, key: bytes | None) -> str | None:
    if key is None or link.token_seed is None:
        return None
    token = keyed_token(key, link.token_seed)
    return token if token_hash(token) == link.token_hash else None


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
