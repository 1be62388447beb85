"""Carried-over orders move to the next day once, keeping their id and their first day."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from dispatch.store import Store, add_batch, carry_over, orders_on
from dispatch.store.models import AuditEntry, ImportBatch, Order
from dispatch.store.orders import NewOrder

DAY = date(2026, 11, 11)


def test_a_carried_over_order_moves_to_the_next_day_once(
    store: Store, network: dict[str, Any]
) -> None:
    with store.write() as session:
        batch = ImportBatch(sha256="1" * 64, format="json", mapping="contract",
                            created_by="t", received=2, stored=2, report={})  # fmt: skip
        orders = [
            NewOrder(oid, "line", DAY, {"id": oid, "pickup_point": "PP-1"}, pickup_point="PP-1")
            for oid in ("A-1", "A-2")
        ]
        add_batch(session, batch, orders)
    with store.write() as session:
        moved = carry_over(session, DAY, [("A-1", "not home"), ("X-9", "not stored")], actor="t")
        assert moved == ["A-1"]
        assert carry_over(session, DAY, [("A-1", "not home")], actor="t") == []
    with store.read() as session:
        assert [o["id"] for o in orders_on(session, DAY)] == ["A-2"]
        assert [o["id"] for o in orders_on(session, date(2026, 11, 12))] == ["A-1"]
        row = session.scalar(select(Order).where(Order.order_id == "A-1"))
        assert row is not None
        assert row.carried_over_from == DAY
        entries = session.scalars(select(AuditEntry.action)).all()
        assert entries.count("order.carry_over") == 1
