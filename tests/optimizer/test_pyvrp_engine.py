"""What is particular to the PyVRP engine: what it refuses, and its progress reports."""

from __future__ import annotations

import itertools
from time import monotonic

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizer import Problem, Progress, Route, SolveParams, Visit, plan, pyvrp_engine
from optimizer.pyvrp_engine import (
    AGED_HISTORY,
    AGED_PERTURBATIONS,
    AGED_START_PENALTY,
    START_PENALTY,
    _Deadline,
    is_aged,
    solve,
    unsupported,
)
from optimizer.pyvrp_model import Translation
from tests.optimizer.build import depot, problem, stop, vehicle
from tests.optimizer.check import assert_valid
from tests.optimizer.strategies import problems

QUICK = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_unsupported_names_lateness(age_split: Problem, lateness: Problem) -> None:
    """Lateness is named; ages are expressed (conservatively); a plain problem has no reasons."""
    assert unsupported(lateness) == ["lateness (late_cost, max_lateness)"]
    assert unsupported(lateness.replace(late_cost=0)) == []
    assert unsupported(age_split) == []
    assert is_aged(age_split)
    assert not is_aged(lateness)


def test_aged_stop_slots_carry_release_times(late_cold: Problem) -> None:
    """Limit 60 in slots of 8: a copy served by ``b`` rides on a route that starts from b - 60."""
    model = Translation(late_cold)
    windows = [w for _, w, _ in model.copies]
    assert windows[0] == (150, 158)
    assert windows[-1] == (398, 400)
    assert all(a == b for (_, a), (b, _) in itertools.pairwise(windows))
    assert all(release == b - 60 for _, (_, b), release in model.copies)
    assert [c.release_time for c in model.data().clients()] == [r for _, _, r in model.copies]


def test_a_one_minute_cold_window_is_a_client() -> None:
    """A cold stop that must start at 38 exactly, with limit 15 from a shift opening at 9, is
    one PyVRP client released at 23; it used to have none and was lost on the way back."""
    nodes = [depot(), stop(((38, 38),), age_classes=(0,))]
    model = Translation(problem([0, 5], nodes, [vehicle(shift=(9, 200), max_age=(15,))]))
    assert model.copies == [(1, (38, 38), 23)]
    start = plan.assemble(model.problem, {0: [1]}, engine="test", elapsed_s=0)
    assert model.orders(model.solution(model.data(), start.routes)) == {0: [1]}


def test_early_part_of_a_window_needs_no_release(age_split: Problem) -> None:
    """Served by 0 + 25 no start is too early; the long rest is cut into at most 32 slots."""
    model = Translation(age_split)
    first = [copy for copy in model.copies if copy[0] == 1]
    assert first[0] == (1, (0, 25), 0)
    assert len(first) == 1 + 32


def test_progress_costs_stops_not_their_copies() -> None:
    """An optional two-window stop is two PyVRP clients with its penalty as prize, one left
    out; only the stop not visited at all costs its penalty, as in the plan."""
    nodes = [
        depot(),
        stop(((0, 10), (40, 60)), penalty=5000),
        stop(((0, 10),), penalty=700),
        stop(),
    ]
    fleet = [vehicle(fixed_cost=100)]
    two_windows = problem([0, 20, 50, 5], nodes, fleet)
    seen: list[Progress] = []
    solution = solve(two_windows, SolveParams(time_limit_s=0.2, on_progress=seen.append))
    assert_valid(two_windows, solution)
    assert solution.dropped == (2,)
    assert seen[-1].best_cost == solution.cost == 100 + 2 * 20 + 700


def test_progress_reported(consolidation: Problem) -> None:
    """New best solutions reach ``on_progress``."""
    seen: list[Progress] = []
    solution = solve(consolidation, SolveParams(time_limit_s=0.2, on_progress=seen.append))
    assert_valid(consolidation, solution)
    assert seen
    assert seen[-1].best_cost == solution.cost


def test_a_search_stalls_when_its_best_stops_changing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The stall clock restarts at each better plan and does not run while none is feasible."""
    now = [0.0]
    monkeypatch.setattr(pyvrp_engine, "monotonic", lambda: now[0])
    stop = _Deadline(deadline=100.0, give_up=None, stall_s=10.0)
    for t, best in [(0, 2**63), (30, 2**63), (31, 500), (40, 500), (41, 400), (50, 400)]:
        now[0] = t
        assert not stop(best)
    now[0] = 51.0
    assert stop(400)
    assert stop.stalled
    late = _Deadline(deadline=100.0, give_up=None, stall_s=10.0)
    now[0] = 95.0
    assert not late(400)
    now[0] = 100.0
    assert late(400)
    assert not late.stalled


def test_stalled_searches_restart_and_keep_the_best(
    consolidation: Problem, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A three-stop problem stops improving at once: each stall starts a new seed's search."""
    monkeypatch.setattr(pyvrp_engine, "MIN_STALL_S", 0.05)
    solution = solve(consolidation, SolveParams(time_limit_s=0.5))
    assert_valid(consolidation, solution)
    assert solution.stats["restarts"] >= 2
    assert len(solution.routes) == 1


