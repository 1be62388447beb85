"""Backtest of the peak forecast on the last campaign of a history, against seasonal-naive.

For the last campaign day D whose week (D-3 … D+3) lies inside the history, the
model is fitted on the days before D-3 and forecasts each day of that week for
every region (horizons 1 to 7 days). Two seasonal-naive forecasts are scored the
same way, from the same data:

* ``naive-week``: the same weekday of the last week before the window (D-7 for D);
  its interval is the history's week-on-week ratio range at the same level;
* ``naive-year``: last year's value on the same day of the same campaign (D-1y for D),
  no interval.

Printed: MAPE over the week and on the campaign day alone, and the share of actual
values inside the prediction interval. ``--campaign double11`` (or ``618``,
``double12``) backtests the last campaign of that kind instead; ``--all`` does the
last of each kind as well.

    python -m benchmarks.forecast [HISTORY.csv] [--level 0.8] [--all]
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from dispatch.forecast.campaigns import CAMPAIGN_WINDOW, CAMPAIGNS, Campaign, campaign_days
from dispatch.forecast.history import History, read_history
from dispatch.forecast.model import fit
from dispatch.forecast.naive import seasonal_naive
from scenarios.history import example_history_path


@dataclass(frozen=True)
class Score:
    """One method's errors on one backtest."""

    method: str
    mape_week: float
    mape_day: float
    coverage: float | None


@dataclass(frozen=True)
class Backtest:
    """The scores of every method on one campaign's week."""

    campaign: Campaign
    day: date
    trained_until: date
    points: int
    scores: tuple[Score, ...]


def last_campaign(history: History, key: str | None = None) -> tuple[Campaign, date]:
    """The last campaign (of kind ``key`` when given) whose whole window lies in the history."""
    last = CAMPAIGN_WINDOW[-1]
    found = [
        (c, d)
        for d, c in campaign_days(history.first, history.last)
        if d + timedelta(last) <= history.last and (key is None or c.key == key)
    ]
    if not found:
        raise ValueError(f"no {'campaign' if key is None else key} with its week in the history")
    return found[-1]


def backtest(history: History, campaign: Campaign, day: date, level: float) -> Backtest:
    """Fit before the campaign's week, forecast each day of it, score against the actuals."""
    start = day + timedelta(CAMPAIGN_WINDOW[0])
    train = history.before(start)
    model = fit(train)
    rows: dict[str, list[tuple[float, float, float | None, float | None, bool]]] = {
        "model": [],
        "naive-week": [],
        "naive-year": [],
    }
    for offset in CAMPAIGN_WINDOW:
        target = day + timedelta(offset)
        f = model.predict(target, level=level)
        n = seasonal_naive(train, target, level=level)
        aligned = campaign.on(day.year - 1) + timedelta(offset)
        for region in history.regions:
            actual = history.series[region].get(target)
            if actual is None or actual <= 0:
                continue
            on_day = offset == 0
            r = f.region(region)
            rows["model"].append((actual, r.mean, r.lower, r.upper, on_day))
            b = n.region(region)
            rows["naive-week"].append((actual, b.mean, b.lower, b.upper, on_day))
            last_year = history.series[region].get(aligned)
            if last_year is not None:
                rows["naive-year"].append((actual, last_year, None, None, on_day))
    scores = tuple(_score(name, found) for name, found in rows.items() if found)
    return Backtest(campaign, day, train.last, len(rows["model"]), scores)


def _score(
    method: str, rows: Sequence[tuple[float, float, float | None, float | None, bool]]
) -> Score:
    actual = np.array([r[0] for r in rows])
    point = np.array([r[1] for r in rows])
    ape = np.abs(point - actual) / actual
    on_day = np.array([r[4] for r in rows])
    bounded = [(a, lo, hi) for a, _, lo, hi, _ in rows if lo is not None and hi is not None]
    coverage = float(np.mean([lo <= a <= hi for a, lo, hi in bounded])) if bounded else None
    mape_day = float(np.mean(ape[on_day])) if on_day.any() else float("nan")
    return Score(method, float(np.mean(ape)), mape_day, coverage)


def report(result: Backtest, level: float) -> str:
    """The backtest as a small text table."""
    c, d = result.campaign, result.day
    lines = [
        f"{c.name} {d} (week {d + timedelta(CAMPAIGN_WINDOW[0])} to "
        f"{d + timedelta(CAMPAIGN_WINDOW[-1])}), trained on days up to {result.trained_until}, "
        f"{result.points} region-days",
        f"  {'method':<12}{'MAPE week':>11}{'MAPE day':>10}{f'cover {level:.0%}':>12}",
    ]
    for s in result.scores:
        cover = "—" if s.coverage is None else f"{s.coverage:.0%}"
        lines.append(f"  {s.method:<12}{s.mape_week:>11.1%}{s.mape_day:>10.1%}{cover:>12}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.forecast", description=__doc__)
    parser.add_argument("history", nargs="?", type=Path, default=example_history_path())
    parser.add_argument("--level", type=float, default=0.8)
    parser.add_argument("--campaign", choices=[c.key for c in CAMPAIGNS], default=None)
    parser.add_argument("--all", action="store_true", help="also the last of each campaign kind")
    args = parser.parse_args(argv)
    history = read_history(args.history)
    print(f"history {args.history}: {len(history)} rows, {history.first} to {history.last}")
    targets = [last_campaign(history, args.campaign)]
    if args.all:
        targets += [last_campaign(history, c.key) for c in CAMPAIGNS]
    done = set()
    for campaign, day in targets:
        if day in done:
            continue
        done.add(day)
        print(report(backtest(history, campaign, day, args.level), args.level))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
