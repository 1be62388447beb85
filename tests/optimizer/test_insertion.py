"""Cheapest feasible insertion: small hand-checked cases and the invariants on random problems."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from optimizer import Problem, Route, Visit, insertion, plan, schedule
from tests.optimizer import build, check
from tests.optimizer.strategies import problems


def _route(vehicle: int, visits: tuple[int, ...]) -> Route:
    return Route(vehicle, visits, 0, tuple(Visit(0, 0, 0) for _ in visits), 0)


def test_a_stop_goes_where_it_adds_least_distance() -> None:
    # Depot at 0, stops at 1, 2 and 3 on a line: 2 belongs between 1 and 3.
    p = build.problem([0, 1, 2, 3], [build.depot(), *[build.stop() for _ in range(3)]],
                      [build.vehicle()])  # fmt: skip
    assert insertion.complete(p, {0: [1, 3]}) == {0: [1, 2, 3]}


def test_an_empty_vehicle_takes_what_the_full_one_cannot_carry() -> None:
    nodes = [build.depot(), build.stop(demand=(6,)), build.stop(demand=(6,))]
    p = build.problem([0, 5, 6], nodes, [build.vehicle(), build.vehicle(fixed_cost=100)])
    assert insertion.complete(p, {0: [1]}) == {0: [1], 1: [2]}


def test_a_stop_that_fits_nowhere_or_costs_more_than_its_penalty_stays_out() -> None:
    nodes = [
        build.depot(),
        build.stop(),
        build.stop(demand=(11,)),  # above every capacity
        build.stop(penalty=3),  # a detour of 2 x 40 costs more than leaving it out
        build.stop(((0, 1),)),  # its window closes before anyone can reach it
    ]
    p = build.problem([0, 1, 40, 40, 30], nodes, [build.vehicle()])
    assert insertion.complete(p, {0: [1]}) == {0: [1]}


def test_a_stop_that_fits_nowhere_takes_the_place_of_one_that_can_move() -> None:
    # Two load dimensions; only vehicle 0 carries the second. Stop 1 (first dimension) fills
    # vehicle 0; stop 2 needs both, so stop 1 moves to vehicle 1 to make room.
    nodes = [build.depot(), build.stop(demand=(1, 0)), build.stop(demand=(1, 1))]
    fleet = [build.vehicle(capacity=(1, 1)), build.vehicle(capacity=(1, 0))]
    p = build.problem([0, 2, 3], nodes, fleet)
    assert insertion.complete(p, {0: [1]}) == {0: [2], 1: [1]}


def test_vehicles_named_fixed_take_nothing() -> None:
    p = build.problem([0, 1, 2], [build.depot(), build.stop(), build.stop()],
                      [build.vehicle(), build.vehicle()])  # fmt: skip
    assert insertion.complete(p, {0: [1]}, fixed=[0]) == {1: [2]}


def test_completed_repairs_the_start_before_filling_it() -> None:
    # Stop 2 cannot follow stop 1 (its window has closed): it is taken out and put first.
    nodes = [build.depot(), build.stop(((10, 20),)), build.stop(((0, 5),))]
    p = build.problem([0, 10, 3], nodes, [build.vehicle()])
    routes = insertion.completed(p, [_route(0, (1, 2))])
    assert [r.visits for r in routes] == [(2, 1)]


@settings(max_examples=60, deadline=None)
@given(problems(), st.data())
def test_completion_keeps_every_route_feasible_and_every_stop_once(
    problem: Problem, data: st.DataObject
) -> None:
    stops = problem.stops
    given_stops = data.draw(st.lists(st.sampled_from(stops), unique=True, max_size=len(stops)))
    start = [_route(0, tuple(given_stops))] if given_stops else []
    routes = insertion.completed(problem, start)
    seen = [i for r in routes for i in r.visits]
    assert len(seen) == len(set(seen))
    solution = plan.assemble(problem, {r.vehicle: r.visits for r in routes}, engine="t",
                             elapsed_s=0.0)  # fmt: skip
    assert solution.stats["repaired"] == 0
    check.assert_valid(problem, solution)
    for r in routes:
        assert isinstance(schedule.best(problem, r.vehicle, r.visits), schedule.Timing)
    repaired = plan.assemble(problem, {r.vehicle: r.visits for r in start}, engine="t",
                             elapsed_s=0.0)  # fmt: skip
    kept = {i for r in repaired.routes for i in r.visits}
    assert kept <= set(seen)


def test_no_time_left_inserts_nothing() -> None:
    p = build.problem([0, 1, 2], [build.depot(), build.stop(), build.stop()], [build.vehicle()])
    assert insertion.complete(p, {0: [1]}, within_s=0.0) == {0: [1]}
    assert sorted(insertion.complete(p, {0: [1]}, within_s=5.0)[0]) == [1, 2]