def test_restarts_keep_to_the_search_seed_block(
    consolidation: Problem, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Restarts take the next seeds of the block and stop when it is used up, time or not."""
    seeds: list[int] = []
    real = pyvrp_engine.pyvrp.solve

    def recording(*args: object, seed: int, **kwargs: object) -> object:
        seeds.append(seed)
        return real(*args, seed=seed, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pyvrp_engine, "MIN_STALL_S", 0.02)
    monkeypatch.setattr(pyvrp_engine, "STALL_SHARE", 0.0)
    monkeypatch.setattr(pyvrp_engine, "SEEDS_PER_SEARCH", 3)
    monkeypatch.setattr(pyvrp_engine.pyvrp, "solve", recording)
    params = SolveParams(seed=7)
    pyvrp_engine.search(consolidation, params, deadline=monotonic() + 30, restart=True)
    assert seeds == [7, 8, 9]


@pytest.mark.parametrize(
    ("fixture", "history", "perturbations", "start"),
    [
        ("age_split", AGED_HISTORY, AGED_PERTURBATIONS, AGED_START_PENALTY),
        ("consolidation", 300, 25, START_PENALTY),
    ],
)
def test_aged_problems_search_with_settings_of_their_own(
    fixture: str,
    history: int,
    perturbations: int,
    start: float,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Aged problems get the short history and perturbations and the higher starting
    penalty; others PyVRP's defaults and the low one."""
    seen: list[pyvrp_engine.pyvrp.SolveParams] = []
    real = pyvrp_engine.pyvrp.solve

    def recording(
        *args: object, params: pyvrp_engine.pyvrp.SolveParams, **kwargs: object
    ) -> object:
        seen.append(params)
        return real(*args, params=params, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pyvrp_engine.pyvrp, "solve", recording)
    problem: Problem = request.getfixturevalue(fixture)
    pyvrp_engine.search(problem, SolveParams(), deadline=monotonic() + 0.1)
    (used,) = seen
    assert used.ils.history_length == history
    assert used.perturbation.max_perturbations == perturbations
    assert isinstance(used.penalty, pyvrp_engine._Penalties)
    assert used.penalty.start == start * pyvrp_engine._cost_scale(problem)


def test_no_restart_unless_asked(consolidation: Problem, monkeypatch: pytest.MonkeyPatch) -> None:
    """Searches with ages (conservative slots) keep one run: their better plans come late."""
    monkeypatch.setattr(pyvrp_engine, "MIN_STALL_S", 0.05)
    _, stats = pyvrp_engine.search(consolidation, SolveParams(), deadline=monotonic() + 0.5)
    assert stats["restarts"] == 0


@settings(QUICK, database=None)
@given(problem=problems(lateness=False), data=st.data())
def test_a_plan_reads_back_from_pyvrp_as_it_went_in(problem: Problem, data: st.DataObject) -> None:
    """A plan's routes translated for PyVRP and read back keep their visits and vehicle types."""
    vehicles = range(len(problem.vehicles))
    order = data.draw(st.permutations(problem.stops))
    riders = data.draw(
        st.lists(st.sampled_from(vehicles), min_size=len(order), max_size=len(order))
    )
    orders = {v: [i for i, r in zip(order, riders, strict=True) if r == v] for v in vehicles}
    start = plan.assemble(problem, orders, engine="test", elapsed_s=0)
    model = Translation(problem)
    read = model.orders(model.solution(model.data(), start.routes))
    types = {v: t for t, vs in enumerate(model.types) for v in vs}
    assert sorted((types[v], tuple(r)) for v, r in read.items()) == sorted(
        (types[r.vehicle], r.visits) for r in start.routes
    )


def test_a_warm_start_takes_in_the_stops_it_leaves_out(consolidation: Problem) -> None:
    """Started from a route serving two of three stops, PyVRP puts the third in before any
    search: its own search would seldom look at it."""
    start = plan.assemble(consolidation, {0: [1, 2]}, engine="test", elapsed_s=0)
    read, _ = pyvrp_engine.search(
        consolidation, SolveParams(), deadline=monotonic(), initial=start.routes
    )
    assert sorted(i for visits in read.values() for i in visits) == [1, 2, 3]


def test_a_warm_start_takes_the_copy_its_schedule_used(second_window: Problem) -> None:
    """Stop 1 served at 100 is the copy of its second window, which PyVRP keeps feasible."""
    start = plan.assemble(second_window, {0: [1]}, engine="test", elapsed_s=0)
    assert start.routes[0].starts == (100,)
    model = Translation(second_window)
    data = model.data()
    warm = model.solution(data, start.routes)
    assert warm.is_feasible()
    (route,) = warm.routes()
    assert [model.copies[a.idx][1] for a in route.schedule() if a.is_client()] == [(100, 120)]


@pytest.mark.parametrize(
    ("route_start", "visit", "slot"), [(241, 301, (294, 302)), (235, 295, (286, 294))]
)
def test_a_warm_start_puts_an_aged_stop_on_the_slot_that_misses_least(
    late_cold: Problem, route_start: int, visit: int, slot: tuple[int, int]
) -> None:
    """The cold stop's slots are 8 wide from 150, each released 60 before its end. At 301 from
    241 the slot holding the visit is released 1 late, the one before ends 7 early: the first
    wins. At 295 from 235 they miss by 7 and 1: the one before wins. PyVRP keeps either."""
    route = Route(1, (1,), route_start, (Visit(visit, visit, visit),), visit + 10)
    model = Translation(late_cold)
    warm = model.solution(model.data(), [route])
    (chosen,) = [
        model.copies[a.idx][1] for r in warm.routes() for a in r.schedule() if a.is_client()
    ]
    assert chosen == slot
    assert warm.is_feasible()
