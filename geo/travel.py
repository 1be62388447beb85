"""Travel distance and time matrices, computed vectorised with numpy."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatMatrix = npt.NDArray[np.float64]

EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True, slots=True)
class TravelMatrix:
    """Distances (km) and travel times (minutes at speed factor 1) between n places."""

    distance_km: FloatMatrix
    minutes: FloatMatrix

    def minutes_at(self, speed_factor: float) -> FloatMatrix:
        """Travel times for a vehicle ``speed_factor`` times as fast as the base speed."""
        return self.minutes / speed_factor


def haversine_km(lat: npt.ArrayLike, lon: npt.ArrayLike) -> FloatMatrix:
    """Great-circle distances (km) between every pair of points, as an n×n matrix."""
    phi = np.radians(np.asarray(lat, dtype=np.float64))
    lam = np.radians(np.asarray(lon, dtype=np.float64))
    dphi = phi[:, None] - phi[None, :]
    dlam = lam[:, None] - lam[None, :]
    a = np.sin(dphi / 2) ** 2 + np.cos(phi)[:, None] * np.cos(phi)[None, :] * np.sin(dlam / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def euclidean(x: npt.ArrayLike, y: npt.ArrayLike) -> FloatMatrix:
    """Plain Euclidean distances between every pair of planar points."""
    xs = np.asarray(x, dtype=np.float64)
    ys = np.asarray(y, dtype=np.float64)
    return np.hypot(xs[:, None] - xs[None, :], ys[:, None] - ys[None, :])


def haversine_matrix(
    lat: npt.ArrayLike, lon: npt.ArrayLike, *, speed_kmh: float, circuity: float
) -> TravelMatrix:
    """Road distance estimated as great-circle × circuity, driven at ``speed_kmh``."""
    km = haversine_km(lat, lon) * circuity
    return TravelMatrix(distance_km=km, minutes=km / speed_kmh * 60.0)


def euclidean_matrix(x: npt.ArrayLike, y: npt.ArrayLike) -> TravelMatrix:
    """Benchmark convention: distance and travel time (minutes) are the same number."""
    d = euclidean(x, y)
    return TravelMatrix(distance_km=d, minutes=d.copy())


def given_matrix(
    distances: npt.ArrayLike, durations: npt.ArrayLike, order: npt.ArrayLike
) -> TravelMatrix:
    """Rows/columns ``order`` of matrices given by the caller (km and minutes)."""
    idx = np.asarray(order, dtype=np.intp)
    dist = np.asarray(distances, dtype=np.float64)[np.ix_(idx, idx)]
    dur = np.asarray(durations, dtype=np.float64)[np.ix_(idx, idx)]
    return TravelMatrix(distance_km=dist, minutes=dur)


BLOCK_ROWS = 512
"""Rows computed at a time by the compact matrices, bounding their temporary memory."""


def compact_haversine_matrix(
    lat: npt.ArrayLike, lon: npt.ArrayLike, *, speed_kmh: float, circuity: float
) -> TravelMatrix:
    """``haversine_matrix`` in single precision, a block of rows at a time: half the memory,
    and no full-size temporaries (for days of thousands of places)."""
    lat_a = np.asarray(lat, dtype=np.float64)
    lon_a = np.asarray(lon, dtype=np.float64)
    n = len(lat_a)
    km = np.empty((n, n), dtype=np.float32)
    minutes = np.empty((n, n), dtype=np.float32)
    for first in range(0, n, BLOCK_ROWS):
        rows = slice(first, min(n, first + BLOCK_ROWS))
        block = _haversine_rows(lat_a, lon_a, rows) * circuity
        km[rows] = block
        minutes[rows] = block / speed_kmh * 60.0
    return TravelMatrix(distance_km=km, minutes=minutes)  # type: ignore[arg-type]


def _haversine_rows(lat: FloatMatrix, lon: FloatMatrix, rows: slice) -> FloatMatrix:
    phi, lam = np.radians(lat), np.radians(lon)
    dphi = phi[rows, None] - phi[None, :]
    dlam = lam[rows, None] - lam[None, :]
    a = (
        np.sin(dphi / 2) ** 2
        + np.cos(phi[rows])[:, None] * np.cos(phi)[None, :] * np.sin(dlam / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
