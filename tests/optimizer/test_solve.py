"""Hand-checkable problems through ``solve`` with every engine; each plan is re-checked."""

from __future__ import annotations

from dataclasses import replace

import pytest

from optimizer import (
    MAX_SEED,
    Engine,
    Problem,
    Route,
    Solution,
    SolveParams,
    Visit,
    portfolio,
    solve,
)
from optimizer.pyvrp_engine import UnsupportedError
from tests.optimizer.check import assert_valid

EXACT_ENGINES = ["ortools", "hybrid"]


def solved(problem: Problem, engine: Engine) -> Solution:
    """Solve briefly and check the plan with the independent checker."""
    solution = solve(problem, SolveParams(time_limit_s=0.2, engine=engine))
    assert_valid(problem, solution)
    return solution


def test_window_forces_order(window_order: Problem, engine: Engine) -> None:
    """The stop that closes early is visited first even though it is farther."""
    (route,) = solved(window_order, engine).routes
    assert route.visits == (2, 1)
    assert route.starts[1] == 40


def test_capacity_forces_two_vehicles(capacity_split: Problem, engine: Engine) -> None:
    """Twelve units do not fit in one vehicle of ten."""
    solution = solved(capacity_split, engine)
    assert sorted(route.visits for route in solution.routes) == [(1,), (2,)]


def test_age_limit_forces_second_vehicle(age_split: Problem, engine: Engine) -> None:
    """With age 25 allowed, one route (second stop at age 30) is not allowed; without, it is."""
    assert len(solved(age_split, engine).routes) == 2
    unlimited = age_split.replace(
        vehicles=tuple(replace(v, max_age=()) for v in age_split.vehicles)
    )
    assert len(solved(unlimited, engine).routes) == 1


def test_zero_capacity_dimension_needs_other_vehicle(chilled_only: Problem, engine: Engine) -> None:
    """The chilled stop goes on vehicle 1, the only one with chilled capacity."""
    solution = solved(chilled_only, engine)
    assert 2 in {route.vehicle: route.visits for route in solution.routes}[1]


def test_second_window_used(second_window: Problem, engine: Engine) -> None:
    """Service starts in the second window when the first cannot be reached."""
    (route,) = solved(second_window, engine).routes
    assert 100 <= route.starts[0] <= 120


def test_unreachable_optional_stop_dropped(unreachable: Problem, engine: Engine) -> None:
    """An optional stop outside every window is dropped at its penalty; the plan stays feasible."""
    solution = solved(unreachable, engine)
    assert solution.dropped == (1,)
    assert solution.feasible
    assert solution.cost == 1000 + 10


def test_unreachable_mandatory_stop_reported(unreachable: Problem, engine: Engine) -> None:
    """A mandatory stop that cannot be served is dropped and makes the plan infeasible."""
    nodes = list(unreachable.nodes)
    nodes[1] = replace(nodes[1], penalty=None)
    solution = solved(unreachable.replace(nodes=tuple(nodes)), engine)
    assert solution.dropped == (1,)
    assert not solution.feasible
    assert [route.visits for route in solution.routes] == [(2,)]


def test_fixed_cost_consolidates(consolidation: Problem, engine: Engine) -> None:
    """One vehicle serves every stop when fixed costs dominate and time allows."""
    solution = solved(consolidation, engine)
    assert len(solution.routes) == 1
    assert solution.cost == 1000 + 60


def test_multiple_depots(two_depots: Problem, engine: Engine) -> None:
    """Each stop is served by the vehicle of the nearer depot."""
    solution = solved(two_depots, engine)
    assert {route.vehicle: route.visits for route in solution.routes} == {0: (2,), 1: (3,)}
    assert solution.cost == 20


def test_speed_profiles(speed_profiles: Problem, engine: Engine) -> None:
    """Only the vehicle of the fast profile arrives before the stop closes."""
    (route,) = solved(speed_profiles, engine).routes
    assert (route.vehicle, route.starts) == (1, (50,))


