"""Driver page and plan map: response sizes, and the latency of a cached driver page.

Serves the app with uvicorn on 127.0.0.1 (a fresh SQLite file), stores synthetic plans,
then times a bounded number of requests for one driver page. Nothing leaves loopback.

    .venv/bin/python -m benchmarks.driver_page [--requests 300] [--stops 40] [--routes 12]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from benchmarks.serving import build_app, serve
from dispatch.store import Role, Store, create_key
from scenarios.driver_plans import make_plan, store_plan


def _kb(n: int) -> str:
    return f"{n / 1024:,.1f} KB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="timed requests (max 5000)")
    parser.add_argument("--stops", type=int, default=40, help="stops on the driver's route")
    parser.add_argument("--routes", type=int, default=12, help="routes on the large plan map")
    args = parser.parse_args()
    count = max(1, min(args.requests, 5000))
    with tempfile.TemporaryDirectory(prefix="dispatch-bench-") as tmp:
        app = build_app(f"sqlite:///{Path(tmp) / 'bench.sqlite'}")
        server, thread, base = serve(app)
        try:
            store: Store = app.state.store
            one = store_plan(store, make_plan((args.stops,)))
            large = store_plan(store, make_plan((args.stops,) * args.routes))
            with store.write() as session:
                _, key = create_key(session, Role.PLANNER)
            with httpx.Client(base_url=base, timeout=10) as client:
                url = f"/d/{one.tokens['V01']}"
                first = client.get(url)
                first.raise_for_status()
                page_wire = first.num_bytes_downloaded
                timings = []
                for _ in range(count):
                    started = time.perf_counter()
                    client.get(url).raise_for_status()
                    timings.append((time.perf_counter() - started) * 1000)
                auth = {"Authorization": f"Bearer {key}"}
                small_map = client.get(f"/plans/{one.plan_id}/map", headers=auth)
                started = time.perf_counter()
                large_map = client.get(f"/plans/{large.plan_id}/map", headers=auth)
                map_first = (time.perf_counter() - started) * 1000
                started = time.perf_counter()
                client.get(f"/plans/{large.plan_id}/map", headers=auth).raise_for_status()
                map_cached = (time.perf_counter() - started) * 1000
                maps_wire = (small_map.num_bytes_downloaded, large_map.num_bytes_downloaded)
                vendor = sum(
                    len(client.get(u).content)
                    for u in (
                        "/static/vendor/leaflet-1.9.3/leaflet.js",
                        "/static/vendor/leaflet-1.9.3/leaflet.css",
                    )
                )
        finally:
            server.should_exit = True
            thread.join(timeout=10)
    timings.sort()
    print(
        f"driver page, {args.stops} stops: {_kb(len(first.content))} HTML "
        f"({_kb(page_wire)} gzip on the wire) + Leaflet js/css {_kb(vendor)}, cached a year"
    )
    print(
        f"plan map, 1 route × {args.stops} stops: {_kb(len(small_map.content))} "
        f"({_kb(maps_wire[0])} gzip)"
    )
    print(
        f"plan map, {args.routes} routes × {args.stops} stops: {_kb(len(large_map.content))} "
        f"({_kb(maps_wire[1])} gzip)"
    )
    print(f"  rendered in {map_first:,.0f} ms, then served from the cache in {map_cached:.1f} ms")
    print(
        f"cached driver page over loopback, {count} requests: "
        f"p50 {statistics.median(timings):.2f} ms, "
        f"p90 {timings[int(0.9 * (count - 1))]:.2f} ms, max {timings[-1]:.2f} ms"
    )


if __name__ == "__main__":
    main()
