"""Request loading: every input error is found at once and names its record and field."""

from __future__ import annotations

from typing import Any

import pytest

from dispatch.intake.loading import RequestError, load_request
from dispatch.intake.request import Options


def _errors(doc: dict[str, Any]) -> list[str]:
    with pytest.raises(RequestError) as info:
        load_request(doc)
    return [str(e) for e in info.value.errors]


def test_valid_request_loads(doc: dict[str, Any]) -> None:
    """The small day is valid and its times are minutes after midnight."""
    req = load_request(doc)
    assert req.pickup_points[0].time_windows[0].start == 9 * 60
    assert [v.unit_ids() for v in req.vehicles] == [["VAN"], ["REEFER"]]


def test_window_end_before_start_names_record_and_field(doc: dict[str, Any]) -> None:
    """A reversed window is reported with the order's index, id and field path."""
    doc["orders"][3]["time_windows"] = [{"start": "09:00", "end": "08:00"}]
    assert _errors(doc) == ["orders[3] (id H1): time_windows[0].end: 08:00 is before start 09:00"]


def test_all_errors_are_reported_together(doc: dict[str, Any]) -> None:
    """Duplicate ids, bad references, negatives, NaN and unknown classes in one report."""
    doc["orders"][1]["id"] = "O1"
    doc["orders"][2]["pickup_point"] = "PP-NOPE"
    doc["vehicles"][0]["depot"] = "DC-X"
    errors = _errors(doc)
    assert "orders[1] (id O1): id: duplicate id" in errors
    assert "orders[2] (id O3): pickup_point: unknown pickup point 'PP-NOPE'" in errors
    assert "vehicles[0] (id VAN): depot: unknown depot 'DC-X'" in errors


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (("orders", 0, "items", 0, "qty"), -1, "orders[0] (id O1): items[0].qty:"),
        (
            ("orders", 0, "items", 0, "temperature"),
            "warm",
            "orders[0] (id O1): items[0].temperature:",
        ),
        (
            ("pickup_points", 0, "location", "x"),
            float("nan"),
            "pickup_points[0] (id PP-A): location",
        ),
        (("orders", 3, "location"), {"lat": 95.0, "lon": 121.5}, "orders[3] (id H1): location"),
        (
            ("orders", 3, "time_windows", 0, "start"),
            "9am",
            "orders[3] (id H1): time_windows[0].start",
        ),
        (
            ("vehicles", 1, "capacity", "weight_kg"),
            "heavy",
            "vehicles[1] (id REEFER): capacity.weight_kg",
        ),
        (("options", "seed"), -1, "options.seed:"),
        (("options", "seed"), 2**32, "options.seed:"),
    ],
)
def test_field_errors(
    doc: dict[str, Any], path: tuple[Any, ...], value: Any, expected: str
) -> None:
    """Each class of bad value is caught and located."""
    target = doc
    for key in path[:-1]:
        target = target.setdefault(key, {}) if isinstance(target, dict) else target[key]
    target[path[-1]] = value
    errors = _errors(doc)
    assert any(e.startswith(expected) for e in errors), errors


def test_missing_fields_and_wrong_shape() -> None:
    """A document that is not a request says what is missing, without a traceback."""
    errors = _errors({"orders": "none"})
    assert "date: is required" in errors
    assert "depots: is required" in errors
    with pytest.raises(RequestError):
        load_request([1, 2])


def test_lat_lon_under_euclidean_metric_is_rejected(doc: dict[str, Any]) -> None:
    """Coordinates must match the travel metric."""
    doc["orders"][3]["location"] = {"lat": 25.0, "lon": 121.5}
    assert any("needs x/y coordinates" in e for e in _errors(doc))


def test_overlapping_windows_rejected(doc: dict[str, Any]) -> None:
    """Two windows that overlap must be merged by the sender."""
    doc["pickup_points"][0]["time_windows"] = [
        {"start": "09:00", "end": "12:00"},
        {"start": "11:00", "end": "13:00"},
    ]
    assert (
        "pickup_points[0] (id PP-A): time_windows: windows overlap; merge them into one"
        in _errors(doc)
    )


def test_a_callers_time_limit_wins_over_the_requests_even_when_zero() -> None:
    options = Options(time_limit_s=12)
    assert options.limit(None) == 12
    assert options.limit(3.5) == 3.5
    assert options.limit(0.0) == 0.0
