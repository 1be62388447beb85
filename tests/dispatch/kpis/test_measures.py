"""KPIs over any facts: rates stay within [0, 1], groups add up to the total, p95 by hand."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dispatch.kpis.facts import DayFacts, NoticeFact, OrderFact, Outcome, RouteFact
from dispatch.kpis.measures import GROUPINGS, measure, p95

DAY = date(2026, 12, 8)


@st.composite
def order_facts(draw: st.DrawFn, k: int) -> OrderFact:
    outcome = draw(st.sampled_from(list(Outcome)))
    delivered = outcome is Outcome.DELIVERED
    carrier = draw(st.sampled_from(["own", "CAT", "unserved"]))
    cold = draw(st.booleans())
    return OrderFact(
        day=DAY + timedelta(days=draw(st.integers(0, 2))),
        order=f"O-{k}",
        platform=draw(st.sampled_from(["line", "web", "app"])),
        region=draw(st.sampled_from(["Xinyi", "Daan"])),
        carrier=carrier,
        vehicle=draw(st.sampled_from(["V#1", "V#2"])) if carrier == "own" else carrier,
        outcome=outcome,
        reason=draw(st.sampled_from(["nobody", "closed"])) if outcome is Outcome.FAILED else None,
        late_minutes=draw(st.integers(0, 300)) if delivered else None,
        minutes_from_departure=draw(st.floats(0, 600)) if delivered else None,
        cold=cold,
        cold_ok=draw(st.booleans()) if cold and delivered else None,
        cost=draw(st.floats(0, 1000)),
    )


@st.composite
def days(draw: st.DrawFn) -> DayFacts:
    n = draw(st.integers(0, 40))
    orders = tuple(draw(order_facts(k)) for k in range(n))
    routes = tuple(
        RouteFact(DAY, f"V#{k}", draw(st.floats(0, 1.5)), draw(st.floats(0, 1.5)))
        for k in range(draw(st.integers(0, 3)))
    )
    notices = tuple(
        NoticeFact(
            DAY,
            draw(st.sampled_from([None, *(o.order for o in orders)])),
            draw(st.sampled_from([0.0, 50.0, 80.0])),
        )
        for _ in range(draw(st.integers(0, 5)))
    )
    return DayFacts(orders, routes, notices)


RATES = ("success_rate", "on_time_rate", "own_share", "carrier_share", "cold_chain_compliance")


@settings(max_examples=60, deadline=None)
@given(day=days())
def test_rates_are_shares(day: DayFacts) -> None:
    for by in (None, *GROUPINGS):
        for row in measure([day], by):
            for name in RATES:
                value = getattr(row, name)
                assert value is None or 0 <= value <= 1, (name, value)
            if row.p95_delay_minutes is not None:
                assert row.avg_delay_minutes is not None
                assert row.p95_delay_minutes <= 300


@settings(max_examples=60, deadline=None)
@given(day=days())
def test_groups_add_up_to_the_total(day: DayFacts) -> None:
    (total,) = measure([day])
    for by in GROUPINGS:
        rows = measure([day], by)
        for name in ("orders", "delivered", "failed", "unserved", "open", "cold_orders", "notices"):
            assert sum(getattr(r, name) for r in rows) == getattr(total, name), (by, name)
        assert sum(r.cost for r in rows) == pytest.approx(total.cost, abs=0.01 * len(rows) + 1e-9)
        assert sum(r.compensation_total for r in rows) == pytest.approx(total.compensation_total)
        reasons: dict[str, int] = {}
        for r in rows:
            for reason, n in r.failed_by_reason.items():
                reasons[reason] = reasons.get(reason, 0) + n
        assert reasons == total.failed_by_reason
    assert sum(r.routes for r in measure([day], "vehicle")) == total.routes
    assert sum(r.routes for r in measure([day], "day")) == total.routes


def test_p95_is_the_nearest_rank() -> None:
    assert p95([]) is None
    assert p95([7]) == 7
    assert p95(list(range(1, 21))) == 19  # rank ceil(0.95 * 20) = 19
    assert p95(list(range(1, 22))) == 20  # rank ceil(0.95 * 21) = 20
    assert p95([0, 0, 0, 40]) == 40
