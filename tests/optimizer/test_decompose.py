"""Large problems in parts: how a problem is split, and that the whole plan keeps every rule."""

from __future__ import annotations

import math
from time import monotonic

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optimizer import Problem, Solution, SolveParams, Visit, decompose, partition, solve
from optimizer.executor import Inline, open_executor
from optimizer.solution import Route
from tests.optimizer.build import clusters, depot, problem, stop, vehicle
from tests.optimizer.check import assert_valid


def test_far_apart_clusters_are_split_by_their_depots() -> None:
    """Two towns 1,000 apart, a depot in each: each part holds one town's stops and only
    that town's vehicles."""
    towns = clusters([(0, 0), (1000, 0)], 20, vehicles_per_depot=2)
    parts = partition.split(towns, cluster_stops=20)
    assert len(parts) == 2
    for part in parts:
        (home,) = {towns.vehicles[v].start for v in part.vehicles}
        town = range(2, 22) if home == 0 else range(22, 42)
        assert set(part.stops) == set(town)


def test_sectors_around_a_depot_share_the_stops_evenly() -> None:
    """Twelve stops evenly on a circle around one depot, cut in three: four neighbouring
    stops each, and each sector gets one of the three vehicles."""
    xy = np.array(
        [(0.0, 0.0)]
        + [(100 * math.cos(k * math.pi / 6), 100 * math.sin(k * math.pi / 6)) for k in range(12)]
    )
    distances = np.rint(np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1)))
    ring = Problem(
        (depot(), *(stop() for _ in range(12))),
        tuple(vehicle() for _ in range(3)),
        distances.astype(np.int64),
        (distances.astype(np.int64),),
    )
    parts = partition.split(ring, cluster_stops=4)
    assert sorted(len(p.stops) for p in parts) == [4, 4, 4]
    assert sorted(v for p in parts for v in p.vehicles) == [0, 1, 2]
    for part in parts:
        positions = {i - 1 for i in part.stops}
        assert any(positions == {(k + j) % 12 for j in range(4)} for k in range(12))


def test_each_kind_of_vehicle_is_shared_among_the_sectors() -> None:
    """Two kinds (three plain, three refrigerated) over three equal sectors: one of each."""
    fleet = [vehicle(capacity=(10, 0)) for _ in range(3)]
    fleet += [vehicle(capacity=(10, 10)) for _ in range(3)]
    shares = partition._share_vehicles(
        problem([0], [depot()], fleet), list(range(6)), [1.0, 1.0, 1.0]
    )
    assert sorted(sorted(s) for s in shares) == [[0, 3], [1, 4], [2, 5]]


def test_the_plane_keeps_the_distances_of_points_in_a_plane() -> None:
    """Points given by their Euclidean distances come back at those distances (up to a turn)."""
    rng = np.random.default_rng(1)
    xy = rng.uniform(0, 1000, size=(60, 2))
    distances = np.rint(np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1)))
    placed = partition.embed(distances.astype(np.int64))
    again = np.hypot(*(placed[:, None, :] - placed[None, :, :]).transpose(2, 0, 1))
    assert np.abs(again - distances).max() < 5


def test_a_subproblem_keeps_its_depots_stops_and_vehicles() -> None:
    """The part's problem has the vehicles' depots first, then its stops, the same matrices."""
    towns = clusters([(0, 0), (1000, 0)], 3, vehicles_per_depot=1)
    sub, nodes = partition.subproblem(towns, [6, 7], [1])
    assert nodes == [1, 6, 7]
    assert sub.vehicles[0].start == sub.vehicles[0].end == 0
    assert sub.distances[1, 2] == towns.distances[6, 7]


def test_a_plan_in_parts_keeps_every_rule_and_serves_every_stop() -> None:
    """Two towns in four parts, solved one part after the other and improved across the
    borders: the whole plan is valid, serves every stop and costs at most a tenth more than
    the whole problem solved at once."""
    towns = clusters([(0, 0), (1000, 0)], 30, vehicles_per_depot=4)
    params = SolveParams(time_limit_s=60, iterations=60, engine="ortools")
    parts = decompose.solve(towns, params, cluster_stops=15, executor=Inline())
    assert_valid(towns, parts)
    assert parts.feasible
    assert not parts.dropped
    assert parts.engine == decompose.ENGINE
    assert parts.stats["parts"] == 4
    assert parts.cost <= parts.stats["first_cost"]
    whole = solve(towns, params)
    assert parts.cost <= 1.1 * whole.cost


