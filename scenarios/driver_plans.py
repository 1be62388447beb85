"""Small synthetic plans with a driver link per route, stored as the worker stores them: for
the driver-page and plan-map figures and the tests of those pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from dispatch.clock import format_clock
from dispatch.live.tracking import issue_driver_links
from dispatch.planning.plan import Plan
from dispatch.store import JobSource, Store, create_driver_link, create_job, save_plan, start_job

TZ = "Asia/Taipei"
DEPOT = {"id": "DC-N", "name": "北區倉", "location": {"lat": 25.06, "lon": 121.52}}


def today() -> date:
    """The plan day: today in Taipei, so fresh links are live."""
    return datetime.now(ZoneInfo(TZ)).date()


def _stop(route: int, k: int, start: int) -> dict[str, Any]:
    arrival = start + 25 * k
    chilled = 12.0 if k % 2 == 0 else 0.0
    frozen = 6.0 if k % 3 == 0 else 0.0
    return {
        "stop": f"PP-{route}{k:02d}",
        "name": f"團購點 {route}-{k}",
        "orders": [f"O-{route}{k:02d}-{n}" for n in range(1, 4)],
        "location": {"lat": round(25.00 + 0.004 * k, 6), "lon": round(121.50 + 0.01 * route, 6)},
        "arrival": format_clock(arrival),
        "start_service": format_clock(arrival),
        "departure": format_clock(arrival + 8),
        "late_minutes": 0,
        "windows": [["09:00", "18:00"]],
        "unload": {
            "weight_kg": 20.0,
            "volume_l": 40.0 + chilled + frozen,
            "chilled_l": chilled,
            "frozen_l": frozen,
        },
    }


def make_plan(stops_per_route: tuple[int, ...] = (3, 2)) -> dict[str, Any]:
    """A plan document with one route per entry, the first route leaving at 08:20."""
    routes = []
    for r, n in enumerate(stops_per_route, start=1):
        stops = [_stop(r, k, 9 * 60 + 5) for k in range(1, n + 1)]
        routes.append(
            {
                "vehicle": f"V{r:02d}",
                "depot": "DC-N",
                "start": "08:00",
                "end": format_clock(9 * 60 + 25 * n + 60),
                "distance_km": 10.0 * n,
                "load": {"weight_kg": 20.0 * n},
                "stops": stops,
            }
        )
    return {
        "status": "complete",
        "date": today().isoformat(),
        "timezone": TZ,
        "objective": {"total": 1000.0, "own_fleet": 1000.0, "carriers": 0.0, "penalties": 0.0},
        "routes": routes,
        "outsourced": [],
        "unserved": [],
        "kpis": {"orders": 3 * sum(stops_per_route), "served_own": 3 * sum(stops_per_route),
                 "served_carrier": 0, "unserved": 0, "vehicles_used": len(routes),
                 "distance_km": 10.0 * sum(stops_per_route), "on_time_rate": 1.0,
                 "cost_per_order": 1000.0 / (3 * sum(stops_per_route)), "max_cold_minutes": {}},
    }  # fmt: skip


def make_request(plan: dict[str, Any]) -> dict[str, Any]:
    """The request document matching ``plan``: depot and pickup points with contacts."""
    points = [
        {
            "id": s["stop"],
            "name": s["name"],
            "location": s["location"],
            "contact": f"王小明{k}",
            "phone": f"0912-345-{k:03d}",
            "address": f"台北市信義區松仁路{k}號",
        }
        for route in plan["routes"]
        for k, s in enumerate(route["stops"], start=1)
    ]
    return {"date": plan["date"], "timezone": TZ, "depots": [DEPOT], "pickup_points": points}


@dataclass(frozen=True)
class StoredPlan:
    plan_id: int
    plan: dict[str, Any]
    tokens: dict[str, str]


def store_plan(
    store: Store, plan: dict[str, Any] | None = None, request: dict[str, Any] | None = None
) -> StoredPlan:
    """Store ``plan`` as a finished job's plan with a driver link per route (as the worker does).

    The job's request is ``request``, or else :func:`make_request` of the plan.
    """
    plan = plan or make_plan()
    with store.write() as session:
        job = create_job(
            session,
            request=request or make_request(plan),
            plan_date=date.fromisoformat(plan["date"]),
            source=JobSource.REQUEST,
            time_limit_s=1.0,
            actor="test",
        )
        start_job(session, job.id)
        typed = Plan.model_validate(plan)
        row = save_plan(session, job.id, typed)
        links = issue_driver_links(
            typed, lambda vehicle, expires: create_driver_link(session, row.id, vehicle, expires)
        )
        plan_id = row.id
    return StoredPlan(plan_id, plan, {v: link.removeprefix("/d/") for v, link in links.items()})
