"""What the model sees of a day: the calendar features every region shares (holidays, Lunar
New Year, campaigns) and a region's row of the design (level, trend, weekday, yearly swing)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from dispatch.forecast.campaigns import campaign_offset, is_public_holiday, lny_offset

_LNY_BINS: tuple[tuple[int, int], ...] = (
    (-21, -15), (-14, -10), (-9, -6), (-5, -3), *((k, k) for k in range(-2, 9)), (9, 14),
)  # fmt: skip


def _lny_key(offset: int) -> str | None:
    for lo, hi in _LNY_BINS:
        if lo <= offset <= hi:
            return f"lny:{lo}" if lo == hi else f"lny:{lo}..{hi}"
    return None


def calendar_features(day: date) -> dict[str, float]:
    """The features every region shares on ``day``: holidays, Lunar New Year, campaigns."""
    out: dict[str, float] = {}
    offset = lny_offset(day)
    key = _lny_key(offset) if offset is not None else None
    if key is not None:
        out[key] = 1.0
    else:
        if is_public_holiday(day):
            out["holiday"] = 1.0
        elif is_public_holiday(day + timedelta(1)):
            out["pre-holiday"] = 1.0
        elif is_public_holiday(day - timedelta(1)):
            out["post-holiday"] = 1.0
    found = campaign_offset(day)
    if found is not None:
        c, k = found
        out[f"campaign:{c.key}:{k:+d}"] = 1.0
    return out


def is_special(features: Mapping[str, float]) -> bool:
    return any(k.startswith(("campaign:", "lny:")) for k in features)


def campaign_key(features: Mapping[str, float]) -> str | None:
    return next((k for k in features if k.startswith("campaign:")), None)


@dataclass(frozen=True)
class Design:
    origin: date
    yearly: bool
    trend_regions: frozenset[str]
    columns: tuple[str, ...]

    def row(self, day: date, region: str) -> dict[str, float]:
        years = (day - self.origin).days / 365.25
        out = {f"region:{region}": 1.0}
        if region in self.trend_regions:
            out[f"trend:{region}"] = years
        if day.weekday():
            out[f"weekday{day.weekday()}:{region}"] = 1.0
        if self.yearly:
            angle = 2 * math.pi * day.timetuple().tm_yday / 365.25
            for k in (1, 2):
                out[f"year:cos{k}"] = math.cos(k * angle)
                out[f"year:sin{k}"] = math.sin(k * angle)
        out.update(calendar_features(day))
        return out

    def vector(self, features: Mapping[str, float]) -> np.ndarray:
        return np.array([features.get(c, 0.0) for c in self.columns])
