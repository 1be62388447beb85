"""Cost of paths in a solved day model, without re-solving: the region search estimates from it
what each region adds to the own fleet."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from functools import partial
from itertools import pairwise

from dispatch.planning.model import DayModel, FleetUnit
from dispatch.planning.plan import RouteOut


class RouteCosts:
    """Travel, service and fixed cost of paths in a solve's model, waiting left out."""

    def __init__(self, model: DayModel, routes: Sequence[RouteOut]) -> None:
        self.model = model
        node = {s.id: model.stop_node(k) for k, s in enumerate(model.stops)}
        units = {u.id: u for u in model.units}
        self.depot = {d.id: k for k, d in enumerate(model.depots)}
        self.routes = [(units[r.vehicle], [node[s.stop] for s in r.stops]) for r in routes]
        self.nodes = list(node.values())

    def leg(self, unit: FleetUnit, a: int, b: int) -> float:
        v, travel = unit.spec, self.model.travel
        hours = float(travel.minutes[a, b]) / v.speed_factor / 60
        return v.cost.per_km * float(travel.distance_km[a, b]) + v.cost.per_hour * hours

    def service(self, unit: FleetUnit, n: int) -> float:
        return unit.spec.cost.per_hour * self.model.node_stop(n).service_minutes / 60

    def path(self, unit: FleetUnit, nodes: Sequence[int]) -> float:
        """A route through ``nodes`` in order, fixed cost included; 0 when empty."""
        if not nodes:
            return 0.0
        seq = [self.depot[unit.spec.depot], *nodes, self.depot[unit.end_depot]]
        return (
            unit.spec.cost.fixed
            + sum(self.leg(unit, a, b) for a, b in pairwise(seq))
            + sum(self.service(unit, n) for n in nodes)
        )

    def removal_savings(self, region: Mapping[int, str]) -> dict[str, float]:
        """Per region, what leaving its stops out of the routes saves."""
        savings: defaultdict[str, float] = defaultdict(float)
        for unit, path in self.routes:
            full = self.path(unit, path)
            for r in {region[n] for n in path}:
                savings[r] += full - self.path(unit, [n for n in path if region[n] != r])
        return dict(savings)

    def dropped(self) -> list[int]:
        routed = {n for _, path in self.routes for n in path}
        return [n for n in self.nodes if n not in routed]

    def insertion(self, n: int) -> float:
        """Cheapest insertion of stop ``n`` into a route, windows and capacities left out."""
        best = math.inf
        for unit, path in self.routes:
            seq = [self.depot[unit.spec.depot], *path, self.depot[unit.end_depot]]
            detour = min(
                self.leg(unit, a, n) + self.leg(unit, n, b) - self.leg(unit, a, b)
                for a, b in pairwise(seq)
            )
            best = min(best, detour + self.service(unit, n))
        return best

    def tour(self, nodes: Sequence[int]) -> float:
        """A new route through ``nodes`` by nearest neighbour, with the cheapest vehicle."""
        best = math.inf
        for unit in {u.spec.id: u for u in self.model.units}.values():
            here, left, order = self.depot[unit.spec.depot], set(nodes), []
            while left:
                here = min(left, key=partial(self.leg, unit, here))
                order.append(here)
                left.remove(here)
            best = min(best, self.path(unit, order))
        return best
