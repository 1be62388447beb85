"""A planned demo day (validated), a simulated day of events on it, stored; the KPIs read back
from the store equal a computation done here from what the simulation says happened."""

from __future__ import annotations

import math
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from dispatch.intake.loading import load_request
from dispatch.kpis.measures import KpiRow, measure
from dispatch.kpis.reading import read_days
from dispatch.planning.day import plan_day
from dispatch.planning.plan import Plan
from dispatch.planning.validator import validate_plan
from dispatch.store import Store
from scenarios.demo import demo_request
from tests.dispatch.kpis.simulate import SimulatedDay, simulate
from tests.dispatch.kpis.stored import store_events, store_plan

COLD = ("chilled", "frozen")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def planned() -> tuple[dict[str, Any], Plan]:
    request = demo_request(seed=3, orders=120, date="2026-12-08")
    request["options"] = {"time_limit_s": 2, "engine": "ortools", "seed": 0}
    request["policy"]["pin"] = {"Xinyi": "CAT"}
    typed = load_request(request)
    plan = plan_day(typed, iterations=30)
    assert validate_plan(typed, plan.model_dump(mode="json")) == []
    assert plan.outsourced, "the day should give some orders to a carrier"
    return request, plan


def _expected(request: dict[str, Any], plan: Plan, sim: SimulatedDay) -> dict[str, Any]:
    """The KPIs counted by hand from the simulation's truth, the plan and the request."""
    zone = ZoneInfo(plan.timezone)
    assert plan.date is not None
    origin = datetime.combine(plan.date, time(0), tzinfo=zone)
    truth = sim.truth
    orders = {o["id"]: o for o in request["orders"]}
    points = {p["id"]: p for p in request["pickup_points"]}
    units = {}
    for v in request["vehicles"]:
        count = v.get("count", 1)
        for k in range(1, count + 1):
            units[v["id"] if count == 1 else f"{v['id']}#{k}"] = v

    def minutes(at: datetime) -> float:
        return (at - origin).total_seconds() / 60

    def temps(order: str) -> set[str]:
        return {i.get("temperature", "ambient") for i in orders[order].get("items", [])}

    delays: list[int] = []
    from_departure: list[float] = []
    cold_verdicts: list[bool] = []
    failed: dict[str, int] = {}
    delivered = cost = 0.0
    total = len(plan.unserved)
    for route in plan.routes:
        v = route.vehicle
        n = sum(len(s.orders) for s in route.stops)
        share = route.cost.total / n if route.cost and v in truth.heard else 0.0
        limits = units[v].get("max_cold_minutes", {})
        for stop in route.stops:
            stop_temps = set().union(*(temps(o) for o in stop.orders))
            for order in stop.orders:
                total += 1
                cost += share
                ended = truth.ended.get(order)
                if ended is None:
                    continue
                kind, at, reason = ended
                if kind == "failed":
                    failed[reason or ""] = failed.get(reason or "", 0) + 1
                    continue
                delivered += 1
                arrival = minutes(truth.arrived[f"{v}/{stop.stop}"])
                end = max(b for _, b in stop.windows)
                delays.append(max(0, math.ceil(arrival - end - 1e-9)))
                from_departure.append((at - truth.departed[v]).total_seconds() / 60)
                if temps(order) & set(COLD):
                    start = next(
                        (max(arrival, a) for a, b in sorted(stop.windows) if arrival <= b), arrival
                    )
                    age = round(start - minutes(truth.departed[v]))
                    limit = min(limits[t] for t in COLD if t in stop_temps and t in limits)
                    cold_verdicts.append(age <= limit)
    for work in plan.outsourced:
        for order in work.orders:
            total += 1
            cost += work.cost / len(work.orders)
            ended = truth.ended.get(order)
            if ended is None:
                continue
            kind, at, reason = ended
            if kind == "failed":
                failed[reason or ""] = failed.get(reason or "", 0) + 1
                continue
            delivered += 1
            o = orders[order]
            windows = points[o["pickup_point"]]["time_windows"] if o.get("pickup_point") else (
                o.get("time_windows", [])
            )  # fmt: skip
            end = max(int(w["end"][:2]) * 60 + int(w["end"][3:]) for w in windows)
            delays.append(max(0, math.ceil(minutes(at) - end - 1e-9)))
            from_departure.append((at - truth.picked_up[order]).total_seconds() / 60)
    ordered = sorted(delays)
    return {
        "orders": total,
        "delivered": delivered,
        "failed": sum(failed.values()),
        "failed_by_reason": dict(sorted(failed.items())),
        "success_rate": round(delivered / total, 4),
        "on_time_rate": round(sum(1 for d in delays if d == 0) / len(delays), 4),
        "avg_delay_minutes": round(sum(delays) / len(delays), 1),
        "p95_delay_minutes": ordered[math.ceil(0.95 * len(ordered)) - 1],
        "avg_minutes_from_departure": round(sum(from_departure) / len(from_departure), 1),
        "cost": round(cost, 2),
        "cost_per_delivered_order": round(cost / delivered, 2),
        "cold_orders": len(cold_verdicts),
        "cold_chain_compliance": round(sum(cold_verdicts) / len(cold_verdicts), 4),
    }


def _subset(row: KpiRow, keys: dict[str, Any]) -> dict[str, Any]:
    doc = row.document()
    return {k: doc[k] for k in keys}


def test_the_kpis_of_a_simulated_day_equal_an_independent_count(
    store: Store, planned: tuple[dict[str, Any], Plan]
) -> None:
    request, plan = planned
    sim = simulate(plan, request, seed=5)
    plan_id = store_plan(store, request=request, plan=plan.model_dump(mode="json"))
    unique = list({(e.vehicle, e.event_id): e for e in sim.road}.values())
    store_events(store, plan_id, unique, sim.carrier)
    with store.read() as session:
        days = read_days(session, plan.date - timedelta(days=1), plan.date)  # type: ignore[operator]
    (total,) = measure(days)
    expected = _expected(request, plan, sim)
    assert _subset(total, expected) == expected
    assert total.open == total.orders - total.delivered - total.failed - total.unserved > 0
    assert total.cold_orders > 0
    assert total.carrier_share
    by_carrier = {r.group: r for r in measure(days, "carrier")}
    assert by_carrier["own"].routes == len(plan.routes)
    assert sum(r.delivered for r in by_carrier.values()) == total.delivered


def test_the_order_events_arrive_in_does_not_matter(planned: tuple[dict[str, Any], Plan]) -> None:
    from dispatch.kpis.outcomes import day_facts, frame_of

    request, plan = planned
    sim = simulate(plan, request, seed=9)
    frame = frame_of(plan, request)
    forward = day_facts(frame, sim.road, sim.carrier)
    backward = day_facts(frame, list(reversed(sim.road)), list(reversed(sim.carrier)))
    assert measure([forward]) == measure([backward])
    assert _subset(measure([forward])[0], _expected(request, plan, sim)) == _expected(
        request, plan, sim
    )
