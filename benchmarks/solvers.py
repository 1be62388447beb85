"""Solve one VRPTW instance with a named engine and return its routes as customer numbers."""

from __future__ import annotations

from datetime import timedelta
from typing import cast

import numpy as np

from benchmarks.instance import Instance
from optimizer import Engine, Node, Problem, SolveParams, Vehicle, solve

Routes = list[list[int]]
ENGINES = ("hybrid", "portfolio", "pyvrp", "ortools", "ortools-sample", "vroom")


def to_problem(instance: Instance) -> Problem:
    """The instance as an optimizer problem: distance only, every customer mandatory."""
    depot = Node((instance.windows[0],), is_depot=True)
    customers = [
        Node((instance.windows[c],), instance.service[c], (instance.demand[c],))
        for c in instance.customers
    ]
    fleet = Vehicle(0, 0, (instance.capacity,), instance.windows[0])
    return Problem(
        (depot, *customers),
        (fleet,) * instance.vehicles,
        instance.distances,
        (instance.distances,),
    )


def run(instance: Instance, engine: str, time_limit_s: float, seed: int = 0) -> Routes:
    """Routes found by ``engine`` within the time limit (empty when none was found)."""
    if engine == "ortools-sample":
        return _ortools_sample(instance, time_limit_s)
    if engine == "vroom":
        return _vroom(instance, time_limit_s)
    params = SolveParams(time_limit_s=time_limit_s, seed=seed, engine=cast(Engine, engine))
    solution = solve(to_problem(instance), params)
    return [list(route.visits) for route in solution.routes] if solution.feasible else []


def _ortools_sample(instance: Instance, time_limit_s: float) -> Routes:
    """The OR-Tools VRPTW sample as published: Python callbacks, PATH_CHEAPEST_ARC, GLS."""
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    n = len(instance.demand)
    distances = instance.distances.tolist()
    manager = pywrapcp.RoutingIndexManager(n, instance.vehicles, 0)
    routing = pywrapcp.RoutingModel(manager)

    def travel(i: int, j: int) -> int:
        a, b = manager.IndexToNode(i), manager.IndexToNode(j)
        return int(distances[a][b])

    def time(i: int, j: int) -> int:
        a, b = manager.IndexToNode(i), manager.IndexToNode(j)
        return int(instance.service[a] + distances[a][b])

    def demand(i: int) -> int:
        return instance.demand[manager.IndexToNode(i)]

    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitCallback(travel))
    horizon = instance.windows[0][1]
    routing.AddDimension(routing.RegisterTransitCallback(time), horizon, horizon, False, "Time")
    dimension = routing.GetDimensionOrDie("Time")
    for c in instance.customers:
        dimension.CumulVar(manager.NodeToIndex(c)).SetRange(*instance.windows[c])
    for v in range(instance.vehicles):
        dimension.CumulVar(routing.Start(v)).SetRange(*instance.windows[0])
        dimension.CumulVar(routing.End(v)).SetRange(*instance.windows[0])
    routing.AddDimensionWithVehicleCapacity(
        routing.RegisterUnaryTransitCallback(demand),
        0,
        [instance.capacity] * instance.vehicles,
        True,
        "Capacity",
    )
    search = pywrapcp.DefaultRoutingSearchParameters()
    search.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    search.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    search.time_limit.FromMilliseconds(int(time_limit_s * 1000))
    assignment = routing.SolveWithParameters(search)
    if assignment is None:
        return []
    routes: Routes = []
    for v in range(instance.vehicles):
        index = assignment.Value(routing.NextVar(routing.Start(v)))
        route: list[int] = []
        while not routing.IsEnd(index):
            route.append(manager.IndexToNode(index))
            index = assignment.Value(routing.NextVar(index))
        if route:
            routes.append(route)
    return routes


def _vroom(instance: Instance, time_limit_s: float) -> Routes:
    """VROOM (pyvroom) at its highest exploration level, one thread."""
    import vroom

    problem = vroom.Input()
    problem.set_durations_matrix("car", np.asarray(instance.distances))
    for v in range(instance.vehicles):
        window = vroom.TimeWindow(*instance.windows[0])
        problem.add_vehicle(
            vroom.Vehicle(v + 1, start=0, end=0, capacity=[instance.capacity], time_window=window)
        )
    for c in instance.customers:
        problem.add_job(
            vroom.Job(
                c,
                location=c,
                default_service=instance.service[c],
                delivery=[instance.demand[c]],
                time_windows=[vroom.TimeWindow(*instance.windows[c])],
            )
        )
    solution = problem.solve(
        exploration_level=5, nb_threads=1, timeout=timedelta(seconds=time_limit_s)
    )
    steps = solution.routes
    jobs = steps[steps["type"] == "job"]
    return [list(map(int, group["id"])) for _, group in jobs.groupby("vehicle_id", sort=True)]
