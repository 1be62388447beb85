"""Carriers in a re-plan: the backup carrier of a region, handover times enforced from the
re-plan's time on, carriers that are down or full."""

from __future__ import annotations

from dispatch.intake.loading import load_request
from dispatch.replan.carriers import CarrierDesk, backup_carriers

SQUARE = [[[121.5, 25.0], [121.6, 25.0], [121.6, 25.1], [121.5, 25.1], [121.5, 25.0]]]
REQUEST = load_request({
    "date": "2026-11-11",
    "depots": [{"id": "DC", "location": {"lat": 25.06, "lon": 121.52}}],
    "pickup_points": [{"id": "PP-1", "location": {"lat": 25.04, "lon": 121.56}}],
    "orders": [{"id": "A-1", "pickup_point": "PP-1", "items": [{"sku": "rice", "weight_kg": 5}]}],
    "regions": {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": "Xinyi", "backup_carrier": "POST"},
         "geometry": {"type": "Polygon", "coordinates": SQUARE}}]},
    "carriers": [
        {"id": "CAT", "handover_by": "10:00", "price": {"per_order": 50}},
        {"id": "POST", "handover_by": "15:00", "price": {"per_order": 90}, "max_orders": 1},
        {"id": "HCT", "price": {"per_order": 70}},
    ],
})  # fmt: skip
ORDER = REQUEST.orders[0]
REGIONS = {"A-1": "Xinyi"}


def test_regions_name_their_backup_carrier() -> None:
    assert backup_carriers(REQUEST) == {"Xinyi": "POST"}


def test_the_backup_carrier_first_then_the_cheapest_that_can_still_take_it() -> None:
    desk = CarrierDesk(REQUEST, REGIONS, at=9 * 60, down=["HCT"], taken={})
    assert desk.best(ORDER, prefer="POST")[0].carrier == "POST"
    assert desk.best(ORDER)[0].carrier == "CAT"
    late = CarrierDesk(REQUEST, REGIONS, at=11 * 60, down=["HCT"], taken={})
    offer, reasons = late.best(ORDER)
    assert offer is not None
    assert offer.carrier == "POST"
    assert "CAT's handover time has passed" in reasons
    assert "HCT is down" in reasons
    late.take("POST")
    assert late.best(ORDER)[0] is None
