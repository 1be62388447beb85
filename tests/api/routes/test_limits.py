"""Unbounded input: files, text, regions and travel over the limits are refused before any
work starts, by record and field, with nothing stored (on SQLite and on PostgreSQL)."""

from __future__ import annotations

import copy
import json
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.settings import Settings
from dispatch.store import Store
from dispatch.store.models import ImportBatch, Order, PlanJob
from tests.api.conftest import Keys, assert_problem
from tests.api.routes.test_plans import SCENARIO
from tests.dispatch.intake.workbooks import xlsx, zip_bomb

MAX_ORDERS = 10


@pytest.fixture
def settings(database_url: str) -> Settings:
    """The default import limits, a small request limit in orders."""
    return Settings(
        database_url=database_url, load_demo=False, workers=1, progress_interval_s=0.2,
        max_orders=MAX_ORDERS,
    )  # fmt: skip


def _stored(store: Store) -> tuple[int, int, int]:
    """Import batches, orders and plan jobs in the database."""
    with store.read() as session:
        return tuple(  # type: ignore[return-value]
            int(session.scalar(select(func.count()).select_from(t)) or 0)
            for t in (ImportBatch, Order, PlanJob)
        )


def _upload(
    client: TestClient, name: str, content: bytes, headers: dict[str, str], **params: Any
) -> Any:
    return client.post("/imports", files={"file": (name, content)}, params=params, headers=headers)


def _fields(body: dict[str, Any]) -> set[tuple[str, str]]:
    return {(e["record"], e["field"]) for e in body["errors"]}


def test_a_zip_bomb_is_413_at_once(
    client: TestClient, keys: Keys, network: dict[str, Any], api_store: Store
) -> None:
    """230 KB that unpack to 66 MB: 413 naming the file, the part and the limit, in < 1 s."""
    bomb = zip_bomb()
    started = time.perf_counter()
    response = _upload(client, "bomb.xlsx", bomb, keys.dispatcher, date="2026-11-11")
    assert time.perf_counter() - started < 1.0
    body = assert_problem(response, 413)
    assert body["type"] == "/problems/too-large"
    assert _fields(body) == {("bomb.xlsx", "xl/worksheets/sheet1.xml")}
    assert "at most 50.0 MB" in body["detail"]
    assert body["limit"] == 50 * 2**20
    assert _stored(api_store) == (0, 0, 0)


LONG = {"id": "X" * 129, "customer": "C" * 201, "platform": "P" * 33}


def _long_rows() -> list[list[str]]:
    """One good order (row 2), then one over-long field per order (rows 3-5)."""
    rows = [["id", "date", "platform", "customer", "pickup_point", "sku", "qty"],
            ["A-1", "2026-11-11", "line", "王小明", "PP-1", "tofu", "1"]]  # fmt: skip
    for k, (field, text) in enumerate(LONG.items(), start=2):
        row = dict(zip(rows[0], rows[1], strict=True), id=f"A-{k}", customer=f"客{k}")
        row[field] = text
        rows.append(list(row.values()))
    return rows


def _as_file(kind: str, rows: list[list[str]]) -> bytes:
    if kind == "xlsx":
        return xlsx(rows)
    if kind == "csv":
        return "\n".join(",".join(r) for r in rows).encode()
    orders = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    for o in orders:
        o["items"] = [{"sku": o.pop("sku"), "qty": int(o.pop("qty"))}]
    return json.dumps(orders).encode()


@pytest.mark.parametrize("kind", ["json", "csv", "xlsx"])
def test_over_long_fields_in_a_file_are_422_by_row_and_field(
    client: TestClient, keys: Keys, network: dict[str, Any], api_store: Store, kind: str
) -> None:
    """Order id 129, customer 201, platform 33 characters: each named; nothing stored."""
    content = _as_file(kind, _long_rows())
    body = assert_problem(_upload(client, f"orders.{kind}", content, keys.dispatcher), 422)
    records = (
        ("orders[1]", "orders[2]", "orders[3]") if kind == "json" else ("row 3", "row 4", "row 5")
    )
    assert _fields(body) == set(zip(records, LONG, strict=True))
    assert all("at most" in e["message"] for e in body["errors"])
    assert _stored(api_store) == (0, 0, 0)


