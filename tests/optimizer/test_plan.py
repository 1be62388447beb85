"""Assembling solutions from visit orders: repair, dropped stops and cost."""

from __future__ import annotations

from optimizer import Problem
from optimizer.plan import assemble, fit_capacity, servers


def test_assemble_costs_routes_and_penalties(unreachable: Problem) -> None:
    """Distance 10 for the route to stop 2 plus the penalty 1000 of the dropped stop 1."""
    solution = assemble(unreachable, {0: [2]}, engine="test", elapsed_s=0.0)
    assert (solution.cost, solution.dropped, solution.feasible) == (1010, (1,), True)


def test_assemble_repairs_broken_routes(window_order: Problem) -> None:
    """The wrong order breaks stop 2's window; it is removed and reported dropped."""
    solution = assemble(window_order, {0: [1, 2]}, engine="test", elapsed_s=0.0)
    assert solution.routes[0].visits == (1,)
    assert solution.dropped == (2,)
    assert not solution.feasible
    assert solution.stats["repaired"] == 1


def test_fit_capacity_drops_largest_demands(capacity_split: Problem) -> None:
    """Two stops of 6 do not fit in 10: one is removed."""
    assert fit_capacity(capacity_split, 0, [1, 2]) == [2]


def test_servers_exclude_impossible_vehicles(chilled_only: Problem) -> None:
    """Only vehicle 1 carries the chilled dimension."""
    assert servers(chilled_only, [0, 1]) == {1: [0, 1], 2: [1]}
