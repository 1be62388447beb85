"""The risk matrix and the contingencies' ranking, on figures checked by hand."""

from __future__ import annotations

from typing import Any

from scenarios.risk import ranked_contingencies, risk_matrix


def case(name: str, total: float, on_time: float = 1.0, **kw: Any) -> dict[str, Any]:
    figures = {"total": total, "on_time_rate": on_time, "unserved": 0}
    return {"name": name, "figures": figures, **kw}


RESULT = {
    "baseline": case("baseline", 1000),
    "scenarios": [case("storm", 3000, 0.9), case("peak", 1500)],
    "contingencies": [
        case("storm + vans", 2000, scenario="storm", contingency="vans"),
        case("peak + vans", 1600, scenario="peak", contingency="vans"),
        case("storm + backup", 2600, scenario="storm", contingency="backup"),
        case("peak + backup", 1200, scenario="peak", contingency="backup"),
    ],
    "likelihood": {"storm": {"p": 0.1, "per": "month"}, "peak": {"p": 0.5, "per": "campaign"}},
    "fees": {"vans": 0.0, "backup": 50.0},
}


def test_risk_matrix_is_likelihood_and_impact() -> None:
    storm, peak = risk_matrix(RESULT)
    assert storm["extra_cost"] == 2000
    assert storm["lost_on_time_pct"] == 10.0
    assert storm["expected_extra_cost"] == 200
    assert peak["expected_extra_cost"] == 250


def test_contingencies_rank_by_expected_saving() -> None:
    ranked = ranked_contingencies(RESULT)
    # backup: 0.1 × 400 + 0.5 × 300 = 190; vans: 0.1 × 1000 + 0.5 × -100 = 50
    assert [(r["contingency"], r["expected_saving"]) for r in ranked] == [
        ("backup", 190.0),
        ("vans", 50.0),
    ]
    assert ranked[1]["per_scenario"] == {"storm": 1000, "peak": -100}
