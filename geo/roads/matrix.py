"""Many-to-many travel times and distances over a road network, cached on disk.

One run of scipy's compiled Dijkstra per source gives both matrices. Each arc's
weight packs its time and its length into one integer-valued float,
``time_units * 2**26 + length_units`` (time in milliseconds, length in decimetres), so path
sums stay exact below 2**53: the smallest packed sum is the fastest path, ties
going to the shorter one, and the low bits are the length of that very path.
That is what running on durations with predecessors and summing lengths along the
paths would give, without the predecessor arrays or a second pass.
"""

from __future__ import annotations

import functools
import hashlib
import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from geo.roads.cache import default_cache_dir, read_arrays, write_arrays
from geo.roads.network import RoadNetwork
from geo.roads.snap import MAX_SNAP_M, snap

FloatMatrix = npt.NDArray[np.float64]

TIME_UNIT_S = 0.001
LENGTH_UNIT_M = 0.1
_LENGTH_BITS = 26
_SHIFT = float(1 << _LENGTH_BITS)
_EXACT = float(1 << 53)
_BLOCK_CELLS = 1 << 24
"""Sources per Dijkstra call are chosen so that one call's output stays near 128 MB."""
_MIN_SOURCES_PER_WORKER = 200
"""Fewer sources than this per process cost more to start than they save."""
_FORMAT = 1


@dataclass(frozen=True, slots=True)
class RoadMatrix:
    """Seconds and metres along the fastest road path between every ordered pair of locations.

    ``snap_metres`` is each location's straight-line distance to the node it was
    snapped to (not included in the matrices).
    """

    seconds: FloatMatrix
    metres: FloatMatrix
    snap_metres: npt.NDArray[np.float64]


def packed_graph(network: RoadNetwork) -> sp.csr_matrix:
    """The adjacency weighted by packed time and length (see the module's notes)."""
    return _packed(network)[0]


@functools.lru_cache(maxsize=4)
def _packed(network: RoadNetwork) -> tuple[sp.csr_matrix, float]:
    """The packed-weight adjacency and the largest length units per time unit of any arc."""
    t = np.maximum(np.rint(network.seconds / TIME_UNIT_S), 1.0)
    d = np.rint(network.metres / LENGTH_UNIT_M)
    if np.any(d >= _SHIFT):
        raise ValueError("an arc is longer than 6,700 km")
    ratio = float(np.max(d / t)) if len(t) else 0.0
    return network.csr(t * _SHIFT + d), ratio


def _packed_rows(
    graph: sp.csr_matrix, sources: npt.NDArray[np.intp], targets: npt.NDArray[np.intp]
) -> FloatMatrix:
    """Packed path weights from ``sources`` to ``targets``, a block of sources at a time."""
    packed = np.empty((len(sources), len(targets)), dtype=np.float64)
    step = max(1, _BLOCK_CELLS // graph.shape[0])
    for start in range(0, len(sources), step):
        rows = dijkstra(graph, directed=True, indices=sources[start : start + step])
        packed[start : start + step] = rows[:, targets]
    return packed


def node_matrix(
    network: RoadNetwork, sources: npt.ArrayLike, targets: npt.ArrayLike, *, workers: int = 1
) -> tuple[FloatMatrix, FloatMatrix]:
    """Seconds and metres of the fastest paths from each source node to each target node.

    ``workers`` > 1 shares the sources among that many processes (scipy's Dijkstra
    holds the GIL, so threads would not help).
    """
    src = np.asarray(sources, dtype=np.intp)
    dst = np.asarray(targets, dtype=np.intp)
    graph, ratio = _packed(network)
    parts = min(workers, len(src) // _MIN_SOURCES_PER_WORKER)
    if parts > 1:
        shares = np.array_split(src, parts)
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(parts, mp_context=context) as pool:
            blocks = pool.map(_packed_rows, [graph] * parts, shares, [dst] * parts)
            packed = np.vstack(list(blocks))
    else:
        packed = _packed_rows(graph, src, dst)
    if not np.all(np.isfinite(packed)):
        raise ValueError("some nodes do not reach each other: use the largest connected component")
    if packed.size and packed.max() >= _EXACT:
        raise ValueError("paths longer than the packed weights can hold (over 37 hours)")
    time_units = np.floor(packed / _SHIFT)
    if time_units.size and time_units.max() * ratio >= _SHIFT:
        raise ValueError("paths longer than the packed weights can hold (over 6,700 km)")
    length_units = packed - time_units * _SHIFT
    return time_units * TIME_UNIT_S, length_units * LENGTH_UNIT_M


def road_matrix(
    network: RoadNetwork,
    lat: npt.ArrayLike,
    lon: npt.ArrayLike,
    *,
    ids: Sequence[str] | None = None,
    max_snap_m: float = MAX_SNAP_M,
    cache_dir: str | os.PathLike[str] | None = None,
    use_cache: bool = True,
    workers: int = 1,
) -> RoadMatrix:
    """Travel seconds and metres between every ordered pair of locations.

    Each location is snapped to its nearest node (:func:`geo.roads.snap.snap`, which
    raises for locations more than ``max_snap_m`` from a road, naming them by
    ``ids``). The matrices are kept in ``cache_dir`` (default
    :func:`~geo.roads.cache.default_cache_dir`) under a digest of the network and
    the ordered snapped nodes, the only things they depend on. ``workers`` is
    passed to :func:`node_matrix`.
    """
    snapped = snap(network, lat, lon, ids=ids, max_distance_m=max_snap_m)
    nodes, where = np.unique(snapped.nodes, return_inverse=True)
    file = None
    if use_cache:
        h = hashlib.sha256(f"road-matrix/{_FORMAT}/{network.key}/".encode())
        h.update(np.ascontiguousarray(snapped.nodes, dtype=np.int64).tobytes())
        file = Path(cache_dir or default_cache_dir()) / "matrices" / f"{h.hexdigest()}.npz"
        stored = read_arrays(file)
        n = len(snapped.nodes)
        if stored is not None and all(
            stored.get(k) is not None and stored[k].shape == (n, n) for k in ("seconds", "metres")
        ):
            return RoadMatrix(stored["seconds"], stored["metres"], snapped.metres)
    seconds, metres = node_matrix(network, nodes, nodes, workers=workers)
    full = np.ix_(where, where)
    result = RoadMatrix(seconds[full], metres[full], snapped.metres)
    if file is not None:
        write_arrays(file, {"seconds": result.seconds, "metres": result.metres})
    return result
