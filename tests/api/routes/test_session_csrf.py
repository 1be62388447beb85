"""CSRF on every change made with a session cookie: the token, this site, and a session at all."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from api.app import create_app
from api.session import csrf_token
from api.settings import Settings
from dispatch.store import (
    JobSource,
    Role,
    Store,
    create_job,
    create_user,
    list_keys,
)
from dispatch.store.models import utcnow
from tests.api.conftest import Keys, assert_problem
from tests.api.session_data import (
    COOKIE,
    LINKS,
    PASSWORD,
    plain_http_settings,
    session_csrf,
    sign_in,
    snapshot,
)
from tests.dispatch.store.conftest import NETWORK


@pytest.fixture
def settings(database_url: str) -> Settings:
    return plain_http_settings(database_url)


@pytest.fixture
def admin_person(api_store: Store) -> None:
    """Just the admin (each Argon2 hash takes a noticeable fraction of a second)."""
    with api_store.write() as session:
        create_user(session, "admin", PASSWORD, Role.ADMIN, now=utcnow())


# --- CSRF on every change -----------------------------------------------------------------


def _walk(routes: list[Any]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):
            yield from _walk(route.original_router.routes)


def _unsafe_routes() -> list[tuple[str, str]]:
    app = create_app(Settings(database_url="sqlite:///unused.sqlite", load_demo=False))
    found = {
        (method, route.path)
        for route in _walk(app.routes)
        for method in route.methods & {"POST", "PUT", "PATCH", "DELETE"}
    }
    # A driver's link and a carrier's signature authorise themselves, and no cookie is read;
    # the sign-in form has its own token (tested in test_session.py).
    own = {("POST", "/d/{token}/events"), ("POST", "/carriers/{carrier_id}/events")}
    return sorted(found - own - {("POST", "/sign-in")})


UNSAFE = _unsafe_routes()

_ORDERS = [
    {"id": f"A-{k}", "pickup_point": "PP-1", "items": [{"sku": "tofu", "qty": 1}]}
    for k in range(1, 3)
]
_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/plans"): {"json": {"date": "2026-11-11", **NETWORK, "orders": _ORDERS}},
    ("POST", "/orders"): {"json": {"date": "2026-11-11", "orders": _ORDERS}},
    ("PUT", "/network"): {"json": NETWORK},
    ("POST", "/keys"): {"json": {"role": "admin", "name": "extra"}},
    ("POST", "/imports"): {
        "files": {"file": ("orders.json", json.dumps({"orders": _ORDERS}), "application/json")}
    },
    ("POST", "/sign-out"): {"data": {"lang": "en"}},
    ("POST", "/plans/{plan_id}/driver-links"): {"json": {"expires_at": "2099-01-01T00:00:00Z"}},
}
"""Driver links that outlive the test plan's day."""


@pytest.fixture
def targets(api_store: Store, plan_id: int, keys: Keys) -> dict[str, str]:
    """Path parameters: the stored plan, a queued job, the planner's key, an alert, an order."""
    with api_store.write() as session:
        job = create_job(
            session, request={"date": "2026-11-11", **NETWORK, "orders": []},
            plan_date=date(2026, 11, 11), source=JobSource.REQUEST, time_limit_s=5, actor="test",
        )  # fmt: skip
        planner_key = next(
            k.id for k in list_keys(session, limit=10, offset=0).items if k.role is Role.PLANNER
        )
    targets = {"plan_id": str(plan_id), "job_id": job.id, "key_id": str(planner_key)}
    return {**targets, "alert_id": "1", "order_id": "A-1"}


def _request(
    client: TestClient, method: str, path: str, targets: dict[str, str], **extra: Any
) -> httpx.Response:
    url = path.format(**targets)
    kwargs = copy.deepcopy(_BODIES.get((method, path), {}))
    if "data" in extra:
        kwargs["data"] = {**kwargs.get("data", {}), **extra.pop("data")}
    return client.request(method, url, follow_redirects=False, **kwargs, **extra)


