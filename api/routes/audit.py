"""The audit log: every write, who made it, and when."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import Admin, PagingDep, ReadSession
from api.problems import problem_responses
from api.schemas import AuditEntry, Page
from dispatch.store import list_audit

router = APIRouter(prefix="/audit", tags=["audit"], responses=problem_responses(400, 401, 403, 422))


@router.get("")
def read_audit(session: ReadSession, paging: PagingDep, _: Admin) -> Page[AuditEntry]:
    """Audit entries, newest first. **Roles:** admin."""
    page = list_audit(session, limit=paging.limit, offset=paging.offset)
    return Page(data=[AuditEntry.model_validate(e) for e in page.items], count=page.count)
