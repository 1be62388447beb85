"""A small study's result, solved once per test session, for the report's tests."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from optimizer.executor import Inline
from scenarios.spec import check_scenarios
from scenarios.study import study
from tests.scenarios.conftest import SOLVE, tiny

HOSTILE = '<img src=x onerror="alert(1)"></script><script>alert(2)</script>'
"""A scenario name that must show as text."""


@cache
def tiny_result(folder: str) -> dict[str, Any]:
    """The tiny day's study (run, sizing, promise) written to ``folder``."""
    path = Path(folder) / "tiny.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(tiny(), ensure_ascii=False), encoding="utf-8")
    spec = check_scenarios(
        {
            "name": "Tiny peak",
            "base": {"request": "tiny.json"},
            "solve": SOLVE,
            "scenarios": [
                {
                    "name": "peak ×2",
                    "likelihood": {"p": 0.4},
                    "changes": [{"demand": {"factor": 2}}],
                },
                {
                    "name": HOSTILE,
                    "likelihood": {"p": 0.1},
                    "changes": [{"travel_slower": {"factor": 1.5}}],
                },
            ],
            "contingencies": [
                {
                    "name": "rented reefer",
                    "fee": 300,
                    "changes": [
                        {"rent_vehicles": [{"id": "R", "like": "REEFER-1", "cost": {"fixed": 0}}]}
                    ],
                }
            ],
            "offer": {
                "scenario": "peak ×2",
                "max_extra": 3,
                "vehicles": [{"id": "RENT", "like": "REEFER-1", "rent": 1400, "max": 3}],
            },
            "promise": {"regions": ["unassigned"], "max_multiple": 3},
        },
        source=str(path.parent / "tiny.yaml"),
        folder=path.parent,
    )
    return study(spec, Path(folder) / "report", executor=Inline())
