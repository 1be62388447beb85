"""A stand-in OSRM on 127.0.0.1 that answers table queries from known full matrices.

It reads the coordinates, ``sources``, ``destinations`` and ``annotations`` of each
query as osrm-routed does and answers in the table service's JSON format, so the
client's chunking, parsing and error handling meet real HTTP.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class World:
    """What the stand-in knows: locations (lon, lat), full matrices, snap metres."""

    coords: Sequence[tuple[float, float]]
    durations: Sequence[Sequence[float | None]]
    distances: Sequence[Sequence[float | None]]
    snaps: Sequence[float]
    error: tuple[int, dict[str, Any] | str] | None = None
    queries: list[str] = field(default_factory=list)

    def index(self, text: str) -> int:
        lon, lat = (float(v) for v in text.split(","))
        for k, (x, y) in enumerate(self.coords):
            if abs(x - lon) < 1e-6 and abs(y - lat) < 1e-6:
                return k
        raise KeyError(text)

    def answer(self, target: str) -> tuple[int, dict[str, Any] | str]:
        self.queries.append(target)
        if self.error is not None:
            return self.error
        parts = urlsplit(target)
        segments = parts.path.split("/")
        if segments[1:4] != ["table", "v1", "driving"]:
            return 400, {"code": "InvalidUrl", "message": f"URL string malformed: {parts.path}"}
        picked = [self.index(c) for c in segments[4].split(";")]
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        rows = _positions(query.get("sources"), len(picked))
        cols = _positions(query.get("destinations"), len(picked))
        wanted = query.get("annotations", "duration").split(",")
        body: dict[str, Any] = {"code": "Ok"}
        if "duration" in wanted:
            body["durations"] = [[self.durations[picked[i]][picked[j]] for j in cols] for i in rows]
        if "distance" in wanted:
            body["distances"] = [[self.distances[picked[i]][picked[j]] for j in cols] for i in rows]
        body["sources"] = [self.waypoint(picked[i]) for i in rows]
        body["destinations"] = [self.waypoint(picked[j]) for j in cols]
        return 200, body

    def waypoint(self, k: int) -> dict[str, Any]:
        return {"hint": "", "distance": self.snaps[k], "name": "", "location": list(self.coords[k])}


def _positions(value: str | None, count: int) -> list[int]:
    return list(range(count)) if value in (None, "all") else [int(v) for v in value.split(";")]


@contextmanager
def osrm_stub(world: World) -> Iterator[str]:
    """Serve ``world`` on a free loopback port; yield the server's base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, body = world.answer(self.path)
            text = body if isinstance(body, str) else json.dumps(body)
            kind = "text/html" if isinstance(body, str) else "application/json"
            data = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", f"{kind}; charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
