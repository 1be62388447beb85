"""What a solve returns: routes with their schedules, and dropped stops."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Visit:
    """When a route reaches one stop, serves it and leaves, in the problem's time unit.

    ``late`` is how far the start of service lies after the stop's last window closes.
    """

    arrival: int
    start: int
    departure: int
    late: int = 0

    @property
    def wait(self) -> int:
        """Time spent at the stop before its service starts."""
        return self.start - self.arrival


@dataclass(frozen=True, slots=True)
class Route:
    """One used vehicle: the stops it visits in order (node indices, depots excluded).

    ``start`` is the route's start time at its depot (before the depot's service), ``end``
    its return; ``schedule`` holds one ``Visit`` per stop of ``visits``. A route never waits
    before its first stop: it starts as late as that stop allows.
    """

    vehicle: int
    visits: tuple[int, ...]
    start: int
    schedule: tuple[Visit, ...]
    end: int

    def __post_init__(self) -> None:
        if len(self.schedule) != len(self.visits):
            raise ValueError(
                f"route of vehicle {self.vehicle}: {len(self.schedule)} scheduled visits "
                f"for {len(self.visits)} stops."
            )

    @property
    def starts(self) -> tuple[int, ...]:
        """The start of service at each visit."""
        return tuple(visit.start for visit in self.schedule)


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
