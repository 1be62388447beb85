"""Carrier eligibility with reasons, prices by the contract, and the capacitated choice."""

from __future__ import annotations

import math
from collections import Counter
from itertools import product
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dispatch.clock import parse_clock
from dispatch.intake.loading import load_request
from dispatch.intake.request import Carrier, Order, Policy
from dispatch.sourcing.carriers import (
    CarrierTable,
    Option,
    cheapest_choice,
    last_window_end,
    price,
    refusal,
    region_cost,
)

CAT: dict[str, Any] = {
    "id": "CAT",
    "regions": ["*"],
    "handles": {"temperatures": ["ambient", "chilled", "frozen"], "fragile": True},
    "price": {"per_order": 95, "per_kg": 4, "cold_surcharge_per_order": 60},
    "handover_by": "10:00",
    "delivers_by": "18:00",
    "on_time_rate": 0.96,
    "max_orders": 800,
}
POLICY = Policy(carrier_late_penalty_per_order=200)


def cat(**changes: Any) -> Carrier:
    return Carrier.model_validate(CAT | changes)


def order(*items: dict[str, Any], **more: Any) -> Order:
    return Order.model_validate({"id": "O", "items": list(items), **more})


MILK = {"sku": "milk", "qty": 6, "weight_kg": 1.05, "volume_l": 1.1, "temperature": "chilled"}
RICE = {"sku": "rice", "qty": 2, "weight_kg": 5, "volume_l": 6}


def test_price_is_per_order_per_kg_cold_surcharge_and_expected_lateness() -> None:
    """Milk 6 × 1.05 kg: 95 + 4 × 6.3 + 60 = 180.2, plus (1 - 0.96) × 200 = 8."""
    assert price(cat(), order(MILK), POLICY) == pytest.approx(188.2)
    assert price(cat(), order(RICE), POLICY) == pytest.approx(95 + 40 + 8)


def test_region_cost_has_a_minimum_charge_before_lateness() -> None:
    """Two orders charge 315.2; a 500 minimum lifts that, lateness (16) comes on top."""
    orders = [order(MILK), order(RICE)]
    assert region_cost(cat(), orders, POLICY) == pytest.approx(180.2 + 135 + 16)
    minimum = cat(price=CAT["price"] | {"min_charge_per_region": 500})
    assert region_cost(minimum, orders, POLICY) == pytest.approx(500 + 16)
    assert region_cost(minimum, [], POLICY) == 0


@pytest.mark.parametrize(
    ("changes", "item", "code", "text"),
    [
        ({"regions": ["Xinyi"]}, RICE, "region", "does not serve Beitou"),
        ({"handles": {"temperatures": ["ambient"]}}, MILK, "temperature", "chilled goods"),
        ({"handles": {"fragile": False}}, RICE | {"fragile": True}, "fragile", "fragile goods"),
        ({}, RICE | {"bulky": True}, "bulky", "does not handle bulky goods"),
        ({"delivers_by": "12:30"}, RICE, "delivers_by", "after the window ends at 12:00"),
        ({"max_orders": 0}, RICE, "down", "takes no orders"),
    ],
)
def test_refusals_name_their_cause(
    changes: dict[str, Any], item: dict[str, Any], code: str, text: str
) -> None:
    """Each capability or limit the carrier lacks is the reason it refuses."""
    window = [{"start": "09:00", "end": "12:00"}]
    found = refusal(
        cat(**changes), order(item, time_windows=window), "Beitou", parse_clock("12:00")
    )
    assert found is not None
    assert found.code == code
    assert text in found.text


def test_a_capable_carrier_takes_the_order() -> None:
    """Served region, handled goods and delivery before the window ends: no refusal."""
    assert refusal(cat(), order(MILK), "Beitou", parse_clock("18:00")) is None
    assert refusal(cat(), order(MILK), "Beitou", None) is None


