"""Each change type alters the request as its schema says and leaves the base untouched."""

from __future__ import annotations

import copy
from collections import Counter
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dispatch import load_request
from dispatch.clock import parse_clock
from scenarios.changes import apply_changes, order_regions, temperature_class
from scenarios.demo import demo_request
from scenarios.spec import ScenarioError

BASE = demo_request(7, orders=60, date="2026-11-11")


def applied(*changes: dict[str, Any]) -> tuple[dict[str, Any], int]:
    before = copy.deepcopy(BASE)
    out = apply_changes(BASE, changes)
    assert before == BASE, "the base was changed"
    load_request(out.request)
    return out.request, out.moved


def test_demand_factor_doubles_every_order_with_new_ids() -> None:
    request, _ = applied({"demand": {"factor": 2}})
    assert len(request["orders"]) == 120
    ids = [o["id"] for o in request["orders"]]
    assert len(set(ids)) == 120
    assert {o["id"] for o in BASE["orders"]} < set(ids)


def test_demand_fraction_is_exact_and_seeded() -> None:
    a, _ = applied({"demand": {"factor": 1.5, "seed": 3}})
    b, _ = applied({"demand": {"factor": 1.5, "seed": 3}})
    assert len(a["orders"]) == 90
    assert a == b
    half, _ = applied({"demand": {"factor": 0.5}})
    assert len(half["orders"]) == 30


def test_demand_by_region_scales_only_that_region() -> None:
    request, _ = applied({"demand": {"by_region": {"Daan": 3}}})
    before, after = Counter(order_regions(BASE).values()), Counter(order_regions(request).values())
    assert after["Daan"] == 3 * before["Daan"]
    assert all(after[r] == n for r, n in before.items() if r != "Daan")


def test_demand_by_platform_and_temperature() -> None:
    request, _ = applied({"demand": {"by_platform": {"web": 2}}})
    before = Counter(o["platform"] for o in BASE["orders"])
    after = Counter(o["platform"] for o in request["orders"])
    assert after == {**before, "web": 2 * before["web"]}
    request, _ = applied({"demand": {"by_temperature": {"frozen": 0}}})
    assert all(temperature_class(o) != "frozen" for o in request["orders"])
    assert len(request["orders"]) == sum(temperature_class(o) != "frozen" for o in BASE["orders"])


def test_demand_in_an_unknown_region_names_the_field() -> None:
    with pytest.raises(ScenarioError) as error:
        applied({"demand": {"by_region": {"Atlantis": 2}}})
    assert error.value.errors[0].field == "changes[0].demand.by_region.Atlantis"


def test_extra_orders_copy_existing_ones_in_the_region() -> None:
    request, _ = applied({"extra_orders": {"count": 7, "region": "Xinyi", "seed": 2}})
    new = request["orders"][60:]
    assert len(new) == 7
    regions = order_regions(request)
    assert all(regions[o["id"]] == "Xinyi" for o in new)
    templates = {str(o["items"]) for o in BASE["orders"]}
    assert all(str(o["items"]) in templates for o in new)


def test_earlier_start_moves_a_share_out_of_the_day() -> None:
    request, moved = applied({"earlier_start": {"share": 0.25}})
    assert moved == 15
    assert len(request["orders"]) == 45
    assert {o["id"] for o in request["orders"]} < {o["id"] for o in BASE["orders"]}


def test_vehicles_unavailable_and_rented() -> None:
    request, _ = applied(
        {"vehicles_unavailable": {"N-REEFER": 2, "S-TRUCK": "all"}},
        {
            "rent_vehicles": [
                {"id": "RENT", "like": "ambient-van", "count": 2, "cost": {"fixed": 9}}
            ]
        },
    )
    counts = {v["id"]: v["count"] for v in request["vehicles"]}
    assert counts["N-REEFER"] == 1
    assert counts["S-TRUCK"] == 0
    rent = next(v for v in request["vehicles"] if v["id"] == "RENT")
    assert rent["count"] == 2
    assert rent["kind"] == "ambient-van"
    assert rent["cost"]["fixed"] == 9


