"""Prometheus metrics of one app: HTTP latency by route template, solve time, jobs by status."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class _JobCounts(Collector):
    def __init__(self, counts: Callable[[], Mapping[str, int]]) -> None:
        self._counts = counts

    def collect(self) -> Iterator[Metric]:
        family = GaugeMetricFamily("dispatch_plan_jobs", "Plan jobs by status", labels=["status"])
        for status, n in self._counts().items():
            family.add_metric([status], n)
        yield family


class Metrics:
    """The app's own registry (no process-wide state), rendered at ``/metrics``."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.http_latency = Histogram(
            "dispatch_http_request_duration_seconds",
            "HTTP request latency by route template",
            ["method", "route", "status"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
        )
        self.solve_seconds = Histogram(
            "dispatch_plan_solve_seconds",
            "Wall time of plan jobs, from start to stored plan or failure",
            ["status"],
            registry=self.registry,
            buckets=(1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600),
        )
        self.jobs_finished = Counter(
            "dispatch_plan_jobs_finished", "Plan jobs finished by this process", ["status"],
            registry=self.registry,
        )  # fmt: skip

    def watch_jobs(self, counts: Callable[[], Mapping[str, int]]) -> None:
        """Report the stored jobs by status at every scrape."""
        self.registry.register(_JobCounts(counts))

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        self.http_latency.labels(method, route, str(status)).observe(seconds)

    def observe_job(self, status: str, seconds: float) -> None:
        self.jobs_finished.labels(status).inc()
        self.solve_seconds.labels(status).observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)
