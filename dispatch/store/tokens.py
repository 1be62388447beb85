"""High-entropy secrets handed out once; the database keeps only their SHA-256 hashes.

A driver token may instead be derived from a secret key the service holds and a random
seed stored beside the hash: HMAC-SHA256(key, seed). Without the key the seed tells
nothing about the token; with it the token can be shown again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from dispatch.live.tracking import token_hash

__all__ = ["keyed_token", "new_token", "token_hash"]


def new_token(prefix: str = "") -> str:
    """A fresh URL-safe secret of 256 random bits."""
    return prefix + secrets.token_urlsafe(32)


def keyed_token(key: bytes, seed: str) -> str:
    """The URL-safe token (256 bits) that ``key`` derives from ``seed``."""
    digest = hmac.new(key, b"driver-link\x00" + seed.encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
