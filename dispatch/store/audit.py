"""The audit log: who changed what, and when, written in the same transaction as the change."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.store.models import AuditEntry
from dispatch.store.paging import Page, paginate


def audit(session: Session, actor: str, action: str, target: str, **detail: Any) -> None:
    """Record one write; ``detail`` must be JSON-serialisable and hold no secrets."""
    session.add(AuditEntry(actor=actor, action=action, target=target, detail=detail))


def list_audit(session: Session, *, limit: int, offset: int) -> Page[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    return paginate(session, query, limit=limit, offset=offset)


def audit_of(session: Session, *targets: str, action: str | None = None) -> list[AuditEntry]:
    """The entries about these targets (e.g. ``order:LINE-88123``), oldest first; only those
    of ``action`` when given."""
    query = select(AuditEntry).where(AuditEntry.target.in_(targets))
    if action is not None:
        query = query.where(AuditEntry.action == action)
    return list(session.scalars(query.order_by(AuditEntry.id)))