@pytest.mark.parametrize("engine", EXACT_ENGINES)
def test_soft_lateness(lateness: Problem, engine: Engine) -> None:
    """Service 10 units after the window closes costs 3 per unit on top of the distance."""
    solution = solved(lateness, engine)
    assert solution.routes[0].starts == (50,)
    assert solution.cost == 100 + 30


def test_route_starts_late(late_start: Problem, engine: Engine) -> None:
    """The route starts loading at 85 so that it arrives when the stop opens."""
    (route,) = solved(late_start, engine).routes
    assert (route.start, route.starts, route.end) == (85, (100,), 110)


def test_pyvrp_refuses_what_it_cannot_express(lateness: Problem) -> None:
    """Lateness raises ``UnsupportedError`` with engine ``pyvrp``."""
    with pytest.raises(UnsupportedError):
        solve(lateness, SolveParams(time_limit_s=0.1, engine="pyvrp"))


def test_aged_stop_goes_to_the_late_shift(late_cold: Problem, engine: Engine) -> None:
    """Only the vehicle starting at 100 reaches the cold stop (open from 150) within age 60."""
    (route,) = solved(late_cold, engine).routes
    assert route.vehicle == 1
    assert route.visits == (1,)


def test_early_vehicle_starts_late_for_a_cold_stop(late_cold: Problem, engine: Engine) -> None:
    """Alone, the vehicle from 0 starts at 80 or later so the stop (from 150) is within age 60."""
    early = late_cold.replace(vehicles=(late_cold.vehicles[0],))
    (route,) = solved(early, engine).routes
    assert route.start >= 150 - 60 - 10


@pytest.mark.slow
@pytest.mark.parametrize("fixture", ["age_split", "window_order", "lateness"])
def test_portfolio_matches_the_exact_engines(
    fixture: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two searches at once, trading plans, give the optimum of these small cases."""
    monkeypatch.setattr(portfolio, "PARALLEL_FROM_S", 0.0)
    problem: Problem = request.getfixturevalue(fixture)
    best = solved(problem, "portfolio")
    assert best.engine == "portfolio"
    assert "partner_cost" in best.stats
    assert best.cost == solved(problem, "ortools").cost


@pytest.mark.parametrize("seed", [-1, MAX_SEED + 1])
def test_seed_outside_the_range_is_refused(seed: int, window_order: Problem) -> None:
    """Every engine's seeds, restarts included, fit PyVRP's 32 bits only for seeds in range."""
    with pytest.raises(ValueError, match="seed"):
        solve(window_order, SolveParams(time_limit_s=0.1, seed=seed, engine="pyvrp"))


@pytest.mark.slow
def test_the_largest_seed_reaches_both_searches_of_the_portfolio(
    window_order: Problem, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The portfolio's derived seeds for the largest user seed are taken by both searches."""
    monkeypatch.setattr(portfolio, "PARALLEL_FROM_S", 0.0)
    solved_at_max = solve(
        window_order, SolveParams(time_limit_s=0.5, seed=MAX_SEED, engine="portfolio")
    )
    assert_valid(window_order, solved_at_max)
    assert "partner_cost" in solved_at_max.stats


def test_a_warm_start_never_ends_worse_than_its_routes(
    consolidation: Problem, engine: Engine
) -> None:
    """Started from one vehicle serving all three stops (the best plan), every engine
    returns a plan at least as good; visits only count, so a schedule of zeros will do."""
    start = [Route(0, (2, 1, 3), 0, (Visit(0, 0, 0),) * 3, 0)]
    found = solve(consolidation, SolveParams(time_limit_s=0.2, engine=engine), initial=start)
    assert_valid(consolidation, found)
    assert found.cost <= 1000 + 60
    assert len(found.routes) == 1


def test_a_warm_start_leaves_out_visits_that_break_a_rule(capacity_split: Problem) -> None:
    """One route with both 6-unit stops overloads the vehicle: the start keeps what fits, and
    the search serves the rest."""
    start = [Route(0, (1, 2), 0, (Visit(0, 0, 0),) * 2, 0)]
    params = SolveParams(time_limit_s=0.2, engine="ortools", iterations=50)
    found = solve(capacity_split, params, initial=start)
    assert_valid(capacity_split, found)
    assert not found.dropped
