"""Where driver links lead, kept between requests until a link or a plan changes.

Following a link (:func:`~dispatch.store.links.resolve_driver_link`, then
:func:`~dispatch.store.publishing.follow_link`) takes half a dozen queries; every event and
page of a driver repeats it. :class:`LinkTargets` keeps each token's link and target with the
:func:`link_signature` it was read under: one query that changes whenever a link is made or
revoked, or a plan is stored, published or superseded (rows of either table are never
deleted, and those columns are only ever set). A link's expiry is checked on every use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from threading import Lock

from cachetools import LRUCache
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dispatch.store.models import DriverLink, PlanRecord, utcnow
from dispatch.store.publishing import LinkTarget, follow_link
from dispatch.store.tokens import token_hash

LinkSignature = tuple[int | None, ...]


_SIGNATURE = select(
    select(func.max(DriverLink.id)).scalar_subquery(),
    select(func.count(DriverLink.revoked_at)).scalar_subquery(),
    select(func.max(PlanRecord.id)).scalar_subquery(),
    select(func.count(PlanRecord.published_at)).scalar_subquery(),
    select(func.count(PlanRecord.superseded_by)).scalar_subquery(),
)


def link_signature(session: Session) -> LinkSignature:
    """Counts and highest ids of the links and plans, which change with any of the facts a
    link's target depends on."""
    return tuple(session.execute(_SIGNATURE).one())


@dataclass(frozen=True, slots=True)
class _Kept:
    signature: LinkSignature
    expires_at: datetime
    target: LinkTarget | None
    """None for a revoked link."""


class LinkTargets:
    """Each live token's :class:`LinkTarget` (by the token's hash), for ``size`` tokens,
    shared by request threads."""

    def __init__(self, size: int = 4096) -> None:
        self._kept: LRUCache[str, _Kept] = LRUCache(maxsize=size)
        self._lock = Lock()

    def target(
        self, session: Session, token: str, *, now: datetime | None = None
    ) -> LinkTarget | None:
        """Where the live ``token`` leads now; None when it is unknown, expired or revoked."""
        digest = token_hash(token)
        signature = link_signature(session)
        with self._lock:
            kept = self._kept.get(digest)
        if kept is None or kept.signature != signature:
            link = session.scalar(select(DriverLink).where(DriverLink.token_hash == digest))
            if link is None:
                return None
            revoked = link.revoked_at is not None
            target = None if revoked else follow_link(session, link.plan_id, link.vehicle)
            kept = _Kept(signature, link.expires_at, target)
            with self._lock:
                self._kept[digest] = kept
        if kept.expires_at <= (now or utcnow()):
            return None
        return kept.target
