"""The service under uvicorn on a loopback port, and Debian's Chromium driven by Playwright.

Every request the browser makes outside the service is refused and remembered, so the
pages are proven to work with no CDN and no internet.
"""

from __future__ import annotations

import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from dispatch.store import Store
from tests.api.driver_data import build_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
NEEDS_CHROMIUM = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"{CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium)",
)
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI);
});
"""
"""A page script that keeps each CSP violation in ``window.__cspViolations``."""


@dataclass
class Service:
    base_url: str
    store: Store
    app: Any


@contextmanager
def serving(app: Any) -> Iterator[Service]:
    """``app`` under uvicorn on a free loopback port until the block ends."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the service did not start")
        time.sleep(0.05)
    try:
        yield Service(f"http://127.0.0.1:{sock.getsockname()[1]}", app.state.store, app)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """The app served by uvicorn on 127.0.0.1 in a thread, on a fresh SQLite file, no tiles."""
    mp = pytest.MonkeyPatch()
    mp.setenv("DISPATCH_TILES_URL", "")
    mp.setenv("DISPATCH_COOKIE_SECURE", "false")
    db = tmp_path_factory.mktemp("browser") / "dispatch.sqlite"
    try:
        with serving(build_app(f"sqlite:///{db}")) as service:
            yield service
    finally:
        mp.undo()


@dataclass
class Browser:
    context: Any
    blocked: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def browser(service: Service) -> Iterator[Browser]:
    """A zh-TW Chromium context on an empty profile that can reach only the service (and
    local files, for map files written to disk)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    profile = tempfile.mkdtemp(prefix="dispatch-chromium-")
    with sync_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile,
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 800},
            locale="zh-TW",
        )
        state = Browser(context)

        def gate(route: Any) -> None:
            if route.request.url.startswith((service.base_url, "file://")):
                route.continue_()
            else:
                state.blocked.append(route.request.url)
                route.abort()

        context.route("**/*", gate)
        try:
            yield state
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where screenshots go (git-ignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
