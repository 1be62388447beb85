"""The forecast's backtest on the example history beats seasonal-naive (the issue's bar)."""

from __future__ import annotations

import pytest

from benchmarks.forecast import backtest, last_campaign
from dispatch.forecast.history import read_history
from scenarios.history import example_history_path


@pytest.mark.slow
def test_the_model_beats_seasonal_naive_on_the_last_campaign() -> None:
    """618 2026, the history's last campaign: lower MAPE than both naive forecasts."""
    history = read_history(example_history_path())
    campaign, day = last_campaign(history)
    result = backtest(history, campaign, day, 0.8)
    scores = {s.method: s for s in result.scores}
    model = scores["model"]
    assert model.mape_week < scores["naive-week"].mape_week
    assert model.mape_week < scores["naive-year"].mape_week
    assert model.mape_day < scores["naive-week"].mape_day
    assert model.coverage is not None
    assert model.coverage >= 0.6
