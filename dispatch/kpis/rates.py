"""A plan request that asks for measured carrier rates, given them from the scorecard."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from dispatch.kpis.reading import Cache
from dispatch.kpis.report import carrier_scorecard

MEASURED_DAYS = 30
"""The days the measured rates are counted over, ending with the day the plan is asked."""


def with_measured_rates(
    session: Session,
    document: Mapping[str, Any],
    today: date,
    *,
    days: int = MEASURED_DAYS,
    cache: Cache | None = None,
) -> Mapping[str, Any]:
    """``document`` with ``policy.measured_rates`` set to each carrier's measured on-time rate
    (carriers with at least one delivered order in the last ``days`` days) when its policy
    asks for ``"carrier_rates": "measured"``; any other document as it is."""
    policy = document.get("policy")
    if not isinstance(policy, Mapping) or policy.get("carrier_rates") != "measured":
        return document
    _, _, scores = carrier_scorecard(session, today, days, cache=cache)
    rates = {s.carrier: s.on_time_rate for s in scores if s.on_time_rate is not None}
    return {**document, "policy": {**policy, "measured_rates": rates}}
