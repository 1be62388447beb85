"""High-entropy secrets handed out once; the database keeps only their SHA-256 hashes."""

from __future__ import annotations

import secrets

from dispatch.tracking import token_hash

__all__ = ["new_token", "token_hash"]


def new_token(prefix: str = "") -> str:
    """A fresh URL-safe secret of 256 random bits."""
    return prefix + secrets.token_urlsafe(32)
