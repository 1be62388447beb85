"""Plan jobs run in worker processes, outside the request threads.

A solve is CPU-bound and holds the GIL in its Python parts, so each runs in a process of
its own (spawned, not forked, so no server threads or sockets are copied). Job state lives
in the database; the runner keeps the queue of job ids and ``workers`` slots, each a thread
driving one worker process over a pipe, so it always knows which job each process runs.
A worker that dies fails only its own job; the queue goes on in a fresh process. A worker
ends with the service (see :func:`api.worker.exit_with_service`).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Callable
from multiprocessing.process import BaseProcess

from api.problems import problem
from api.worker import JobTask, serve_jobs
from dispatch.planning.stored_job import JobOutcome
from dispatch.store import Store, audit, fail_job, get_job

log = logging.getLogger("dispatch.jobs")

OnDone = Callable[[JobOutcome], None]


class WorkerDiedError(Exception):
    """The worker process ended (killed, crashed, or stopped by a cancel) during a job."""


class _Worker:
    """One solver process, reused job after job, and the pipe to it."""

    def __init__(self, name: str, log_level: str) -> None:
        context = multiprocessing.get_context("spawn")
        self.conn, theirs = context.Pipe()
        self.process: BaseProcess = context.Process(
            target=serve_jobs, args=(theirs, log_level, os.getpid()), name=name
        )
        self.process.start()
        theirs.close()
        self._lock = threading.Lock()

    def run(self, task: JobTask) -> JobOutcome | str:
        """The job's outcome, or the text of the error the worker met; WorkerDiedError."""
        try:
            self.conn.send(task)
            reply: JobOutcome | str = self.conn.recv()
        except (EOFError, OSError) as exc:
            raise WorkerDiedError(self.exit_note()) from exc
        return reply

    def exit_note(self) -> str:
        self.process.join(timeout=5)
        code = self.process.exitcode
        return "still running" if code is None else f"exit code {code}"

    def kill(self) -> None:
        """Kill the process (its job, if any, is abandoned); the slot's thread sees it end."""
        if self.process.is_alive():
            self.process.kill()

    def stop(self) -> None:
        """Kill the process, wait for it and close the pipe."""
        with self._lock:
            self.kill()
            self.process.join(timeout=5)
            if not self.conn.closed:
                self.conn.close()


class _Slot:
    """Runs one job at a time in its worker process, which it starts when first needed."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.worker: _Worker | None = None
        self.job_id: str | None = None


class JobRunner:
    """Runs jobs on at most ``workers`` solver processes; later jobs wait, queued, in order.
    A job whose processes pass ``job_max_mb`` fails (see :mod:`api.job_memory`)."""

    def __init__(
        self,
        store: Store,
        *,
        workers: int,
        progress_interval_s: float = 1.0,
        log_level: str = "INFO",
        link_key: bytes | None = None,
        job_max_mb: float | None = None,
        on_done: OnDone | None = None,
    ) -> None:
        self._store = store
        self._url = store.url.render_as_string(hide_password=False)
        self._interval = progress_interval_s
        self._log_level = log_level
        self._link_key = link_key
        self._job_max_mb = job_max_mb
        self._on_done = on_done
        self._ready = threading.Condition()
        self._queue: deque[str] = deque()
        self._slots = [_Slot(f"dispatch-worker-{k + 1}") for k in range(workers)]
        self._threads: list[threading.Thread] = []
        self._closing = False

    def submit(self, job_id: str) -> None:
        """Queue the (stored, queued) job for the next free worker."""
        with self._ready:
            if self._closing:
                return
            if not self._threads:
                self._threads = [
                    threading.Thread(target=self._serve, args=(slot,), name=slot.name, daemon=True)
                    for slot in self._slots
                ]
                for thread in self._threads:
                    thread.start()
            self._queue.append(job_id)
            self._ready.notify()

    def cancel(self, job_id: str) -> bool:
        """Take a queued job off the queue, or stop the worker process running it; whether
        this runner had the job. Mark the job cancelled in the database first."""
        with self._ready:
            if job_id in self._queue:
                self._queue.remove(job_id)
                return True
            for slot in self._slots:
                if slot.job_id == job_id and slot.worker is not None:
                    log.info("stopping the worker of a cancelled job", extra={"job_id": job_id})
                    slot.worker.kill()
                    return True
        return False

    def worker_pids(self) -> dict[str, int | None]:
        """Job id → the pid of the process running it, for the jobs running now."""
        pids: dict[str, int | None] = {}
        with self._ready:
            for slot in self._slots:
                if slot.job_id is not None:
                    pids[slot.job_id] = slot.worker.process.pid if slot.worker else None
        return pids

    def _serve(self, slot: _Slot) -> None:
        while True:
            with self._ready:
                while not self._queue and not self._closing:
                    self._ready.wait()
                if self._closing:
                    return
                job_id = slot.job_id = self._queue.popleft()
            try:
                outcome = self._run(slot, job_id)
            except Exception:
                log.exception("job runner error", extra={"job_id": job_id})
                outcome = None
            with self._ready:
                slot.job_id = None
                closing = self._closing
            if outcome is not None and not closing and self._on_done is not None:
                self._on_done(outcome)

    def _run(self, slot: _Slot, job_id: str) -> JobOutcome | None:
        started = time.perf_counter()
        task = JobTask(self._url, job_id, self._interval, self._link_key, self._job_max_mb)
        with self._ready:
            if self._closing:
                return None
            if slot.worker is None or not slot.worker.process.is_alive():
                slot.worker = _Worker(slot.name, self._log_level)
            worker = slot.worker
        try:
            reply = worker.run(task)
        except WorkerDiedError as exc:
            worker.stop()
            with self._ready:
                if slot.worker is worker:
                    slot.worker = None
                if self._closing:
                    return None
            return self._fail(job_id, f"the worker process stopped while planning ({exc})",
                              started)  # fmt: skip
        if isinstance(reply, str):
            return self._fail(job_id, f"the worker process failed: {reply}", started)
        return reply

    def _fail(self, job_id: str, detail: str, started: float) -> JobOutcome:
        """Fail the job if it is unfinished (a cancelled job stays cancelled)."""
        with self._store.write() as session:
            if fail_job(session, job_id, problem(500, title="Planning failed", detail=detail)):
                audit(session, "server", "plan.fail", f"job:{job_id}", detail=detail)
                log.error("job failed", extra={"job_id": job_id, "error": detail})
            status = get_job(session, job_id).status.value
        return JobOutcome(job_id, status, time.perf_counter() - started)

    def shutdown(self) -> None:
        """Stop the workers now; jobs they were running stay 'running' until the next start."""
        with self._ready:
            self._closing = True
            self._ready.notify_all()
            workers = [slot.worker for slot in self._slots if slot.worker is not None]
        for worker in workers:
            worker.kill()
        for thread in self._threads:
            thread.join(timeout=10)
        for worker in workers:
            worker.stop()
