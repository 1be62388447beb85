"""Load test of ``GET /plans/{id}``: concurrent clients against a local server on loopback.

python -m benchmarks.api_load [--clients 50] [--seconds 20] [--orders 600]
    [--time-limit 10] [--database-url URL]

Starts ``dispatch serve`` on a free loopback port with a fresh database (a SQLite
file in a temporary directory unless ``--database-url``), loads the demo day,
plans it, then reads that plan with ``wrk`` (``--clients`` connections, one thread
per core) or, without wrk, a bounded httpx asyncio client. Prints p50, p99 and
requests per second; the load stops by itself after ``--seconds``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from statistics import quantiles

import httpx

from api.launch import run_cli, serving


@dataclass(frozen=True, slots=True)
class Result:
    tool: str
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def __str__(self) -> str:
        return (
            f"{self.tool}: {self.requests} requests in {self.seconds:.1f} s, "
            f"{self.errors} errors — p50 {self.p50_ms:.1f} ms, p99 {self.p99_ms:.1f} ms, "
            f"{self.rps:.0f} requests/s"
        )


def plan_demo(base: str, headers: dict[str, str], day: str, time_limit: float) -> int:
    """Plan the stored demo day; the plan's id."""
    with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
        accepted = http.post("/plans", json={"date": day, "options": {"time_limit_s": time_limit}})
        accepted.raise_for_status()
        while True:
            job = http.get(accepted.json()["status_url"]).json()
            if job["status"] == "succeeded":
                return int(job["plan_id"])
            if job["status"] == "failed":
                raise RuntimeError(f"planning failed: {job['error']}")
            time.sleep(0.5)


def with_wrk(url: str, headers: dict[str, str], clients: int, seconds: float) -> Result:
    wrk = shutil.which("wrk")
    assert wrk is not None
    threads = max(1, min(clients, os.cpu_count() or 1))
    args = [wrk, f"-t{threads}", f"-c{clients}", f"-d{int(seconds)}s", "--latency"]
    args += [a for k, v in headers.items() for a in ("-H", f"{k}: {v}")]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    units = {"us": 0.001, "ms": 1.0, "s": 1000.0}

    def latency(pct: str) -> float:
        match = re.search(rf"^\s*{pct}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        assert match is not None, out
        return float(match.group(1)) * units[match.group(2)]

    total = re.search(r"(\d+) requests in ([\d.]+)(s|m)", out)
    assert total is not None, out
    elapsed = float(total.group(2)) * (60 if total.group(3) == "m" else 1)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    failed = int(bad.group(1)) if bad else 0
    failed += sum(int(g) for g in errors.groups()) if errors else 0
    return Result("wrk", int(total.group(1)), failed, elapsed, latency("50"), latency("99"))


async def _with_httpx(url: str, headers: dict[str, str], clients: int, seconds: float) -> Result:
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal errors
        while time.perf_counter() < stop:
            started = time.perf_counter()
            response = await http.get(url)
            latencies.append((time.perf_counter() - started) * 1000)
            errors += response.status_code != 200

    started = time.perf_counter()
    async with httpx.AsyncClient(headers=headers, limits=limits, timeout=30) as http:
        await asyncio.gather(*(client(http) for _ in range(clients)))
    elapsed = time.perf_counter() - started
    cuts = quantiles(latencies, n=100)
    return Result("httpx", len(latencies), errors, elapsed, cuts[49], cuts[98])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--orders", type=int, default=600, help="orders of the demo day")
    parser.add_argument("--time-limit", type=float, default=10.0, help="seconds to plan the day")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="dispatch-load-") as tmp:
        env = {
            **os.environ,
            "DATABASE_URL": args.database_url or f"sqlite:///{tmp}/dispatch.sqlite",
            "DISPATCH_LOAD_DEMO": "true",
            "DISPATCH_DEMO_ORDERS": str(args.orders),
            "DISPATCH_WORKERS": "1",
            "DISPATCH_LOG_LEVEL": "WARNING",
        }
        with serving(env, Path(tmp)) as base:
            key = run_cli("keys", "create", "--role", "dispatcher", "--name", "load test", env=env)
            headers = {"Authorization": f"Bearer {key}"}
            plan_id = plan_demo(base, headers, "2026-11-11", args.time_limit)
            url = f"{base}/plans/{plan_id}"
            size = len(httpx.get(url, headers=headers).content)
            print(f"GET /plans/{plan_id} ({size / 1024:.0f} KiB of plan JSON), "
                  f"{args.clients} clients, {args.seconds:g} s")  # fmt: skip
            if shutil.which("wrk"):
                result = with_wrk(url, headers, args.clients, args.seconds)
            else:
                result = asyncio.run(_with_httpx(url, headers, args.clients, args.seconds))
    print(result)
    return 0 if result.errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
