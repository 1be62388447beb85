"""The promised multiple, when planned, is served on time and 10% more is not."""

from __future__ import annotations

import pytest

from scenarios.promise import next_count, promise_region, served_on_time
from tests.scenarios.conftest import SOLVE, tiny


@pytest.mark.slow
def test_promised_multiple_is_on_time_and_ten_percent_more_is_not() -> None:
    day = tiny()
    found = promise_region(day, "unassigned", SOLVE, max_multiple=6)
    k, n = found["multiple"], found["base_orders"]
    assert n == 6
    assert 1 <= k < 6
    kept = served_on_time(day, "unassigned", found["orders"] / n, SOLVE)
    assert kept["figures"]["served_on_time"]
    assert kept["figures"]["violations"] == 0
    more = served_on_time(day, "unassigned", 1.1 * found["orders"] / n, SOLVE)
    assert more["figures"]["orders"] > kept["figures"]["orders"]
    assert not more["figures"]["served_on_time"]


def test_next_count_is_ten_percent_and_at_least_one_more() -> None:
    assert next_count(3) == 4
    assert next_count(20) == 22
    assert next_count(0) == 1
