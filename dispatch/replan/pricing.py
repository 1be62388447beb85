"""Lateness in money: what the compensation policy gives an order at a lateness, and the
per-minute price the re-plan's search uses for it (the first tier spread over its threshold)."""

from __future__ import annotations

from dispatch.live.notices import Compensation, CompensationPolicy

REFUND_VALUE = 100.0
"""What a compensation without an amount (a refunded delivery fee, a reshipment) is taken to
cost, in currency units."""


def compensation_cost(compensation: Compensation | None) -> float:
    if compensation is None:
        return 0.0
    return compensation.amount if compensation.amount is not None else REFUND_VALUE


def late_cost(policy: CompensationPolicy, minutes: int) -> float:
    """The money an order ``minutes`` late costs under the policy."""
    return compensation_cost(policy.for_lateness(minutes))


def per_minute(policy: CompensationPolicy) -> float:
    """The search's linear price of a late minute: the cheapest tier's cost over its threshold
    (a minute late is never free, so the search does not give time away)."""
    tiers = sorted(policy.late, key=lambda t: t.over_minutes)
    if not tiers:
        return 1.0
    first = tiers[0]
    return max(compensation_cost(first) / max(first.over_minutes, 1), 0.1)
