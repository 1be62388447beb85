"""Driver links and tracking events: when links expire, how they enter a plan, the kinds of event.

Storage stays in :mod:`dispatch.store`; this module holds the rules, on the typed plan. What a
reported event may say is :mod:`dispatch.live.events`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from dispatch.live.status import LiveKind
from dispatch.planning.plan import Plan

DRIVER_LINK_PREFIX = "/d/"
LINK_GRACE = timedelta(hours=6)
"""How long after the end of the plan day (in the plan's time zone) a driver link still works."""


EventKind = LiveKind
"""What a driver reports (the live day's :class:`~dispatch.live.status.LiveKind`)."""


class FailureReason(StrEnum):
    """Why a delivery failed; ``other`` needs a note."""

    NOBODY = "nobody"
    CLOSED = "closed"
    REFUSED = "refused"
    DAMAGED = "damaged"
    WRONG_ADDRESS = "wrong_address"
    NO_ACCESS = "no_access"
    OTHER = "other"


def token_hash(token: str) -> str:
    """The SHA-256 hex digest under which a driver token is stored and cached."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def link_expiry(plan_date: date | str, timezone: str, *, grace: timedelta = LINK_GRACE) -> datetime:
    """End of the plan day in its time zone plus ``grace``, as an aware UTC datetime."""
    day = date.fromisoformat(plan_date) if isinstance(plan_date, str) else plan_date
    midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=ZoneInfo(timezone))
    return (midnight + grace).astimezone(UTC)


def driver_link(token: str) -> str:
    """The path of a driver's page for ``token``."""
    return f"{DRIVER_LINK_PREFIX}{token}"


def issue_driver_links(
    plan: Plan, create_link: Callable[[str, datetime], str], *, default_date: date | None = None
) -> dict[str, str]:
    """Create a link for every route of the plan; returns vehicle → link.

    ``create_link(vehicle, expires_at)`` stores the token's hash and returns the token
    (e.g. ``partial(store.create_driver_link, session, plan_id)``). The plan is left as it
    is: a link never enters the plan document, which every role may read.
    """
    plan_date = plan.date or default_date or datetime.now(UTC).date()
    expires_at = link_expiry(plan_date, plan.timezone)
    return {
        route.vehicle: driver_link(create_link(route.vehicle, expires_at)) for route in plan.routes
    }
