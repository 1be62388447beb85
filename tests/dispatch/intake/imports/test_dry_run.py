"""An import previewed: the same verdicts as storing it, and nothing written."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest

from dispatch.intake.imports import import_orders, read_orders
from dispatch.intake.imports.dry_run import preview_import
from dispatch.store import Store, load_network, replace_network, validate_network
from tests.api.session_data import snapshot
from tests.dispatch.store.conftest import NETWORK

CSV = """id,platform,date,customer,pickup_point,qty,sku
A-1,line,2026-11-11,王小明,PP-1,2,tofu
A-2,web,2026-11-11,李美玲,PP-2,1,milk-1l
A-3,app,2026-11-11,張,PP-404,1,tofu
A-1,line,2026-11-11,王小明,PP-1,2,tofu
"""


@pytest.fixture
def points(store: Store) -> list[Any]:
    with store.write() as session:
        replace_network(session, validate_network(copy.deepcopy(NETWORK)))
    with store.read() as session:
        found: list[Any] = load_network(session)["pickup_points"]
    return found


def test_a_preview_gives_the_import_verdicts_and_writes_nothing(
    store: Store, points: list[Any]
) -> None:
    read = read_orders(CSV.encode(), filename="orders.csv", default_date=date(2026, 11, 11))
    before = snapshot(store)
    with store.read() as session:
        report, kept = preview_import(session, read, points=points)
    assert snapshot(store) == before
    assert [v.order.id for v in kept] == ["A-1", "A-2"]
    assert report.stored == 2
    assert [(e.record, e.field) for e in report.errors] == [("row 4", "pickup_point")]
    assert [d.order_id for d in report.duplicates] == ["A-1"]
    with store.write() as session:
        stored = import_orders(session, read, points=points, actor="t", keep_valid=True)
    assert stored.stored == report.stored
    assert [e.as_dict() for e in stored.errors] == [e.as_dict() for e in report.errors]
    with store.read() as session:
        again, nothing = preview_import(session, read, points=points)
    assert (again.already_imported, nothing) == (True, [])
