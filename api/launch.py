"""Run the service and the ``dispatch`` command in child processes, for end-to-end runs."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_cli(*args: str, env: dict[str, str], timeout: float = 60) -> str:
    """Run ``dispatch ARGS`` in a child process; its standard output, stripped."""
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", *args], env=env, capture_output=True, text=True,
        check=True, timeout=timeout,
    )  # fmt: skip
    return done.stdout.strip()


@dataclass(frozen=True)
class Server:
    """A ``dispatch serve`` child process and its base URL."""

    url: str
    process: subprocess.Popen[bytes]


@contextmanager
def server_process(
    env: dict[str, str], cwd: Path, *, start_timeout: float = 120
) -> Iterator[Server]:
    """``dispatch serve`` on a free loopback port until the block ends, leading a session of
    its own (so its workers can be found by session id)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--port", str(port)],
        env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + start_timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            raise RuntimeError("the server did not start")
        yield Server(base, process)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def serving(env: dict[str, str], cwd: Path, *, start_timeout: float = 120) -> Iterator[str]:
    """``dispatch serve`` on a free loopback port until the block ends; yields its base URL."""
    with server_process(env, cwd, start_timeout=start_timeout) as server:
        yield server.url
