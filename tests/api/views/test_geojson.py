"""The plan as GeoJSON: routes with rounded distances, stops, and outsourced and unserved
orders where they are delivered."""

from __future__ import annotations

from typing import Any

from api.views.geojson import plan_geojson
from api.views.places import RequestPlaces
from tests.api.views import test_plan_map
from tests.api.views.payloads import typed
from tests.api.views.test_plan_map import REQUEST

plan = test_plan_map.plan
"""The plan map's two routes, one outsourced region and one unserved order."""


def test_outsourced_orders_are_points_with_carrier_and_region(plan: dict[str, Any]) -> None:
    plan["routes"][0]["distance_km"] = 46.8731
    request = {
        **REQUEST,
        "orders": [
            *REQUEST["orders"],
            {"id": "X1", "location": {"lat": 25.03, "lon": 121.57}},
            {"id": "X2", "pickup_point": "PP-2"},
        ],
        "pickup_points": [{"id": "PP-2", "location": {"lat": 25.04, "lon": 121.56}}],
    }
    plan["outsourced"][0]["reason"] = "cheaper than a van"
    features = plan_geojson(typed(plan), RequestPlaces.of(request))["features"]
    routes = [f["properties"] for f in features if f["properties"]["kind"] == "route"]
    assert [r["distance_km"] for r in routes] == [46.9, 7.0]
    outsourced = [f for f in features if f["properties"]["kind"] == "outsourced"]
    assert [(f["properties"]["order"], f["geometry"]["coordinates"]) for f in outsourced] == [
        ("X1", [121.57, 25.03]),
        ("X2", [121.56, 25.04]),
    ]
    assert {
        (p["carrier"], p["region"], p["reason"]) for p in (f["properties"] for f in outsourced)
    } == {("CAT", "Xinyi", "cheaper than a van")}
    assert [
        f["properties"]["order"] for f in features if f["properties"]["kind"] == "unserved"
    ] == ["U1"]