def test_carrier_down_capped_and_backup() -> None:
    request, _ = applied(
        {"carrier_down": ["HCT"]},
        {"carrier_cap": {"CAT": 40}},
        {"backup_carrier": {"id": "BACKUP", "like": "POST", "price_factor": 2}},
    )
    carriers = {c["id"]: c for c in request["carriers"]}
    assert set(carriers) == {"CAT", "HCT", "POST", "BACKUP"}
    assert carriers["HCT"]["max_orders"] == 0
    assert carriers["CAT"]["max_orders"] == 40
    post = next(c for c in BASE["carriers"] if c["id"] == "POST")
    assert carriers["BACKUP"]["price"]["per_order"] == 2 * post["price"]["per_order"]


def test_travel_slower_overall_and_in_a_band() -> None:
    request, _ = applied({"travel_slower": {"factor": 1.5}})
    for old, new in zip(BASE["vehicles"], request["vehicles"], strict=True):
        assert new["speed_factor"] == pytest.approx(old.get("speed_factor", 1.0) / 1.5, abs=1e-4)
    request, _ = applied({"travel_slower": {"factor": 2, "from": "16:00", "to": "19:00"}})
    for old, new in zip(BASE["vehicles"], request["vehicles"], strict=True):
        start, end = parse_clock(old["shift"]["start"]), parse_clock(old["shift"]["end"])
        share = max(0, min(end, 19 * 60) - max(start, 16 * 60)) / (end - start)
        expected = old.get("speed_factor", 1.0) / (1 + share)
        assert new["speed_factor"] == pytest.approx(expected, abs=1e-4)


def test_windows_tightened_keeps_a_minimum() -> None:
    request, _ = applied({"windows_tightened": {"minutes": 60, "keep_minutes": 30}})
    pairs = [
        (w0, w1)
        for r0, r1 in zip(
            [*BASE["orders"], *BASE["pickup_points"]],
            [*request["orders"], *request["pickup_points"]],
            strict=True,
        )
        for w0, w1 in zip(r0.get("time_windows", []), r1.get("time_windows", []), strict=True)
    ]
    assert pairs
    for w0, w1 in pairs:
        s0, e0, s1, e1 = (parse_clock(w) for w in (w0["start"], w0["end"], w1["start"], w1["end"]))
        assert s1 >= s0
        assert e1 <= e0
        assert e1 - s1 >= min(30, e0 - s0)
        if e0 - s0 >= 150:
            assert (s1, e1) == (s0 + 60, e0 - 60)


def test_shifts_extended_for_named_vehicles() -> None:
    request, _ = applied({"shifts_extended": {"end_later": 90, "vehicles": ["N-VAN"]}})
    for old, new in zip(BASE["vehicles"], request["vehicles"], strict=True):
        extra = 90 if old["id"] == "N-VAN" else 0
        assert parse_clock(new["shift"]["end"]) == parse_clock(old["shift"]["end"]) + extra


@settings(max_examples=25, deadline=None)
@given(st.floats(0, 4), st.integers(0, 1000))
def test_demand_count_is_k_times_the_orders(k: float, seed: int) -> None:
    out = apply_changes(BASE, [{"demand": {"factor": k, "seed": seed}}])
    assert len(out.request["orders"]) == round(k * 60)
    assert len({o["id"] for o in out.request["orders"]}) == len(out.request["orders"])


def test_demand_on_demand_keeps_ids_unique() -> None:
    out = apply_changes(BASE, [{"demand": {"factor": 2.5}}, {"demand": {"factor": 3}}])
    ids = [o["id"] for o in out.request["orders"]]
    assert len(ids) == 450
    assert len(set(ids)) == 450
    load_request(out.request)