def test_the_unsafe_routes_are_all_covered() -> None:
    """The list the CSRF test runs over has every changing route of the service."""
    assert ("POST", "/plans/{plan_id}/driver-links") in UNSAFE
    assert ("POST", "/sign-out") in UNSAFE
    assert len(UNSAFE) >= 11


@pytest.mark.parametrize(("method", "path"), UNSAFE)
@pytest.mark.parametrize("csrf", ["none", "wrong header", "wrong field", "another session's"])
def test_a_change_with_the_cookie_needs_the_csrf_token(
    client: TestClient, admin_person: None, keys: Keys, api_store: Store,
    targets: dict[str, str], method: str, path: str, csrf: str,
) -> None:  # fmt: skip
    """Every changing route refuses an admin's session without its own CSRF token (403),
    and nothing in the database changes."""
    other = TestClient(client.app)
    assert other.post("/session", headers=keys.dispatcher).status_code == 201
    sign_in(client, "admin")
    extra: dict[str, Any] = {
        "none": {},
        "wrong header": {"headers": {"X-CSRF-Token": session_csrf(client)[:-3] + "abc"}},
        "wrong field": {"data": {"csrf_token": "x" * 43}},
        "another session's": {"headers": {"X-CSRF-Token": session_csrf(other)}},
    }[csrf]
    if "data" in extra and ("json" in _BODIES.get((method, path), {})):
        extra = {"headers": {"X-CSRF-Token": "x" * 43}}
    before = snapshot(api_store)
    response = _request(client, method, path, targets, **extra)
    assert_problem(response, 403)
    assert snapshot(api_store) == before


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("POST", "/plans/{plan_id}/driver-links", 201),
        ("DELETE", "/plans/{plan_id}/driver-links", 200),
        ("POST", "/keys", 201),
        ("DELETE", "/keys/{key_id}", 200),
        ("DELETE", "/jobs/{job_id}", 200),
        ("POST", "/sign-out", 303),
    ],
)
def test_the_same_change_with_the_token_is_done(
    client: TestClient, admin_person: None, api_store: Store, targets: dict[str, str],
    method: str, path: str, status: int,
) -> None:  # fmt: skip
    """With the session's token (header or form field) the same request goes through."""
    sign_in(client, "admin")
    token = session_csrf(client)
    if path == "/sign-out":
        response = _request(client, method, path, targets, data={"csrf_token": token})
    else:
        response = _request(client, method, path, targets, headers={"X-CSRF-Token": token})
    assert response.status_code == status, response.text


def test_a_change_from_another_site_is_refused_even_with_the_token(
    client: TestClient, admin_person: None, plan_id: int, api_store: Store
) -> None:
    """``Origin`` of another site or ``Sec-Fetch-Site: cross-site`` is refused (403)."""
    sign_in(client, "admin")
    token = session_csrf(client)
    before = snapshot(api_store)
    for headers in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"},
                    {"Origin": "null"}):  # fmt: skip
        response = client.post(
            f"/plans/{plan_id}/driver-links", headers={"X-CSRF-Token": token, **headers}
        )
        assert_problem(response, 403)
    assert snapshot(api_store) == before
    same = {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin", "X-CSRF-Token": token}
    created = client.post(f"/plans/{plan_id}/driver-links", headers=same, json=LINKS)
    assert created.status_code == 201, created.text


def test_without_a_session_a_form_post_is_refused(
    client: TestClient, plan_id: int, api_store: Store, app: FastAPI
) -> None:
    """No cookie, no key: 401 and nothing changes; a made-up cookie too."""
    before = snapshot(api_store)
    assert_problem(client.post(f"/plans/{plan_id}/driver-links"), 401)
    assert_problem(client.post("/sign-out", data={"csrf_token": "x"}), 401)
    client.cookies.set(COOKIE, "ds_made-up")
    made_up = client.post(
        f"/plans/{plan_id}/driver-links", headers={"X-CSRF-Token": csrf_token("ds_made-up")}
    )
    assert_problem(made_up, 401)
    assert snapshot(api_store) == before
