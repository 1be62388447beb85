"""Route timing: earliest schedules from a start, and the choice of the best start."""

from __future__ import annotations

from dataclasses import replace

from optimizer import Problem, Visit
from optimizer.schedule import Timing, best, forward
from tests.optimizer.build import depot, problem, stop, vehicle


def test_forward_waits_for_windows(window_order: Problem) -> None:
    """From start 0 the vehicle reaches stop 2 at 20 and waits at stop 1 until 40."""
    timing = forward(window_order, 0, [2, 1], 0)
    assert isinstance(timing, Timing)
    assert (timing.start, timing.starts, timing.end, timing.cost) == (0, (20, 40), 50, 0)


def test_forward_reports_first_broken_visit(window_order: Problem) -> None:
    """Visiting stop 1 first makes stop 2 (closing at 22) the broken visit, at position 1."""
    assert forward(window_order, 0, [1, 2], 0) == 1


def test_forward_reports_late_return() -> None:
    """A return after the shift's end is reported as position ``len(visits)``."""
    short = problem([0, 50], [depot(), stop()], [vehicle(shift=(0, 80))])
    assert forward(short, 0, [1], 0) == 1


def test_best_start_avoids_waiting(late_start: Problem) -> None:
    """With a duration cost the route starts as late as the window allows."""
    assert best(late_start, 0, [1]) == Timing(85, (Visit(100, 100, 100),), 110, 25)


def test_best_start_moves_waiting_to_the_depot() -> None:
    """Without a duration cost the route still leaves at 90 rather than wait at the stop."""
    idle = problem([0, 10], [depot(), stop(((100, 110),), service=3)], [vehicle()])
    timing = best(idle, 0, [1])
    assert timing == Timing(90, (Visit(100, 100, 103),), 113, 0)
    assert isinstance(timing, Timing)
    assert timing.schedule[0].wait == 0


def test_best_start_respects_age() -> None:
    """A stop opening at 100, then an aged stop: starting late keeps the age within 15."""
    nodes = [depot(), stop(((100, 200),)), stop(age_classes=(0,))]
    aged = problem([0, 10, 20], nodes, [vehicle(max_age=(25,))])
    timing = best(aged, 0, [1, 2])
    assert isinstance(timing, Timing)
    assert timing.starts[1] - timing.start <= 25


def test_best_uses_lateness_when_allowed(lateness: Problem) -> None:
    """Arriving 10 late costs 3 per unit of lateness."""
    assert best(lateness, 0, [1]) == Timing(0, (Visit(50, 50, 50, late=10),), 100, 30)


def test_latest_start_keeps_the_route_from_starting_later() -> None:
    """Without a latest start the route leaves at 90 to meet the window at 100; a vehicle
    already on its way (latest start 20) leaves at 20 and waits at the stop instead."""
    nodes = [depot(), stop(((100, 110),), service=3)]
    free = problem([0, 10], nodes, [vehicle()])
    assert best(free, 0, [1]) == Timing(90, (Visit(100, 100, 103),), 113, 0)
    bound = problem([0, 10], nodes, [replace(vehicle(shift=(20, 1000)), latest_start=20)])
    assert best(bound, 0, [1]) == Timing(20, (Visit(30, 100, 103),), 113, 0)


def test_latest_start_with_an_age_limit_drops_a_stop_too_far_in_time() -> None:
    """Age counts from the fixed start: a stop opening 100 after it breaks an age of 50."""
    nodes = [depot(), stop(((100, 110),), age_classes=(0,))]
    bound = problem(
        [0, 10], nodes, [replace(vehicle(shift=(0, 1000), max_age=(50,)), latest_start=0)]
    )
    assert best(bound, 0, [1]) == 0
