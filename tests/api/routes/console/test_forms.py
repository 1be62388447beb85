"""Every console form is refused without a session or with a wrong CSRF token, and nothing
changes; with the session's token the same form goes through."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from fastapi.testclient import TestClient

from dispatch.live.watch import react
from dispatch.store import Store
from tests.api.conftest import assert_problem
from tests.api.driver_data import store_plan
from tests.api.routes.console.conftest import CSV, DAY
from tests.api.routes.test_session_csrf import UNSAFE
from tests.api.session_data import session_csrf, sign_in, snapshot
from tests.dispatch.live.days import at, day, route, stop

FILE = {"file": ("orders.csv", CSV.encode(), "text/csv")}
MORE = CSV.splitlines()[0] + "\nA-3,line,2026-11-11,張,PP-1,1,tofu,ambient\n"
FORMS: dict[str, dict[str, Any]] = {
    "/console/imports": {"data": {"date": DAY}, "files": FILE},
    "/console/imports/confirm": {
        "data": {"content": base64.b64encode(MORE.encode()).decode(), "date": DAY}
    },
    "/console/plan": {"data": {"date": DAY, "time_limit_s": "1"}},
    "/console/plans/{plan_id}/publish": {"data": {}},
    "/console/plans/{plan_id}/driver-links": {"data": {}},
    "/console/plans/{plan_id}/replan": {"data": {"at": "{today}T10:00", "time_limit_s": "1"}},
    "/console/order/correct": {"data": {"id": "A-1", "qty_0": "4"}},
    "/console/order/cancel": {"data": {"id": "A-1"}},
    "/console/alerts/{alert_id}/ack": {"data": {}},
}
DONE = {  # what the form answers with the right token
    "/console/imports": 200, "/console/imports/confirm": 303, "/console/plan": 303,
    "/console/plans/{plan_id}/publish": 303, "/console/plans/{plan_id}/driver-links": 200,
    "/console/plans/{plan_id}/replan": 303,
    "/console/order/correct": 303, "/console/order/cancel": 303,
    "/console/alerts/{alert_id}/ack": 303,
}  # fmt: skip


@pytest.fixture
def targets(client: TestClient, mei: str, api_store: Store, plan_id: int) -> dict[str, str]:
    """A plan of today (links can be made), an open alert, and stored orders."""
    content = base64.b64encode(CSV.encode()).decode()
    stored = client.post(
        "/console/imports/confirm", data={"csrf_token": mei, "content": content, "date": DAY}
    )
    assert stored.status_code == 200, stored.text
    status = day(route("VAN#1", stop("PP-1", ("A-1", "A-2"), late=40), heard="09:00"))
    with api_store.write() as session:
        react(session, plan_id, status, at("09:05"), public_url="")
    today = store_plan(api_store)
    return {"plan_id": str(today.plan_id), "alert_id": "1", "today": today.plan["date"]}


def _post(client: TestClient, path: str, targets: dict[str, str], **extra: Any) -> Any:
    form = FORMS[path]
    data = {k: v.format(**targets) for k, v in {**form["data"], **extra.pop("data", {})}.items()}
    return client.post(
        path.format(**targets), data=data, files=form.get("files"), follow_redirects=False,
        **extra,
    )  # fmt: skip


def test_every_console_form_is_listed() -> None:
    assert {path for _, path in UNSAFE if path.startswith("/console")} == set(FORMS)


@pytest.mark.parametrize("path", sorted(FORMS))
def test_a_console_form_needs_the_session_and_its_token(
    client: TestClient, api_store: Store, targets: dict[str, str], path: str
) -> None:
    before = snapshot(api_store)
    anonymous = TestClient(client.app)
    assert_problem(_post(anonymous, path, targets), 401)
    for wrong in ({"data": {"csrf_token": "x" * 43}}, {"headers": {"X-CSRF-Token": "y" * 43}}, {}):
        assert_problem(_post(client, path, targets, **wrong), 403)
    assert snapshot(api_store) == before
    done = _post(client, path, targets, data={"csrf_token": session_csrf(client)})
    assert done.status_code == DONE[path], done.text


@pytest.mark.parametrize("path", sorted(FORMS))
def test_a_planner_changes_nothing(
    client: TestClient, api_store: Store, targets: dict[str, str], path: str
) -> None:
    sign_in(client, "pat")
    before = snapshot(api_store)
    refused = _post(client, path, targets, data={"csrf_token": session_csrf(client)})
    assert_problem(refused, 403)
    assert snapshot(api_store) == before
