"""Generated days for the own-fleet-or-carrier decision: regions as wedges around one depot,
at random distances, with carriers of different prices and reach. Deterministic from the seed."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

Json = dict[str, Any]

RING = 60.0
"""Outer radius of the generated regions (x/y units: 1 = 1 km = 1 minute)."""


def sourcing_day(
    seed: int, *, regions: int = 4, orders: int = 40, vans: int = 2, time_limit_s: float = 2.0
) -> Json:
    """A euclidean day around a central depot: ``regions`` wedges at random distances.

    Carrier ``WIDE`` serves everything ambient or chilled at a moderate price;
    ``LOCAL`` serves half the regions, ambient goods only, cheaper per order but
    with a minimum charge per region and room for a quarter of the orders.
    """
    rng = np.random.default_rng(seed)
    width = 2 * math.pi / regions
    features, points, docs = [], [], []
    counts = rng.multinomial(orders - regions, np.full(regions, 1 / regions)) + 1
    for k in range(regions):
        a0, a1 = k * width, (k + 1) * width
        arc = [(RING * math.cos(a), RING * math.sin(a)) for a in np.linspace(a0, a1, 8)]
        ring = [(0.0, 0.0), *arc, (0.0, 0.0)]
        features.append(
            {
                "type": "Feature",
                "properties": {"id": f"R{k}"},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
        radius = float(rng.uniform(5, 50))
        mid = (a0 + a1) / 2
        pid = f"PP-{k}"
        points.append(
            {
                "id": pid,
                "location": _polar(radius, mid),
                "service_minutes": 5,
                "time_windows": [{"start": "09:00", "end": "20:00"}],
            }
        )
        for j in range(int(counts[k])):
            doc: Json = {"id": f"O{k}-{j}", "service_minutes": 2, "items": _items(rng)}
            if j % 2 == 0:
                doc["pickup_point"] = pid
            else:
                r = float(np.clip(radius + rng.normal(0, 4), 2, RING - 2))
                a = float(rng.uniform(a0 + 0.1 * width, a1 - 0.1 * width))
                start = int(rng.integers(9, 14))
                doc["location"] = _polar(r, a)
                doc["time_windows"] = [{"start": f"{start:02d}:00", "end": "20:00"}]
            docs.append(doc)
    local = sorted(rng.choice(regions, size=max(1, regions // 2), replace=False).tolist())
    return {
        "date": "2026-11-11",
        "travel": {"metric": "euclidean"},
        "depots": [
            {
                "id": "D",
                "location": {"x": 0.0, "y": 0.0},
                "open": "07:00",
                "close": "22:00",
                "loading_minutes": 10,
            }
        ],
        "vehicles": [
            {
                "id": "VAN",
                "depot": "D",
                "count": vans,
                "capacity": {"weight_kg": 400, "volume_l": 3000, "chilled_l": 1000},
                "shift": {"start": "08:00", "end": "20:00"},
                "cost": {"fixed": 100, "per_km": 10, "per_hour": 60},
            }
        ],
        "pickup_points": points,
        "orders": docs,
        "regions": {"type": "FeatureCollection", "features": features},
        "carriers": [
            {
                "id": "WIDE",
                "regions": ["*"],
                "handles": {"temperatures": ["ambient", "chilled"]},
                "price": {"per_order": 45, "per_kg": 2, "cold_surcharge_per_order": 25},
                "delivers_by": "20:00",
                "on_time_rate": 0.95,
            },
            {
                "id": "LOCAL",
                "regions": [f"R{k}" for k in local],
                "handles": {"temperatures": ["ambient", "chilled"]},
                "price": {
                    "per_order": 30,
                    "per_kg": 1.5,
                    "cold_surcharge_per_order": 40,
                    "min_charge_per_region": 300,
                },
                "delivers_by": "20:00",
                "on_time_rate": 0.9,
                "max_orders": orders // 4,
            },
        ],
        "policy": {
            "unserved_penalty": 5000,
            "carrier_late_penalty_per_order": 200,
            "outsourcing": "region",
        },
        "options": {"time_limit_s": time_limit_s, "seed": 0},
    }


def _polar(radius: float, angle: float) -> Json:
    return {"x": round(radius * math.cos(angle), 3), "y": round(radius * math.sin(angle), 3)}


def _items(rng: np.random.Generator) -> list[Json]:
    chilled = bool(rng.random() < 0.2)
    return [
        {
            "sku": "box",
            "qty": int(rng.integers(1, 4)),
            "weight_kg": float(rng.uniform(1, 5)),
            "volume_l": 4.0,
            "temperature": "chilled" if chilled else "ambient",
        }
    ]
