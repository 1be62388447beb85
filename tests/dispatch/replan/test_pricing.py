"""Lateness in money under the compensation policy."""

from __future__ import annotations

from dispatch.live.notices import CompensationKind, CompensationPolicy, LateTier
from dispatch.replan.pricing import REFUND_VALUE, late_cost, per_minute


def test_late_cost_follows_the_tiers() -> None:
    policy = CompensationPolicy()
    assert late_cost(policy, 30) == 0
    assert late_cost(policy, 31) == 50
    assert late_cost(policy, 121) == REFUND_VALUE


def test_the_search_price_is_the_first_tier_over_its_threshold() -> None:
    assert per_minute(CompensationPolicy()) == 50 / 30
    tiers = (LateTier(over_minutes=20, kind=CompensationKind.COUPON, amount=80),)
    assert per_minute(CompensationPolicy(late=tiers)) == 4.0
    assert per_minute(CompensationPolicy(late=())) == 1.0
