"""Tiny named problems on a line (positions first), small enough to check by hand."""

from __future__ import annotations

import pytest

from optimizer import Engine, Problem
from tests.optimizer.build import depot, problem, stop, vehicle


@pytest.fixture(params=["ortools", "pyvrp", "hybrid"])
def engine(request: pytest.FixtureRequest) -> Engine:
    """Each engine in turn."""
    return request.param


@pytest.fixture
def window_order() -> Problem:
    """The far stop (2) closes at 22, so it must come before the near one (1), open from 40."""
    nodes = [depot(), stop(((40, 60),)), stop(((20, 22),))]
    return problem([0, 10, 20], nodes, [vehicle()])


@pytest.fixture
def capacity_split() -> Problem:
    """Two stops of 6 units, vehicles of 10: each vehicle serves one."""
    nodes = [depot(), stop(demand=(6,)), stop(demand=(6,))]
    return problem([0, 10, 20], nodes, [vehicle(), vehicle()])


@pytest.fixture
def age_split() -> Problem:
    """Stops on both sides of the depot; one route would reach the second at age 30 > 25."""
    nodes = [depot(), stop(age_classes=(0,)), stop(age_classes=(0,))]
    fleet = [vehicle(fixed_cost=1, max_age=(25,)) for _ in range(2)]
    return problem([0, 10, -10], nodes, fleet)


@pytest.fixture
def late_cold() -> Problem:
    """A cold stop 10 away, open from 150, age limit 60: the vehicle from 0 must start late."""
    nodes = [depot(), stop(((150, 400),), penalty=1000, age_classes=(0,))]
    fleet = [vehicle(max_age=(60,), fixed_cost=5), vehicle(shift=(100, 400), max_age=(60,))]
    return problem([0, 10], nodes, fleet)


@pytest.fixture
def chilled_only() -> Problem:
    """Stop 2 needs the second (chilled) dimension, which only the dearer vehicle 1 carries."""
    nodes = [depot(), stop(demand=(1, 0)), stop(demand=(1, 1))]
    fleet = [vehicle(capacity=(10, 0)), vehicle(capacity=(10, 10), fixed_cost=100)]
    return problem([0, 10, 20], nodes, fleet)


@pytest.fixture
def second_window() -> Problem:
    """Stop 1 is 50 away: its first window (10-20) is out of reach, the second (100-120) is used."""
    nodes = [depot(), stop(((10, 20), (100, 120)))]
    return problem([0, 50], nodes, [vehicle()])


@pytest.fixture
def unreachable() -> Problem:
    """Optional stop 1 is 50 away but closes at 10; stop 2 is easy."""
    nodes = [depot(), stop(((0, 10),), penalty=1000), stop()]
    return problem([0, 50, 5], nodes, [vehicle()])


@pytest.fixture
def consolidation() -> Problem:
    """Three stops, three vehicles of fixed cost 1000: one vehicle serves all."""
    nodes = [depot(), stop(), stop(), stop()]
    return problem([0, 10, -10, 20], nodes, [vehicle(fixed_cost=1000) for _ in range(3)])


@pytest.fixture
def two_depots() -> Problem:
    """Depots at 0 and 100, a stop near each; each is served from its own depot."""
    nodes = [depot(), depot(), stop(), stop()]
    return problem([0, 100, 5, 95], nodes, [vehicle(0), vehicle(1)])


@pytest.fixture
def speed_profiles() -> Problem:
    """Stop 1 is 50 away and closes at 60: only the dearer vehicle, of the fast profile, arrives."""
    nodes = [depot(), stop(((0, 60),))]
    fleet = [vehicle(profile=1), vehicle(profile=0, fixed_cost=100)]
    return problem([0, 50], nodes, fleet, slowness=(1, 2))


@pytest.fixture
def lateness() -> Problem:
    """Stop 1 is 50 away and closes at 40; lateness up to 20 costs 3 per unit."""
    nodes = [depot(), stop(((0, 40),))]
    return problem([0, 50], nodes, [vehicle()], late_cost=3, max_lateness=20)


@pytest.fixture
def late_start() -> Problem:
    """Stop 1 is 10 away and opens at 100; the route should leave at 90, not wait at the stop."""
    nodes = [depot(service=5), stop(((100, 110),))]
    return problem([0, 10], nodes, [vehicle(time_cost=1)])
