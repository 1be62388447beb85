"""The service's tick: rules that depend on time alone (a route gone silent) are evaluated
on every live plan at a fixed interval, not only after an event.

:func:`tick` reads the time from the injected clock, so a test moves a
:class:`~dispatch.live.wallclock.ManualClock` and calls it directly.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.live.status import DayStatus
from dispatch.live.wallclock import WallClock
from dispatch.live.watch import Reaction, react
from dispatch.store import Store
from dispatch.store.models import DriverLink, PlanRecord

StatusOf = Callable[[Session, int, datetime], DayStatus | None]
"""The status of a plan as of a time (None when it has none to give)."""


def live_plans(session: Session, now: datetime) -> list[int]:
    """Plans of the days around ``now`` with a driver link that still works, but for those a
    newer published plan superseded (their links lead to the newer plan and report there)."""
    today = now.date()
    return list(
        session.scalars(
            select(PlanRecord.id)
            .where(
                PlanRecord.plan_date.between(today - timedelta(days=1), today + timedelta(days=1)),
                PlanRecord.superseded_by.is_(None),
                select(DriverLink.id)
                .where(
                    DriverLink.plan_id == PlanRecord.id,
                    DriverLink.revoked_at.is_(None),
                    DriverLink.expires_at > now,
                )
                .exists(),
            )
            .order_by(PlanRecord.id)
        )
    )


def tick(
    store: Store, clock: WallClock, status_of: StatusOf, *, public_url: str = ""
) -> dict[int, Reaction]:
    """Evaluate every live plan as of ``clock.now()``; the plans where something changed."""
    now = clock.now()
    with store.read() as session:
        plans = live_plans(session, now)
    changed = {}
    for plan_id in plans:
        with store.write() as session:
            status = status_of(session, plan_id, now)
            if status is None:
                continue
            reaction = react(session, plan_id, status, now, public_url=public_url)
        if reaction:
            changed[plan_id] = reaction
    return changed
