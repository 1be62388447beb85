"""The service as the benchmarks time it: the app without the demo data, served by uvicorn on
a free loopback port in a thread."""

from __future__ import annotations

import socket
import threading
import time

import uvicorn
from fastapi import FastAPI

from api.app import create_app
from api.settings import Settings
from dispatch.live.wallclock import WallClock


def build_app(
    database_url: str, *, clock: WallClock | None = None, tick_interval_s: float = 30.0
) -> FastAPI:
    """The service app on ``database_url``, without the demo data, one worker; its live day
    reads ``clock`` (the system's by default) and ticks every ``tick_interval_s`` (0: never
    on its own)."""
    settings = Settings(
        database_url=database_url, load_demo=False, workers=1, tick_interval_s=tick_interval_s
    )
    return create_app(settings, clock=clock)


def serve(app: FastAPI) -> tuple[uvicorn.Server, threading.Thread, str]:
    """``app`` served on 127.0.0.1; the server, its thread and its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            raise SystemExit("the service did not start")
        time.sleep(0.05)
    return server, thread, f"http://127.0.0.1:{port}"
