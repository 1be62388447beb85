"""A golden end-to-end plan: a fixed request, solved with a fixed seed and an iteration limit,
is compared field by field with a stored plan, so any change in behaviour shows as a diff.

Regenerate the stored plan with ``pytest --update-golden`` (or ``UPDATE_GOLDEN=1``) and
read its diff before committing it.
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path
from typing import Any

import pytest

from dispatch.intake.loading import load_request
from dispatch.planning.day import plan_day
from dispatch.planning.validator import validate_plan

DATA = Path(__file__).resolve().parents[2] / "data"
REQUEST = DATA / "golden-request.json"
PLAN = DATA / "golden-plan.json"
ITERATIONS = 100
"""OR-Tools solutions per search: the search ends by this count, long before its time limit,
so the plan is the same on any machine."""
VOLATILE = ("seconds",)
"""Solver fields that measure the run rather than the plan."""


def _comparable(plan: dict[str, Any]) -> dict[str, Any]:
    solver = {k: v for k, v in plan["solver"].items() if k not in VOLATILE}
    return {**plan, "solver": solver}


def _text(plan: dict[str, Any]) -> str:
    return json.dumps(plan, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def test_the_golden_request_gives_the_stored_plan(request: pytest.FixtureRequest) -> None:
    """24 orders, windows, cold stops with tight limits, a van and a reefer: the plan (routes,
    times, costs, unserved reasons, KPIs) equals the stored one and passes the validator."""
    day = load_request(json.loads(REQUEST.read_text(encoding="utf-8")))
    assert day.options.engine == "ortools"
    plan = plan_day(day, iterations=ITERATIONS).model_dump(mode="json")
    assert validate_plan(day, plan) == []
    assert len(plan["routes"]) == 2
    assert plan["unserved"]
    found = _text(_comparable(plan))
    if request.config.getoption("--update-golden") or os.environ.get("UPDATE_GOLDEN") == "1":
        PLAN.write_text(found, encoding="utf-8")
    stored = PLAN.read_text(encoding="utf-8")
    diff = difflib.unified_diff(
        stored.splitlines(), found.splitlines(), "golden-plan.json", "this run", lineterm=""
    )
    assert found == stored, "\n".join(diff)
