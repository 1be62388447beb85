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


def test_correct_cancel_and_read_an_order_with_its_history(
    client: TestClient, keys: Keys, network: dict[str, Any]
) -> None:
    """PUT corrects (422 naming the field), DELETE cancels; GET shows both in its history."""
    client.post("/orders", json=ORDERS, params={"date": "2026-11-11"}, headers=keys.dispatcher)
    fixed = {**ORDERS[1], "items": [{"sku": "tofu", "qty": 9}]}
    answer = client.put("/orders/W-2", json=fixed, headers=keys.dispatcher)
    assert answer.status_code == 200, answer.text
    assert answer.json()["order"]["order"]["items"][0]["qty"] == 9
    assert (answer.json()["replan_needed"], answer.json()["plan_ids"]) == (False, [])
    bad = {**ORDERS[1], "items": [{"sku": "tofu", "qty": "lots"}]}
    body = assert_problem(client.put("/orders/W-2", json=bad, headers=keys.dispatcher), 422)
    assert [(e["record"], e["id"], e["field"]) for e in body["errors"]] == [
        ("order", "W-2", "items[0].qty")
    ]
    assert_problem(client.put("/orders/W-2", json=fixed, headers=keys.planner), 403)
    assert_problem(client.delete("/orders/W-404", headers=keys.dispatcher), 404)
    cancelled = client.delete("/orders/W-2", headers=keys.dispatcher)
    assert cancelled.json()["order"]["status"] == "cancelled"
    assert_problem(client.put("/orders/W-2", json=fixed, headers=keys.dispatcher), 409)
    detail = client.get("/orders/W-2", headers=keys.planner).json()
    assert (detail["status"], detail["order"]["items"][0]["qty"]) == ("cancelled", 9)
    assert detail["updated_at"] is not None
    assert [h["action"] for h in detail["history"]] == [
        "orders.import",
        "orders.correct",
        "orders.cancel",
    ]
    assert detail["history"][0]["target"] == f"batch:{detail['batch_id']}"


def test_changing_a_planned_order_says_a_replan_is_needed(
    client: TestClient, keys: Keys, plan_id: int
) -> None:
    """An order in a current plan may be corrected or cancelled; the answer names the plan."""
    orders = [{"id": o, "pickup_point": "PP-1", "items": [{"sku": "tofu", "qty": 1}]}
              for o in ("A-1", "A-2")]  # fmt: skip
    client.post("/orders", json=orders, params={"date": "2026-11-11"}, headers=keys.dispatcher)
    fixed = {**orders[0], "items": [{"sku": "tofu", "qty": 2}]}
    corrected = client.put("/orders/A-1", json=fixed, headers=keys.dispatcher).json()
    assert (corrected["replan_needed"], corrected["plan_ids"]) == (True, [plan_id])
    cancelled = client.delete("/orders/A-2", headers=keys.admin).json()
    assert (cancelled["replan_needed"], cancelled["plan_ids"]) == (True, [plan_id])


def test_orders_are_found_by_text_status_and_platform(
    client: TestClient, keys: Keys, network: dict[str, Any]
) -> None:
    """Text in the id or customer (case ignored, % and _ taken literally), status, platform."""
    orders = [*ORDERS, {**ORDERS[0], "id": "L-9", "platform": "line", "customer": "王_小明%"}]
    client.post("/orders", json=orders, params={"date": "2026-11-11"}, headers=keys.dispatcher)
    client.delete("/orders/W-3", headers=keys.dispatcher)

    def found(**params: str) -> list[str]:
        page = client.get("/orders", params=params, headers=keys.planner).json()
        return [o["order_id"] for o in page["data"]]

    assert found(q="w-") == ["W-1", "W-2", "W-3", "W-4", "W-5"]
    assert found(q="C3") == ["W-3"]
    assert found(q="_小") == ["L-9"]
    assert found(q="%") == ["L-9"]
    assert found(status="cancelled") == ["W-3"]
    assert found(platform="line", status="active") == ["L-9"]
    assert_problem(client.get("/orders", params={"q": "a\x00"}, headers=keys.planner), 422)
    assert_problem(client.get("/orders", params={"status": "gone"}, headers=keys.planner), 422)
