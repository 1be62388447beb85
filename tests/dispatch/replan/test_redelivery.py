"""A delivery that failed is brought again today when a vehicle can; when the vehicle taking
it again is already on its way and can no longer make the window, the order goes to the next
day (carried over), as it does when no vehicle at a depot can take it, never unserved."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from dispatch.intake.loading import load_request
from dispatch.live.status import LiveKind, RoadEvent
from dispatch.planning.day import plan_day
from dispatch.planning.validator import validate_plan, validate_replan
from dispatch.replan import ReplanSpec, day_state, replan

TZ = ZoneInfo("Asia/Taipei")
HOME = {"lat": 25.04, "lon": 121.56}
NEAR = {"lat": 25.058, "lon": 121.522}
NEXT_DOOR = {"lat": 25.0405, "lon": 121.5605}
ITEM = {"sku": "rice", "qty": 1, "weight_kg": 2, "volume_l": 2}


def at(hh_mm: str) -> datetime:
    h, m = map(int, hh_mm.split(":"))
    return datetime(2026, 12, 8, h, m, tzinfo=TZ)


def _request() -> dict[str, Any]:
    """AM (08:00–10:00) takes H-1 (09:00–12:00, about 12 minutes out) and H-3 next door
    (09:00–09:30); PM (from 10:30) takes H-2, by the depot, due 10:30–10:45. Orders may be at
    most 30 minutes late."""
    van = {"depot": "DC", "capacity": {"weight_kg": 100, "volume_l": 100}}
    return {
        "date": "2026-12-08",
        "depots": [{"id": "DC", "location": {"lat": 25.06, "lon": 121.52}}],
        "vehicles": [
            {"id": "AM", **van, "shift": {"start": "08:00", "end": "10:00"}},
            {"id": "PM", **van, "shift": {"start": "10:30", "end": "18:00"}},
        ],
        "orders": [
            {"id": "H-1", "location": HOME, "items": [ITEM],
             "time_windows": [{"start": "09:00", "end": "12:00"}]},
            {"id": "H-2", "location": NEAR, "items": [ITEM],
             "time_windows": [{"start": "10:30", "end": "10:45"}]},
            {"id": "H-3", "location": NEXT_DOOR, "items": [ITEM],
             "time_windows": [{"start": "09:00", "end": "09:30"}]},
        ],
        "policy": {"max_late_minutes": 30},
        "options": {"engine": "ortools", "seed": 0, "time_limit_s": 5},
    }  # fmt: skip


def _event(n: str, vehicle: str, kind: LiveKind, when: str, **kw: Any) -> RoadEvent:
    return RoadEvent(n, vehicle, kind, at(when), at(when), **kw)


def test_a_failed_order_the_running_vehicle_cannot_bring_in_time_is_carried_over() -> None:
    """H-1 fails at 09:10 (nobody home) and goes to PM, after H-2. PM is held up and reaches
    H-2 only at 12:25: H-1 could be brought more than 30 minutes (the day's limit) after its
    window at best, and goes to the next day."""
    request = load_request(_request())
    v1 = plan_day(request, iterations=20)
    assert validate_plan(request, v1.document()) == []
    assert [(r.vehicle, r.stop_ids) for r in v1.routes] == [
        ("AM", ["HOME-H-1", "HOME-H-3"]), ("PM", ["HOME-H-2"])
    ]  # fmt: skip
    road = [
        _event("d1", "AM", LiveKind.DEPARTED, "08:50"),
        _event("a1", "AM", LiveKind.ARRIVED, "09:05", stop="HOME-H-1"),
        _event("f1", "AM", LiveKind.FAILED, "09:10", stop="HOME-H-1", reason="nobody"),
    ]
    spec = ReplanSpec(at=at("09:15"))
    state = day_state(v1, request, road, [], spec)
    v2 = replan(request, v1, state, spec, time_limit_s=1, iterations=20)
    assert validate_replan(request, state.document(), v2.document()) == []
    pm = v2.route("PM")
    assert pm is not None
    assert pm.stop_ids == ["HOME-H-2", "HOME-H-1"]

    road += [
        _event("a3", "AM", LiveKind.ARRIVED, "09:16", stop="HOME-H-3"),
        _event("e3", "AM", LiveKind.DELIVERED, "09:20", stop="HOME-H-3"),
        _event("d2", "PM", LiveKind.DEPARTED, "10:30"),
        _event("a2", "PM", LiveKind.ARRIVED, "12:25", stop="HOME-H-2"),
    ]
    spec = ReplanSpec(at=at("12:30"))
    state = day_state(v2, request, road, [], spec)
    assert [v.on_board for v in state.vehicles if v.vehicle == "PM"] == [("H-1",)]
    v3 = replan(request, v2, state, spec, time_limit_s=1, iterations=20)
    assert validate_replan(request, state.document(), v3.document()) == []
    assert [u.order for u in v3.unserved] == []
    assert [(c.order, c.reason) for c in v3.carried_over or ()] == [
        ("H-1", "delivery failed; no vehicle can re-deliver it today, carried over")
    ]
