"""A day's orders counted by platform, region and temperature class."""

from __future__ import annotations

from typing import Any

from dispatch.intake.loading import load_request
from dispatch.planning.day_counts import count_orders

BASE: dict[str, Any] = {
    "date": "2026-11-11",
    "depots": [{"id": "DC", "location": {"lat": 25.06, "lon": 121.52}}],
    "vehicles": [{"id": "VAN", "depot": "DC", "capacity": {"weight_kg": 500}}],
    "pickup_points": [
        {"id": "PP-1", "location": {"lat": 25.04, "lon": 121.56}},
        {"id": "PP-2", "location": {"lat": 25.03, "lon": 121.40}},
    ],
}
EAST = [[121.50, 25.00], [121.60, 25.00], [121.60, 25.10], [121.50, 25.10], [121.50, 25.00]]
REGIONS = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"id": "E", "name": "信義大安"},
     "geometry": {"type": "Polygon", "coordinates": [EAST]}}]}  # fmt: skip


def _order(oid: str, platform: str, point: str, *temps: str) -> dict[str, Any]:
    items = [{"sku": f"s{k}", "qty": 1, "temperature": t} for k, t in enumerate(temps)]
    return {"id": oid, "platform": platform, "pickup_point": point, "items": items}


def test_orders_are_counted_per_platform_region_and_temperature() -> None:
    orders = [
        _order("A-1", "line", "PP-1", "chilled", "ambient"),
        _order("A-2", "line", "PP-2", "frozen"),
        _order("A-3", "web", "PP-1", "ambient"),
    ]
    counts = count_orders(load_request({**BASE, "orders": orders, "regions": REGIONS}))
    assert counts.total == 3
    assert counts.by_platform == (("line", 2), ("web", 1))
    assert counts.by_temperature == (("ambient", 2), ("chilled", 1), ("frozen", 1))
    assert counts.by_region == (("E", "信義大安", 2), ("unassigned", "unassigned", 1))


def test_without_regions_every_order_is_in_one() -> None:
    orders = [_order("A-1", "", "PP-1", "frozen")]
    counts = count_orders(load_request({**BASE, "orders": orders}))
    assert counts.by_region == (("all", "all", 1),)
    assert counts.by_platform == (("", 1),)
    assert counts.by_temperature == (("ambient", 0), ("chilled", 0), ("frozen", 1))
