"""The shopping and holiday calendar of Taiwan's group-buy deliveries, in one place.

Campaigns (Double 11, Double 12, 618) fall on fixed dates every year; Lunar New
Year and the public holidays come from the ``holidays`` package (``holidays.TW``).
The history generator and the forecast both read the calendar from here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays


@dataclass(frozen=True, slots=True)
class Campaign:
    """A shopping campaign on the same month and day every year."""

    key: str
    name: str
    month: int
    day: int

    def on(self, year: int) -> date:
        """The campaign's day in ``year``."""
        return date(year, self.month, self.day)


CAMPAIGNS: tuple[Campaign, ...] = (
    Campaign("618", "618", 6, 18),
    Campaign("double11", "Double 11", 11, 11),
    Campaign("double12", "Double 12", 12, 12),
)
"""The campaigns the forecast knows, by their fixed dates."""

CAMPAIGN_WINDOW = range(-3, 4)
"""Days around a campaign day that carry its effect (warm-up before, deliveries after)."""

LNY_WINDOW = range(-21, 15)
"""Days around Lunar New Year's day (初一) that carry its effect (stocking up, the break)."""

_LNY_NAME = "Chinese New Year"


def campaign(key: str) -> Campaign:
    """The campaign called ``key`` (``double11``, ``double12``, ``618``)."""
    for c in CAMPAIGNS:
        if c.key == key:
            return c
    known = ", ".join(c.key for c in CAMPAIGNS)
    raise KeyError(f"unknown campaign {key!r}; known: {known}")


@lru_cache(maxsize=64)
def _taiwan(year: int) -> dict[date, str]:
    return dict(holidays.country_holidays("TW", years=year, language="en_US").items())


def public_holidays(years: Iterable[int]) -> dict[date, str]:
    """Taiwan's public holidays (observed and substitute days off included) in ``years``."""
    found: dict[date, str] = {}
    for year in sorted(set(years)):
        found.update(_taiwan(year))
    return found


def is_public_holiday(day: date) -> bool:
    """Whether ``day`` is a public holiday in Taiwan."""
    return day in _taiwan(day.year)


@lru_cache(maxsize=64)
def lunar_new_year(year: int) -> date:
    """Lunar New Year's day (初一) in Gregorian ``year``, from Taiwan's holiday calendar."""
    days = sorted(
        d
        for d, name in _taiwan(year).items()
        if name == _LNY_NAME or name.startswith(_LNY_NAME + ";")
    )
    if not days:
        raise ValueError(f"the holidays package has no Lunar New Year in {year}")
    return days[0]


def campaign_offset(day: date) -> tuple[Campaign, int] | None:
    """The campaign whose window holds ``day`` and the day's offset from it, or None."""
    for c in CAMPAIGNS:
        for year in (day.year - 1, day.year, day.year + 1):
            offset = (day - c.on(year)).days
            if offset in CAMPAIGN_WINDOW:
                return c, offset
    return None


def lny_offset(day: date) -> int | None:
    """Days from the nearest Lunar New Year's day when inside :data:`LNY_WINDOW`, else None."""
    for year in (day.year, day.year + 1):
        offset = (day - lunar_new_year(year)).days
        if offset in LNY_WINDOW:
            return offset
    return None


def campaign_days(first: date, last: date) -> list[tuple[date, Campaign]]:
    """Every campaign day from ``first`` to ``last`` (inclusive), in date order."""
    found = [
        (c.on(year), c)
        for year in range(first.year, last.year + 1)
        for c in CAMPAIGNS
        if first <= c.on(year) <= last
    ]
    return sorted(found, key=lambda item: item[0])


def days(first: date, last: date) -> list[date]:
    """Every day from ``first`` to ``last`` inclusive."""
    return [first + timedelta(n) for n in range((last - first).days + 1)]
