"""What a forecast gives: one day's orders per region, each with its interval at the forecast's
level; and the error that says why a forecast cannot be made."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

DEFAULT_LEVEL = 0.8


Json = dict[str, Any]


class ForecastError(ValueError):
    """The forecast cannot be made: the message says why (day, level, region, history)."""


@dataclass(frozen=True, slots=True)
class RegionForecast:
    """Orders forecast for one region: point (``mean``) and interval at the forecast's level."""

    region: str
    mean: float
    lower: float
    upper: float
    method: str = "model"
    """``model``, ``scaled-average`` (short region) or ``seasonal-naive`` (short history)."""

    def as_json(self) -> Json:
        """The contract's region record (orders rounded to 0.1) with the method used."""
        return {
            "region": self.region,
            "mean": round(self.mean, 1),
            "lower": round(self.lower, 1),
            "upper": round(self.upper, 1),
            "method": self.method,
        }


@dataclass(frozen=True, slots=True)
class Forecast:
    """One day's forecast for every region asked."""

    day: date
    level: float
    regions: tuple[RegionForecast, ...]
    notes: tuple[str, ...] = ()
    history: tuple[date, date] | None = None
    """First and last day of the data the model learnt from."""

    def region(self, region: str) -> RegionForecast:
        """The forecast of ``region``; KeyError when it was not forecast."""
        for r in self.regions:
            if r.region == region:
                return r
        raise KeyError(region)

    def as_json(self) -> Json:
        """The contract's document: ``{"day", "level", "regions": [...]}`` plus notes."""
        doc: Json = {
            "day": self.day.isoformat(),
            "level": self.level,
            "regions": [r.as_json() for r in self.regions],
        }
        if self.history is not None:
            doc["history"] = {
                "first": self.history[0].isoformat(),
                "last": self.history[1].isoformat(),
            }
        doc["notes"] = list(self.notes)
        return doc


def check_level(level: float) -> None:
    if not (isinstance(level, int | float) and 0 < level < 1):
        raise ForecastError(f"level must be between 0 and 1 (e.g. 0.8), got {level!r}")
