"""The live day under load: drivers posting events, and clients reading the plan and its status.

python -m benchmarks.live_events [--drivers 50] [--events 40] [--clients 50] [--requests 40]
    [--interval 1.0] [--orders 600] [--time-limit 5] [--engine ortools]

Starts ``dispatch serve`` on a free loopback port with a fresh SQLite file and the demo day
(dated today), plans it (OR-Tools, 5 s by default), makes the routes' driver links, then:

1. ``--drivers`` drivers post ``--events`` events each at once (httpx asyncio, one connection
   each; a driver per route, several per route when there are fewer routes): positions,
   arrivals and deliveries with their own event ids. Each answer comes after the event is
   stored and its route's arrivals are predicted again, so its latency is "accepted and
   re-predicted"; every tenth event is also sent twice, to time the idempotent answer;
2. one ``GET /plans/{id}/status`` that recomputes every route (the cache is cleared by a new
   event on each route first), timed on its own;
3. ``--clients`` clients each read ``GET /plans/{id}`` ``--requests`` times, then
   ``GET /plans/{id}/status`` as many times.

Each driver and client waits ``--interval`` seconds (±50%, seeded) between its requests:
50 drivers every second is 50 events a second, far above a real day's pace; ``--interval
0`` sends back to back, where latency is the queue of 50 callers on one process. Prints p50
and p99 of each. Every loop is bounded; nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from statistics import quantiles
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from api.launch import run_cli, serving


@dataclass(frozen=True, slots=True)
class Timing:
    what: str
    latencies_ms: list[float]
    errors: int
    seconds: float

    def __str__(self) -> str:
        n = len(self.latencies_ms)
        cuts = quantiles(self.latencies_ms, n=100) if n > 1 else self.latencies_ms * 99
        return (
            f"{self.what}: {n} requests in {self.seconds:.1f} s, {self.errors} errors, "
            f"p50 {cuts[49]:.1f} ms, p99 {cuts[98]:.1f} ms, max {max(self.latencies_ms):.1f} ms"
        )


def plan_day(http: httpx.Client, day: str, time_limit: float, engine: str) -> int:
    accepted = http.post(
        "/plans", json={"date": day, "options": {"time_limit_s": time_limit, "engine": engine}}
    )
    accepted.raise_for_status()
    for _ in range(int(time_limit * 10) + 600):
        job = http.get(accepted.json()["status_url"]).json()
        if job["status"] == "succeeded":
            return int(job["plan_id"])
        if job["status"] in ("failed", "cancelled"):
            raise RuntimeError(f"planning failed: {job.get('error')}")
        time.sleep(0.5)
    raise RuntimeError("planning did not finish")


def _event(driver: int, k: int, stops: list[dict[str, Any]], now: str) -> dict[str, Any]:
    stop = stops[(driver // 1000 + k // 3) % len(stops)]
    lat, lon = stop["location"]["lat"], stop["location"]["lon"]
    body: dict[str, Any] = {"event_id": f"bench-{driver}-{k}", "at": now}
    if k % 3 == 0:
        body.update(kind="position", lat=round(lat + 0.001, 6), lon=round(lon, 6))
    elif k % 3 == 1:
        body.update(kind="arrived", stop=stop["stop"])
    else:
        body.update(kind="delivered", stop=stop["stop"], recipient="王小姐")
    return body


async def _pause(rnd: random.Random, interval: float) -> None:
    if interval > 0:
        await asyncio.sleep(interval * rnd.uniform(0.5, 1.5))


async def post_events(
    base: str, tokens: list[str], stops: list[list[dict[str, Any]]], drivers: int, events: int,
    zone: ZoneInfo, interval: float,
) -> tuple[Timing, Timing]:  # fmt: skip
    latencies: list[float] = []
    repeats: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=drivers, max_keepalive_connections=drivers)

    async def driver(http: httpx.AsyncClient, n: int) -> None:
        nonlocal errors
        route = n % len(tokens)
        path = f"/d/{tokens[route]}/events"
        rnd = random.Random(n)
        await _pause(rnd, interval)
        for k in range(events):
            body = _event(n, k, stops[route], datetime.now(zone).isoformat())
            started = time.perf_counter()
            response = await http.post(path, json=body)
            latencies.append((time.perf_counter() - started) * 1000)
            errors += response.status_code != 201
            if k % 10 == 9:
                started = time.perf_counter()
                again = await http.post(path, json=body)
                repeats.append((time.perf_counter() - started) * 1000)
                errors += again.status_code != 200
            await _pause(rnd, interval)

    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as http:
        await asyncio.gather(*(driver(http, n) for n in range(drivers)))
    elapsed = time.perf_counter() - started
    return (
        Timing("POST /d/{token}/events (accepted + re-predicted)", latencies, errors, elapsed),
        Timing("POST /d/{token}/events (same event again: 200)", repeats, 0, elapsed),
    )


async def read_many(
    base: str, path: str, headers: dict[str, str], clients: int, requests: int, interval: float
) -> Timing:
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def client(http: httpx.AsyncClient, n: int) -> None:
        nonlocal errors
        rnd = random.Random(1000 + n)
        await _pause(rnd, interval)
        for _ in range(requests):
            started = time.perf_counter()
            response = await http.get(path)
            await response.aread()
            latencies.append((time.perf_counter() - started) * 1000)
            errors += response.status_code != 200
            await _pause(rnd, interval)

    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=60) as http:
        await asyncio.gather(*(client(http, n) for n in range(clients)))
    return Timing(f"GET {path}", latencies, errors, time.perf_counter() - started)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--drivers", type=int, default=50)
    parser.add_argument("--events", type=int, default=40, help="events per driver (max 1000)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=40, help="reads per client (max 1000)")
    parser.add_argument("--orders", type=int, default=600, help="orders of the demo day")
    parser.add_argument("--time-limit", type=float, default=5.0, help="seconds to plan the day")
    parser.add_argument("--engine", default="ortools")
    parser.add_argument(
        "--interval", type=float, default=1.0, help="seconds each caller waits between requests"
    )
    args = parser.parse_args(argv)
    events, requests = min(args.events, 1000), min(args.requests, 1000)

    with tempfile.TemporaryDirectory(prefix="dispatch-live-") as tmp:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp}/dispatch.sqlite",
            "DISPATCH_LOAD_DEMO": "true",
            "DISPATCH_DEMO_ORDERS": str(args.orders),
            "DISPATCH_WORKERS": "1",
            "DISPATCH_LOG_LEVEL": "WARNING",
        }
        with serving(env, Path(tmp)) as base:
            key = run_cli("keys", "create", "--role", "dispatcher", "--name", "bench", env=env)
            headers = {"Authorization": f"Bearer {key}"}
            with httpx.Client(base_url=base, headers=headers, timeout=60) as http:
                zone = ZoneInfo("Asia/Taipei")
                plan_id = plan_day(http, datetime.now(zone).date().isoformat(),
                                   args.time_limit, args.engine)  # fmt: skip
                plan = http.get(f"/plans/{plan_id}").json()
                zone = ZoneInfo(plan["timezone"])
                links = http.post(f"/plans/{plan_id}/driver-links").json()["links"]
            routes = [r for r in plan["routes"] if r["stops"]]
            tokens = [links[r["vehicle"]].rsplit("/", 1)[-1] for r in routes]
            stops = [r["stops"] for r in routes]
            orders = sum(len(s["orders"]) for r in routes for s in r["stops"])
            print(f"plan {plan_id}: {len(routes)} routes, {orders} orders on routes, "
                  f"{sum(len(s) for s in stops)} stops, {len(plan['outsourced'])} outsourced "
                  f"regions; {args.drivers} drivers, {args.clients} clients, "
                  f"interval {args.interval:g} s")  # fmt: skip

            posted, repeated = asyncio.run(
                post_events(base, tokens, stops, args.drivers, events, zone, args.interval)
            )
            print(posted)
            print(repeated)

            with httpx.Client(base_url=base, headers=headers, timeout=60) as http:
                for n, token in enumerate(tokens):
                    body = _event(10_000 + n, 0, stops[n], datetime.now(zone).isoformat())
                    http.post(f"/d/{token}/events", json=body).raise_for_status()
                started = time.perf_counter()
                http.get(f"/plans/{plan_id}/status").raise_for_status()
                cold = (time.perf_counter() - started) * 1000
                size = len(http.get(f"/plans/{plan_id}/status").content)
                plan_size = len(http.get(f"/plans/{plan_id}").content)
            print(f"GET /plans/{plan_id}/status recomputing all {len(tokens)} routes: "
                  f"{cold:.1f} ms ({size / 1024:.0f} KiB)")  # fmt: skip
            print(f"GET /plans/{plan_id}: {plan_size / 1024:.0f} KiB")
            for path in (f"/plans/{plan_id}", f"/plans/{plan_id}/status"):
                timing = read_many(base, path, headers, args.clients, requests, args.interval)
                print(asyncio.run(timing))
    return 0


if __name__ == "__main__":
    sys.exit(main())
