"""Publishing: one plan per day is the current one, and old driver links follow it.

Publishing a plan marks it published and supersedes the day's previously published plan
(``superseded_by`` points to the newer one). A driver link keeps the plan and vehicle it was
made for; :func:`follow_link` walks ``superseded_by`` to the newest published plan, so a link
of a superseded plan shows that plan's route of the same vehicle, or says it has none. A link
of a plan never published leads to the day's current plan once there is one; re-plans of
the plan a link leads to are followed to their newest version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.store.audit import audit
from dispatch.store.errors import ConflictError, NotFoundError
from dispatch.store.models import PlanRecord, PlanRoute
from dispatch.store.plans import get_plan, latest_version

MAX_CHAIN = 1000
"""More supersessions of one day than this are refused (a guard, never reached in practice)."""


@dataclass(frozen=True, slots=True)
class Published:
    """The plan just published and the one it superseded, if any."""

    plan_id: int
    superseded: int | None
    published_at: datetime


@dataclass(frozen=True, slots=True)
class LinkTarget:
    """Where a driver link made for ``(link_plan_id, vehicle)`` leads now.

    ``plan_id`` is the newest published plan in its chain (the link's own plan when that was
    never superseded); ``has_route`` says whether that plan has a route for the vehicle.
    """

    link_plan_id: int
    plan_id: int
    vehicle: str
    has_route: bool

    @property
    def changed(self) -> bool:
        """Whether the link shows another plan than the one it was made for."""
        return self.plan_id != self.link_plan_id


def _newest_published(day: date) -> tuple[Any, ...]:
    """The conditions of the day's published plan that nothing superseded."""
    return (
        PlanRecord.plan_date == day,
        PlanRecord.published_at.is_not(None),
        PlanRecord.superseded_by.is_(None),
    )


_NEWEST_FIRST = (PlanRecord.published_at.desc(), PlanRecord.id.desc())


def current_plan(session: Session, day: date) -> PlanRecord | None:
    """The day's published plan that nothing superseded, or None."""
    return session.scalar(
        select(PlanRecord).where(*_newest_published(day)).order_by(*_NEWEST_FIRST).limit(1)
    )


def current_plan_id(session: Session, day: date) -> int | None:
    """The id of :func:`current_plan`, read without the plan's row."""
    return session.scalar(
        select(PlanRecord.id).where(*_newest_published(day)).order_by(*_NEWEST_FIRST).limit(1)
    )


def publish_plan(session: Session, plan_id: int, *, actor: str, now: datetime) -> Published:
    """Make ``plan_id`` its day's current plan (in the caller's transaction, audited).

    Publishing the current plan again changes nothing. A plan that was superseded cannot be
    published again (ConflictError): publish a new plan instead.
    """
    plan = get_plan(session, plan_id)
    if plan.superseded_by is not None:
        raise ConflictError(
            f"plan {plan_id} was superseded by plan {plan.superseded_by}; publish that one or a "
            "newer plan"
        )
    if plan.published_at is not None:
        return Published(plan.id, None, plan.published_at)
    previous = session.scalars(
        select(PlanRecord).where(
            PlanRecord.plan_date == plan.plan_date,
            PlanRecord.published_at.is_not(None),
            PlanRecord.superseded_by.is_(None),
            PlanRecord.id != plan.id,
        )
    ).all()
    for old in previous:
        old.superseded_by, old.superseded_at = plan.id, now
    plan.published_at, plan.published_by = now, actor
    session.flush()
    superseded = max((old.id for old in previous), default=None)
    audit(
        session, actor, "plan.publish", f"plan:{plan.id}",
        date=plan.plan_date.isoformat(), superseded=[old.id for old in previous],
    )  # fmt: skip
    return Published(plan.id, superseded, now)


def newest_in_chain(session: Session, plan_id: int) -> int:
    """The plan that ``plan_id`` was (at last) superseded by; ``plan_id`` itself if none."""
    current, seen = plan_id, 0
    while True:
        following = session.scalar(select(PlanRecord.superseded_by).where(PlanRecord.id == current))
        if following is None or seen >= MAX_CHAIN:
            return current
        current, seen = following, seen + 1


def follow_link(session: Session, plan_id: int, vehicle: str) -> LinkTarget:
    """Where the link of ``vehicle`` in ``plan_id`` leads now (see :class:`LinkTarget`).

    A link of a plan that was never published leads to its day's current plan once there
    is one, as a superseded plan's does; before any plan of the day is published, every
    link shows its own plan. From there a link follows re-plans (``previous_plan_id``) to the
    newest version, so a re-plan reaches the drivers as soon as it is stored.
    """
    newest = newest_in_chain(session, plan_id)
    published = session.execute(
        select(PlanRecord.published_at, PlanRecord.plan_date).where(PlanRecord.id == newest)
    ).one_or_none()
    if published is None:
        raise NotFoundError("plan", newest)
    if published.published_at is None:
        current = current_plan_id(session, published.plan_date)
        if current is not None:
            newest = current
    newest = newest_in_chain(session, latest_version(session, newest))
    route = session.scalar(
        select(PlanRoute.id).where(PlanRoute.plan_id == newest, PlanRoute.vehicle == vehicle)
    )
    return LinkTarget(plan_id, newest, vehicle, route is not None)
