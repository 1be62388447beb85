"""Keep a plan job's memory away from the service's.

A worker process (and the helper processes its searches start) offers itself first to the
kernel's out-of-memory killer, and a watch thread ends the job cleanly, with a message,
when the processes together pass the job's limit: a job may fail by memory, the service
does not.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psutil

OOM_SCORE_ADJ = Path("/proc/self/oom_score_adj")


def default_job_max_mb() -> float:
    """Half of this machine's memory: room for the service and one more job."""
    return psutil.virtual_memory().total / 2**20 / 2


def offer_to_oom_killer(path: Path = OOM_SCORE_ADJ) -> bool:
    """Make this process (and the processes it starts, which inherit it) the kernel's first
    choice when memory runs out; whether it could (Linux only)."""
    try:
        path.write_text("1000")
    except OSError:
        return False
    return True


def tree_rss_mb(pid: int | None = None) -> float:
    """Resident memory of process ``pid`` (default: this one) and all its descendants, MB."""
    me = psutil.Process(pid)
    total = me.memory_info().rss
    for child in me.children(recursive=True):
        with contextlib.suppress(psutil.Error):
            total += child.memory_info().rss
    return total / 2**20


@dataclass
class MemoryWatch:
    """Samples ``measure()`` every ``interval_s`` while running; the first sample above
    ``limit_mb`` calls ``exceeded(sample)`` once and ends the watch."""

    limit_mb: float
    exceeded: Callable[[float], None]
    measure: Callable[[], float] = tree_rss_mb
    interval_s: float = 0.25
    peak_mb: float = 0.0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> MemoryWatch:
        self._thread = threading.Thread(target=self._run, name="job-memory-watch", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()

    def _run(self) -> None:
        while True:
            sample = self.measure()
            self.peak_mb = max(self.peak_mb, sample)
            if sample > self.limit_mb:
                self.exceeded(sample)
                return
            if self._stop.wait(self.interval_s):
                return


def stop_helpers() -> None:
    """Kill every process this one started (the searches' helpers), not waiting for them."""
    for child in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            child.kill()


def over_limit_detail(used_mb: float, limit_mb: float) -> str:
    return (
        f"the plan's processes used {used_mb:,.0f} MB, more than the {limit_mb:,.0f} MB a "
        "plan job may use here (DISPATCH_JOB_MAX_MB); plan fewer orders at once or raise it"
    )


__all__ = [
    "MemoryWatch",
    "default_job_max_mb",
    "offer_to_oom_killer",
    "over_limit_detail",
    "stop_helpers",
    "tree_rss_mb",
]
