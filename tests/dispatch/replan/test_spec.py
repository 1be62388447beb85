"""The re-plan body: its fields, and the check naming what the day does not have."""

from __future__ import annotations

import pytest

from dispatch.errors import RequestError
from dispatch.intake.loading import load_request
from dispatch.replan.spec import FailurePolicy, check_spec, read_spec

REQUEST = load_request({
    "date": "2026-11-11", "timezone": "Asia/Taipei",
    "depots": [{"id": "DC", "location": {"lat": 25.06, "lon": 121.52}}],
    "vehicles": [{"id": "VAN", "depot": "DC", "count": 2}],
    "pickup_points": [{"id": "PP-1", "location": {"lat": 25.04, "lon": 121.56}}],
    "orders": [{"id": "A-1", "pickup_point": "PP-1", "items": [{"sku": "tofu"}]}],
    "carriers": [{"id": "CAT"}],
})  # fmt: skip
AT = "2026-11-11T11:00:00+08:00"


def _fields(body: dict[str, object]) -> list[tuple[str, str]]:
    with pytest.raises(RequestError) as caught:
        check_spec(read_spec(body), REQUEST, ["A-1"])
    return [(e.record, e.field) for e in caught.value.errors]


def test_a_spec_naming_known_things_passes() -> None:
    body = {"at": AT, "vehicles_down": [{"vehicle": "VAN#2", "at": AT}],
            "cancel_orders": ["A-1"], "carriers_down": ["CAT"],
            "add_orders": [{"id": "B-1", "pickup_point": "PP-1"}]}  # fmt: skip
    check_spec(read_spec(body), REQUEST, ["A-1"])


def test_each_unknown_name_and_a_time_before_the_day_is_named() -> None:
    added = [{"id": "A-1", "pickup_point": "PP-9"}]
    body = {"at": "2026-11-10T23:59:00+08:00",
            "vehicles_down": [{"vehicle": "VAN#3", "at": AT}], "cancel_orders": ["Z-1"],
            "carriers_down": ["DOG"], "add_orders": added}  # fmt: skip
    assert _fields(body) == [
        ("", "at"), ("vehicles_down[0]", "vehicle"), ("cancel_orders", "[0]"),
        ("carriers_down", "[0]"), ("add_orders[0]", "id"), ("add_orders[0]", "pickup_point"),
    ]  # fmt: skip


def test_a_time_without_an_offset_is_refused() -> None:
    with pytest.raises(RequestError) as caught:
        read_spec({"at": "2026-11-11T11:00:00"})
    assert caught.value.errors[0].field == "at"


def test_failures_follow_the_reason_else_the_default() -> None:
    policy = FailurePolicy()
    assert policy.for_reason("nobody") == "redeliver"
    assert policy.for_reason("refused") == "return"
    assert policy.for_reason("damaged") == "carry_over"
    assert policy.for_reason(None) == "carry_over"
