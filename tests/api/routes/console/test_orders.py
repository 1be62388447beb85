"""The console's orders: search, history, correction and cancellation."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from fastapi.testclient import TestClient

from dispatch.store import Store, orders_by_id, orders_on
from tests.api.routes.console.conftest import CSV, DAY, cells, page, post_form
from tests.api.session_data import snapshot


def _imported(client: TestClient, csrf: str) -> None:
    files = {"file": ("orders.csv", CSV.encode(), "text/csv")}
    preview = post_form(client, "/console/imports", {"csrf_token": csrf, "date": DAY}, files=files)
    form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', preview.text))
    assert post_form(client, "/console/imports/confirm", form).status_code == 303


def test_orders_are_found_by_id_customer_or_pickup_point(
    client: TestClient, mei: str, network: dict[str, Any]
) -> None:
    _imported(client, mei)
    assert [r[0] for r in cells(page(client, "/console/orders").text, "order-list")] == [
        "A-1", "A-2",
    ]  # fmt: skip
    assert [r[0] for r in cells(page(client, "/console/orders", q="美玲").text, "order-list")] == [
        "A-2"
    ]
    assert [r[0] for r in cells(page(client, "/console/orders", q="pp-1").text, "order-list")] == [
        "A-1"
    ]
    assert 'id="no-match"' in page(client, "/console/orders", q="%").text


def test_a_correction_is_checked_stored_and_in_the_history(
    client: TestClient, mei: str, api_store: Store, network: dict[str, Any]
) -> None:
    _imported(client, mei)
    form = {"csrf_token": mei, "id": "A-1", "customer": "王小明", "pickup_point": "PP-2",
            "window_start": "10:00", "window_end": "11:00", "qty_0": "5"}  # fmt: skip
    done = post_form(client, "/console/order/correct", form)
    assert done.status_code == 303, done.text
    with api_store.read() as session:
        data = orders_by_id(session, ["A-1"])["A-1"].data
    assert (data["pickup_point"], data["items"][0]["qty"]) == ("PP-2", 5)
    assert data["time_windows"] == [{"start": "10:00", "end": "11:00"}]
    html = page(client, "/console/order", id="A-1").text
    assert html.count('class="history-entry"') == 2
    assert html.index("orders.import") < html.index("orders.correct")

    before = snapshot(api_store)
    bad = post_form(client, "/console/order/correct", {**form, "pickup_point": "PP-404"})
    assert bad.status_code == 422
    assert "pickup_point" in bad.text
    bad_qty = post_form(client, "/console/order/correct", {**form, "qty_0": "many"})
    assert bad_qty.status_code == 422
    assert "items[0].qty" in bad_qty.text
    assert snapshot(api_store) == before


def test_a_cancelled_order_is_no_longer_planned(
    client: TestClient, mei: str, api_store: Store, network: dict[str, Any]
) -> None:
    _imported(client, mei)
    done = post_form(client, "/console/order/cancel", {"csrf_token": mei, "id": "A-2"})
    assert done.status_code == 303
    with api_store.read() as session:
        assert [o["id"] for o in orders_on(session, date(2026, 11, 11))] == ["A-1"]
    html = page(client, "/console/order", id="A-2").text
    assert 'id="correct-form"' not in html
    again = post_form(client, "/console/order/cancel", {"csrf_token": mei, "id": "A-2"})
    assert again.status_code == 303
    html = page(client, "/console/order", id="A-2").text
    assert html.count("orders.cancel") == 1
