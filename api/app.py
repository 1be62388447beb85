"""The FastAPI application, built from injected settings by :func:`create_app`."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from api.deps import ROLE_MATRIX
from api.headers import SecurityHeadersMiddleware
from api.job_runner import JobRunner
from api.live import LiveDay
from api.metrics import Metrics
from api.middleware import BodySizeLimitMiddleware, RequestLogMiddleware
from api.problems import install_problem_handlers, problem
from api.routes import api_router
from api.routes.health import VERSION
from api.settings import Settings
from api.views.live import LiveViews
from dispatch.live.tick import StatusOf
from dispatch.live.wallclock import WallClock
from dispatch.store import Store, audit, interrupt_jobs, job_counts

log = logging.getLogger("dispatch.api")

DESCRIPTION = f"""
Route optimisation and dispatch planning for group-buy (團購) deliveries.

Import the day's orders from the sales platforms, request a plan (a job solved in
a worker process), follow the job, then read the plan as the contract's JSON or
as GeoJSON. Errors are RFC 9457 problem details (`application/problem+json`);
invalid input lists every problem with its record and field. Lists are paged
with `?limit=&offset=` and answered as `{{"data": [...], "count": N}}`.

Every call but `/health` and `/metrics` needs an API key,
`Authorization: Bearer KEY` (the first admin key comes from
`dispatch keys create --role admin`). What each role may do:

{ROLE_MATRIX}
"""

INTERRUPTED = "interrupted by a server restart"


def _prepare(store: Store, settings: Settings) -> None:
    """Migrate, fail the jobs a stopped process left behind, and load the demo if empty."""
    store.migrate()
    with store.write() as session:
        failed = interrupt_jobs(session, problem(500, title="Planning failed", detail=INTERRUPTED))
        if failed:
            audit(session, "server", "jobs.interrupt", "jobs", jobs=failed)
    if failed:
        log.warning("jobs interrupted by a restart marked failed", extra={"jobs": failed})
    if settings.load_demo:
        from api.demo_data import load_demo

        load_demo(store, orders=settings.demo_orders)


def create_app(
    settings: Settings | None = None,
    *,
    clock: WallClock | None = None,
    status_of: StatusOf | None = None,
) -> FastAPI:
    """The app for ``settings`` (default: from the environment). The live day reads the time
    from ``clock`` (the system's by default) and a plan's status from ``status_of``."""
    settings = settings or Settings()
    metrics = Metrics()
    clock = clock or settings.wall_clock

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = Store(settings.database_url, pool_size=settings.db_pool_size)
        await run_in_threadpool(_prepare, store, settings)

        def counts() -> dict[str, int]:
            with store.read() as session:
                return {status.value: n for status, n in job_counts(session).items()}

        metrics.watch_jobs(counts)
        runner = JobRunner(
            store, workers=settings.workers, progress_interval_s=settings.progress_interval_s,
            log_level=settings.log_level, link_key=settings.link_secret,
            job_max_mb=settings.job_max_mb,
            on_done=lambda outcome: metrics.observe_job(outcome.status, outcome.seconds),
        )  # fmt: skip
        views: LiveViews = app.state.live_views
        live = LiveDay(
            store, settings, clock, status_of or (lambda s, p, n: views.status(s, p, n).status)
        ).start()
        app.state.store, app.state.runner, app.state.live = store, runner, live
        try:
            yield
        finally:
            live.stop()
            runner.shutdown()
            store.dispose()

    app = FastAPI(
        title="Group-buy dispatch planning",
        version=VERSION,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.clock = clock
    app.state.metrics = metrics
    app.state.live_views = LiveViews()
    install_problem_handlers(app)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(RequestLogMiddleware, metrics=metrics)
    app.include_router(api_router)
    return app
