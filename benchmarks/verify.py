"""An independent VRPTW check of a solution's routes, trusting nothing a solver reports."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from itertools import pairwise

from benchmarks.instance import Instance


def distance(instance: Instance, routes: Sequence[Sequence[int]]) -> int:
    """Total distance of the routes, each from and back to the depot."""
    return sum(
        int(instance.distances[a, b]) for route in routes for a, b in pairwise([0, *route, 0])
    )


def violations(instance: Instance, routes: Sequence[Sequence[int]]) -> list[str]:
    """Broken rules: customers not served exactly once, fleet size, capacity, windows."""
    errors: list[str] = []
    seen = Counter(c for route in routes for c in route)
    errors += [f"customer {c} served {seen[c]} times" for c in instance.customers if seen[c] != 1]
    errors += [f"unknown customer {c}" for c in seen if c not in instance.customers]
    if len(routes) > instance.vehicles:
        errors.append(f"{len(routes)} routes > {instance.vehicles} vehicles")
    for k, route in enumerate(routes, 1):
        load = sum(instance.demand[c] for c in route)
        if load > instance.capacity:
            errors.append(f"route {k}: load {load} > {instance.capacity}")
        errors += [f"route {k}: {e}" for e in _timing(instance, route)]
    return errors


def _timing(instance: Instance, route: Sequence[int]) -> list[str]:
    errors: list[str] = []
    here, time = 0, instance.windows[0][0]
    for c in [*route, 0]:
        arrival = time + instance.service[here] + int(instance.distances[here, c])
        early, late = instance.windows[c]
        if arrival > late:
            errors.append(f"node {c} reached at {arrival} > {late}")
        here, time = c, max(arrival, early)
    return errors
