"""A client for an OSRM server: travel seconds and metres between locations (its table
service), and the roads a trip drives along (its route service).

``GET {url}/table/v1/{profile}/{lon,lat;...}?annotations=duration,distance`` asked
block by block (``chunk`` sources × ``chunk`` destinations per call, OSRM's
default ``--max-table-size`` being 100), the blocks put together into full matrices.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

import httpx
import numpy as np
import numpy.typing as npt

from geo.roads.matrix import RoadMatrix
from geo.roads.snap import MAX_SNAP_M, FarFromRoadError

DEFAULT_CHUNK = 100
LatLon = tuple[float, float]


class OsrmError(RuntimeError):
    """The OSRM server could not be reached, refused the query, or answered something unusable."""


def check_url(url: str) -> str:
    """``url`` without a trailing slash, if it is an http(s) address with a host."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ValueError(f"not an http(s) address: {url!r}")
    if parts.query or parts.fragment:
        raise ValueError("the OSRM address takes no query or fragment")
    return url.rstrip("/")


def osrm_table(
    url: str,
    lat: npt.ArrayLike,
    lon: npt.ArrayLike,
    *,
    ids: Sequence[str] | None = None,
    profile: str = "driving",
    max_snap_m: float = MAX_SNAP_M,
    chunk: int = DEFAULT_CHUNK,
    timeout_s: float = 60.0,
    client: httpx.Client | None = None,
) -> RoadMatrix:
    """Seconds and metres between every ordered pair of locations, from OSRM at ``url``.

    Raises :class:`~geo.roads.snap.FarFromRoadError` when OSRM snapped a location more
    than ``max_snap_m`` away, and :class:`OsrmError` for every other failure,
    unreachable pairs included.
    """
    base = check_url(url)
    la = np.atleast_1d(np.asarray(lat, dtype=np.float64))
    lo = np.atleast_1d(np.asarray(lon, dtype=np.float64))
    n = len(la)
    if lo.shape != la.shape or (ids is not None and len(ids) != n):
        raise ValueError("lat, lon and ids must have one entry per location")
    if chunk < 1:
        raise ValueError("chunk must be at least 1")
    names = list(ids) if ids is not None else [f"#{k}" for k in range(n)]
    seconds = np.zeros((n, n))
    metres = np.zeros((n, n))
    snapped = np.zeros(n)
    own = client is None
    http = client or httpx.Client(timeout=timeout_s)
    try:
        for a in range(0, n, chunk):
            rows = np.arange(a, min(a + chunk, n))
            for b in range(0, n, chunk):
                cols = np.arange(b, min(b + chunk, n))
                body = _block(http, base, profile, la, lo, rows, cols)
                seconds[np.ix_(rows, cols)] = _grid(body, "durations", rows, cols, names)
                metres[np.ix_(rows, cols)] = _grid(body, "distances", rows, cols, names)
                snapped[rows] = _snaps(body, "sources", len(rows))
                snapped[cols] = _snaps(body, "destinations", len(cols))
    finally:
        if own:
            http.close()
    far = np.flatnonzero(snapped > max_snap_m)
    if len(far):
        raise FarFromRoadError([(names[k], float(snapped[k])) for k in far], max_snap_m)
    return RoadMatrix(seconds=seconds, metres=metres, snap_metres=snapped)


def _block(
    http: httpx.Client,
    base: str,
    profile: str,
    lat: npt.NDArray[np.float64],
    lon: npt.NDArray[np.float64],
    rows: npt.NDArray[np.intp],
    cols: npt.NDArray[np.intp],
) -> dict[str, Any]:
    same = np.array_equal(rows, cols)
    picked = rows if same else np.concatenate([rows, cols])
    coords = ";".join(f"{lon[k]:.6f},{lat[k]:.6f}" for k in picked)
    params = {"annotations": "duration,distance"}
    if not same:
        params["sources"] = ";".join(str(k) for k in range(len(rows)))
        params["destinations"] = ";".join(str(len(rows) + k) for k in range(len(cols)))
    address = f"{base}/table/v1/{profile}/{coords}"
    try:
        response = http.get(address, params=params)
    except httpx.HTTPError as exc:
        raise OsrmError(f"OSRM at {base} did not answer: {exc}") from exc
    try:
        body = response.json()
    except ValueError:
        raise OsrmError(
            f"OSRM at {base} answered HTTP {response.status_code} without JSON"
        ) from None
    if not isinstance(body, dict):
        raise OsrmError(f"OSRM at {base} answered an unexpected document")
    code = body.get("code")
    if code != "Ok" or response.status_code != 200:
        message = body.get("message") or "no message"
        raise OsrmError(f"OSRM at {base} refused the table query ({code}): {message}")
    return body


