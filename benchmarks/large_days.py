"""Large generated Taipei-area days, deterministic from a seed: several depots, pickup points
and home deliveries, chilled and frozen goods with cold-chain limits, a mixed fleet."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

from scenarios.demo import VEHICLE_KINDS, demo_regions

Json = dict[str, Any]

DISTRICTS: tuple[tuple[str, float, float, float, float], ...] = (
    # name, lat, lon, spread (km), share of the stops
    ("Xinyi", 25.033, 121.567, 1.2, 1.2),
    ("Daan", 25.027, 121.540, 1.1, 1.4),
    ("Zhongshan", 25.064, 121.533, 1.1, 1.0),
    ("Neihu", 25.080, 121.590, 1.4, 1.1),
    ("Songshan", 25.052, 121.575, 0.9, 0.8),
    ("Wanhua", 25.033, 121.498, 0.8, 0.6),
    ("Banqiao", 25.012, 121.460, 1.4, 1.3),
    ("Zhonghe", 24.998, 121.500, 1.0, 1.0),
    ("Yonghe", 25.006, 121.518, 0.7, 0.7),
    ("Xindian", 24.962, 121.537, 1.5, 0.8),
    ("Sanchong", 25.063, 121.487, 1.0, 0.9),
    ("Beitou", 25.125, 121.500, 1.6, 0.6),
    ("Tamsui", 25.168, 121.445, 1.6, 0.5),
    ("Xinzhuang", 25.036, 121.445, 1.2, 0.9),
    ("Tucheng", 24.980, 121.445, 1.0, 0.6),
)
DEPOTS: tuple[tuple[str, str, float, float], ...] = (
    ("DC-N", "內湖物流中心", 25.078, 121.575),
    ("DC-S", "土城物流中心", 25.000, 121.450),
    ("DC-W", "五股物流中心", 25.085, 121.440),
    ("DC-E", "新店物流中心", 24.975, 121.540),
)
POINT_WINDOWS = (
    (("09:00", "12:00"),),
    (("10:00", "13:00"), ("15:00", "19:00")),
    (("08:30", "11:30"),),
    (("13:00", "17:00"),),
    (("09:30", "12:30"), ("16:00", "20:00")),
    (("14:00", "18:00"),),
)
CATALOGUE = (
    # sku, weight kg, volume l, temperature, popularity
    ("milk-1l", 1.05, 1.1, "chilled", 3.0),
    ("eggs-10", 0.65, 1.6, "chilled", 2.5),
    ("tofu", 0.45, 0.5, "chilled", 1.0),
    ("dumplings-frozen", 1.1, 1.8, "frozen", 3.0),
    ("shrimp-frozen", 0.7, 1.0, "frozen", 2.0),
    ("rice-5kg", 5.0, 6.5, "ambient", 1.5),
    ("toilet-paper", 2.4, 24.0, "ambient", 2.0),
    ("fruit-box", 3.0, 9.0, "ambient", 1.5),
    ("snacks", 0.9, 4.0, "ambient", 2.5),
    ("oil-2l", 1.9, 2.2, "ambient", 1.0),
)
FLEET_MIX = (
    # kind, share of the vehicles, shift
    ("ambient-van", 0.3, ("10:00", "22:00")),
    ("reefer-van", 0.45, ("07:00", "19:00")),
    ("reefer-van", 0.1, ("11:00", "22:00")),
    ("truck", 0.15, ("07:00", "19:00")),
)
STOPS_PER_VEHICLE = 16
POINT_SHARE = 0.04
"""Share of the stops that are pickup points; each receives ``POINT_ORDERS`` orders on average."""
POINT_ORDERS = 8
COLD_SHARE = 0.45
"""Share of the orders with chilled or frozen items."""


def large_request(stops: int, seed: int = 1, *, time_limit_s: float = 60.0) -> Json:
    """A request document of about ``stops`` stops (pickup points and homes), own fleet only."""
    rng = np.random.default_rng([seed, stops])
    shares = np.array([d[4] for d in DISTRICTS])
    points_n = max(1, round(POINT_SHARE * stops))
    homes_n = stops - points_n
    points = [_point(rng, k, _district(rng, shares)) for k in range(points_n)]
    orders: list[Json] = []
    for point in points:
        for _ in range(max(1, int(rng.poisson(POINT_ORDERS)))):
            orders.append(_point_order(rng, point))
    for _ in range(homes_n):
        home = _home(rng, _district(rng, shares))
        for _ in range(2 if rng.random() < 0.08 else 1):
            orders.append({**home, "service_minutes": int(rng.integers(2, 5))})
    for k, order in enumerate(orders):
        order["id"] = f"L{seed}-{k + 1:06d}"
        order["items"] = _items(rng)
    order_by = rng.permutation(len(orders))
    return {
        "date": "2025-11-11",
        "timezone": "Asia/Taipei",
        "travel": {"metric": "haversine", "speed_kmh": 28, "circuity": 1.3},
        "depots": [
            {
                "id": did,
                "name": name,
                "location": {"lat": lat, "lon": lon},
                "open": "06:00",
                "close": "22:00",
                "loading_minutes": 20,
            }
            for did, name, lat, lon in DEPOTS
        ],
        "vehicles": _fleet(stops),
        "orders": [orders[k] for k in order_by.tolist()],
        "pickup_points": points,
        "regions": demo_regions(),
        "carriers": [],
        "policy": {
            "unserved_penalty": 5000,
            "late_penalty_per_minute": 0,
            "outsourcing": "none",
        },
        "options": {"time_limit_s": time_limit_s, "seed": 0},
    }


def _district(rng: np.random.Generator, shares: np.ndarray) -> tuple[str, float, float, float]:
    name, lat, lon, spread, _ = DISTRICTS[int(rng.choice(len(DISTRICTS), p=shares / shares.sum()))]
    return name, lat, lon, spread


def _near(rng: np.random.Generator, lat: float, lon: float, spread_km: float) -> Json:
    dy, dx = rng.normal(0.0, spread_km, size=2)
    return {
        "lat": round(lat + dy / 111.0, 6),
        "lon": round(lon + dx / (111.0 * math.cos(math.radians(lat))), 6),
    }


def _windows(windows: tuple[tuple[str, str], ...]) -> list[Json]:
    return [{"start": a, "end": b} for a, b in windows]


def _point(rng: np.random.Generator, k: int, district: tuple[str, float, float, float]) -> Json:
    name, lat, lon, spread = district
    windows = POINT_WINDOWS[int(rng.integers(len(POINT_WINDOWS)))]
    return {
        "id": f"PP-{k + 1:05d}",
        "name": f"{name} pickup {k + 1}",
        "location": _near(rng, lat, lon, spread),
        "time_windows": _windows(windows),
        "service_minutes": int(rng.integers(5, 11)),
    }


def _point_order(rng: np.random.Generator, point: Json) -> Json:
    return {
        "pickup_point": point["id"],
        "location": dict(point["location"]),
        "time_windows": [dict(w) for w in point["time_windows"]],
        "service_minutes": int(rng.choice((1, 2), p=(0.7, 0.3))),
    }


def _home(rng: np.random.Generator, district: tuple[str, float, float, float]) -> Json:
    _, lat, lon, spread = district
    hours = int(rng.integers(2, 5))
    start = int(rng.integers(9, 21 - hours + 1))
    return {
        "location": _near(rng, lat, lon, 0.8 * spread),
        "time_windows": _windows(((f"{start:02d}:00", f"{start + hours:02d}:00"),)),
    }


def _items(rng: np.random.Generator) -> list[Json]:
    cold = rng.random() < COLD_SHARE
    pool = [s for s in CATALOGUE if cold or s[3] == "ambient"]
    weights = np.array([s[4] for s in pool])
    lines = int(rng.choice((1, 2, 3), p=(0.45, 0.35, 0.2)))
    picked = rng.choice(
        len(pool), size=min(lines, len(pool)), replace=False, p=weights / weights.sum()
    )
    return [
        {
            "sku": pool[k][0],
            "qty": int(rng.choice((1, 2, 3), p=(0.6, 0.3, 0.1))),
            "weight_kg": pool[k][1],
            "volume_l": pool[k][2],
            "temperature": pool[k][3],
        }
        for k in picked.tolist()
    ]


def _fleet(stops: int) -> list[Json]:
    total = max(len(DEPOTS) * len(FLEET_MIX), round(stops / STOPS_PER_VEHICLE))
    per_depot = total / len(DEPOTS)
    vehicles = []
    for did, *_ in DEPOTS:
        for k, (kind, share, (start, end)) in enumerate(FLEET_MIX):
            vehicles.append(
                {
                    "id": f"{did[3:]}-{kind.upper()}-{k}",
                    "kind": kind,
                    "depot": did,
                    "count": max(1, round(share * per_depot)),
                    "shift": {"start": start, "end": end},
                    **json.loads(json.dumps(VEHICLE_KINDS[kind])),
                }
            )
    return vehicles
