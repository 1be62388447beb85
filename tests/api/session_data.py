"""Helpers of the sign-in tests: the test password, the session cookie, signing in through
the form, the session's CSRF token and a snapshot of every table."""

from __future__ import annotations

import re
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.session import csrf_token
from api.settings import Settings
from dispatch.store import Store
from dispatch.store.models import Base

PASSWORD = "correct horse battery"
COOKIE = "dispatch_session"
HTML = {"Accept": "text/html,application/xhtml+xml"}
LINKS = {"expires_at": "2099-01-01T00:00:00Z"}


def plain_http_settings(database_url: str) -> Settings:
    """The service over plain http on the test client: the cookie is not ``Secure``."""
    return Settings(
        database_url=database_url, load_demo=False, workers=1, progress_interval_s=0.2,
        cookie_secure=False,
    )  # fmt: skip


def form_token(page: httpx.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def sign_in(
    client: TestClient, name: str, password: str = PASSWORD, *, next_: str = "", **headers: str
) -> httpx.Response:
    """Open the sign-in page and post its form."""
    token = form_token(client.get("/sign-in"))
    data = {"username": name, "password": password, "csrf_token": token, "next": next_}
    return client.post("/sign-in", data=data, headers=headers, follow_redirects=False)


def session_csrf(client: TestClient) -> str:
    return csrf_token(client.cookies[COOKIE])


def snapshot(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table."""
    with store.read() as session:
        return {
            table.name: [tuple(map(str, row)) for row in session.execute(select(table)).all()]
            for table in Base.metadata.sorted_tables
        }
