"""Correcting and cancelling a stored order: checked like an import, audited, all or nothing."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime
from typing import Any

import pytest

from dispatch.errors import ConflictError, NotFoundError, RequestError
from dispatch.intake.corrections import cancel_order, correct_order
from dispatch.intake.imports import import_orders, read_orders
from dispatch.store import (
    Store,
    load_network,
    orders_by_id,
    orders_on,
    replace_network,
    validate_network,
)
from dispatch.store.order_search import order_history, search_orders
from tests.api.session_data import snapshot
from tests.dispatch.store.conftest import NETWORK

NOW = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)
DAY = date(2026, 11, 11)
CSV = """id,platform,date,customer,pickup_point,qty,sku
A-1,line,2026-11-11,王小明,PP-1,2,tofu
A-2,web,2026-11-11,李美玲,PP-2,1,milk-1l
"""


@pytest.fixture
def points(store: Store) -> list[Any]:
    with store.write() as session:
        replace_network(session, validate_network(copy.deepcopy(NETWORK)))
    read = read_orders(CSV.encode(), filename="orders.csv")
    with store.write() as session:
        import_orders(session, read, points=load_network(session)["pickup_points"], actor="t")
        found: list[Any] = load_network(session)["pickup_points"]
    return found


def _correct(store: Store, points: list[Any], oid: str, **changes: Any) -> None:
    with store.write() as session:
        correct_order(session, oid, changes, points=points, travel=None, actor="mei", now=NOW)


def test_a_correction_replaces_the_fields_and_is_audited(store: Store, points: list[Any]) -> None:
    _correct(store, points, "A-1", pickup_point="PP-2", items=[{"sku": "tofu", "qty": 3}])
    with store.read() as session:
        row = orders_by_id(session, ["A-1"])["A-1"]
        (entry,) = order_history(session, "A-1")
    assert (row.pickup_point_id, row.data["items"][0]["qty"]) == ("PP-2", 3)
    assert row.updated_at is not None
    assert (entry.action, entry.actor) == ("order.correct", "mei")
    assert entry.detail["changed"] == ["items", "pickup_point"]
    assert entry.detail["before"]["pickup_point"] == "PP-1"


def test_a_bad_correction_names_its_fields_and_changes_nothing(
    store: Store, points: list[Any]
) -> None:
    before = snapshot(store)
    for change, field in (
        ({"pickup_point": "PP-404"}, "pickup_point"),
        ({"time_windows": [{"start": "09:00"}]}, "time_windows[0].end"),
    ):
        with pytest.raises(RequestError) as caught:
            _correct(store, points, "A-1", **change)
        assert [(e.record, e.field) for e in caught.value.errors] == [("order A-1", field)]
    with pytest.raises(RequestError, match="cannot be corrected"):
        _correct(store, points, "A-1", platform="app")
    with pytest.raises(NotFoundError):
        _correct(store, points, "Z-9", customer="x")
    assert snapshot(store) == before


def test_a_cancelled_order_is_kept_but_not_planned(store: Store, points: list[Any]) -> None:
    with store.write() as session:
        cancel_order(session, "A-2", actor="mei", now=NOW)
    with store.read() as session:
        assert [o["id"] for o in orders_on(session, DAY)] == ["A-1"]
        assert orders_by_id(session, ["A-2"])["A-2"].status == "cancelled"
        assert [e.action for e in order_history(session, "A-2")] == ["order.cancel"]
    with store.write() as session, pytest.raises(ConflictError):
        cancel_order(session, "A-2", actor="mei", now=NOW)
    with pytest.raises(ConflictError):
        _correct(store, points, "A-2", customer="x")


def test_orders_are_searched_by_id_customer_and_pickup_point(
    store: Store, points: list[Any]
) -> None:
    with store.read() as session:
        assert [o.order_id for o in search_orders(session, "")] == ["A-1", "A-2"]
        assert [o.order_id for o in search_orders(session, "a-2")] == ["A-2"]
        assert [o.order_id for o in search_orders(session, "王")] == ["A-1"]
        assert [o.order_id for o in search_orders(session, "pp-2", day=DAY)] == ["A-2"]
        assert search_orders(session, "_") == []
        assert search_orders(session, "", day=date(2026, 11, 12)) == []
