"""What only the OR-Tools engine does: progress reports and starting from given routes."""

from __future__ import annotations

from dataclasses import replace

from optimizer import Problem, Progress, SolveParams
from optimizer.ortools_engine import solve
from tests.optimizer.build import depot, problem, stop, vehicle
from tests.optimizer.check import assert_valid


def test_progress_reported(consolidation: Problem) -> None:
    """Improvements reach ``on_progress`` with decreasing costs."""
    seen: list[Progress] = []
    solution = solve(consolidation, SolveParams(time_limit_s=0.2, on_progress=seen.append))
    assert_valid(consolidation, solution)
    assert seen
    assert [p.best_cost for p in seen] == sorted((p.best_cost for p in seen), reverse=True)


def test_starts_from_given_routes(consolidation: Problem) -> None:
    """Given routes are read as the first solution and improved from there."""
    initial = {0: [1], 1: [2], 2: [3]}
    solution = solve(consolidation, SolveParams(time_limit_s=0.2), initial=initial)
    assert_valid(consolidation, solution)
    assert len(solution.routes) == 1


def test_broken_given_routes_ignored(capacity_split: Problem) -> None:
    """Routes that break a rule are not read; the search starts from scratch instead."""
    solution = solve(capacity_split, SolveParams(time_limit_s=0.2), initial={0: [1, 2]})
    assert_valid(capacity_split, solution)
    assert len(solution.routes) == 2


def test_a_latest_start_holds_the_route_start() -> None:
    """OR-Tools starts a vehicle with a latest start no later than it."""
    nodes = [depot(), stop(((100, 110),))]
    bound = problem([0, 10], nodes, [replace(vehicle(shift=(20, 1000)), latest_start=20)])
    found = solve(bound, SolveParams(time_limit_s=1, iterations=10))
    assert [r.start for r in found.routes] == [20]
    assert found.routes[0].schedule[0].start == 100


def _priced_lateness(p: Problem) -> Problem:
    return p.replace(late_cost=2, max_lateness=50)


def test_with_priced_lateness_the_given_routes_are_the_first_solution() -> None:
    """With lateness priced the routes are set as they are (OR-Tools' reading would search
    their times to the time limit): one solution in, they come back unchanged."""
    line = problem([0, 10, 20, 30], [depot(), stop(), stop(), stop()], [vehicle()])
    priced = _priced_lateness(line)
    initial = {0: [3, 1, 2]}
    first = solve(priced, SolveParams(time_limit_s=5.0, iterations=1), initial=initial)
    assert_valid(priced, first)
    assert {r.vehicle: list(r.visits) for r in first.routes} == initial
    better = solve(priced, SolveParams(time_limit_s=0.5), initial=initial)
    assert_valid(priced, better)
    assert (first.cost, better.cost) == (80, 60)  # out to 30 and back: 60


def test_with_priced_lateness_broken_given_routes_are_searched_again(
    capacity_split: Problem,
) -> None:
    """A start the model cannot keep ends its search with nothing; the time left searches
    from scratch."""
    priced = _priced_lateness(capacity_split)
    solution = solve(priced, SolveParams(time_limit_s=0.5), initial={0: [1, 2]})
    assert_valid(priced, solution)
    assert len(solution.routes) == 2
    assert not solution.dropped
