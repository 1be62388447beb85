"""Large days: solved in parts above the size threshold, refused when their matrices would
not fit; every plan goes through the validator."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pytest

from benchmarks.large_days import large_request
from dispatch.intake.loading import RequestError, load_request
from dispatch.planning import model
from dispatch.planning import own_fleet as planning
from dispatch.planning.day import plan_day
from dispatch.planning.validator import validate_plan
from geo.travel import compact_haversine_matrix, haversine_matrix


def test_a_day_over_the_memory_budget_is_refused_before_planning(
    doc: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With 0.001 MB allowed, even the small day is refused, the sizes in the message."""
    monkeypatch.setenv(planning.MEMORY_ENV, "0.001")
    with pytest.raises(RequestError, match=r"need about .* MB of travel matrices, more than"):
        plan_day(load_request(doc), time_limit_s=1.0, iterations=10)


def test_matrix_memory_counts_every_matrix() -> None:
    """Two travel matrices, distances and one duration matrix per speed; 4 bytes a cell when
    the day is large, 8 when small."""
    assert model.matrix_bytes(10, 2) == 10 * 10 * 5 * 8
    big = model.COMPACT_FROM
    assert model.matrix_bytes(big, 3) == big * big * 6 * 4


def test_compact_matrices_agree_with_the_full_ones() -> None:
    """Single precision, a block of rows at a time: the same kilometres and minutes to
    well under a metre and a second."""
    rng = np.random.default_rng(0)
    lat, lon = 25 + 0.2 * rng.random(700), 121.4 + 0.2 * rng.random(700)
    full = haversine_matrix(lat, lon, speed_kmh=28, circuity=1.3)
    compact = compact_haversine_matrix(lat, lon, speed_kmh=28, circuity=1.3)
    assert compact.distance_km.dtype == np.float32
    assert np.abs(compact.distance_km - full.distance_km).max() < 1e-4
    assert np.abs(compact.minutes - full.minutes).max() < 1e-3


def test_the_generated_large_day_is_the_same_for_the_same_seed() -> None:
    """The benchmark day depends only on its seed and size, and has the stops asked for."""
    assert large_request(60, 3) == large_request(60, 3)
    assert large_request(60, 3) != large_request(60, 4)
    request = load_request(large_request(60, 3))
    assert len({o.pickup_point or o.id for o in request.orders}) >= 60
    assert len(request.depots) == 4


@pytest.mark.slow
def test_a_day_over_the_threshold_is_planned_in_parts_and_validated(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A generated 240-stop day with the threshold at 100 stops: planned in parts within
    its 20 s limit plus one second, every order routed or explained, and the validator finds
    nothing."""
    monkeypatch.setattr(planning, "LARGE_DAY_STOPS", 100)
    monkeypatch.setattr(planning.decompose, "CLUSTER_STOPS", 60)
    doc = large_request(240, 2)
    doc["options"]["engine"] = "ortools"
    request = load_request(doc)
    began = time.monotonic()
    plan = plan_day(request, time_limit_s=20.0)
    assert time.monotonic() - began <= 21.0
    assert plan.solver["engine"] == "decomposed"
    routed = {o for r in plan.routes for s in r.stops for o in s.orders}
    assert routed | {u.order for u in plan.unserved} == {o.id for o in request.orders}
    assert validate_plan(request, plan.model_dump(mode="json")) == []
