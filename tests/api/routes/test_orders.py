"""/orders: contract orders as JSON, listed by date."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.api.conftest import Keys, assert_problem

ORDERS = [
    {"id": f"W-{k}", "platform": "web", "customer": f"c{k}", "pickup_point": "PP-1",
     "items": [{"sku": "tofu", "qty": k}]}
    for k in range(1, 6)
]  # fmt: skip


def test_add_and_page_through_orders(
    client: TestClient, keys: Keys, network: dict[str, Any]
) -> None:
    response = client.post(
        "/orders", json=ORDERS, params={"date": "2026-11-11"}, headers=keys.dispatcher
    )
    assert response.status_code == 201, response.text
    page = client.get(
        "/orders", params={"date": "2026-11-11", "limit": 2, "offset": 2}, headers=keys.planner
    ).json()
    assert page["count"] == 5
    assert [o["order_id"] for o in page["data"]] == ["W-3", "W-4"]
    other_day = client.get("/orders", params={"date": "2026-11-12"}, headers=keys.planner)
    assert other_day.json() == {"data": [], "count": 0}


def test_wrong_types_are_422(client: TestClient, keys: Keys, network: dict[str, Any]) -> None:
    """A body of the wrong shape, or orders with wrong field types: problems, not errors."""
    assert_problem(client.post("/orders", json={"id": 1}, headers=keys.dispatcher), 422)
    body = assert_problem(
        client.post(
            "/orders",
            json=[{**ORDERS[0], "items": [{"qty": "lots"}]}],
            params={"date": "2026-11-11"},
            headers=keys.dispatcher,
        ),
        422,
    )
    assert [(e["record"], e["field"]) for e in body["errors"]] == [("orders[0]", "items[0].qty")]


def test_orders_need_a_date(client: TestClient, keys: Keys, network: dict[str, Any]) -> None:
    body = assert_problem(client.post("/orders", json=ORDERS[:1], headers=keys.dispatcher), 422)
    assert body["errors"][0]["field"] == "date"


def test_paging_limits_are_checked(client: TestClient, keys: Keys) -> None:
    assert_problem(client.get("/orders", params={"limit": 0}, headers=keys.planner), 422)
    assert_problem(client.get("/orders", params={"offset": -1}, headers=keys.planner), 422)
