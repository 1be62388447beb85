"""The app on a fresh database, its keys per role, and a small stored plan."""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from api.launch import free_port
from api.settings import Settings
from dispatch.planning.plan import Plan
from dispatch.store import (
    JobSource,
    Role,
    Store,
    create_job,
    create_key,
    replace_network,
    save_plan,
    start_job,
    validate_network,
)
from tests.dispatch.store.conftest import NETWORK, PLAN


@dataclass(frozen=True)
class Keys:
    """Authorization headers of one key per role."""

    admin: dict[str, str]
    dispatcher: dict[str, str]
    planner: dict[str, str]


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, load_demo=False, workers=1, progress_interval_s=0.2)


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """A client of the running app (start-up and shut-down included)."""
    with TestClient(app) as client:
        yield client


@pytest.fixture
def api_store(client: TestClient) -> Store:
    """The running app's store, to arrange data and check what changed."""
    store: Store = client.app.state.store  # type: ignore[attr-defined]
    return store


@pytest.fixture
def keys(api_store: Store) -> Keys:
    with api_store.write() as session:
        secrets = {role: create_key(session, role, role.value)[1] for role in Role}
    return Keys(*({"Authorization": f"Bearer {secrets[r]}"} for r in Role))


@pytest.fixture
def network(api_store: Store) -> dict[str, Any]:
    """The tiny test network, stored."""
    doc = copy.deepcopy(NETWORK)
    with api_store.write() as session:
        replace_network(session, validate_network(doc))
    return doc


@pytest.fixture
def plan_id(api_store: Store, network: dict[str, Any]) -> int:
    """A stored plan (made by hand, without a solve) on the tiny network."""
    orders = [
        {"id": oid, "pickup_point": "PP-1", "items": [{"sku": "tofu", "qty": 1}]}
        for oid in ("A-1", "A-2", "A-3")
    ]
    request = {"date": "2026-11-11", **network, "orders": orders}
    with api_store.write() as session:
        job = create_job(
            session, request=request, plan_date=date(2026, 11, 11), source=JobSource.REQUEST,
            time_limit_s=5, actor="test",
        )  # fmt: skip
        start_job(session, job.id)
        return save_plan(session, job.id, Plan.model_validate(PLAN)).id


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    """The response is an RFC 9457 problem with ``status``; returns its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert {"type", "title", "status", "errors"} <= body.keys()
    return body


@contextmanager
def live_server(app: FastAPI) -> Iterator[str]:
    """The app served by uvicorn on a free loopback port, in a thread; yields its base URL."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
