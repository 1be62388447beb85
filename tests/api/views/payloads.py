"""A plan whose every name is an injection attempt, and its request, for the map tests."""

from __future__ import annotations

import copy
from typing import Any

from dispatch.planning.plan import Plan
from tests.api.driver_data import DEPOT, make_plan
from tests.api.payloads import PAYLOADS

SHELL_PAYLOAD = "{{ cycler.__init__.__globals__.os.popen('touch {marker}').read() }}"
"""A server-side template injection that would create ``{marker}`` if it ever ran."""


def payload(k: int) -> str:
    """The ``k``-th payload (cycling), wrapped in text so it is found whole."""
    return f"P{k}[{PAYLOADS[k % len(PAYLOADS)]}]"


def payload_plan(marker: str = "/nonexistent/map-ssti") -> dict[str, Any]:
    """Two routes (3 + 2 stops), an outsourced and an own region, and one unserved order.

    Vehicles, stop names, order ids, carrier, region, reason and unserved order all carry
    payloads; the first stop's name is the shell payload aimed at ``marker``.
    """
    plan = make_plan((3, 2))
    k = 0
    for route in plan["routes"]:
        route["vehicle"] = f"V{route['vehicle']}{payload(k)}"
        k += 1
        for stop in route["stops"]:
            stop["name"] = payload(k)
            stop["orders"] = [f"O{payload(k + 1)}", f"O{payload(k + 2)}"]
            k += 1
    plan["routes"][0]["stops"][0]["name"] = SHELL_PAYLOAD.replace("{marker}", marker)
    plan["routes"][0]["stops"][1]["late_minutes"] = 7
    plan["outsourced"] = [
        {
            "region": f"R{payload(1)}",
            "carrier": f"C{payload(2)}",
            "orders": [f"X{payload(3)}"],
            "cost": 95.0,
            "reason": f"why{payload(4)}",
        }
    ]
    plan["unserved"] = [{"order": f"U{payload(5)}", "reason": f"because{payload(0)}"}]
    return plan


def _square(lon: float, lat: float, size: float) -> dict[str, Any]:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size]]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def payload_request(plan: dict[str, Any]) -> dict[str, Any]:
    """The request of :func:`payload_plan`: a depot, pickup points, the unserved order, regions."""
    points = [
        {"id": s["stop"], "name": s["name"], "location": s["location"]}
        for route in plan["routes"]
        for s in route["stops"]
    ]
    unserved = plan["unserved"][0]["order"]
    return {
        "date": plan["date"],
        "timezone": plan["timezone"],
        "depots": [{**DEPOT, "name": f"D{payload(3)}", "open": "07:00", "close": "20:00"}],
        "pickup_points": points,
        "orders": [{"id": unserved, "location": {"lat": 25.03, "lon": 121.49}}],
        "regions": {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"id": plan["outsourced"][0]["region"]},
                    "geometry": _square(121.535, 25.0, 0.02),
                },
                {
                    "type": "Feature",
                    "properties": {"id": f"own{payload(4)}"},
                    "geometry": _square(121.48, 24.99, 0.015),
                },
            ],
        },
    }


def map_texts(plan: dict[str, Any], request: dict[str, Any]) -> list[str]:
    """Every name of the plan and request that the map shows."""
    texts = [r["vehicle"] for r in plan["routes"]]
    texts += [s["name"] for r in plan["routes"] for s in r["stops"]]
    texts += [o for r in plan["routes"] for s in r["stops"] for o in s["orders"]]
    texts += [plan["outsourced"][0][k] for k in ("region", "carrier", "reason")]
    texts += [plan["unserved"][0]["order"], plan["unserved"][0]["reason"]]
    texts += [request["depots"][0]["name"], request["regions"]["features"][1]["properties"]["id"]]
    return texts


def typed(plan: dict[str, Any]) -> Plan:
    """``plan`` as the typed plan, the fields a view test leaves out filled with zeros."""
    doc = copy.deepcopy(plan)
    doc.setdefault("status", "complete")
    doc.setdefault("objective", dict.fromkeys(("total", "own_fleet", "carriers", "penalties"), 0.0))
    doc.setdefault("kpis", {
        **dict.fromkeys(("orders", "served_own", "served_carrier", "unserved", "vehicles_used"), 0),
        **dict.fromkeys(("distance_km", "on_time_rate", "cost_per_order"), 0.0),
        "max_cold_minutes": {},
    })  # fmt: skip
    doc.setdefault("routes", [])
    for route in doc["routes"]:
        for key, value in (("depot", ""), ("start", "00:00"), ("end", "00:00"),
                           ("distance_km", 0.0), ("load", {}), ("stops", [])):  # fmt: skip
            route.setdefault(key, value)
        for stop in route["stops"]:
            stop.setdefault("orders", [])
            stop.setdefault("start_service", stop["arrival"])
            stop.setdefault("departure", stop["arrival"])
    return Plan.model_validate(doc)
