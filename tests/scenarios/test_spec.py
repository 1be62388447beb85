"""Scenario files: the schema is checked, every error names the file, the line and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from scenarios.base import base_request
from scenarios.changes import apply_changes
from scenarios.spec import ScenarioError, parse_scenarios, read_scenarios

EXAMPLES = Path(__file__).parents[2] / "scenarios" / "examples"


@pytest.mark.parametrize("name", ["double11.yaml", "typhoon.yaml", "carrier-down.yaml"])
def test_examples_are_valid_and_apply(name: str) -> None:
    spec = read_scenarios(EXAMPLES / name)
    base = base_request(spec)
    for scenario in spec.scenarios:
        assert scenario.likelihood is not None
        apply_changes(base, scenario.changes)
    for contingency in spec.contingencies:
        apply_changes(base, contingency.changes)


def test_errors_name_file_line_and_field() -> None:
    text = """name: bad
base: {demo: {orders: 20}}
scenarios:
  - name: one
    changes:
      - demand: {factor: -1}
      - wind: {speed: 3}
"""
    with pytest.raises(ScenarioError) as error:
        parse_scenarios(text, source="bad.yaml")
    texts = [str(e) for e in error.value.errors]
    assert any("bad.yaml" in t and "scenarios[0].changes[0].demand.factor" in t for t in texts)
    assert any("line 6" in t for t in texts)
    assert any("line 7" in t and "wind" in t for t in texts)


def test_bad_yaml_names_the_line() -> None:
    with pytest.raises(ScenarioError) as error:
        parse_scenarios("base: {demo: {}}\nchanges: [\n  - x\n", source="x.yaml")
    assert "line" in str(error.value.errors[0])
    assert "x.yaml" in str(error.value.errors[0])


def test_a_forecast_file_is_a_set_of_one(tmp_path: Path) -> None:
    spec = parse_scenarios(
        "name: Double 11 2026, 90th percentile\nbase: {demo: {orders: 20, date: 2026-11-11}}\n"
        "changes:\n- demand:\n    by_region: {Xinyi: 2.5}\nforecast: {day: 2026-11-11}\n"
    )
    assert [s.name for s in spec.scenarios] == ["Double 11 2026, 90th percentile"]
    assert spec.base == {"demo": {"orders": 20, "date": "2026-11-11"}}


def test_names_are_unique_and_baseline_is_reserved() -> None:
    text = (
        "base: {demo: {}}\nscenarios:\n- {name: a, changes: []}\n- {name: a, changes: []}\n"
        "- {name: baseline, changes: []}\n"
    )
    with pytest.raises(ScenarioError) as error:
        parse_scenarios(text)
    assert [e.field for e in error.value.errors] == ["scenarios[1].name", "scenarios[2].name"]


def test_a_stored_date_needs_the_store() -> None:
    spec = parse_scenarios("base: {date: '2026-11-11'}\nchanges: []\n")
    with pytest.raises(ScenarioError, match=r"base\.date"):
        base_request(spec)
    assert base_request(spec, lambda day: {"date": day.isoformat()}) == {"date": "2026-11-11"}


def test_the_file_the_forecast_writes_is_a_valid_scenario_set(tmp_path: Path) -> None:
    from datetime import date

    from dispatch.forecast.result import Forecast, RegionForecast
    from scenarios.forecast import demo_base, scenario, write_scenario

    day = date(2026, 11, 11)
    forecast = Forecast(day, 0.8, (RegionForecast("Xinyi", 30.0, 20.0, 40.0),))
    doc, _ = scenario(forecast, demo_base(day, orders=40), history="history.csv")
    spec = read_scenarios(write_scenario(doc, tmp_path / "d11.yaml"))
    (only,) = spec.scenarios
    base = base_request(spec)
    changed = apply_changes(base, only.changes).request
    assert len(changed["orders"]) > len(base["orders"])
