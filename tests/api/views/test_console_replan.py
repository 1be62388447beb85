"""The re-plan form read back: times in the plan's zone, a vehicle's own time or the form's,
the orders to cancel split, every unreadable field named; the default time kept on the
plan's day."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.views.console_replan import default_at, replan_body
from dispatch.errors import RequestError

TZ = ZoneInfo("Asia/Taipei")
DAY = date(2026, 11, 11)


def test_the_form_becomes_the_replan_body() -> None:
    body = replan_body(
        {"at": "2026-11-11T10:00", "down_1": "VAN#2", "down_at_1": "09:45", "down_0": "VAN#1",
         "down_at_0": "", "carrier_0": "CAT", "cancel_orders": "A-1, A-2\nB-3，C-4",
         "keep_assignments": "true", "time_limit_s": "5"},
        "Asia/Taipei",
    )  # fmt: skip
    assert body == {
        "at": "2026-11-11T10:00:00+08:00",
        "vehicles_down": [{"vehicle": "VAN#1", "at": "2026-11-11T10:00:00+08:00"},
                          {"vehicle": "VAN#2", "at": "2026-11-11T09:45:00+08:00"}],
        "cancel_orders": ["A-1", "A-2", "B-3", "C-4"],
        "carriers_down": ["CAT"],
        "keep_assignments": True,
        "time_limit_s": 5.0,
    }  # fmt: skip


def test_every_unreadable_field_is_named() -> None:
    with pytest.raises(RequestError) as refused:
        replan_body(
            {"at": "tomorrow", "down_0": "VAN#1", "down_at_0": "25:00", "time_limit_s": "x"},
            "Asia/Taipei",
        )
    assert [e.field for e in refused.value.errors] == ["at", "down_at_0", "time_limit_s"]


@pytest.mark.parametrize(
    ("now", "shown"),
    [
        (datetime(2026, 11, 11, 2, 30, tzinfo=ZoneInfo("UTC")), "2026-11-11T10:30"),
        (datetime(2026, 11, 10, 12, 0, tzinfo=TZ), "2026-11-11T00:00"),
        (datetime(2026, 12, 7, 12, 0, tzinfo=TZ), "2026-11-11T23:59"),
    ],
)
def test_the_default_time_is_now_kept_on_the_plans_day(now: datetime, shown: str) -> None:
    assert default_at(now, DAY, "Asia/Taipei") == shown


@given(
    st.lists(
        st.tuples(st.booleans(), st.none() | st.times().map(lambda t: t.strftime("%H:%M"))),
        max_size=12,
    ),
    st.times().map(lambda t: t.strftime("%H:%M")),
)
def test_the_checked_vehicles_go_down_at_their_own_time_or_the_forms(
    boxes: list[tuple[bool, str | None]], at: str
) -> None:
    values = {"at": f"2026-11-11T{at}"}
    for k, (checked, own) in enumerate(boxes):
        if checked:
            values[f"down_{k}"] = f"V{k}"
        values[f"down_at_{k}"] = own or ""
    body = replan_body(values, "Asia/Taipei")
    expected = [
        {"vehicle": f"V{k}", "at": f"2026-11-11T{own or at}:00+08:00"}
        for k, (checked, own) in enumerate(boxes)
        if checked
    ]
    assert body["vehicles_down"] == expected
