"""A tiny day whose fleet runs out at twice its demand, solved fast and the same every time."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from scenarios.demo import example_path

SOLVE: dict[str, Any] = {"engine": "ortools", "time_limit_s": 30, "iterations": 30, "seed": 0}
"""Seeded and bounded by iterations, so every solve of a test is the same plan anywhere."""


def tiny() -> dict[str, Any]:
    """``small.json`` with small vans and a carrier that takes 3 orders at most."""
    request: dict[str, Any] = json.loads(example_path("small").read_text(encoding="utf-8"))
    request["vehicles"][0]["capacity"] = {"weight_kg": 60, "volume_l": 150}
    request["vehicles"][1]["capacity"] = {
        "weight_kg": 40, "volume_l": 80, "chilled_l": 15, "frozen_l": 10,
    }  # fmt: skip
    request["carriers"][0]["max_orders"] = 3
    return request


@pytest.fixture
def tiny_file(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(tiny(), ensure_ascii=False), encoding="utf-8")
    return path
