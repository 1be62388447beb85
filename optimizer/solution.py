"""What a solve returns: routes as node sequences with their start times, and dropped stops."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Route:
    """One used vehicle: the stops it visits in order (node indices, depots excluded).

    ``start`` is the route's start time at its depot (before the depot's service);
    ``starts`` the start of service at each visit, in the problem's time unit.
    """

    vehicle: int
    visits: tuple[int, ...]
    start: int
    starts: tuple[int, ...]
    end: int


@dataclass(frozen=True, slots=True)
class Progress:
    """A snapshot reported while a solve runs."""

    elapsed_s: float
    best_cost: int
    solutions: int


@dataclass(frozen=True, slots=True)
class Solution:
    """The best solution found. ``cost`` is the engine's objective value.

    ``feasible`` is False when a mandatory stop is in ``dropped`` (``routes``
    then hold the best plan for the rest) or when no plan was found at all
    (``routes`` empty, every stop dropped).
    """

    routes: tuple[Route, ...]
    dropped: tuple[int, ...]
    cost: int
    feasible: bool
    engine: str
    elapsed_s: float
    stats: dict[str, float] = field(default_factory=dict)
