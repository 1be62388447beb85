"""What is particular to the PyVRP engine: what it refuses, and its progress reports."""

from __future__ import annotations

from optimizer import Problem, Progress, SolveParams
from optimizer.pyvrp_engine import _Translation, is_aged, solve, unsupported
from tests.optimizer.check import assert_valid


def test_unsupported_names_lateness(age_split: Problem, lateness: Problem) -> None:
    """Lateness is named; ages are expressed (conservatively); a plain problem has no reasons."""
    assert unsupported(lateness) == ["lateness (late_cost, max_lateness)"]
    assert unsupported(lateness.replace(late_cost=0)) == []
    assert unsupported(age_split) == []
    assert is_aged(age_split)
    assert not is_aged(lateness)


def test_aged_stop_copies_per_vehicle_class(late_cold: Problem) -> None:
    """The early class (deadline 0 + 60) cannot reach the stop; the late one until 100 + 60."""
    model = _Translation(late_cold)
    assert model.age_classes == 2
    assert model.copies == [(1, 1, (150, 160))]
    data = model.data()
    tags = [vt.capacity[1:] for vt in data.vehicle_types()]
    assert tags[0][1] == 0
    assert tags[1][1] > 0
    assert data.clients()[0].delivery[1:] == [0, model.tag_weight]


def test_progress_reported(consolidation: Problem) -> None:
    """New best solutions reach ``on_progress``."""
    seen: list[Progress] = []
    solution = solve(consolidation, SolveParams(time_limit_s=0.2, on_progress=seen.append))
    assert_valid(consolidation, solution)
    assert seen
    assert seen[-1].best_cost == solution.cost
