"""API keys: created (the secret shown once), listed and revoked by admins."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import Admin, PagingDep, ReadSession, RecordId, WriteSession
from api.problems import problem_responses
from api.schemas import ApiKey, KeyCreate, KeyCreated, Page
from dispatch.store import audit, create_key, list_keys, revoke_key

router = APIRouter(prefix="/keys", tags=["keys"], responses=problem_responses(400, 401, 403, 422))


@router.post("", status_code=201, responses=problem_responses(400))
def add_key(who: Admin, session: WriteSession, body: KeyCreate) -> KeyCreated:
    """A new API key; the response holds the secret, which is not kept. **Roles:** admin."""
    key, secret = create_key(session, body.role, body.name)
    audit(session, who.actor, "key.create", f"key:{key.id}", role=body.role.value)
    return KeyCreated.model_validate({**ApiKey.model_validate(key).model_dump(), "key": secret})


@router.get("")
def read_keys(session: ReadSession, paging: PagingDep, _: Admin) -> Page[ApiKey]:
    """All keys (never their secrets). **Roles:** admin."""
    page = list_keys(session, limit=paging.limit, offset=paging.offset)
    return Page(data=[ApiKey.model_validate(k) for k in page.items], count=page.count)


@router.delete("/{key_id}", responses=problem_responses(404))
def delete_key(key_id: RecordId, who: Admin, session: WriteSession) -> ApiKey:
    """Revoke a key: it stops working at once. **Roles:** admin."""
    key = revoke_key(session, key_id)
    audit(session, who.actor, "key.revoke", f"key:{key_id}")
    return ApiKey.model_validate(key)
