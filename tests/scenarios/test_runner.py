"""The runner solves the baseline and every scenario, each plan checked by the validator."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from dispatch import load_request, plan_request, validate_plan
from optimizer.executor import Inline
from scenarios.changes import apply_changes
from scenarios.runner import run_set
from scenarios.sourcing_day import sourcing_day
from scenarios.spec import check_scenarios
from tests.scenarios.conftest import SOLVE, tiny


def spec_for(tiny_file: Path) -> object:
    return check_scenarios(
        {
            "name": "tiny",
            "base": {"request": tiny_file.name},
            "solve": SOLVE,
            "scenarios": [
                {"name": "more", "likelihood": {"p": 0.5}, "changes": [{"demand": {"factor": 2}}]},
                {"name": "early", "changes": [{"earlier_start": {"share": 0.25}}]},
            ],
            "contingencies": [
                {
                    "name": "van",
                    "fee": 100,
                    "changes": [
                        {"rent_vehicles": [{"id": "R", "like": "REEFER-1", "cost": {"fixed": 0}}]}
                    ],
                },
            ],
        },
        source=str(tiny_file),
        folder=tiny_file.parent,
    )


def test_every_case_is_solved_and_valid(tiny_file: Path) -> None:
    result = run_set(spec_for(tiny_file), executor=Inline())  # type: ignore[arg-type]
    names = [
        c["name"] for c in (result["baseline"], *result["scenarios"], *result["contingencies"])
    ]
    assert names == ["baseline", "more", "early", "more + van", "early + van"]
    for case in (result["baseline"], *result["scenarios"], *result["contingencies"]):
        assert case["figures"]["violations"] == 0, case["violations"]
    base, more, early = result["baseline"], *result["scenarios"]
    assert base["figures"]["orders"] == 8
    assert more["figures"]["orders"] == 16
    assert early["figures"]["moved"] == 2
    price = base["figures"]["cost_per_order"]
    assert early["figures"]["moved_cost"] == pytest.approx(2 * price, abs=0.01)
    assert more["figures"]["unserved"] > 0
    with_van = result["contingencies"][0]["figures"]
    assert with_van["fees"] == 100
    assert with_van["unserved"] < more["figures"]["unserved"]


def test_the_base_file_is_not_changed(tiny_file: Path) -> None:
    before = tiny_file.read_bytes()
    run_set(spec_for(tiny_file), executor=Inline())  # type: ignore[arg-type]
    assert tiny_file.read_bytes() == before


@pytest.mark.parametrize(
    "day",
    [tiny(), sourcing_day(3, orders=24, time_limit_s=30), sourcing_day(8, orders=30, vans=1)],
    ids=["tiny", "sourcing-3", "sourcing-8"],
)
def test_doubling_demand_never_lowers_the_total_cost(day: dict[str, object]) -> None:
    original = copy.deepcopy(day)
    totals = []
    for k in (1, 2):
        request = apply_changes(day, [{"demand": {"factor": k}}]).request
        request["options"] = {**request.get("options", {}), **SOLVE}  # type: ignore[dict-item]
        loaded = load_request(request)
        planned = plan_request(loaded, time_limit_s=30, iterations=SOLVE["iterations"])
        assert validate_plan(loaded, planned.plan.document()) == []
        totals.append(planned.plan.objective.total)
    assert totals[1] >= totals[0]
    assert day == original


def test_a_bad_case_names_itself_after_the_trip_from_a_worker() -> None:
    import pickle

    from scenarios.runner import Case, CaseError, solve_case

    bad = {**tiny(), "vehicles": [{"id": "V", "depot": "NOWHERE"}]}
    with pytest.raises(CaseError) as error:
        solve_case(Case("broken", bad), SOLVE)
    back = pickle.loads(pickle.dumps(error.value))
    assert back.errors == error.value.errors
    assert back.errors[0].record.startswith("broken: ")
    assert "NOWHERE" in str(back)