def _grid(
    body: dict[str, Any],
    key: str,
    rows: npt.NDArray[np.intp],
    cols: npt.NDArray[np.intp],
    names: Sequence[str],
) -> npt.NDArray[np.float64]:
    table = body.get(key)
    if not isinstance(table, list) or len(table) != len(rows):
        raise OsrmError(f"the OSRM answer has no {len(rows)}-row {key!r} table")
    if any(not isinstance(r, list) or len(r) != len(cols) for r in table):
        raise OsrmError(f"the OSRM answer's {key!r} rows are not {len(cols)} long")
    missing = [(i, j) for i, r in enumerate(table) for j, x in enumerate(r) if x is None]
    if missing:
        pairs = ", ".join(f"{names[rows[i]]}→{names[cols[j]]}" for i, j in missing[:10])
        more = f" and {len(missing) - 10} more" if len(missing) > 10 else ""
        raise OsrmError(f"OSRM finds no route for {len(missing)} pair(s): {pairs}{more}")
    try:
        values = np.asarray(table, dtype=np.float64)
    except (TypeError, ValueError):
        raise OsrmError(f"the OSRM answer's {key!r} table holds non-numbers") from None
    if not np.all(np.isfinite(values)) or np.any(values < 0):
        raise OsrmError(f"the OSRM answer's {key!r} table holds negative or infinite values")
    return values


def _snaps(body: dict[str, Any], key: str, count: int) -> npt.NDArray[np.float64]:
    """Metres from each location to where OSRM snapped it (0 when OSRM does not say)."""
    points = body.get(key)
    if not isinstance(points, list) or len(points) != count:
        return np.zeros(count)
    out = [p.get("distance") if isinstance(p, dict) else None for p in points]
    return np.array([float(d) if isinstance(d, int | float) else 0.0 for d in out])


def osrm_route_path(
    url: str,
    lat: npt.ArrayLike,
    lon: npt.ArrayLike,
    *,
    profile: str = "driving",
    timeout_s: float = 10.0,
    client: httpx.Client | None = None,
) -> list[LatLon]:
    """(lat, lon) points from the first waypoint along OSRM's route through the others, in
    order, to the last; :class:`OsrmError` when OSRM cannot give one."""
    base = check_url(url)
    la = np.atleast_1d(np.asarray(lat, dtype=np.float64))
    lo = np.atleast_1d(np.asarray(lon, dtype=np.float64))
    if len(la) < 2:
        return [(float(a), float(b)) for a, b in zip(la, lo, strict=True)]
    coords = ";".join(f"{b:.6f},{a:.6f}" for a, b in zip(la, lo, strict=True))
    params = {"overview": "full", "geometries": "geojson", "steps": "false"}
    http = client or httpx.Client(timeout=timeout_s)
    try:
        response = http.get(f"{base}/route/v1/{profile}/{coords}", params=params)
        body = response.json()
    except httpx.HTTPError as exc:
        raise OsrmError(f"OSRM at {base} did not answer: {exc}") from exc
    except ValueError:
        raise OsrmError(f"OSRM at {base} answered without JSON") from None
    finally:
        if client is None:
            http.close()
    routes = body.get("routes") if isinstance(body, dict) else None
    if body.get("code") != "Ok" or not isinstance(routes, list) or not routes:
        message = body.get("message") if isinstance(body, dict) else None
        raise OsrmError(f"OSRM at {base} gave no route: {message or 'no message'}")
    line = routes[0].get("geometry", {}).get("coordinates")
    try:
        points = [(float(y), float(x)) for x, y in line]
    except (TypeError, ValueError):
        raise OsrmError(f"OSRM at {base} answered a route without a line") from None
    return [(float(la[0]), float(lo[0])), *points, (float(la[-1]), float(lo[-1]))]
