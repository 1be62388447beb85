"""The peak forecast: small series whose right answer can be checked by hand."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from datetime import date, timedelta

import numpy as np
import pytest

from dispatch.forecast.campaigns import CAMPAIGN_WINDOW
from dispatch.forecast.history import History
from dispatch.forecast.model import fit
from dispatch.forecast.naive import seasonal_naive
from dispatch.forecast.predict import forecast, forecast_levels
from dispatch.forecast.result import ForecastError

START = date(2025, 3, 3)  # a Monday, far from Lunar New Year


def build(
    orders: Callable[[str, date], float | None],
    *,
    regions: tuple[str, ...] = ("A", "B", "C"),
    start: date = START,
    days: int = 120,
) -> History:
    """A history of ``orders(region, day)``; None leaves the row out."""
    rows = []
    for n in range(days):
        day = start + timedelta(n)
        for region in regions:
            value = orders(region, day)
            if value is not None:
                rows.append((day, region, value))
    return History.from_rows(rows)


def test_a_flat_series_forecasts_flat() -> None:
    """100 orders every day in every region: the forecast is 100 with a tight interval."""
    history = build(lambda region, day: 100.0)
    result = forecast(history, START + timedelta(121))
    for r in result.regions:
        assert r.mean == pytest.approx(100, rel=0.01)
        assert r.lower <= r.mean <= r.upper
        assert r.upper - r.lower < 2


def test_a_pure_weekly_pattern_is_recovered() -> None:
    """Each region's own weekday pattern comes back for every day of the next week."""
    pattern = {"A": (150, 100, 100, 100, 100, 60, 40), "B": (80, 80, 80, 80, 120, 200, 200)}
    history = build(lambda region, day: pattern[region][day.weekday()], regions=("A", "B"))
    model = fit(history)
    for k in range(7):
        day = history.last + timedelta(1 + k)
        result = model.predict(day)
        for region, values in pattern.items():
            assert result.region(region).mean == pytest.approx(values[day.weekday()], rel=0.02)


def test_missing_rows_are_no_data_not_zero() -> None:
    """Every third day left out: the level stays 100, not a third lower."""
    history = build(lambda region, day: None if day.toordinal() % 3 == 0 else 100.0)
    assert forecast(history, START + timedelta(121)).region("A").mean == pytest.approx(
        100, rel=0.01
    )


def _campaign_history(hide: str | None) -> History:
    """Four regions of 100 a day with Double 11 at 2.5× (its window around it), seeded noise;
    region ``hide`` has no rows in the 2024 Double 11 week."""
    rng = np.random.default_rng(3)
    noise = {(r, n): rng.normal(0, 0.03) for r in "ABCD" for n in range(500)}
    uplift = {-1: 0.2, 0: math.log(2.5), 1: 0.4}
    d11 = date(2024, 11, 11)

    def orders(region: str, day: date) -> float | None:
        offset = (day - d11).days
        if region == hide and offset in CAMPAIGN_WINDOW:
            return None
        n = (day - date(2024, 8, 1)).days
        return round(100 * math.exp(uplift.get(offset, 0.0) + noise[(region, n)]))

    return build(orders, regions=("A", "B", "C", "D"), start=date(2024, 8, 1), days=400)


@pytest.mark.slow
def test_a_pooled_campaign_uplift_reaches_a_region_without_campaign_days() -> None:
    """D has no data around its own Double 11, yet gets the uplift A, B and C show."""
    history = _campaign_history(hide="D")
    result = forecast(history, date(2025, 11, 11))
    d = result.region("D")
    assert d.mean == pytest.approx(250, rel=0.1)
    assert d.lower < 250 < d.upper
    ordinary = forecast(history, date(2025, 8, 20)).region("D")
    assert ordinary.mean == pytest.approx(100, rel=0.1)


def test_intervals_widen_with_the_level() -> None:
    """The 50% interval lies inside the 80% one, which lies inside the 95% one."""
    history = _campaign_history(hide=None)
    day = date(2025, 9, 10)
    widths = [f.region("A") for f in forecast_levels(history, day, (0.5, 0.8, 0.95))]
    for narrow, wide in itertools.pairwise(widths):
        assert wide.lower < narrow.lower
        assert narrow.upper < wide.upper


def test_the_forecast_document_has_the_contract_shape() -> None:
    """``day``, ``level`` and per region ``region``, ``mean``, ``lower``, ``upper``."""
    doc = forecast(build(lambda r, d: 50.0), START + timedelta(130), level=0.9).as_json()
    assert doc["day"] == (START + timedelta(130)).isoformat()
    assert doc["level"] == 0.9
    assert [r["region"] for r in doc["regions"]] == ["A", "B", "C"]
    for r in doc["regions"]:
        assert {"region", "mean", "lower", "upper"} <= set(r)
        assert all(isinstance(r[k], float) for k in ("mean", "lower", "upper"))


def test_a_region_with_few_days_follows_the_average_region_scaled() -> None:
    """E has ten days at half the others' level: forecast at half, with a note naming it."""
    history = build(
        lambda region, day: (
            None
            if region == "E" and day < START + timedelta(110)
            else (50.0 if region == "E" else 100.0)
        ),
        regions=("A", "B", "E"),
    )
    result = forecast(history, START + timedelta(121))
    e = result.region("E")
    assert e.method == "scaled-average"
    assert e.mean == pytest.approx(50, rel=0.05)
    assert any("region E has 10 day(s)" in n for n in result.notes)


def test_a_short_history_falls_back_to_the_same_weekday_with_a_note() -> None:
    """Three weeks of data: the last same weekday's value, said so in the notes."""
    history = build(lambda region, day: 100.0 + day.weekday(), days=21)
    result = forecast(history, START + timedelta(23))
    assert result.region("A").method == "seasonal-naive"
    assert result.region("A").mean == 100.0 + (START + timedelta(23)).weekday()
    assert "short" in result.notes[0]


def test_a_history_of_a_few_days_is_refused_with_the_reason() -> None:
    """Three days of one region: too short, and the message says so."""
    history = build(lambda region, day: 10.0, regions=("A",), days=3)
    with pytest.raises(ForecastError, match="too short"):
        forecast(history, START + timedelta(4))


def test_an_unknown_region_is_named() -> None:
    """Asking for a region the history lacks names it and lists the known ones."""
    with pytest.raises(ForecastError, match=r"'Nowhere'.*A, B, C"):
        forecast(build(lambda r, d: 10.0), START + timedelta(121), regions=["Nowhere"])


@pytest.mark.parametrize("level", [0, 1, 1.5, -0.2])
def test_a_level_outside_zero_to_one_is_refused(level: float) -> None:
    """The level is a probability strictly between 0 and 1."""
    with pytest.raises(ForecastError, match="level"):
        forecast(build(lambda r, d: 10.0), START + timedelta(121), level=level)


def test_a_day_before_the_history_is_refused() -> None:
    """Nothing to learn from before the first day."""
    with pytest.raises(ForecastError, match="no data before"):
        forecast(build(lambda r, d: 10.0), START - timedelta(1))


def test_seasonal_naive_takes_last_weeks_same_weekday() -> None:
    """The baseline of the benchmark: the value seven days earlier."""
    history = build(lambda region, day: float(day.toordinal() % 97), days=30)
    day = START + timedelta(30)
    assert seasonal_naive(history, day).region("B").mean == float(
        (day - timedelta(7)).toordinal() % 97
    )