def test_a_plan_in_parts_ends_within_a_tiny_time_limit() -> None:
    """Four parts solved one after the other in a 2 s limit (less than the shortest task
    worth a worker, twice over): the plan is back within the limit plus half a second,
    valid and serving every stop."""
    towns = clusters([(0, 0), (1000, 0)], 30, vehicles_per_depot=4)
    params = SolveParams(time_limit_s=2.0, engine="ortools")
    began = monotonic()
    found = decompose.solve(towns, params, cluster_stops=15, executor=Inline())
    assert monotonic() - began <= 2.5
    assert_valid(towns, found)
    assert not found.dropped
    assert found.stats["parts"] == 4


@pytest.mark.slow
def test_a_plan_in_parts_on_a_pool_ends_within_its_time_limit() -> None:
    """The same day on a pool of two started for it: starting the workers, the waves' overrun
    and the whole plan's scheduling all fit in a 6 s limit plus one second."""
    towns = clusters([(0, 0), (1000, 0)], 30, vehicles_per_depot=4)
    params = SolveParams(time_limit_s=6.0, engine="ortools")
    began = monotonic()
    with open_executor(workers=2, scheduler="") as executor:
        found = decompose.solve(towns, params, cluster_stops=15, executor=executor)
    assert monotonic() - began <= 7.0
    assert_valid(towns, found)
    assert not found.dropped
    assert found.stats["overrun_s"] >= 0


def test_initial_routes_start_each_part_warm() -> None:
    """Each town's stops given as one route of its depot's last vehicle: with one iteration
    per part, each part keeps that route's stops on that vehicle (from scratch, the search
    puts them on another one), and the plan is valid."""
    towns = clusters([(0, 0), (1000, 0)], 8, vehicles_per_depot=4)
    last = {towns.vehicles[v].start: v for v in range(len(towns.vehicles))}
    town_stops = {0: tuple(range(2, 10)), 1: tuple(range(10, 18))}
    initial = [
        Route(last[d], stops, 0, tuple(Visit(0, 0, 0) for _ in stops), 0)
        for d, stops in town_stops.items()
    ]
    params = SolveParams(time_limit_s=5, iterations=1, engine="ortools")

    def served(found: Solution) -> dict[int, set[int]]:
        assert_valid(towns, found)
        assert not found.dropped
        return {r.vehicle: set(r.visits) for r in found.routes}

    warm = decompose.solve(towns, params, cluster_stops=8, executor=Inline(), initial=initial)
    assert served(warm) == {last[d]: set(stops) for d, stops in town_stops.items()}
    cold = decompose.solve(towns, params, cluster_stops=8, executor=Inline())
    assert set(served(cold)) & set(last.values()) == set()


def test_a_small_problem_is_solved_whole() -> None:
    """A problem that fits in one part is solved as it is."""
    towns = clusters([(0, 0)], 8, vehicles_per_depot=2)
    params = SolveParams(time_limit_s=5, iterations=20, engine="ortools")
    found = decompose.solve(towns, params, cluster_stops=50, executor=Inline())
    assert_valid(towns, found)
    assert found.cost == solve(towns, params).cost


@settings(max_examples=25, deadline=None)
@given(
    towns=st.lists(
        st.tuples(st.integers(-2000, 2000), st.integers(-2000, 2000)), min_size=1, max_size=3
    ),
    per_town=st.integers(1, 25),
    size=st.integers(2, 30),
    seed=st.integers(0, 100),
)
def test_every_stop_and_vehicle_lands_in_one_part(
    towns: list[tuple[int, int]], per_town: int, size: int, seed: int
) -> None:
    """However the problem is cut, each stop is in exactly one part and each vehicle in at
    most one, every part with stops having a vehicle while the depot has enough."""
    day = clusters(towns, per_town, seed=seed, vehicles_per_depot=3)
    parts = partition.split(day, cluster_stops=size)
    stops = [i for p in parts for i in p.stops]
    vehicles = [v for p in parts for v in p.vehicles]
    assert sorted(stops) == day.stops
    assert len(vehicles) == len(set(vehicles)) == len(day.vehicles)


def test_only_parts_that_touch_are_paired_across_their_border() -> None:
    """Two towns 1,000 apart, each in two sectors: the sectors of one town border each
    other, never a sector of the other town."""
    towns = clusters([(0, 0), (1000, 0)], 30, vehicles_per_depot=4)
    parts = partition.split(towns, cluster_stops=15)
    town = [0 if towns.vehicles[p.vehicles[0]].start == 0 else 1 for p in parts]
    pairs = {(a, b) for _, a, b in decompose._bordering(towns, parts)}
    assert pairs
    assert all(town[a] == town[b] for a, b in pairs)
