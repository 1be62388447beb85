"""Tiny hand-checkable requests for the dispatch tests."""

from __future__ import annotations

import copy
from typing import Any

import pytest

# A 1-depot day on a plane (euclidean metric: 1 unit = 1 km = 1 minute), easy to check by hand.
BASE: dict[str, Any] = {
    "date": "2026-11-11",
    "travel": {"metric": "euclidean"},
    "depots": [
        {
            "id": "D",
            "location": {"x": 0, "y": 0},
            "open": "06:00",
            "close": "22:00",
            "loading_minutes": 10,
        }
    ],
    "vehicles": [
        {
            "id": "VAN",
            "depot": "D",
            "capacity": {"weight_kg": 100, "volume_l": 1000},
            "shift": {"start": "08:00", "end": "18:00"},
            "cost": {"fixed": 100, "per_km": 1, "per_hour": 60},
        },
        {
            "id": "REEFER",
            "depot": "D",
            "capacity": {"weight_kg": 100, "volume_l": 1000, "chilled_l": 500, "frozen_l": 200},
            "max_cold_minutes": {"chilled": 60, "frozen": 45},
            "shift": {"start": "08:00", "end": "18:00"},
            "cost": {"fixed": 200, "per_km": 1, "per_hour": 60},
        },
    ],
    "pickup_points": [
        {
            "id": "PP-A",
            "location": {"x": 10, "y": 0},
            "time_windows": [{"start": "09:00", "end": "12:00"}],
            "service_minutes": 5,
        },
        {
            "id": "PP-B",
            "location": {"x": 0, "y": 20},
            "time_windows": [{"start": "09:00", "end": "17:00"}],
            "service_minutes": 5,
        },
    ],
    "orders": [
        {
            "id": "O1",
            "platform": "line",
            "pickup_point": "PP-A",
            "service_minutes": 1,
            "items": [{"sku": "rice", "qty": 2, "weight_kg": 5, "volume_l": 6}],
        },
        {
            "id": "O2",
            "platform": "web",
            "pickup_point": "PP-A",
            "service_minutes": 1,
            "items": [
                {"sku": "milk", "qty": 4, "weight_kg": 1, "volume_l": 1, "temperature": "chilled"}
            ],
        },
        {
            "id": "O3",
            "platform": "app",
            "pickup_point": "PP-B",
            "service_minutes": 1,
            "items": [{"sku": "snack", "qty": 1, "weight_kg": 1, "volume_l": 2}],
        },
        {
            "id": "H1",
            "platform": "web",
            "location": {"x": 5, "y": 5},
            "service_minutes": 2,
            "time_windows": [{"start": "10:00", "end": "14:00"}],
            "items": [{"sku": "tea", "qty": 1, "weight_kg": 1, "volume_l": 1}],
        },
        {
            "id": "H2",
            "platform": "app",
            "location": {"x": 5, "y": 5},
            "service_minutes": 2,
            "time_windows": [{"start": "10:00", "end": "14:00"}],
            "items": [{"sku": "tea", "qty": 2, "weight_kg": 1, "volume_l": 1}],
        },
    ],
    "policy": {"outsourcing": "none", "unserved_penalty": 5000},
    "options": {"time_limit_s": 1},
}


@pytest.fixture
def doc() -> dict[str, Any]:
    """A fresh, mutable copy of the small euclidean day."""
    return copy.deepcopy(BASE)
