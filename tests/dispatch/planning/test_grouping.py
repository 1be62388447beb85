"""Grouping orders into stops."""

from __future__ import annotations

from typing import Any

from dispatch.intake.loading import load_request
from dispatch.intake.request import Capacity
from dispatch.planning.grouping import group_orders


def test_pickup_point_orders_become_one_stop(doc: dict[str, Any]) -> None:
    """Orders for PP-A are one stop with summed load and point + per-order service."""
    req = load_request(doc)
    stops = {s.id: s for s in group_orders(req, req.orders, [v.capacity for v in req.vehicles])}
    a = stops["PP-A"]
    assert a.order_ids == ("O1", "O2")
    assert a.load.weight_kg == 14
    assert a.load.volume_l == 16
    assert a.load.chilled_l == 4
    assert a.service_minutes == 5 + 1 + 1
    assert a.windows == ((540, 720),)


def test_home_orders_to_same_place_and_window_merge(doc: dict[str, Any]) -> None:
    """H1 and H2 share an address and window: one stop, service summed."""
    req = load_request(doc)
    stops = {s.id: s for s in group_orders(req, req.orders, [v.capacity for v in req.vehicles])}
    assert stops["HOME-H1"].order_ids == ("H1", "H2")
    assert stops["HOME-H1"].service_minutes == 4
    assert len(stops) == 3


def test_oversize_stop_is_split_into_parts_that_fit(doc: dict[str, Any]) -> None:
    """A stop heavier than any vehicle becomes parts, each within the largest vehicle."""
    for k in range(6):
        doc["orders"].append(
            {
                "id": f"BIG{k}",
                "pickup_point": "PP-B",
                "items": [{"sku": "rice", "qty": 6, "weight_kg": 5, "volume_l": 6}],
            }
        )
    req = load_request(doc)
    caps = [Capacity(weight_kg=100, volume_l=1000)]
    parts = [s for s in group_orders(req, req.orders, caps) if s.pickup_point == "PP-B"]
    assert len(parts) == 2  # 181 kg: 3 × 30 kg + 1 kg, then 3 × 30 kg
    assert all(p.load.weight_kg <= 100 for p in parts)
    assert sorted(o for p in parts for o in p.order_ids) == sorted(
        ["O3"] + [f"BIG{k}" for k in range(6)]
    )
    assert all(p.service_minutes == 5 + sum(o.service_minutes for o in p.orders) for p in parts)
