"""Local clock times as minutes after midnight of the plan day ("25:30" is 1530)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer

_HHMM = re.compile(r"^(\d{1,2}):(\d{2})$")
MAX_MINUTES = 48 * 60


def parse_clock(value: Any) -> int:
    """Minutes after midnight from "HH:MM"; up to 47:59 for windows past midnight."""
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueError(f'expected a time "HH:MM", got {value!r}')
    m = _HHMM.match(value.strip())
    if not m:
        raise ValueError(f'expected a time "HH:MM", got {value!r}')
    hours, minutes = int(m.group(1)), int(m.group(2))
    if minutes >= 60 or hours * 60 + minutes >= MAX_MINUTES:
        raise ValueError(f"{value!r} is not a valid time")
    return hours * 60 + minutes


def format_clock(minutes: float) -> str:
    """ "HH:MM" for minutes after midnight, rounded to the nearest minute."""
    total = round(minutes)
    return f"{total // 60:02d}:{total % 60:02d}"


def format_windows(windows: Sequence[tuple[int, int]]) -> str:
    """ "09:00–12:00, 15:00–19:00" for windows in minutes."""
    return ", ".join(f"{format_clock(a)}–{format_clock(b)}" for a, b in windows)


Clock = Annotated[int, BeforeValidator(parse_clock), PlainSerializer(format_clock, return_type=str)]


def _minutes_or_clock(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return parse_clock(value)


PlanClock = Annotated[
    int, BeforeValidator(_minutes_or_clock), PlainSerializer(format_clock, return_type=str)
]
"""A plan time: built from minutes inside the planner, read back from "HH:MM"."""
