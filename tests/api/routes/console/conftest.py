"""The console's tests: the service over plain http, people per role, and signing in."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from api.settings import Settings
from dispatch.store import Role, Store, create_user
from dispatch.store.models import utcnow
from tests.api.session_data import HTML, PASSWORD, plain_http_settings, session_csrf, sign_in

CSV = """id,platform,date,customer,pickup_point,qty,sku,temperature
A-1,line,2026-11-11,王小明,PP-1,2,tofu,chilled
A-2,web,2026-11-11,李美玲,PP-2,1,milk-1l,ambient
"""
DAY = "2026-11-11"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return plain_http_settings(database_url)


@pytest.fixture
def people(api_store: Store) -> None:
    """A dispatcher (mei) and a planner (pat)."""
    with api_store.write() as session:
        create_user(session, "mei", PASSWORD, Role.DISPATCHER, now=utcnow())
        create_user(session, "pat", PASSWORD, Role.PLANNER, now=utcnow())


@pytest.fixture
def mei(client: TestClient, people: None) -> str:
    """The client signed in as the dispatcher; returns the session's CSRF token."""
    assert sign_in(client, "mei").status_code == 303
    return session_csrf(client)


def page(client: TestClient, path: str, **params: Any) -> httpx.Response:
    """A console page as a browser asks for it."""
    response = client.get(path, params=params, headers=HTML)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    return response


def post_form(client: TestClient, path: str, data: dict[str, str], **kwargs: Any) -> httpx.Response:
    return client.post(path, data=data, headers=HTML, follow_redirects=False, **kwargs)


def cells(html: str, table_id: str) -> list[list[str]]:
    """The text of each body row's cells of the table ``table_id``."""
    table = re.search(rf'<table id="{table_id}">(.*?)</table>', html, re.S)
    assert table, f"no table {table_id}"
    body = table.group(1).split("<tbody>")[-1]
    return [
        [
            re.sub(r"<[^>]+>", "", c).strip()
            for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]
