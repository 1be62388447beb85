"""The fallback of a short history: each region's last value on the same weekday, with the
empirical range of week-on-week ratios as its interval."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta

import numpy as np

from dispatch.forecast.history import History
from dispatch.forecast.result import (
    DEFAULT_LEVEL,
    Forecast,
    ForecastError,
    RegionForecast,
    check_level,
)


def seasonal_naive(
    history: History,
    day: date,
    *,
    level: float = DEFAULT_LEVEL,
    regions: Sequence[str] | None = None,
    notes: Sequence[str] = (),
) -> Forecast:
    """Each region's last value on ``day``'s weekday (else its last value) before ``day``.

    The interval is the empirical ``level`` range of week-on-week ratios (same weekday,
    seven days apart) in the history, pooled over regions; day-on-day ratios when
    fewer than five weekly pairs exist.
    """
    check_level(level)
    train = history.before(day)
    if not len(train):
        raise ForecastError(f"no data before {day}")
    asked = list(regions) if regions is not None else list(train.regions)
    unknown = [r for r in asked if r not in train.series]
    if unknown:
        raise ForecastError(
            f"unknown region(s) {', '.join(map(repr, unknown))}: the history has "
            f"{', '.join(train.regions)}"
        )
    ratios = _log_ratios(train, 7)
    if len(ratios) < 5:
        ratios = _log_ratios(train, 1)
    if len(ratios) < 5:
        raise ForecastError(
            f"the history is too short: {len(train)} day(s) of data; a forecast needs "
            "at least two weeks of one region or a week of several"
        )
    lo, hi = np.quantile(ratios, [(1 - level) / 2, (1 + level) / 2])
    out = []
    for region in asked:
        series = train.series[region]
        same = [d for d in series if (day - d).days % 7 == 0]
        base = series[max(same)] if same else series[max(series)]
        out.append(
            RegionForecast(
                region,
                base,
                max(math.expm1(math.log1p(base) + lo), 0.0),
                max(math.expm1(math.log1p(base) + hi), 0.0),
                "seasonal-naive",
            )
        )
    return Forecast(day, level, tuple(out), tuple(notes), (train.first, train.last))


def _log_ratios(history: History, lag: int) -> list[float]:
    out = []
    for series in history.series.values():
        for d, v in series.items():
            prev = series.get(d - timedelta(lag))
            if prev is not None:
                out.append(math.log1p(v) - math.log1p(prev))
    return out
