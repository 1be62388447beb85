"""Hypothesis strategies for small random problems that exercise every rule of the contract."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from optimizer import Node, Problem, Vehicle


@st.composite
def windows(draw: st.DrawFn) -> tuple[tuple[int, int], ...]:
    """Open, one window, or two windows with a gap, within a day of 200."""
    kind = draw(st.sampled_from(["open", "one", "two"]))
    if kind == "open":
        return ((0, 200),)
    a = draw(st.integers(0, 120))
    b = a + draw(st.integers(0, 40))
    if kind == "one":
        return ((a, b),)
    c = b + draw(st.integers(1, 30))
    return ((a, b), (c, c + draw(st.integers(0, 40))))


@st.composite
def problems(draw: st.DrawFn, *, ages: bool = True, lateness: bool = True) -> Problem:
    """Up to 8 stops, 2-3 vehicles, 1-2 depots, 1-2 load dimensions and speed profiles."""
    num_depots = draw(st.integers(1, 2))
    num_stops = draw(st.integers(1, 8))
    dims = draw(st.integers(1, 2))
    profiles = draw(st.integers(1, 2))
    points = np.array(
        draw(
            st.lists(
                st.tuples(st.integers(0, 30), st.integers(0, 30)),
                min_size=num_depots + num_stops,
                max_size=num_depots + num_stops,
            )
        ),
        dtype=np.int64,
    )
    distances = np.abs(points[:, None, :] - points[None, :, :]).sum(axis=2)
    durations = tuple(distances * (k + 1) for k in range(profiles))
    depots = [Node(((0, 200),), service=draw(st.integers(0, 5)), is_depot=True)] * num_depots
    stops = [
        Node(
            draw(windows()),
            service=draw(st.integers(0, 5)),
            demand=tuple(draw(st.integers(0, 5)) for _ in range(dims)),
            penalty=draw(st.one_of(st.none(), st.integers(0, 200))),
            age_classes=draw(st.sampled_from([(), (0,), (0, 1)])) if ages else (),
        )
        for _ in range(num_stops)
    ]
    fleet = [
        Vehicle(
            start=draw(st.integers(0, num_depots - 1)),
            end=draw(st.integers(0, num_depots - 1)),
            capacity=tuple(draw(st.integers(0, 15)) for _ in range(dims)),
            shift=(draw(st.integers(0, 40)), draw(st.integers(120, 220))),
            fixed_cost=draw(st.integers(0, 50)),
            distance_cost=draw(st.integers(0, 3)),
            time_cost=draw(st.integers(0, 2)),
            profile=draw(st.integers(0, profiles - 1)),
            max_age=(draw(st.one_of(st.none(), st.integers(10, 100))), draw(st.integers(20, 150))),
        )
        for _ in range(draw(st.integers(2, 3)))
    ]
    late = lateness and draw(st.booleans())
    return Problem(
        tuple(depots + stops),
        tuple(fleet),
        distances,
        durations,
        late_cost=draw(st.integers(1, 3)) if late else 0,
        max_lateness=draw(st.integers(0, 30)) if late else 0,
    )
