"""Forecast one day's orders per region: the model when some region has enough days of data,
else the seasonal-naive fallback, named in the forecast's notes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from dispatch.forecast.history import History
from dispatch.forecast.model import MIN_REGION_DAYS, fit
from dispatch.forecast.naive import seasonal_naive
from dispatch.forecast.result import DEFAULT_LEVEL, Forecast, ForecastError, check_level


def forecast(
    history: History,
    day: date,
    *,
    level: float = DEFAULT_LEVEL,
    regions: Sequence[str] | None = None,
) -> Forecast:
    """Forecast ``day`` from the history's days before it, for ``regions`` (all by default)."""
    return forecast_levels(history, day, (level,), regions=regions)[0]


def forecast_levels(
    history: History,
    day: date,
    levels: Sequence[float],
    *,
    regions: Sequence[str] | None = None,
) -> list[Forecast]:
    """:func:`forecast` at several levels from one fit."""
    for level in levels:
        check_level(level)
    if not len(history):
        raise ForecastError("the history holds no data")
    train = history.before(day)
    if not len(train):
        raise ForecastError(f"no data before {day}: the history starts on {history.first}")
    unknown = [r for r in regions or () if r not in train.series]
    if unknown:
        raise ForecastError(
            f"unknown region(s) {', '.join(map(repr, unknown))}: the history before {day} has "
            f"{', '.join(train.regions)}"
        )
    if all(len(s) < MIN_REGION_DAYS for s in train.series.values()):
        most = max(len(s) for s in train.series.values())
        note = (
            f"the history is short (at most {most} days per region, {MIN_REGION_DAYS} needed "
            "for the model): each region's forecast is its last value on the same weekday"
        )
        return [
            seasonal_naive(train, day, level=level, regions=regions, notes=(note,))
            for level in levels
        ]
    model = fit(train)
    return [model.predict(day, level=level, regions=regions) for level in levels]
