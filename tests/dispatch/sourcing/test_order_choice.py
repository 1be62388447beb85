"""Per-order sourcing's time split and its last re-solve, on hand-made carriers and results."""

from __future__ import annotations

import pytest

from dispatch.intake.request import Carrier, CarrierPrice
from dispatch.planning.own_fleet import OwnFleetResult
from dispatch.planning.plan import Unserved
from dispatch.sourcing.order_choice import keeps_served, route_share


def _carrier(max_orders: int | None = None, min_charge: float = 0.0) -> Carrier:
    return Carrier(
        id="c", max_orders=max_orders, price=CarrierPrice(min_charge_per_region=min_charge)
    )


@pytest.mark.parametrize(
    ("carriers", "share"),
    [
        ([], 0.95),
        ([_carrier(10)], 0.95),
        ([_carrier(3)], 0.6),
        ([_carrier(3), _carrier(None)], 0.95),
        ([_carrier(3), _carrier(4)], 0.6),
        ([_carrier(None, min_charge=50)], 0.6),
    ],
)
def test_first_solve_keeps_time_back_only_when_carriers_may_run_out(
    carriers: list[Carrier], share: float
) -> None:
    assert route_share(carriers, orders=8) == share


def _result(*unserved: str) -> OwnFleetResult:
    return OwnFleetResult(
        routes=[],
        unserved=[Unserved(order=o, reason="") for o in unserved],
        late_minutes=0,
        elapsed_s=0.0,
        engine="test",
    )


def test_a_re_solve_may_not_drop_an_order_the_first_solve_routed() -> None:
    assert keeps_served(_result("a", "b"), _result("a"))
    assert keeps_served(_result("a"), _result("a"))
    assert not keeps_served(_result("a"), _result("a", "c"))
    assert not keeps_served(_result(), _result("c"))