def test_nul_in_an_order_is_422_even_in_a_field_the_contract_does_not_know(
    client: TestClient, keys: Keys, network: dict[str, Any], api_store: Store
) -> None:
    """PostgreSQL cannot store NUL in text or JSON: refused by record and field, never a 500."""
    orders = [
        {"id": "A-1", "customer": "王\x00", "pickup_point": "PP-1", "items": [{"qty": 1}]},
        {"id": "A-2", "memo": "\x00", "pickup_point": "PP-1", "items": [{"qty": 1}]},
        {"id": "A-3", "pickup_point": "PP-1", "items": [{"qty": 1, "name": "豆腐\x00"}]},
    ]
    response = client.post("/orders", json=orders, params={"date": "2026-11-11"},
                           headers=keys.dispatcher)  # fmt: skip
    body = assert_problem(response, 422)
    assert _fields(body) == {
        ("orders[0]", "customer"),
        ("orders[1]", "memo"),
        ("orders[2]", "items[0].name"),
    }
    assert "NUL" in body["errors"][0]["message"]
    kept = client.post("/orders", json=orders, params={"date": "2026-11-11", "keep_valid": True},
                       headers=keys.dispatcher)  # fmt: skip
    assert (kept.status_code, kept.json()["stored"]) == (201, 0)
    assert _stored(api_store) == (1, 0, 0)


def test_a_file_name_too_long_for_its_column_is_422(
    client: TestClient, keys: Keys, network: dict[str, Any], api_store: Store
) -> None:
    content = _as_file("csv", _long_rows()[:2])
    body = assert_problem(_upload(client, "o" * 252 + ".csv", content, keys.dispatcher), 422)
    assert _fields(body) == {("file", "filename")}
    assert _stored(api_store) == (0, 0, 0)


def test_over_long_and_nul_text_in_a_plan_request_is_422_without_a_job(
    client: TestClient, keys: Keys, api_store: Store
) -> None:
    doc = copy.deepcopy(SCENARIO)
    for order, (field, text) in zip(doc["orders"], LONG.items(), strict=False):
        order[field] = text
    doc["orders"][3]["address"] = "\x00"
    doc["pickup_points"][0]["name"] = "N" * 201
    body = assert_problem(client.post("/plans", json=doc, headers=keys.planner), 422)
    assert _fields(body) == {
        ("orders[0]", "id"), ("orders[1]", "customer"), ("orders[2]", "platform"),
        ("orders[3]", "address"), ("pickup_points[0]", "name"),
    }  # fmt: skip
    assert _stored(api_store) == (0, 0, 0)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d.update(travel={"speed_kmh": 1e-300}), ("", "travel.speed_kmh")),
        (lambda d: d.update(travel={"speed_kmh": 28, "circuity": 50}), ("", "travel.circuity")),
        (lambda d: d.update(regions={"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"id": "A"},
             "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]}}]}),
         ("regions.features[0]", "geometry")),
        (lambda d: d.update(regions={"features": []}), ("", "regions")),
    ],
    ids=["speed", "circuity", "a broken polygon", "not GeoJSON"],
)  # fmt: skip
def test_bad_travel_or_regions_are_422_without_a_job(
    client: TestClient, keys: Keys, api_store: Store, change: Any, field: tuple[str, str]
) -> None:
    """Refused when the plan is requested, not later inside the job."""
    doc = copy.deepcopy(SCENARIO)
    change(doc)
    body = assert_problem(client.post("/plans", json=doc, headers=keys.planner), 422)
    assert _fields(body) == {field}
    assert _stored(api_store) == (0, 0, 0)


def test_a_plan_request_over_max_orders_is_413(
    client: TestClient, keys: Keys, api_store: Store
) -> None:
    doc = copy.deepcopy(SCENARIO)
    doc["orders"] = [{**doc["orders"][0], "id": f"S-{k}"} for k in range(MAX_ORDERS + 1)]
    body = assert_problem(client.post("/plans", json=doc, headers=keys.planner), 413)
    assert _fields(body) == {("", "orders")}
    assert body["limit"] == MAX_ORDERS
    assert _stored(api_store) == (0, 0, 0)


def test_an_over_long_id_in_the_network_is_422_and_nothing_changes(
    client: TestClient, keys: Keys, network: dict[str, Any]
) -> None:
    before = client.get("/network", headers=keys.admin).json()
    doc = copy.deepcopy(network)
    doc["pickup_points"][1]["id"] = "P" * 65
    body = assert_problem(client.put("/network", json=doc, headers=keys.admin), 422)
    assert _fields(body) == {("pickup_points[1]", "id")}
    assert client.get("/network", headers=keys.admin).json() == before
