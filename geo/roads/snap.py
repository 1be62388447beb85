"""Snap locations to the nearest node of a road network, refusing those far from any road."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from geo.roads.network import RoadNetwork
from geo.travel import EARTH_RADIUS_KM

MAX_SNAP_M = 500.0
"""How far (metres) a location may lie from the nearest road node by default."""

_R_M = EARTH_RADIUS_KM * 1000.0


class FarFromRoadError(ValueError):
    """Some locations lie too far from any road; ``far`` lists ``(id, metres)`` for each."""

    def __init__(self, far: Sequence[tuple[str, float]], limit_m: float) -> None:
        self.far = tuple(far)
        self.limit_m = limit_m
        shown = ", ".join(f"{i} ({m:,.0f} m)" for i, m in self.far[:20])
        more = f" and {len(self.far) - 20} more" if len(self.far) > 20 else ""
        super().__init__(
            f"{len(self.far)} location(s) more than {limit_m:,.0f} m from the nearest road: "
            f"{shown}{more}"
        )


@dataclass(frozen=True, slots=True)
class Snapped:
    """For each location: the index of its road node and the straight-line metres to it."""

    nodes: npt.NDArray[np.intp]
    metres: npt.NDArray[np.float64]


def _project(
    lat: npt.NDArray[np.float64], lon: npt.NDArray[np.float64], lat0: float
) -> npt.NDArray[np.float64]:
    """Equirectangular metres about latitude ``lat0``: exact enough to find a nearest node."""
    x = np.radians(lon) * np.cos(np.radians(lat0)) * _R_M
    y = np.radians(lat) * _R_M
    return np.column_stack([x, y])


@functools.lru_cache(maxsize=4)
def _tree(network: RoadNetwork) -> tuple[cKDTree, float]:
    lat0 = float(np.mean(network.lat))
    return cKDTree(_project(network.lat, network.lon, lat0)), lat0


def ground_metres(
    lat1: npt.ArrayLike, lon1: npt.ArrayLike, lat2: npt.ArrayLike, lon2: npt.ArrayLike
) -> npt.NDArray[np.float64]:
    """Great-circle metres between paired points."""
    p1, p2 = np.radians(np.asarray(lat1, float)), np.radians(np.asarray(lat2, float))
    dl = np.radians(np.asarray(lon2, float) - np.asarray(lon1, float))
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(2 * _R_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))), dtype=np.float64)


def snap(
    network: RoadNetwork,
    lat: npt.ArrayLike,
    lon: npt.ArrayLike,
    *,
    ids: Sequence[str] | None = None,
    max_distance_m: float = MAX_SNAP_M,
) -> Snapped:
    """The nearest node of ``network`` to each location.

    Raises :class:`FarFromRoadError` naming every location (by ``ids``, else by
    position) whose nearest node is more than ``max_distance_m`` away.
    """
    la = np.atleast_1d(np.asarray(lat, dtype=np.float64))
    lo = np.atleast_1d(np.asarray(lon, dtype=np.float64))
    if la.shape != lo.shape or la.ndim != 1:
        raise ValueError("lat and lon must be equal-length sequences")
    if ids is not None and len(ids) != len(la):
        raise ValueError("ids must name every location")
    if not (np.all(np.isfinite(la)) and np.all(np.isfinite(lo))):
        raise ValueError("lat and lon must be finite")
    tree, lat0 = _tree(network)
    _, nodes = tree.query(_project(la, lo, lat0))
    nodes = np.asarray(nodes, dtype=np.intp)
    metres = ground_metres(la, lo, network.lat[nodes], network.lon[nodes])
    far = np.flatnonzero(metres > max_distance_m)
    if len(far):
        names = [ids[k] if ids is not None else f"#{k}" for k in far.tolist()]
        raise FarFromRoadError(
            [(n, float(metres[k])) for n, k in zip(names, far.tolist(), strict=True)],
            max_distance_m,
        )
    return Snapped(nodes=nodes, metres=metres)
