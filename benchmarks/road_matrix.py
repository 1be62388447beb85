"""Road-network matrix time for many locations on a city-size generated street grid.

python -m benchmarks.road_matrix [--rows 250] [--cols 250] [--locations 2000]
    [--sources 5] [--targets 40] [--seed 0] [--workers 1 2]

Builds a perturbed street grid (one-way streets, three road classes, some closed
blocks; 250 × 250 gives about 62,000 nodes, a city's drivable network), snaps
``--locations`` random points to it, and times the duration and distance matrices
cold (computed, in one process and then in two) and warm (read from the disk
cache, in a fresh temporary folder).
Then checks ``--sources`` × ``--targets`` sampled pairs against networkx's own
fastest paths and prints the largest differences. Times are wall clock, with the
CPU seconds beside them (on a busy machine the wall time grows, the CPU time hardly).
"""

from __future__ import annotations

import argparse
import itertools
import resource
import tempfile
from time import perf_counter

import networkx as nx
import numpy as np

from geo.roads import RoadNetwork, city_grid, road_matrix, snap


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=250)
    parser.add_argument("--cols", type=int, default=250)
    parser.add_argument("--locations", type=int, default=2000)
    parser.add_argument("--sources", type=int, default=5)
    parser.add_argument("--targets", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args(argv)

    t0 = perf_counter()
    graph = city_grid(args.rows, args.cols, seed=args.seed)
    t_graph = perf_counter() - t0
    t0 = perf_counter()
    network = RoadNetwork.from_graph(graph)
    t_arrays = perf_counter() - t0
    print(f"graph: {network.n_nodes:,} nodes, {network.n_arcs:,} arcs")
    print(f"  generate {t_graph:.1f} s, to arrays {t_arrays:.1f} s")

    rng = np.random.default_rng(args.seed)
    picks = rng.choice(network.n_nodes, args.locations, replace=False)
    lat = network.lat[picks] + rng.uniform(-2e-4, 2e-4, args.locations)
    lon = network.lon[picks] + rng.uniform(-2e-4, 2e-4, args.locations)
    n = args.locations
    for workers in args.workers:
        t0, c0 = perf_counter(), _cpu()
        cold = road_matrix(network, lat, lon, use_cache=False, workers=workers)
        wall, cpu = perf_counter() - t0, _cpu() - c0
        print(f"matrix {n:,} × {n:,}, {workers} process(es): {wall:.1f} s (CPU {cpu:.1f} s)")
    with tempfile.TemporaryDirectory() as cache:
        road_matrix(network, lat, lon, cache_dir=cache, workers=max(args.workers))
        t0 = perf_counter()
        warm = road_matrix(network, lat, lon, cache_dir=cache)
        print(f"  the same from the disk cache: {perf_counter() - t0:.2f} s")
    assert np.array_equal(cold.seconds, warm.seconds)
    print(
        f"  snap max {cold.snap_metres.max():.0f} m; longest trip "
        f"{cold.seconds.max() / 60:.1f} min, {cold.metres.max() / 1000:.1f} km"
    )

    t0 = perf_counter()
    snapped = [int(network.osm_ids[k]) for k in snap(network, lat, lon).nodes]
    worst_s = worst_m = 0.0
    checked = 0
    for a in rng.choice(n, args.sources, replace=False):
        seconds, paths = nx.single_source_dijkstra(graph, snapped[a], weight="travel_time")
        for b in rng.choice(n, args.targets, replace=False):
            path = paths[snapped[b]]
            metres = sum(
                min(graph[u][v].values(), key=lambda d: d["travel_time"])["length"]
                for u, v in itertools.pairwise(path)
            )
            worst_s = max(worst_s, abs(cold.seconds[a, b] - seconds[snapped[b]]))
            worst_m = max(worst_m, abs(cold.metres[a, b] - metres))
            checked += 1
    print(
        f"networkx check: {checked} pairs, largest difference {worst_s:.3f} s and "
        f"{worst_m:.2f} m ({perf_counter() - t0:.0f} s)"
    )


def _cpu() -> float:
    """CPU seconds of this process and its finished children: what other load does not add."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


if __name__ == "__main__":
    main()
