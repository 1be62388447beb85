"""GET /kpis over 30 stored days of the demo size: the answer's latency, cold and warm.

Plans the demo day once (600 orders, OR-Tools bounded by a number of solutions per search;
the plan passes the validator), stores it as
the plan of each of ``--days`` days with a synthetic day of events written straight into the
store (a departure per route, an arrival and a delivery or failure per stop, positions, the
carriers' pick-ups and deliveries, notices with compensation), then serves the app with
uvicorn on 127.0.0.1 (a fresh SQLite file; the objects made by then frozen out of the
garbage collector's sight, as ``dispatch serve`` does) and times:

- ``GET /plans?limit=30``, the baseline: a small authenticated read of the same store;
- the live tick (the app's own, on a clock standing on the last day) run until every day
  whose facts changed is counted and stored, a bounded number per tick;
- ``GET /kpis`` over all the days: the first call once the ticks have counted the days (every
  day read from the store), a call after one more event on the last day (that day counted
  again, the others kept), warm calls by day, by region and as CSV (the versions of every
  day's events, notices and moved orders read again, the days' facts kept);
- the first call of a new app on the same store, as after a restart (frames and days read
  from the store); again once the counted days are deleted, as when no tick ran (each day
  counted by the report itself and stored); and once the frames are deleted too (as on a
  store from before they were kept: each frame made from its documents).

    .venv/bin/python -m benchmarks.kpis [--days 30] [--orders 600] [--requests 5]
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import delete, insert, select

from benchmarks.serving import build_app, serve
from dispatch.intake.loading import load_request
from dispatch.kpis.frame import frame_of
from dispatch.kpis.kept import keep_frame
from dispatch.kpis.refresh import MOST_DAYS
from dispatch.live.wallclock import ManualClock
from dispatch.planning.day import plan_day
from dispatch.planning.plan import Plan
from dispatch.planning.validator import validate_plan
from dispatch.store import JobSource, Role, Store, create_job, create_key, save_plan, start_job
from dispatch.store.alerts import Notice
from dispatch.store.models import (
    CarrierEventRecord,
    KpiDay,
    PlanKpiFrame,
    PlanRecord,
    TrackingEvent,
)
from scenarios.demo import demo_request

REASONS = ("nobody", "closed", "refused")


ITERATIONS = 100
"""OR-Tools solutions per routing search (the sourcing search around them keeps its clock)."""


def _plan(orders: int, day: date) -> tuple[dict[str, Any], Plan]:
    request = demo_request(seed=7, orders=orders, date=day.isoformat())
    request["options"] = {"time_limit_s": 300, "engine": "ortools", "seed": 0}
    typed = load_request(request)
    plan = plan_day(typed, iterations=ITERATIONS)
    violations = validate_plan(typed, plan.model_dump(mode="json"))
    if violations:
        raise SystemExit(f"the demo plan breaks the contract: {violations[:3]}")
    return request, plan


def _events(plan: Plan, plan_id: int, day: date, rng: random.Random) -> list[dict[str, Any]]:
    origin = datetime.combine(day, datetime.min.time(), tzinfo=ZoneInfo(plan.timezone))
    rows: list[dict[str, Any]] = []

    def add(vehicle: str, kind: str, minute: float, **kw: Any) -> None:
        at = (origin + timedelta(minutes=minute)).astimezone(UTC)
        rows.append(
            {"plan_id": plan_id, "vehicle": vehicle, "event_id": f"e{len(rows)}", "kind": kind,
             "at": at, "received_at": at, **kw}
        )  # fmt: skip

    for route in plan.routes:
        drift = rng.randint(0, 15)
        add(route.vehicle, "departed", route.start + 20 + drift)
        for stop in route.stops:
            drift += rng.randint(-4, 12)
            add(route.vehicle, "arrived", stop.arrival + drift, stop=stop.stop)
            done = stop.departure + drift
            if rng.random() < 0.92:
                add(route.vehicle, "delivered", done, stop=stop.stop)
            else:
                add(route.vehicle, "failed", done, stop=stop.stop, reason=rng.choice(REASONS))
            if rng.random() < 0.5:
                add(route.vehicle, "position", done + 2, lat=25.05, lon=121.5)
    return rows


def _carrier_events(plan: Plan, plan_id: int, day: date, rng: random.Random) -> list[Any]:
    origin = datetime.combine(day, datetime.min.time(), tzinfo=ZoneInfo(plan.timezone))
    rows = []
    for work in plan.outsourced:
        for order in work.orders:
            for kind, minute in (("picked_up", 600), ("delivered", rng.randint(660, 1140))):
                at = (origin + timedelta(minutes=minute)).astimezone(UTC)
                rows.append(
                    {"carrier": work.carrier, "event_id": f"{day}-{order}-{kind}",
                     "plan_id": plan_id, "plan_date": day, "order_id": order, "kind": kind,
                     "at": at, "received_at": at, "body_sha256": "0" * 64}
                )  # fmt: skip
    return rows


def _notices(plan: Plan, plan_id: int, rng: random.Random) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    orders = [o for r in plan.routes for s in r.stops for o in s.orders]
    return [
        {"plan_id": plan_id, "subject": f"order:{o}", "kind": "delay", "band": 1,
         "audience": "customer", "order_id": o, "orders": [o], "channel": "log",
         "language": "zh-TW", "text": "late", "compensation_kind": "coupon",
         "compensation_amount": 50.0, "created_at": now, "sent_at": now}
        for o in rng.sample(orders, k=min(20, len(orders)))
    ]  # fmt: skip


def store_days(store: Store, request: dict[str, Any], plan: Plan, days: list[date]) -> int:
    """The plan stored for each day (with its KPI frame, as the worker keeps it) and its
    synthetic events; how many events."""
    rng = random.Random(11)
    count = 0
    for day in days:
        doc = {**request, "date": day.isoformat()}
        day_plan = plan.model_copy(update={"date": day})
        with store.write() as session:
            job = create_job(
                session, request=doc, plan_date=day, source=JobSource.REQUEST,
                time_limit_s=10, actor="benchmark",
            )  # fmt: skip
            start_job(session, job.id)
            plan_id = save_plan(session, job.id, day_plan).id
            keep_frame(session, plan_id, frame_of(day_plan, doc, plan_id=plan_id))
            road = _events(day_plan, plan_id, day, rng)
            carriers = _carrier_events(day_plan, plan_id, day, rng)
            session.execute(insert(TrackingEvent), road)
            if carriers:
                session.execute(insert(CarrierEventRecord), carriers)
            session.execute(insert(Notice), _notices(day_plan, plan_id, rng))
            count += len(road) + len(carriers)
    return count


def _time(client: httpx.Client, url: str, headers: dict[str, str], n: int) -> list[float]:
    out = []
    for _ in range(n):
        started = time.perf_counter()
        r = client.get(url, headers=headers)
        out.append(time.perf_counter() - started)
        r.raise_for_status()
    return out


def _after_restart(url: str, span: str, auth: dict[str, str]) -> tuple[float, float]:
    """The first ``GET /kpis`` by day of a new app on the store at ``url`` (after one
    ``GET /plans``, as in the first run), and this process's CPU time during it."""
    app = build_app(url, tick_interval_s=0)
    gc.freeze()
    server, thread, base = serve(app)
    try:
        with httpx.Client(base_url=base, timeout=120) as client:
            _time(client, "/plans?limit=30", auth, 1)
            cpu = time.process_time()
            wall = _time(client, f"/kpis?{span}&group_by=day", auth, 1)[0]
            return wall, time.process_time() - cpu
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@dataclass
class Collections:
    """Garbage collections during a block: how many full, how many others, their time."""

    full: int = 0
    other: int = 0
    seconds: float = 0.0


