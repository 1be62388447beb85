"""Plan jobs run in a pool of worker processes, outside the request threads.

A solve is CPU-bound and holds the GIL in its Python parts, so each runs in its
own process (spawned, not forked, so no server threads or sockets are copied).
Job state lives in the database; the pool only carries job ids.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial

from api.problems import problem
from api.worker import JobOutcome, init_worker, run_job
from dispatch.store import Store, audit, fail_job

log = logging.getLogger("dispatch.jobs")

OnDone = Callable[[JobOutcome], None]


class JobRunner:
    """Submits jobs to at most ``workers`` solver processes; later jobs wait, queued."""

    def __init__(
        self,
        store: Store,
        *,
        workers: int,
        progress_interval_s: float = 1.0,
        log_level: str = "INFO",
        on_done: OnDone | None = None,
    ) -> None:
        self._store = store
        self._url = store.url.render_as_string(hide_password=False)
        self._workers = workers
        self._interval = progress_interval_s
        self._log_level = log_level
        self._on_done = on_done
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None
        self._closing = False

    def _executor(self, *, fresh: bool = False) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None or fresh:
                self._pool = ProcessPoolExecutor(
                    max_workers=self._workers,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=init_worker,
                    initargs=(self._log_level,),
                )
            return self._pool

    def submit(self, job_id: str) -> None:
        """Queue the (stored, queued) job for a worker."""
        task = partial(run_job, self._url, job_id, progress_interval_s=self._interval)
        try:
            future = self._executor().submit(task)
        except BrokenProcessPool:
            log.warning("worker pool broken; starting a new one")
            future = self._executor(fresh=True).submit(task)
        future.add_done_callback(partial(self._finished, job_id))

    def _finished(self, job_id: str, future: Future[JobOutcome]) -> None:
        if future.cancelled() or self._closing:
            return
        exc = future.exception()
        if exc is None:
            outcome = future.result()
        else:
            log.error("worker process failed", extra={"job_id": job_id, "error": repr(exc)})
            detail = f"the worker process stopped while planning: {type(exc).__name__}"
            with self._store.write() as session:
                if fail_job(session, job_id, problem(500, title="Planning failed", detail=detail)):
                    audit(session, "server", "plan.fail", f"job:{job_id}", detail=detail)
            outcome = JobOutcome(job_id, "failed", 0.0)
        if self._on_done is not None:
            self._on_done(outcome)

    def shutdown(self) -> None:
        """Stop the workers now; jobs they were running stay 'running' until the next start."""
        with self._lock:
            pool, self._pool = self._pool, None
            self._closing = True
        if pool is None:
            return
        processes = list(getattr(pool, "_processes", {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(timeout=5)
