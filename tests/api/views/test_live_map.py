"""The plan map's live feed: stop states and colours, van pins, a one-line summary."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from api.views.live_map import STATE_COLOURS, live_feed, stop_state
from dispatch.live.status import StopState
from tests.dispatch.live.days import day, route, stop

TZ = ZoneInfo("Asia/Taipei")


def test_feed_colours_each_stop_by_state_and_pins_heard_vans() -> None:
    """Delivered green, failed red (with its reason), late amber (+minutes), on plan and
    arrived in the route's own colour; a van only where it was heard from."""
    status = day(
        route(
            "V01",
            stop("PP-1", ("A",), state=StopState.DELIVERED, actual="09:31"),
            stop("PP-2", ("B",), state=StopState.FAILED, actual="09:50", reason="closed"),
            stop("PP-3", ("C",), late=25, planned="10:20"),
            stop("PP-4", ("D",), planned="10:45"),
            heard="09:52",
        ),
        route("V02", stop("PP-9", ("E",), state=StopState.ARRIVED, actual="09:58"), departed=None),
    )
    feed = live_feed(status, TZ, {"V01": "#e6194b"})
    marks = {m["key"]: (m["state"], m["colour"], m["tooltip"]) for m in feed["markers"]}
    assert marks == {
        "V01/PP-1": ("delivered", STATE_COLOURS["delivered"], "PP-1 · delivered 已送達 09:31"),
        "V01/PP-2": ("failed", STATE_COLOURS["failed"], "PP-2 · failed 未送達 09:50 · closed"),
        "V01/PP-3": ("late", STATE_COLOURS["late"], "PP-3 · late 延誤 10:45 (+25 min)"),
        "V01/PP-4": ("planned", None, "PP-4 · planned 預計 10:45"),
        "V02/PP-9": ("arrived", None, "PP-9 · arrived 已抵達 09:58"),
    }
    assert feed["vehicles"] == [
        {"key": "V01", "at": [25.04, 121.55], "label": "車", "colour": "#e6194b",
         "tooltip": "V01 · 09:52"},
    ]  # fmt: skip
    assert feed["summary"] == "10:00 · 1 delivered 已送達 · 1 late 延誤 · 1 failed 未送達"
    assert feed["as_of"] == "2026-12-08T10:00:00+08:00"


def test_a_stop_served_late_is_delivered_not_late() -> None:
    served = stop("PP-1", ("A",), state=StopState.DELIVERED, late=40, actual="10:40")
    assert stop_state(served) == "delivered"
    assert stop_state(stop("PP-1", ("A",), state=StopState.ARRIVED, late=5)) == "late"