@contextmanager
def _collecting() -> Iterator[Collections]:
    found = Collections()
    started = [0.0]

    def watch(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
            return
        found.seconds += time.perf_counter() - started[0]
        if info["generation"] == 2:
            found.full += 1
        else:
            found.other += 1

    gc.callbacks.append(watch)
    try:
        yield found
    finally:
        gc.callbacks.remove(watch)


def _ticks(app: Any, store: Store) -> tuple[list[float], float, int]:
    """The app's live tick run until no day is left to count: each tick's time, this
    process's CPU over them, and the days counted."""
    times = []
    cpu = time.process_time()
    while True:
        with store.read() as session:
            before = session.query(KpiDay).count()
        started = time.perf_counter()
        app.state.live.tick()
        times.append(time.perf_counter() - started)
        with store.read() as session:
            after = session.query(KpiDay).count()
        if after == before or len(times) > 100:
            return times, time.process_time() - cpu, after


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--orders", type=int, default=600)
    parser.add_argument("--requests", type=int, default=5, help="warm requests timed (max 50)")
    args = parser.parse_args()
    days_n = max(1, min(args.days, 366))
    n = max(1, min(args.requests, 50))
    last = date(2026, 12, 31)
    days = [last - timedelta(days=k) for k in reversed(range(days_n))]
    started = time.perf_counter()
    request, plan = _plan(args.orders, last)
    planned = time.perf_counter() - started
    own = sum(len(s.orders) for r in plan.routes for s in r.stops)
    print(f"demo plan: {args.orders} orders, {len(plan.routes)} routes, {own} on own routes, "
          f"{sum(len(o.orders) for o in plan.outsourced)} outsourced, {len(plan.unserved)} "
          f"unserved; planned and validated in {planned:.1f} s")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="dispatch-bench-") as tmp:
        db_url = f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        clock = ManualClock(datetime.combine(last, datetime.min.time(), ZoneInfo(plan.timezone)))
        clock.advance(timedelta(hours=20))
        app = build_app(db_url, clock=clock, tick_interval_s=0)
        gc.freeze()  # as ``dispatch serve`` does before it serves
        server, thread, base = serve(app)
        try:
            store: Store = app.state.store
            started = time.perf_counter()
            events = store_days(store, request, plan, days)
            print(
                f"stored {days_n} days, {events:,} events in {time.perf_counter() - started:.1f} s"
            )
            with store.write() as session:
                _, secret = create_key(session, Role.PLANNER)
            auth = {"Authorization": f"Bearer {secret}"}
            span = f"from={days[0]}&to={days[-1]}"
            with httpx.Client(base_url=base, timeout=120) as client:
                baseline = statistics.median(_time(client, "/plans?limit=30", auth, n))
                ticks, tick_cpu, counted = _ticks(app, store)
                cpu = time.process_time()
                with _collecting() as collected:
                    cold = _time(client, f"/kpis?{span}&group_by=day", auth, 1)[0]
                cpu = time.process_time() - cpu
                body = client.get(f"/kpis?{span}", headers=auth).json()["total"]
                rows = [
                    ("by day", f"/kpis?{span}&group_by=day", auth),
                    ("by region", f"/kpis?{span}&group_by=region", auth),
                    ("CSV by carrier", f"/kpis?{span}&group_by=carrier&format=csv", auth),
                ]
                rates = f"success {body['success_rate']:.1%}, on time {body['on_time_rate']:.1%}"
                print(f"KPIs: {body['orders']:,} orders, {body['delivered']:,} delivered, {rates}")
                print(f"baseline GET /plans?limit=30: {baseline * 1000:.1f} ms (median of {n})")
                print(f"live tick: {counted} days counted and stored in {len(ticks) - 1} ticks "
                      f"(at most {MOST_DAYS} a tick) and one with nothing to count: longest "
                      f"{max(ticks) * 1000:.0f} ms, last {ticks[-1] * 1000:.0f} ms, all "
                      f"{sum(ticks) * 1000:.0f} ms ({tick_cpu * 1000:.0f} ms CPU)")  # fmt: skip
                print(f"GET /kpis over {days_n} days, first call (every day counted by the tick: "
                      f"read from the store): {cold * 1000:.0f} ms = {cold / baseline:.0f}x "
                      f"baseline ({cpu * 1000:.0f} ms of this process's CPU; "
                      f"{collected.full} full and {collected.other} other garbage collections "
                      f"took {collected.seconds * 1000:.0f} ms); target < 1000 ms: "
                      f"{'met' if cold < 1 else 'NOT met'}")  # fmt: skip
                with store.write() as session:
                    last_plan = max(session.scalars(select(PlanRecord.id)))
                    session.execute(insert(TrackingEvent), [{
                        "plan_id": last_plan, "vehicle": plan.routes[0].vehicle,
                        "event_id": "late-position", "kind": "position", "lat": 25.0,
                        "lon": 121.5, "at": datetime.now(UTC), "received_at": datetime.now(UTC),
                    }])  # fmt: skip
                fresh = _time(client, f"/kpis?{span}&group_by=day", auth, 1)[0]
                print(f"GET /kpis over {days_n} days, by day, after a new event on the last day "
                      f"(that day counted again): {fresh * 1000:.0f} ms = "
                      f"{fresh / baseline:.0f}x baseline; target < 1000 ms: "
                      f"{'met' if fresh < 1 else 'NOT met'}")  # fmt: skip
                for name, url, headers in rows:
                    warm = statistics.median(_time(client, url, headers, n))
                    print(f"GET /kpis over {days_n} days, {name}, warm: {warm * 1000:.0f} ms "
                          f"(median of {n}) = {warm / baseline:.0f}x baseline; target < 1000 ms: "
                          f"{'met' if warm < 1 else 'NOT met'}")  # fmt: skip
            again, again_cpu = _after_restart(db_url, span, auth)
            print(f"GET /kpis over {days_n} days, first call after a restart (a new app on the "
                  f"same store: frames and days read from it): {again * 1000:.0f} ms = "
                  f"{again / baseline:.0f}x baseline ({again_cpu * 1000:.0f} ms of this "
                  f"process's CPU); target < 1000 ms: "
                  f"{'met' if again < 1 else 'NOT met'}")  # fmt: skip
            with store.write() as session:
                kept = session.execute(delete(KpiDay)).rowcount  # type: ignore[attr-defined]
            uncounted, uncounted_cpu = _after_restart(db_url, span, auth)
            print(f"GET /kpis over {days_n} days, first call after a restart with no day counted "
                  f"(as with no tick: {kept} days counted by the report and stored): "
                  f"{uncounted * 1000:.0f} ms = {uncounted / baseline:.0f}x baseline "
                  f"({uncounted_cpu * 1000:.0f} ms CPU)")  # fmt: skip
            with store.write() as session:
                frames = session.execute(delete(PlanKpiFrame)).rowcount  # type: ignore[attr-defined]
                kept = session.execute(delete(KpiDay)).rowcount  # type: ignore[attr-defined]
            bare, bare_cpu = _after_restart(db_url, span, auth)
            print(f"GET /kpis over {days_n} days, first call after a restart on a store without "
                  f"frames or counted days ({frames} frames made from the documents, {kept} "
                  f"days counted, both stored): {bare * 1000:.0f} ms = "
                  f"{bare / baseline:.0f}x baseline ({bare_cpu * 1000:.0f} ms CPU)")  # fmt: skip
        finally:
            server.should_exit = True
            thread.join(timeout=10)


if __name__ == "__main__":
    main()
