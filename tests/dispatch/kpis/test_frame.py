"""A plan's frame: what the hand-made day's plan and request give, written as a document and
read back unchanged, counting the same facts."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dispatch.kpis.frame import (
    FRAME_FORMAT,
    CarrierWork,
    DayFrame,
    RouteFrame,
    StopFrame,
    frame_from_document,
    frame_from_json,
    frame_of,
    frame_to_json,
)
from dispatch.kpis.outcomes import day_facts
from dispatch.planning.plan import Plan
from tests.dispatch.kpis.day import CARRIER, PLAN, REQUEST, ROAD, plan


def test_the_frame_of_the_hand_made_day() -> None:
    frame = frame_of(plan(), REQUEST, plan_id=3)
    (route,) = frame.routes
    # VAN#1 carries 100 of 500 kg and 200 of 1000 l; its shift runs 08:00-18:00.
    assert (route.vehicle, route.cost, route.load_share, route.shift_minutes) == (
        "VAN#1", 1200.0, 0.2, 600,
    )  # fmt: skip
    assert route.leaves == 8 * 60 + 30  # the depot has no loading minutes
    pp1, h1 = route.stops
    # PP-1 unloads chilled goods (A-1's) and the van keeps them 60 minutes at most.
    assert (pp1.orders, pp1.windows, pp1.cold, pp1.cold_limit) == (
        ("A-1", "A-2"), ((540, 570),), True, 60,
    )  # fmt: skip
    assert (h1.cold, h1.cold_limit) == (False, None)
    assert frame.outsourced == (CarrierWork("CAT", "R", 300.0, ("C-1", "C-2")),)
    assert frame.unserved == (("U-1", "dropped"),)
    assert frame.origin == datetime(2026, 12, 8, tzinfo=ZoneInfo("Asia/Taipei"))


def test_the_orders_a_plan_carried_over_are_in_its_frame_with_those_given() -> None:
    assert frame_of(plan(), REQUEST).carried_over == frozenset()
    replanned = Plan.model_validate(
        {**PLAN, "carried_over": [{"order": "U-1", "reason": "nobody"}]}
    )
    assert frame_of(replanned, REQUEST, carried_over=["H-1"]).carried_over == {"U-1", "H-1"}


def test_read_back_it_is_the_same_frame_and_counts_the_same() -> None:
    frame = frame_of(plan(), REQUEST, plan_id=3, carried_over=["H-1"])
    text = frame_to_json(frame)
    again = frame_from_json(text, plan_id=3)
    assert again == frame
    assert day_facts(again, ROAD, CARRIER) == day_facts(frame, ROAD, CARRIER)
    assert len(text) < len(json.dumps(PLAN)) + len(json.dumps(REQUEST))


def test_a_frame_in_another_layout_is_refused() -> None:
    doc = frame_of(plan(), REQUEST).document()
    with pytest.raises(ValueError, match="format"):
        frame_from_document({**doc, "format": FRAME_FORMAT + 1})


_names = st.text(min_size=1, max_size=6)
_minutes = st.integers(min_value=0, max_value=2000)
_money = st.floats(min_value=0, max_value=1e6, allow_nan=False)
_stops = st.builds(
    StopFrame,
    _names,
    st.lists(_names, max_size=3).map(tuple),
    st.lists(st.tuples(_minutes, _minutes), max_size=2).map(tuple),
    st.booleans(),
    st.none() | st.integers(0, 300) | st.floats(0, 300, allow_nan=False),
)
_routes = st.builds(
    RouteFrame,
    _names,
    st.lists(_stops, max_size=3).map(tuple),
    st.none() | _money,
    st.floats(0, 2000, allow_nan=False),
    st.none() | st.floats(0, 2, allow_nan=False),
    st.none() | _minutes,
)
_temps = st.sampled_from(["ambient", "chilled", "frozen"])


@settings(max_examples=60, deadline=None)
@given(
    day=st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)),
    zone=st.sampled_from(["Asia/Taipei", "UTC", "Europe/Paris"]),
    platform_of=st.dictionaries(_names, _names, max_size=4),
    region_of=st.dictionaries(_names, _names, max_size=4),
    window_end_of=st.dictionaries(_names, _minutes, max_size=4),
    temps_of=st.dictionaries(_names, st.frozensets(_temps), max_size=4),
    routes=st.lists(_routes, max_size=2).map(tuple),
    outsourced=st.lists(
        st.builds(CarrierWork, _names, _names, _money, st.lists(_names, max_size=3).map(tuple)),
        max_size=2,
    ).map(tuple),
    unserved=st.lists(st.tuples(_names, st.text(max_size=8)), max_size=2).map(tuple),
    carried_over=st.frozensets(_names, max_size=3),
)
def test_any_frame_reads_back_as_it_was_written(
    day: date, zone: str, platform_of: dict[str, str], region_of: dict[str, str],
    window_end_of: dict[str, int], temps_of: dict[str, frozenset[str]],
    routes: tuple[RouteFrame, ...], outsourced: tuple[CarrierWork, ...],
    unserved: tuple[tuple[str, str], ...], carried_over: frozenset[str],
) -> None:  # fmt: skip
    origin = datetime.combine(day, time(0), tzinfo=ZoneInfo(zone))
    frame = DayFrame(
        7, day, origin, platform_of, region_of, window_end_of, temps_of, routes, outsourced,
        unserved, carried_over,
    )  # fmt: skip
    assert frame_from_json(frame_to_json(frame), plan_id=7) == frame
