"""API keys: only their hashes are stored; the key itself is shown once, when created."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.errors import NotFoundError
from dispatch.store.models import ApiKey, Role, utcnow
from dispatch.store.paging import Page, paginate
from dispatch.store.tokens import new_token, token_hash

KEY_PREFIX = "dk_"


def create_key(session: Session, role: Role, name: str = "") -> tuple[ApiKey, str]:
    """A new key with ``role``: the stored record and the secret to hand to its holder."""
    secret = new_token(KEY_PREFIX)
    key = ApiKey(key_hash=token_hash(secret), role=role, name=name)
    session.add(key)
    session.flush()
    return key, secret


def authenticate(session: Session, secret: str) -> ApiKey | None:
    """The live (not revoked) key with this secret, if any."""
    return session.scalar(
        select(ApiKey).where(ApiKey.key_hash == token_hash(secret), ApiKey.revoked_at.is_(None))
    )


def revoke_key(session: Session, key_id: int) -> ApiKey:
    key = session.get(ApiKey, key_id)
    if key is None:
        raise NotFoundError("API key", key_id)
    if key.revoked_at is None:
        key.revoked_at = utcnow()
    return key


def list_keys(session: Session, *, limit: int, offset: int) -> Page[ApiKey]:
    return paginate(session, select(ApiKey).order_by(ApiKey.id), limit=limit, offset=offset)