def test_pickup_orders_end_with_the_points_last_window(doc: dict[str, Any]) -> None:
    """An order to PP-A (09:00–12:00) ends at 12:00 whatever its own windows say."""
    doc["orders"][0]["time_windows"] = [{"start": "09:00", "end": "20:00"}]
    request = load_request(doc)
    assert last_window_end(request, request.orders[0]) == parse_clock("12:00")
    assert last_window_end(request, request.orders[3]) == parse_clock("14:00")


def test_table_summarises_refusals_per_region(doc: dict[str, Any]) -> None:
    """Refusals are counted by cause; carriers with the same clause are named together."""
    doc["carriers"] = [
        CAT | {"delivers_by": "13:00"},
        CAT | {"id": "POST", "handles": {"temperatures": ["ambient"]}},
        CAT | {"id": "HCT", "regions": ["North"]},
    ]
    request = load_request(doc)
    table = CarrierTable(request, {o.id: "East" for o in request.orders})
    orders = request.orders
    assert table.summary("CAT", orders) == (
        "refuses 2 of 5 orders: delivers by 13:00, after the windows end (2)"
    )
    assert table.summary("HCT", orders) == "does not serve East"
    assert table.why_not(orders[1]) == (
        "CAT delivers by 13:00, after the window ends at 12:00; "
        "POST does not handle chilled goods; HCT does not serve East"
    )
    assert table.cheapest(orders[2]) == ("CAT", pytest.approx(95 + 4 + 0))


def test_choice_beats_greedy_under_a_capacity() -> None:
    """X holds 10: giving it A (greedy by regret) costs 220; B and C instead cost 200."""
    options = {
        "A": [Option("X", 100, 10), Option("own", 180)],
        "B": [Option("X", 10, 6), Option("own", 60)],
        "C": [Option("X", 10, 4), Option("own", 60)],
    }
    choice = cheapest_choice(options, {"X": 10})
    assert {r: o.choice for r, o in choice.items()} == {"A": "own", "B": "X", "C": "X"}
    assert sum(o.cost for o in choice.values()) == 200


def test_choice_without_room_falls_back_to_unbounded_options() -> None:
    """A carrier with no room leaves every region to the options without a capacity."""
    options = {"A": [Option("X", 1, 1), Option("none", 50)]}
    assert cheapest_choice(options, {"X": 0})["A"].choice == "none"
    assert cheapest_choice({}, {"X": 0}) == {}


@st.composite
def regions_and_capacity(draw: st.DrawFn) -> tuple[dict[str, list[Option]], dict[str, int]]:
    """Up to 5 regions, each with an unbounded option and up to two capacitated carriers."""
    options = {}
    for r in range(draw(st.integers(1, 5))):
        load = draw(st.integers(1, 6))
        own = Option("own", draw(st.integers(0, 100)))
        carriers = [
            Option(c, draw(st.integers(0, 100)), load) for c in ("X", "Y") if draw(st.booleans())
        ]
        options[f"R{r}"] = [own, *carriers]
    return options, {"X": draw(st.integers(0, 12)), "Y": draw(st.integers(0, 12))}


@given(regions_and_capacity())
@settings(max_examples=200, deadline=None)
def test_choice_is_the_cheapest_feasible_assignment(
    case: tuple[dict[str, list[Option]], dict[str, int]],
) -> None:
    """The branch and bound matches exhaustive enumeration."""
    options, capacity = case
    best = math.inf
    for pick in product(*options.values()):
        loads = Counter[str]()
        for o in pick:
            loads[o.choice] += o.load
        if all(loads[c] <= room for c, room in capacity.items()):
            best = min(best, sum(o.cost for o in pick))
    choice = cheapest_choice(options, capacity)
    used = Counter[str]()
    for o in choice.values():
        used[o.choice] += o.load
    assert all(used[c] <= room for c, room in capacity.items())
    assert sum(o.cost for o in choice.values()) == best
