"""The risk register: each scenario's likelihood against its impact, and contingencies ranked.

Impact is measured against the baseline: extra cost (money) and lost on-time rate
(percentage points). A contingency's expected saving is the likelihood-weighted sum,
over the scenarios, of the cost it saves on that scenario's day (its fee included).
"""

from __future__ import annotations

from typing import Any

Json = dict[str, Any]


def risk_matrix(result: Json) -> list[Json]:
    """One row per scenario: likelihood, extra cost, lost on-time rate and expected extra cost."""
    base = result["baseline"]["figures"]
    rows = []
    for case in result["scenarios"]:
        f = case["figures"]
        likely = result["likelihood"].get(case["name"]) or {}
        p = likely.get("p")
        extra = round(f["total"] - base["total"], 2)
        rows.append(
            {
                "scenario": case["name"],
                "likelihood": p,
                "per": likely.get("per", "campaign"),
                "extra_cost": extra,
                "lost_on_time_pct": round(
                    100 * max(base["on_time_rate"] - f["on_time_rate"], 0), 2
                ),
                "unserved": f["unserved"],
                "expected_extra_cost": None if p is None else round(p * extra, 2),
            }
        )
    return rows


def ranked_contingencies(result: Json) -> list[Json]:
    """Contingencies by expected cost saved, best first, with the saving per scenario."""
    totals = {c["name"]: c["figures"]["total"] for c in result["scenarios"]}
    by_name: dict[str, Json] = {}
    for case in result["contingencies"]:
        name, scenario = case["contingency"], case["scenario"]
        p = (result["likelihood"].get(scenario) or {}).get("p") or 0.0
        saved = round(totals[scenario] - case["figures"]["total"], 2)
        row = by_name.setdefault(
            name,
            {"contingency": name, "fee": result["fees"].get(name, 0.0), "expected_saving": 0.0,
             "per_scenario": {}},
        )  # fmt: skip
        row["per_scenario"][scenario] = saved
        row["expected_saving"] = round(row["expected_saving"] + p * saved, 2)
    return sorted(by_name.values(), key=lambda r: -r["expected_saving"])
