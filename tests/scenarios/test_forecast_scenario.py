"""A forecast turned into a scenario: the base day's orders scaled to the forecast."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from dispatch.forecast.result import Forecast, ForecastError, RegionForecast
from scenarios.forecast import Base, demand_level, scenario, write_scenario

DAY = date(2026, 11, 11)
FORECAST = Forecast(
    DAY,
    0.8,
    (RegionForecast("Xinyi", 1000.0, 800.0, 1300.0), RegionForecast("Daan", 500.0, 400.0, 650.0)),
)
BASE = Base({"date": "2026-11-04"}, {"Xinyi": 400, "Daan": 250, "Neihu": 100}, "2026-11-04")


@pytest.mark.parametrize(
    ("demand", "level", "name"),
    [("upper", 0.8, "90th percentile"), ("p80", 0.6, "80th percentile"), ("mean", 0.8, "mean")],
)
def test_demand_names_its_level_and_percentile(demand: str, level: float, name: str) -> None:
    """The upper bound of an 80% interval is the 90th percentile; p80 is that of a 60% one."""
    got_level, got_name = demand_level(demand, 0.8)
    assert got_level == pytest.approx(level)
    assert got_name == name


@pytest.mark.parametrize("demand", ["p50", "p100", "max", "p8"])
def test_an_unknown_demand_is_refused(demand: str) -> None:
    """Only mean, upper and p51 … p99."""
    with pytest.raises(ForecastError, match="demand"):
        demand_level(demand, 0.8)


def test_factors_bring_each_regions_base_orders_to_the_target() -> None:
    """Upper bound / base orders per region; a base region outside the forecast is left alone."""
    doc, notes = scenario(FORECAST, BASE)
    assert doc["name"] == "Double 11 2026, 90th percentile"
    assert doc["base"] == {"date": "2026-11-04"}
    assert doc["changes"] == [{"demand": {"by_region": {"Xinyi": 3.25, "Daan": 2.6}}}]
    assert doc["forecast"]["orders"]["Xinyi"] == {"base": 400, "target": 1300.0}
    assert notes == ["region Neihu of 2026-11-04 is not in the forecast: left as it is"]


def test_the_mean_scenario_uses_the_point_forecast(tmp_path: Path) -> None:
    """``mean`` divides the mean by the base; the YAML reads back the same."""
    doc, _ = scenario(FORECAST, BASE, demand="mean")
    assert doc["changes"][0]["demand"]["by_region"] == {"Xinyi": 2.5, "Daan": 2.0}
    path = write_scenario(doc, tmp_path / "s.yaml")
    assert yaml.safe_load(path.read_text(encoding="utf-8")) == doc
