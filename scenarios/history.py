"""A generated history of daily orders per region, the same for the same seed.

Two years of the demo's regions by default, each day's orders drawn around

    log(level) = region size + growth × years + yearly swing + weekday (the region's own)
                 + public holidays (a dip, busier the day before and after)
                 + Lunar New Year (stocking up for two weeks, then the break)
                 + campaigns (Double 11, Double 12, 618: warm-up, the day, deliveries after)
                 + AR(1) day-to-day noise

with Poisson counts on top. Each campaign's strength varies from year to year
(shared by all regions) and each region reacts to campaigns a little more or less
than the others. About 1% of rows are left out: a missing row is a day without
data, as in a real export. Run ``python -m scenarios.history --out FILE`` to
write one; ``scenarios/examples/order-history.csv`` is ``--seed 11``.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from dispatch.forecast.campaigns import campaign_offset, is_public_holiday, lny_offset
from dispatch.forecast.history import History, write_history
from scenarios.demo import demo_regions

START = date(2024, 11, 1)
"""First day of the example history: two Double 11s, 618s and Lunar New Years follow."""
DAYS = 730
SEED = 11

_SIZE = {
    "Beitou": 150, "Sanchong": 240, "Zhongshan": 280, "Neihu": 260, "Xinyi": 420,
    "Daan": 380, "Banqiao": 360, "Zhonghe": 300, "Xindian": 170,
}  # fmt: skip
_OFFICE = frozenset({"Xinyi", "Zhongshan", "Neihu"})
_WEEKDAY = (0.10, 0.04, 0.0, 0.02, 0.05, -0.12, -0.18)  # Monday first
_CAMPAIGN_UPLIFT: Mapping[str, Mapping[int, float]] = {
    "double11": {-3: 0.05, -2: 0.08, -1: 0.15, 0: 0.95, 1: 0.55, 2: 0.28, 3: 0.12},
    "double12": {-1: 0.05, 0: 0.50, 1: 0.28, 2: 0.12, 3: 0.05},
    "618": {-2: 0.05, -1: 0.10, 0: 0.65, 1: 0.35, 2: 0.15, 3: 0.05},
}
_HOLIDAY, _BEFORE_HOLIDAY, _AFTER_HOLIDAY = -0.25, 0.10, 0.08
_AR, _NOISE_SD = 0.4, 0.06
_CAMPAIGN_YEAR_SD, _CAMPAIGN_REGION_SD = 0.08, 0.10
_MISSING = 0.01


def region_ids() -> list[str]:
    """The demo's region ids, in the demo's order."""
    return [str(f["properties"]["id"]) for f in demo_regions()["features"]]


def lny_effect(offset: int) -> float:
    """Log change of deliveries ``offset`` days from Lunar New Year's day (初一)."""
    if -14 <= offset <= -3:
        return 0.05 + 0.30 * (offset + 14) / 11
    table = {-2: 0.10, -1: -0.60, 0: -1.0, 1: -1.0, 2: -1.0, 3: -0.9, 4: -0.4, 5: -0.3}
    if offset in table:
        return table[offset]
    return 0.10 if 6 <= offset <= 8 else 0.0


def generate_history(
    seed: int = SEED,
    *,
    start: date = START,
    days: int = DAYS,
    regions: Sequence[str] | None = None,
    missing: float = _MISSING,
) -> History:
    """Daily orders of ``regions`` (the demo's by default) for ``days`` days from ``start``."""
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    if not 0 <= missing < 1:
        raise ValueError(f"missing must be in [0, 1), got {missing}")
    ids = list(regions) if regions is not None else region_ids()
    rng = np.random.default_rng(seed)
    calendar = [start + timedelta(n) for n in range(days)]
    shared = np.array([_shared_effect(d) for d in calendar])
    campaign_rows = [campaign_offset(d) for d in calendar]
    strength = {  # each campaign occurrence's strength, shared by all regions
        (c.key, (d - timedelta(offset)).year): 1 + _CAMPAIGN_YEAR_SD * rng.standard_normal()
        for d, found in zip(calendar, campaign_rows, strict=True)
        if found is not None
        for c, offset in [found]
    }
    years = np.arange(days) / 365.25
    series: dict[str, dict[date, float]] = {}
    for region in ids:
        size = _SIZE.get(region, 100 + 300 * rng.random())
        growth = rng.uniform(0.06, 0.18)
        weekend = -0.10 if region in _OFFICE else 0.05
        weekday = np.array(_WEEKDAY) + rng.normal(0, 0.02, 7)
        weekday[5:] += weekend
        sensitivity = 1 + _CAMPAIGN_REGION_SD * rng.standard_normal()
        campaign = np.zeros(days)
        for n, found in enumerate(campaign_rows):
            if found is not None:
                c, offset = found
                year = (calendar[n] - timedelta(offset)).year
                uplift = _CAMPAIGN_UPLIFT[c.key].get(offset, 0.0)
                campaign[n] = uplift * strength[(c.key, year)] * sensitivity
        noise = _ar1(rng, days)
        dow = np.array([d.weekday() for d in calendar])
        log_level = math.log(size) + growth * years + weekday[dow] + shared + campaign + noise
        counts = rng.poisson(np.exp(log_level))
        kept = rng.random(days) >= missing
        series[region] = {d: float(c) for d, c, k in zip(calendar, counts, kept, strict=True) if k}
    return History(series)


def _shared_effect(day: date) -> float:
    """The log effect every region shares on ``day``: the year's swing, holidays, LNY."""
    swing = 0.05 * math.cos(2 * math.pi * (day.timetuple().tm_yday - 15) / 365.25)
    offset = lny_offset(day)
    if offset is not None and lny_effect(offset) != 0.0:
        return swing + lny_effect(offset)
    if is_public_holiday(day):
        return swing + _HOLIDAY
    if is_public_holiday(day + timedelta(1)):
        return swing + _BEFORE_HOLIDAY
    if is_public_holiday(day - timedelta(1)):
        return swing + _AFTER_HOLIDAY
    return swing


def _ar1(rng: np.random.Generator, n: int) -> np.ndarray:
    shocks = rng.normal(0, _NOISE_SD, n)
    out = np.empty(n)
    level = shocks[0] / math.sqrt(1 - _AR**2)
    for k in range(n):
        level = _AR * level + shocks[k] if k else level
        out[k] = level
    return out


def example_history_path() -> Path:
    """``scenarios/examples/order-history.csv``: the generated example history."""
    return Path(__file__).with_name("examples") / "order-history.csv"


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m scenarios.history``: write a generated history CSV."""
    parser = argparse.ArgumentParser(prog="python -m scenarios.history", description=__doc__)
    parser.add_argument("--out", type=Path, default=example_history_path())
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--start", type=date.fromisoformat, default=START, help="YYYY-MM-DD")
    parser.add_argument("--days", type=int, default=DAYS)
    args = parser.parse_args(argv)
    history = generate_history(args.seed, start=args.start, days=args.days)
    write_history(history, args.out)
    sys.stdout.write(
        f"{len(history)} rows, {len(history.regions)} regions, "
        f"{history.first} to {history.last} written to {args.out}\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
