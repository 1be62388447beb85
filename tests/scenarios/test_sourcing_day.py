"""The generated sourcing days: deterministic, valid requests with the regions asked for."""

from __future__ import annotations

from dispatch.intake.loading import load_request
from scenarios.sourcing_day import sourcing_day


def test_same_seed_same_day() -> None:
    """A seed gives one day; another seed another."""
    assert sourcing_day(3) == sourcing_day(3)
    assert sourcing_day(3) != sourcing_day(4)


def test_day_is_a_valid_request_with_its_regions() -> None:
    """Thirty orders in five region wedges load without errors."""
    doc = sourcing_day(1, regions=5, orders=30)
    request = load_request(doc)
    assert len(request.orders) == 30
    assert len(doc["regions"]["features"]) == 5
